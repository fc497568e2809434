"""Contact-centre teams in the admin: who is in each team and which services it covers.

Which cases a team's members then see is services/staff/scope.py's rule, not the admin's.
"""

from django.contrib import admin

from services.models import Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ("name", "all_services")
    search_fields = ("name",)
    # Users and services both have search fields in their admins, so a council with thousands of
    # staff or hundreds of services picks them by typing rather than scrolling a list.
    autocomplete_fields = ("members", "services")
