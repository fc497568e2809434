"""Let system admins read the access log."""

from django.db import migrations

from portal.accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [("services", "0005_access_log")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
