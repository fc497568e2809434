"""Which of the workspace's places a person's navigation offers: the same rules that let them in
(portal/staff/access.py), so a link never leads to a refusal."""

from __future__ import annotations

from typing import Any

from django import template

from portal.studio.access import may_use_studio
from services.audit_search import may_search_access_log
from services.retention import SEE_RETENTION, may_see_retention
from services.staff.scope import may_use_workspace

register = template.Library()


@register.simple_tag
def workspace_places(user: Any) -> dict[str, bool]:
    audit = may_search_access_log(user)
    return {
        # Only staff reach a workspace page (portal/staff/access.py): the permission decides.
        "cases": may_use_workspace(user),
        "audit": audit,
        "studio": may_use_studio(user),
        # Whoever may open the audit log is known to be active council staff: only the
        # permission is left to ask (cached on the user), sparing a query on every page.
        "retention": (audit and user.has_perm(SEE_RETENTION)) or may_see_retention(user),
    }
