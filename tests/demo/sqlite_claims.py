"""Run by test_sqlite.py in a process of its own, on a fresh SQLite file (DATABASE_URL).

Four processes at once, as `make run`'s worker pool and web server would be: three claim every
delivery of a routed form (each claim is the production code's read-then-write transaction)
while the fourth submits more forms. Prints one JSON line: what was claimed and every error.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

CLAIMERS = 3
DELIVERIES = 120


def _claim_all(delivery_ids: list[int], results: Any) -> None:
    import django

    django.setup()
    from django.db import OperationalError

    from services.delivery.claim import ClaimedDelivery, claim

    claimed, errors = [], []
    for delivery_id in delivery_ids:
        try:
            if isinstance(claim(delivery_id), ClaimedDelivery):
                claimed.append(delivery_id)
        except OperationalError as error:
            errors.append(str(error))
    results.put({"claimed": claimed, "errors": errors})


def _submit_more(version_id: int, results: Any) -> None:
    import django

    django.setup()
    from django.db import OperationalError

    from services.models import FormVersion
    from tests.services.delivery.conftest import submit

    version = FormVersion.objects.get(pk=version_id)
    errors = []
    for _ in range(DELIVERIES // 2):
        try:
            submit(version)
        except OperationalError as error:
            errors.append(str(error))
    results.put({"claimed": [], "errors": errors})


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from services.models import Connection, Delivery
    from tests.services.delivery.conftest import make_connection, make_routed_version, submit

    call_command("migrate", verbosity=0)
    # Nothing listens there: the deliveries are only claimed, never sent.
    connection: Connection = make_connection("http://127.0.0.1:9/records", max_concurrency=1000)
    version = make_routed_version(connection)
    submissions = [submit(version) for _ in range(DELIVERIES)]
    ids = list(Delivery.objects.filter(submission__in=submissions).values_list("pk", flat=True))

    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    processes = [context.Process(target=_claim_all, args=(ids, results)) for _ in range(CLAIMERS)]
    processes.append(context.Process(target=_submit_more, args=(version.pk, results)))
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    json.dump(
        {
            "deliveries": ids,
            "claimed": [i for outcome in outcomes for i in outcome["claimed"]],
            "errors": [e for outcome in outcomes for e in outcome["errors"]],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
