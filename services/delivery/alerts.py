"""Telling people: e-mail to a connection's owner when its deliveries fail or wait too long.

Failures are shown on the delivery dashboard too, but nobody watches a dashboard at 3 a.m.; the
owner of the back-office connection gets an e-mail instead. Each delivery is alerted about once
(`alerted_at`), claimed with a conditional update or a row lock, so two workers or two sweeper
runs never send the same alert twice. A delivery put back to work by hand ("Retry now" after a
failure) has `alerted_at` cleared, so its next failure is told again.

What an alert says is deliberately dull: the connection, the submission's reference, the service,
the reason the back office gave (`last_error`, which the engine keeps free of personal data) and a
link to the delivery in the admin. Never the answers, the resident's name or contact details:
e-mail travels further than the portal, and the admin page is behind sign-in and MFA.

Both functions put their e-mail in the message outbox (services/messages) in the transaction
that claims the alert, so an alert is never sent for a change that was rolled back, and never
lost once it is committed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import structlog
from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, QuerySet, Value
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from services.messages.outbox import queue_message
from services.models import Connection, Delivery

logger = structlog.get_logger(__name__)

# A digest lists at most this many deliveries per connection; the dashboard has them all.
DIGEST_LIMIT = 50


def absolute_url(path: str) -> str:
    """`path` on the portal's own address, for links in e-mail sent from a worker (no request).

    PORTAL_URL (e.g. https://portal.example.gov.uk) when set; otherwise the first real host in
    ALLOWED_HOSTS; with neither, the bare path, which is still enough to find the page.
    """
    base = getattr(settings, "PORTAL_URL", "") or ""
    if not base:
        hosts = [h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")]
        if hosts:
            scheme = "http" if settings.DEBUG else "https"
            port = ":8000" if settings.DEBUG else ""
            base = f"{scheme}://{hosts[0]}{port}"
    return f"{base.rstrip('/')}{path}"


def delivery_admin_url(delivery: Delivery | int) -> str:
    pk = delivery if isinstance(delivery, int) else delivery.pk
    return absolute_url(reverse("admin:services_delivery_change", args=[pk]))


def dashboard_url() -> str:
    return absolute_url(reverse("admin:services_delivery_dashboard"))


def alert_failed(delivery: Delivery) -> bool:
    """E-mail the connection's owner that `delivery` has failed; once per delivery.

    Returns whether an e-mail was sent (False when it had been alerted already, or is no longer
    failed). Safe to call twice or from two processes: only the call that sets `alerted_at` sends.
    """
    now = timezone.now()
    with transaction.atomic():
        claimed = Delivery.objects.filter(
            pk=delivery.pk, state=Delivery.State.FAILED, alerted_at__isnull=True
        ).update(alerted_at=now)
        if not claimed:
            return False
        fresh = Delivery.objects.select_related(
            "connection", "submission__service", "destination"
        ).get(pk=delivery.pk)
        context = {
            "delivery": fresh,
            "connection": fresh.connection,
            "reference": fresh.submission.reference,
            "service": fresh.submission.service.name,
            "reason": fresh.last_error or "No reason was recorded.",
            "delivery_url": delivery_admin_url(fresh),
            "dashboard_url": dashboard_url(),
        }
        queue_message(
            kind="delivery_failed",
            recipient=fresh.connection.owner_email,
            subject=f"Delivery failed: {fresh.submission.reference} to {fresh.connection.name}",
            body=render_to_string("services/delivery/email/failed.txt", context),
        )
    delivery.alerted_at = now
    logger.warning(
        "delivery_failed_alerted", delivery_id=delivery.pk, connection_id=fresh.connection_id
    )
    return True


@dataclass
class OverdueGroup:
    connection: Connection
    deliveries: list[Delivery]
    count: int


def overdue_deliveries(now: datetime) -> QuerySet[Delivery]:
    """Open deliveries older than their connection's `alert_after` (whether alerted or not)."""
    threshold = ExpressionWrapper(
        Value(now) - F("connection__alert_after"), output_field=DateTimeField()
    )
    return Delivery.objects.filter(state__in=Delivery.OPEN_STATES, created_at__lt=threshold)


def alert_overdue(now: datetime) -> int:
    """One digest e-mail per connection owner listing deliveries waiting too long; once each.

    A delivery is overdue when it is still open (pending, sending or waiting to retry) longer
    than its connection's `alert_after` since it was created, and nobody has been told about it.
    Rows are locked with SKIP LOCKED, so a second sweeper run at the same moment skips what this
    one is telling. Returns the number of e-mails sent.
    """
    sent = 0
    with transaction.atomic():
        due = list(
            overdue_deliveries(now)
            .filter(alerted_at__isnull=True)
            .select_for_update(of=("self",), skip_locked=True)
            .select_related("connection", "submission")
            .order_by("connection_id", "created_at")
        )
        if not due:
            return 0
        Delivery.objects.filter(pk__in=[d.pk for d in due]).update(alerted_at=now)

        by_owner: dict[str, dict[int, OverdueGroup]] = defaultdict(dict)
        for delivery in due:
            groups = by_owner[delivery.connection.owner_email.lower()]
            group = groups.get(delivery.connection_id)
            if group is None:
                group = groups[delivery.connection_id] = OverdueGroup(delivery.connection, [], 0)
            group.count += 1
            if len(group.deliveries) < DIGEST_LIMIT:
                group.deliveries.append(delivery)

        for owner, groups in by_owner.items():
            total = sum(group.count for group in groups.values())
            context = {
                "groups": [
                    {
                        "connection": group.connection,
                        "count": group.count,
                        "more": group.count - len(group.deliveries),
                        "rows": [
                            {
                                "reference": d.submission.reference,
                                "state": d.get_state_display(),
                                "waiting_since": d.created_at,
                                "reason": d.last_error,
                                "url": delivery_admin_url(d),
                            }
                            for d in group.deliveries
                        ],
                    }
                    for group in groups.values()
                ],
                "total": total,
                "dashboard_url": dashboard_url(),
            }
            names = ", ".join(group.connection.name for group in groups.values())
            queue_message(
                kind="deliveries_overdue",
                recipient=owner,
                subject=f"{total} deliveries waiting too long: {names}",
                body=render_to_string("services/delivery/email/overdue.txt", context),
            )
            sent += 1
    logger.warning("deliveries_overdue_alerted", deliveries=len(due), emails=sent)
    return sent
