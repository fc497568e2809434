"""Who is told what, on which channel, in which language.

- rules: the kinds a resident chooses for, what each offers, and the channel decision (pure)
- residents: a submission's resident as someone to write to (addresses, language, choices)
- preferences: reading and saving a resident's choices (the account's notifications page)
- tell: `tell_resident`, the one way the portal writes to a resident about their request

`tell_resident(submission, kind, context)` renders the kind's templates in the resident's
language and queues one OutgoingMessage per chosen channel (services/messages/outbox.py).
"""
