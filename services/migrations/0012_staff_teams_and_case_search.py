"""The staff workspace: contact-centre teams and the case search index. (The supervisor role is
synced after every migrate by portal.accounts, as every role is.)

The search index's trigram indexes exist on PostgreSQL only; on SQLite (`make run`) the search
falls back to plain scans, so the index operations are recorded in the state everywhere but run
only where the pg_trgm extension is.
"""

import django.contrib.postgres.indexes
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


class AddIndexOnPostgreSQL(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def _trigram_index(field):
    return AddIndexOnPostgreSQL(
        model_name="caseindex",
        index=django.contrib.postgres.indexes.GinIndex(
            django.contrib.postgres.indexes.OpClass(field, name="gin_trgm_ops"),
            name=f"caseindex_{field}_trgm",
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0011_outgoing_messages"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        TrigramExtension(),
        migrations.CreateModel(
            name="CaseIndex",
            fields=[
                (
                    "submission",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_index",
                        serialize=False,
                        to="services.submission",
                        verbose_name="submission",
                    ),
                ),
                ("names", models.TextField(blank=True, verbose_name="names")),
                ("emails", models.TextField(blank=True, verbose_name="e-mail addresses")),
                ("phones", models.TextField(blank=True, verbose_name="phone numbers")),
                ("postcodes", models.TextField(blank=True, verbose_name="postcodes")),
                ("uprns", models.TextField(blank=True, verbose_name="UPRNs")),
                ("addresses", models.TextField(blank=True, verbose_name="addresses")),
            ],
            options={
                "verbose_name": "case search entry",
                "verbose_name_plural": "case search entries",
            },
        ),
        migrations.CreateModel(
            name="Team",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                (
                    "all_services",
                    models.BooleanField(
                        default=False,
                        help_text="Tick for a team that handles any case, such as general enquiries.",
                        verbose_name="covers every service",
                    ),
                ),
                (
                    "members",
                    models.ManyToManyField(
                        blank=True,
                        related_name="teams",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="members",
                    ),
                ),
                (
                    "services",
                    models.ManyToManyField(
                        blank=True,
                        related_name="teams",
                        to="services.service",
                        verbose_name="services covered",
                    ),
                ),
            ],
            options={
                "verbose_name": "team",
                "verbose_name_plural": "teams",
                "ordering": ("name",),
                "permissions": [
                    ("use_workspace", "Can use the contact-centre workspace"),
                    ("see_every_team", "Can see the cases of every team"),
                ],
            },
        ),
        *(
            _trigram_index(field)
            for field in ("names", "emails", "phones", "postcodes", "uprns", "addresses")
        ),
        migrations.AddField(
            model_name="accesslog",
            name="reason",
            field=models.CharField(blank=True, max_length=500, verbose_name="reason"),
        ),
        migrations.CreateModel(
            name="CaseActivity",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("note", "Internal note"),
                            ("phone", "Phone call"),
                            ("email", "E-mail"),
                            ("visit", "Visit"),
                        ],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("resolved", "Resolved"),
                            ("follow_up", "Needs follow-up"),
                            ("no_answer", "No answer"),
                            ("left_message", "Left a message"),
                        ],
                        max_length=20,
                        verbose_name="outcome",
                    ),
                ),
                ("text", models.TextField(max_length=2000, verbose_name="text")),
                (
                    "at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="when"),
                ),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff member",
                    ),
                ),
                (
                    "submission",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="activities",
                        to="services.submission",
                        verbose_name="submission",
                    ),
                ),
            ],
            options={
                "verbose_name": "case activity",
                "verbose_name_plural": "case activities",
                "ordering": ("-at",),
                "indexes": [models.Index(fields=["submission", "-at"], name="caseactivity_recent")],
            },
        ),
    ]
