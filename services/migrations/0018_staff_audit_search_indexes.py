"""Indexes the staff workspace's search needs at a million cases (`make bench-search`): whole
e-mail addresses (a GIN index of the address list as an array), the status filter and the
delivery-state filter.

The e-mail index is PostgreSQL's (an array expression); on SQLite (`make run`) the search
compares the addresses as text, so that operation is recorded in the state everywhere but run
only on PostgreSQL.
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models


class AddIndexOnPostgreSQL(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class AddIndexOnPostgreSQLAndAnalyze(AddIndexOnPostgreSQL):
    """An expression index has no statistics until the table is analysed: until then the
    planner guesses that thousands of cases share an address and reads every case instead."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        super().database_forwards(app_label, schema_editor, from_state, to_state)
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute("ANALYZE services_caseindex")


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0017_studio_shell_use_studio_permission"),
    ]

    operations = [
        AddIndexOnPostgreSQLAndAnalyze(
            model_name="caseindex",
            index=django.contrib.postgres.indexes.GinIndex(
                models.Func(
                    models.F("emails"),
                    models.Value(" "),
                    function="string_to_array",
                    output_field=django.contrib.postgres.fields.ArrayField(
                        base_field=models.TextField(), size=None
                    ),
                ),
                name="caseindex_email_list",
            ),
        ),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(fields=["state", "submission"], name="delivery_state_submission"),
        ),
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(
                fields=["status", "-created_at", "-id"], name="submission_status_recent"
            ),
        ),
    ]
