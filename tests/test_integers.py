"""No integer column can be written wrapped round: on PostgreSQL with parameters bound in
the server (as production runs), a number past its column's range is refused like any
other value the database refuses, and nothing is written."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import DataError, connection, models, transaction
from django.utils import timezone

from meetings.models import CalendarReply

pytestmark = pytest.mark.django_db

BITS = {"SmallIntegerField": 16, "IntegerField": 32, "BigIntegerField": 64}


def integer_columns() -> list[tuple[str, str]]:
    """Every integer column of Confer's own models: (model.field, Django's field type)."""
    found = []
    for model in apps.get_models():
        if model.__module__.split(".")[0] not in {"audit", "notifications", "participants", "meetings", "minutes"}:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.IntegerField) and not isinstance(field, models.AutoField):
                found.append((f"{model._meta.label}.{field.name}", field.get_internal_type()))
    return found


def bits_of(internal_type: str) -> int:
    return BITS[internal_type.removeprefix("Positive")]


def test_every_kind_of_integer_column_is_covered():
    kinds = {internal for _, internal in integer_columns()}
    assert kinds, "no integer columns found"
    assert all(bits_of(kind) for kind in kinds)


@pytest.mark.postgresql
@pytest.mark.parametrize("column", [name for name, _ in integer_columns()])
def test_a_number_past_the_column_is_refused_not_wrapped(column):
    assert connection.features.uses_server_side_binding  # as production runs
    internal = dict(integer_columns())[column]
    high = 2 ** (bits_of(internal) - 1) - 1
    adapt = connection.ops.adapt_integerfield_value
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s", [adapt(high, internal)])
        assert cursor.fetchone()[0] == high
        for past in (high + 1, -high - 2, high * 1000 + 7):
            with pytest.raises(DataError, match="out of range"), transaction.atomic():
                cursor.execute("SELECT %s", [adapt(past, internal)])


@pytest.mark.postgresql
def test_a_saved_model_past_its_range_is_refused_even_once_the_insert_is_prepared():
    now = timezone.now()
    for i in range(7):  # psycopg prepares a statement from its sixth run on a connection
        CalendarReply.objects.create(message_id=f"<{i}@x>", received_at=now, sequence=i, outcome="held")
    with pytest.raises(DataError), transaction.atomic():
        CalendarReply.objects.create(message_id="<big@x>", received_at=now, sequence=99_999_999_999, outcome="held")
    assert not CalendarReply.objects.filter(message_id="<big@x>").exists()
    assert not CalendarReply.objects.filter(sequence=1_215_752_191).exists()
