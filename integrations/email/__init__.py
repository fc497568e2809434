"""E-mail to a service team: each submission as one structured message over SMTP."""
