"""Give the Service admin and System admin roles the delivery dashboard's permissions."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0003_routing_and_delivery"),
        ("accounts", "0002_roles"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    # The roles are synced after every migrate by portal.accounts (a post_migrate receiver),
    # so this migration no longer runs them: migrations import nothing from portal.
    operations = []
