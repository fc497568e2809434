"""Let service admins configure the catalogue, forms and routing, and system admins connections."""

from django.db import migrations

from portal.accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [("services", "0009_delivery_external_reference_index")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
