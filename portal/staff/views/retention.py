"""What retention anonymises next, per service, and what its last runs did: for system admins
and the data protection officer. References and counts only, never a resident's name or answer,
so the page is not a view of personal data and records no access."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from portal.staff.access import retention_view
from services import retention

# How far ahead the page looks, and how many references it lists per service.
WITHIN_DAYS = 30
SAMPLE = 5


@retention_view
@require_safe
def outlook(request: HttpRequest) -> HttpResponse:
    context = {
        "active": "retention",
        "rows": retention.outlook(within_days=WITHIN_DAYS, sample=SAMPLE),
        "runs": retention.recent_runs(),
        "within_days": WITHIN_DAYS,
    }
    return render(request, "staff/retention.html", context)
