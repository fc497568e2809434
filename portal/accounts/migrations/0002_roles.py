"""Roles were created here; they are now kept in step after every migrate (a post_migrate
receiver, portal/accounts/apps.py), so migrations import nothing from portal."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # The roles are synced after every migrate by portal.accounts (a post_migrate receiver),
    # so this migration no longer runs them: migrations import nothing from portal.
    operations = []
