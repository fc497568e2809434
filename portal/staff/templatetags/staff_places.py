"""Which of the workspace's places a person's navigation offers: the same rules that let them in
(portal/staff/access.py), so a link never leads to a refusal."""

from __future__ import annotations

from typing import Any

from django import template

from portal.studio.access import may_use_studio
from services.audit_search import may_search_access_log
from services.staff.scope import may_use_workspace

register = template.Library()


@register.simple_tag
def workspace_places(user: Any) -> dict[str, bool]:
    return {
        # Only staff reach a workspace page (portal/staff/access.py): the permission decides.
        "cases": may_use_workspace(user),
        "audit": may_search_access_log(user),
        "studio": may_use_studio(user),
    }
