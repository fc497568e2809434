"""Deliveries and residents' updates are both outbox rows: one declaration of the fields the
engine works on, and a start-up check that each table's states are the ones its rules use."""

from django.db import connection as db_connection
from django.db import models

from services.models import Delivery, OutboxRow, OutgoingUpdate
from services.models.outbox import missing_engine_states

OUTBOX_TABLES = (Delivery, OutgoingUpdate)


def test_both_tables_have_every_outbox_field_from_the_one_declaration():
    shared = [field.name for field in OutboxRow._meta.get_fields()]
    assert {"attempts", "next_attempt_at", "lease_expires_at", "claim_token"} <= set(shared)
    for model in OUTBOX_TABLES:
        for name in shared:
            field = model._meta.get_field(name)
            # the base's own field, copied into the table, not a second declaration of it
            assert field.creation_counter == OutboxRow._meta.get_field(name).creation_counter


def test_the_shared_fields_are_the_same_columns_in_both_tables(db):
    # The database's own description of each table, not the models' idea of it
    def columns(model) -> dict[str, tuple]:
        with db_connection.cursor() as cursor:
            described = db_connection.introspection.get_table_description(
                cursor, model._meta.db_table
            )
        return {c.name: (c.type_code, c.internal_size, c.null_ok) for c in described}

    delivery, update = (columns(model) for model in OUTBOX_TABLES)
    for field in OutboxRow._meta.get_fields():
        assert delivery[field.column] == update[field.column], field.name


def test_each_tables_states_pass_the_start_up_check():
    for model in OUTBOX_TABLES:
        assert [e for e in model.check() if e.id == "services.E001"] == []


def test_a_state_set_without_the_engines_states_is_named_by_the_check():
    class Sending(models.TextChoices):
        PENDING = "pending", "Pending"
        IN_FLIGHT = "in_flight", "Sending"
        DELIVERED = "sent", "Sent"
        FAILED = "failed", "Failed"

    assert missing_engine_states(Sending) == ["RETRYING = 'retrying'", "DELIVERED = 'delivered'"]
    assert missing_engine_states(None) != []
