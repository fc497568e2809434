"""Outgoing messages: an outbox in PostgreSQL for every e-mail the portal sends (later SMS and
letters through GOV.UK Notify, as more channels of the same outbox).

- outbox: `queue_message`, the one way to send a message, and queueing its task on commit
- send: claiming a due message, sending it through its channel, recording the outcome
- sweeper: which messages are due, for the sweep task beat runs
- tasks: the Celery task that sends one message
"""
