"""The roles people hold, as Django groups with permissions.

This file is the one definition: after every `migrate` (a post_migrate receiver connected in
portal/accounts/apps.py) each role's group is created if missing and given exactly the
permissions listed here, so a change here needs no migration, and migrations import nothing
from portal. A permission changed by hand on a role's group is put back at the next migrate:
change it here instead.
"""

from typing import Any

from django.db import DEFAULT_DB_ALIAS

RESIDENT = "Resident"
AGENT = "Contact-centre agent"
# Sees every team's cases in the staff workspace (services/staff/scope.py), giving a reason.
SUPERVISOR = "Contact-centre supervisor"
SERVICE_ADMIN = "Service admin"
SYSTEM_ADMIN = "System admin"
# Answers "who saw my data?" (a subject access request) from the staff workspace's audit log
# (portal/staff/views/audit.py); sees no case itself.
DATA_PROTECTION = "Data protection officer"

STAFF_ROLES = (AGENT, SUPERVISOR, SERVICE_ADMIN, SYSTEM_ADMIN, DATA_PROTECTION)
# Roles whose work is in the Django admin, which needs is_staff; agents work in the portal.
ADMIN_ROLES = (SERVICE_ADMIN, SYSTEM_ADMIN)

# The delivery dashboard and outbox (services/admin/delivery.py): view_delivery opens the
# dashboard, change_delivery acts on deliveries (retry now, cancel, mark resolved, re-run
# routing); view_submission opens a submission's delivery timeline; view_outgoingmessage lists
# the message outbox (e-mails waiting, sent or failed: never their words or addresses).
DELIVERY_OPERATOR = (
    "services.view_delivery",
    "services.change_delivery",
    "services.view_attempt",
    "services.view_submission",
    "services.view_outgoingmessage",
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

# The service design studio at /staff/studio/ (portal/studio/): services, and for those who may
# change connections (CONNECTION_KEEPER), connections. It is not the contact centre's workspace:
# a service admin there sees no case and no resident.
STUDIO = "services.use_studio"

# role -> "app_label.codename" permissions
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    RESIDENT: (),
    AGENT: ("accounts.view_user", "services.use_workspace"),
    SUPERVISOR: ("accounts.view_user", "services.use_workspace", "services.see_every_team"),
    SERVICE_ADMIN: (
        "accounts.view_user",
        STUDIO,
        *DELIVERY_OPERATOR,
        *CATALOGUE_EDITOR,
        *ROUTING_EDITOR,
    ),
    SYSTEM_ADMIN: (
        "accounts.view_user",
        # A supervisor's reach in the staff workspace, where a case's files are downloaded
        # (scoped, a reason asked for outside one's teams, and recorded): system admins
        # already see every case in the admin, so this shows them nothing new.
        "services.use_workspace",
        "services.see_every_team",
        "accounts.change_user",
        "auth.view_group",
        "auth.change_group",
        "services.view_accesslog",
        # The staff workspace's retention page: what retention anonymises next, and its runs.
        "services.view_retentionrun",
        STUDIO,
        *DELIVERY_OPERATOR,
        *CATALOGUE_EDITOR,
        *ROUTING_EDITOR,
        *CONNECTION_KEEPER,
    ),
    # view_accesslog is what opens the audit log (services/audit_search.py may_search_access_log);
    # system admins hold it too, for the same log they can already read in the Django admin.
    DATA_PROTECTION: ("services.view_accesslog", "services.view_retentionrun"),
}


def sync_roles(apps: Any, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create each role's group and give it exactly the permissions listed above.

    `apps` is an app registry: the project's, or the migration state post_migrate passes."""
    from django.contrib.auth.management import create_permissions

    # The permissions of every app must exist first, whichever app's post_migrate runs first.
    # A migration state's app configs have no models module, which create_permissions skips.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, verbosity=0, using=using, apps=apps)
        finally:
            app_config.models_module = models_module

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.using(using).get_or_create(name=role)
        permissions = []
        for dotted in wanted:
            app_label, codename = dotted.split(".", 1)
            permissions.extend(
                permission_model.objects.using(using).filter(
                    content_type__app_label=app_label, codename=codename
                )
            )
        group.permissions.set(permissions)


def sync_roles_after_migrate(
    sender: Any, *, apps: Any = None, using: str = DEFAULT_DB_ALIAS, **kwargs: Any
) -> None:
    """post_migrate receiver: keep the roles in step with this file after every migrate (and
    after a flush, which sends post_migrate without a migration state: the project's apps)."""
    from django.apps import apps as project_apps

    sync_roles(apps or project_apps, using=using)
