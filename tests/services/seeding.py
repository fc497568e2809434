"""The seeded catalogue as `make run` leaves it: routed by the demo routing file and live.

`seed_catalogue()` alone leaves new services not live (a service may only take submissions once
its routing sends them somewhere); tests that need residents to use them seed with this. The
demo connections get no secrets here: tests that use it send nothing to a back office.
"""

from __future__ import annotations

from typing import Any

from services.management.commands.seed_demo_routing import ROUTING_FILE, make_routed_services_live
from services.models import Service
from services.routing.config_file import import_document
from services.seed import seed_catalogue


def seed_live_catalogue() -> list[Service]:
    services = seed_catalogue()
    routing = ROUTING_FILE.read_text(encoding="utf-8")
    import_document(routing)
    make_routed_services_live(routing)
    return list(Service.objects.filter(pk__in=[s.pk for s in services]))


def nothing_queued(monkeypatch: Any) -> list[int]:
    """Deliveries are made but not queued to the broker: these tests are not about sending, and
    no worker would take them (the sweeper would, in production)."""
    ids: list[int] = []
    monkeypatch.setattr("services.delivery.outbox.queue_deliveries", ids.extend)
    return ids
