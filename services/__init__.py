"""The domain: service catalogue, form definitions and engine, submissions, routing, delivery."""
