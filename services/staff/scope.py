"""Who may see which case in the staff workspace: the one rule every staff view asks.

An agent sees the cases of the services their teams cover (a team may cover every service); a
supervisor (`services.see_every_team`) sees every case, and is asked why when the case is
outside their own teams. Anyone without `services.use_workspace` sees nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from services.models import Service, Submission, Team

USE_WORKSPACE = "services.use_workspace"
SEE_EVERY_TEAM = "services.see_every_team"


def may_use_workspace(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(USE_WORKSPACE))


def sees_every_team(user: Any) -> bool:
    return may_use_workspace(user) and bool(user.has_perm(SEE_EVERY_TEAM))


def cases_of_own_teams(user: Any) -> QuerySet[Submission]:
    if not may_use_workspace(user):
        return Submission.objects.none()
    teams = Team.objects.filter(members=user)
    covering = teams.filter(Q(all_services=True) | Q(services=OuterRef("service_id")))
    return Submission.objects.filter(Exists(covering))


def cases_visible_to(user: Any) -> QuerySet[Submission]:
    """Every case the user may open in the workspace; each staff view starts from this."""
    if sees_every_team(user):
        return Submission.objects.all()
    return cases_of_own_teams(user)


def is_outside_own_teams(user: Any, submission: Submission) -> bool:
    """True when a supervisor opens a case no team of theirs covers: they must give a reason."""
    return not cases_of_own_teams(user).filter(pk=submission.pk).exists()


def services_visible_to(user: Any) -> QuerySet[Service]:
    """The services whose cases the user may see: what the search's service filter offers."""
    if sees_every_team(user):
        return Service.objects.all()
    if not may_use_workspace(user):
        return Service.objects.none()
    teams = Team.objects.filter(members=user)
    return Service.objects.filter(
        Exists(teams.filter(Q(all_services=True) | Q(services=OuterRef("pk"))))
    )


def services_assistable_by(user: Any) -> QuerySet[Service]:
    """The live services an agent may fill a form in for a resident (assisted digital): the
    services whose cases they may see. A service's guest rules do not apply to them."""
    return services_visible_to(user).filter(is_live=True)


def may_assist_with(user: Any, service: Service) -> bool:
    return services_assistable_by(user).filter(pk=service.pk).exists()
