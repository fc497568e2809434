"""A resident's rights over their data (UK GDPR): a copy of everything the portal holds about
them (export) and deleting their account (erasure). Retention of closed cases, which applies to
everyone, is services/retention.py.

- export: the data as one JSON-ready document, the ZIP a resident downloads (that document, a
  readable HTML page and their files), built while they wait or by a worker if large
- erasure: deleting an account: what goes, what is kept with the cases and for how long
"""
