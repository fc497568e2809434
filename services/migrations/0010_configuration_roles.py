"""Let service admins configure the catalogue, forms and routing, and system admins connections."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("services", "0009_delivery_external_reference_index")]

    # The roles are synced after every migrate by portal.accounts (a post_migrate receiver),
    # so this migration no longer runs them: migrations import nothing from portal.
    operations = []
