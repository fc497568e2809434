from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from portal.accounts.roles import sync_roles_after_migrate

        # Once per migrate (sent for this app only), after every migration has run: roles.py
        # is the one definition of the roles, and migrations import nothing from portal.
        post_migrate.connect(sync_roles_after_migrate, sender=self, dispatch_uid="sync_roles")
