"""The index an agent's filtered case list is counted from at a million cases (`make
bench-search`): the cases of a status in id order, with their service, so PostgreSQL merges them
with the cases of a delivery state (delivery_state_submission, also in id order), checks the
agent's scope on the service, and stops at the count's limit, never reading a case's own row.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0018_staff_audit_search_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(fields=["status", "id", "service"], name="submission_status_by_id"),
        ),
    ]
