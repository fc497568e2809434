from django.apps import AppConfig


class StaffConfig(AppConfig):
    """The contact-centre workspace at /staff/: pages only; its rules live in services/staff."""

    name = "portal.staff"
    label = "staff"
    verbose_name = "Staff workspace"
