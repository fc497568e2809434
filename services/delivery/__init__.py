"""Delivery: every submission reaches each of its back-office systems exactly once.

    outbox.py   create_deliveries(): Delivery rows in the submission's transaction, queued on commit
    rules.py    which deliveries may be claimed and what a claim writes: the one definition
    claim.py    claim(): one worker at a time per delivery (a lease), per-connection limits
    breaker.py  the circuit breaker that stops calls to a back office that is down
    retry.py    next_retry(): when to try again after a transient failure (pure)
    engine.py   attempt_delivery(): claim, map, call the adapter, record the attempt
    sql.py      a claim and a success in one round trip each, the rules compiled by the ORM once
    loading.py  a claimed delivery and what its mapping and adapter read, made from one row
    sweeper.py  what is due or abandoned, for the sweep task
    tasks.py    the Celery tasks `deliver` (one delivery) and `sweep` (every minute, from beat)
    alerts.py   e-mail to a connection's owner about failed or overdue deliveries
    actions.py  what people do by hand: retry now, cancel, mark resolved

A delivery's states (services/models/delivery.py):

    pending --claim--> in_flight --success------------------------------> delivered
       ^                 |  |  \\--transient, within budget--> retrying --claim--> in_flight ...
       |                 |  \\--permanent, or budget spent------------------------> failed
       |                 \\--lease ran out (worker died): claimable again, same key
       \\-- deferred (breaker open, connection busy): next_attempt_at moves, no attempt spent
    pending / retrying / failed --by hand--> cancelled | resolved
"""
