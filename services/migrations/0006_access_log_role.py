"""Let system admins read the access log."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("services", "0005_access_log")]

    # The roles are synced after every migrate by portal.accounts (a post_migrate receiver),
    # so this migration no longer runs them: migrations import nothing from portal.
    operations = []
