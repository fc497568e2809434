"""Contact-centre teams: which agents work on which services' cases.

An agent sees and acts on the cases of the services their teams cover; a team may cover every
service (a general enquiries desk). Who may see what is decided in one place,
`services.staff.scope.cases_visible_to`, from these rows and the two permissions declared here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from services.models.catalogue import Service


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="teams", verbose_name=_("members")
    )
    services = models.ManyToManyField(
        Service, blank=True, related_name="teams", verbose_name=_("services covered")
    )
    all_services = models.BooleanField(
        _("covers every service"),
        default=False,
        help_text=_("Tick for a team that handles any case, such as general enquiries."),
    )

    class Meta:
        ordering = ("name",)
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        # The workspace's own permissions; roles (portal/accounts/roles.py) give them out.
        permissions = [
            ("use_workspace", _("Can use the contact-centre workspace")),
            ("see_every_team", _("Can see the cases of every team")),
        ]

    def __str__(self) -> str:
        return self.name
