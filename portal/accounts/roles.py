"""The roles people hold, as Django groups with permissions.

Groups are created and kept in step by a data migration calling ``sync_roles``; later apps add
the permissions for their own models here and a migration of theirs calls ``sync_roles`` again.
A permission named here that does not exist yet is skipped, so the order of migrations is safe.
"""

from typing import Any

RESIDENT = "Resident"
AGENT = "Contact-centre agent"
# Sees every team's cases in the staff workspace (services/staff/scope.py), giving a reason.
SUPERVISOR = "Contact-centre supervisor"
SERVICE_ADMIN = "Service admin"
SYSTEM_ADMIN = "System admin"

STAFF_ROLES = (AGENT, SUPERVISOR, SERVICE_ADMIN, SYSTEM_ADMIN)
# Roles whose work is in the Django admin, which needs is_staff; agents work in the portal.
ADMIN_ROLES = (SERVICE_ADMIN, SYSTEM_ADMIN)

# The delivery dashboard and outbox (services/admin/delivery.py): view_delivery opens the
# dashboard, change_delivery acts on deliveries (retry now, cancel, mark resolved, re-run
# routing); view_submission opens a submission's delivery timeline.
DELIVERY_OPERATOR = (
    "services.view_delivery",
    "services.change_delivery",
    "services.view_attempt",
    "services.view_submission",
)


def _model_permissions(actions: str, *models: str) -> tuple[str, ...]:
    return tuple(f"services.{action}_{model}" for model in models for action in actions.split())


# The catalogue and its forms (services/admin.py): services, forms and versions are archived or
# hidden, never deleted, so there is no delete permission to give.
CATALOGUE_EDITOR = _model_permissions("view add change", "topic", "service", "form", "formversion")

# A form's routing (services/admin/routing.py): its rules and destinations. Connections hold a
# back office's credentials, so service admins may see them (to route to them) but not change
# them; CONNECTION_KEEPER is the system admin's.
ROUTING_EDITOR = (
    *_model_permissions("view add change", "routingruleset"),
    *_model_permissions("view add change delete", "routingrule", "destination"),
    *_model_permissions("view", "connection", "statusmapping"),
)
CONNECTION_KEEPER = (
    *_model_permissions("add change", "connection"),
    *_model_permissions("add change delete", "statusmapping"),
)

# role -> "app_label.codename" permissions
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    RESIDENT: (),
    AGENT: ("accounts.view_user", "services.use_workspace"),
    SUPERVISOR: ("accounts.view_user", "services.use_workspace", "services.see_every_team"),
    SERVICE_ADMIN: ("accounts.view_user", *DELIVERY_OPERATOR, *CATALOGUE_EDITOR, *ROUTING_EDITOR),
    SYSTEM_ADMIN: (
        "accounts.view_user",
        "accounts.change_user",
        "auth.view_group",
        "auth.change_group",
        "services.view_accesslog",
        *DELIVERY_OPERATOR,
        *CATALOGUE_EDITOR,
        *ROUTING_EDITOR,
        *CONNECTION_KEEPER,
    ),
}


def sync_roles(apps: Any, schema_editor: Any = None) -> None:
    """Create each role's group and give it exactly the permissions listed above."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        permissions = []
        for dotted in wanted:
            app_label, codename = dotted.split(".", 1)
            permissions.extend(
                permission_model.objects.filter(
                    content_type__app_label=app_label, codename=codename
                )
            )
        group.permissions.set(permissions)
