"""Contact-centre teams in the admin: who is in each team and which services it covers.

Which cases a team's members then see is services/staff/scope.py's rule, not the admin's.
"""

from django.contrib import admin

from services.models import Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ("name", "all_services")
    search_fields = ("name",)
    # Members are picked by id (the user table holds every resident, too many for a list);
    # services from a filtered list. Not autocomplete: its widget fails with a 500 when a
    # submitted id is junk (it looks the junk up to re-display it).
    raw_id_fields = ("members",)
    filter_horizontal = ("services",)
