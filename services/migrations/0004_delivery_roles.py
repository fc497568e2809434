"""Give the Service admin and System admin roles the delivery dashboard's permissions."""

from django.db import migrations

from portal.accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0003_routing_and_delivery"),
        ("accounts", "0002_roles"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
