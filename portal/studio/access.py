"""Who may open the studio, and which of its sections: the one place the studio asks.

The studio is part of the staff workspace (its layout, sign-in and MFA: `staff_view`), but not
the contact centre's part: service admins and system admins use it, and it shows no case and no
resident, so it asks for its own permission (services.use_studio, given by those two roles in
portal/accounts/roles.py) rather than the contact centre's services.use_workspace.
Connections hold a back office's credentials: only those who may change them (system admins)
see that section.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.staff.access import View, staff_view

USE_STUDIO = "services.use_studio"
SEE_SUBMISSIONS = "services.view_submission"
KEEP_CONNECTIONS = ("services.add_connection", "services.change_connection")


def may_use_studio(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(USE_STUDIO))


def may_keep_connections(user: Any) -> bool:
    return may_use_studio(user) and bool(user.has_perms(KEEP_CONNECTIONS))


def may_preview_payloads(user: Any) -> bool:
    """A payload preview maps a resident's answers: those who may see submissions (as in the
    admin's "Preview payload")."""
    return may_use_studio(user) and bool(user.has_perm(SEE_SUBMISSIONS))


def studio_view(view: View) -> View:
    """A studio page: council staff (so MFA) with the studio's permission; others 403."""
    return staff_view(may_use_studio)(view)


def connections_view(view: View) -> View:
    """A page of the Connections section: system admins only."""
    return staff_view(may_keep_connections)(view)


@dataclass(frozen=True)
class Section:
    """One item of the studio's sub navigation."""

    key: str
    label: Promise
    url_name: str


SERVICES = Section("services", _("Services"), "studio:services")
CONNECTIONS = Section("connections", _("Connections"), "studio:connections")


def sections_for(user: Any) -> list[Section]:
    """The sections this person may open, in the order the sub navigation shows them."""
    return [SERVICES, *([CONNECTIONS] if may_keep_connections(user) else [])]
