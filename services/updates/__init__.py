"""Status updates from back offices: applying them to cases (apply), fetching them from systems
that are polled (poll), and the Celery tasks that run the polls (tasks)."""
