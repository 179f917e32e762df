"""The outbox moved from the audit app to notifications without losing a row."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from notifications.models import OutboundEmail

BEFORE = [("audit", "0003_outbox"), ("notifications", None)]


@pytest.mark.django_db(transaction=True)
def test_the_outbox_moves_to_notifications_keeping_every_row():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state([("audit", "0003_outbox")]).apps.get_model("audit", "OutboundEmail")
    old.objects.create(key="kept", created_at=timezone.now(), to_email="a@example.test", subject="s", body="b")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert list(OutboundEmail.objects.values_list("key", "to_email")) == [("kept", "a@example.test")]
