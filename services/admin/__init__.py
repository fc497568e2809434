"""The Django admin for the services domain, one module per resource. Django's autodiscovery
imports this package; importing each module registers its ModelAdmins.

- catalogue: topics, services, forms and their versions (preview, publish, archive)
- delivery: deliveries, attempts and submissions, with the dashboard and the case timeline
- routing: connections, rule sets, rules and destinations
- audit: the access log (read-only)
- messages: the message outbox (read-only)
- teams: contact-centre teams (services/staff/scope.py decides what they see)
"""

from services.admin import audit, catalogue, delivery, messages, routing, teams

__all__ = ["audit", "catalogue", "delivery", "messages", "routing", "teams"]
