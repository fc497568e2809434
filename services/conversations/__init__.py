"""Two-way with the resident: the council asks, the resident answers, reopens, says "not fixed".

- questions: recording a question (from staff or a back office's status) and telling the resident
- ask: the staff workspace's "ask the resident a question"
- resident: the resident's reply (text and files), reopening, "it is not fixed"
- outbox: an OutgoingUpdate per back office holding the case, written with the message
- send: claiming one outgoing update, sending it through the adapter, recording the outcome
- sweeper, tasks: what is due, for the delivery sweep task; the Celery task that sends one
"""
