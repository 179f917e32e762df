"""Health and metrics for monitoring: numbers only, metrics behind a token."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from minutes.deadlines import deadlines_sweep
from notifications.models import OutboundEmail
from tests.factories import local

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_health_is_ok_when_the_database_answers_and_tasks_are_picked_up(client):
    response = client.get(reverse("healthz"))
    assert (response.status_code, response.json()) == (200, {"database": "ok", "tasks": "ok"})


def test_health_says_when_background_work_has_waited_too_long(client, settings):
    settings.TASKS = DATABASE_TASKS
    waiting = DBTaskResult.objects.create(
        task_path="notifications.tasks.deliver_email",
        args_kwargs={"args": [1], "kwargs": {}},
        status="READY",
        backend_name="default",
        queue_name="default",
    )
    # Enqueued an hour ago, and no worker has taken it (enqueued_at is set on insert).
    DBTaskResult.objects.filter(pk=waiting.pk).update(enqueued_at=timezone.now() - timedelta(hours=1))
    response = client.get(reverse("healthz"))
    assert (response.status_code, response.json()["tasks"]) == (503, "late")


def test_metrics_need_the_token_and_count_without_naming_anyone(client, settings, held_meeting, family, time_machine):
    url = reverse("metrics")
    assert client.get(url).status_code == 404  # no token configured: no such page
    settings.CONFER_METRICS_TOKEN = "s3cret-token"
    assert client.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 404
    OutboundEmail.objects.create(
        key="k", created_at=timezone.now(), to_email="a@example.test", subject="s", body="b", status="failed"
    )
    deadlines_sweep(now=local(2027, 2, 1, 9))
    time_machine.move_to(local(2027, 2, 1, 9))  # the count is of deadlines past by today's date
    text = client.get(url, headers={"Authorization": "Bearer s3cret-token"}).content.decode()
    assert 'confer_outbox_messages{status="failed"} 1' in text
    assert "confer_overdue_deadlines 2" in text  # the letter and the draft of the held conference
    assert "confer_task_queue_age_seconds 0" in text
    assert held_meeting.reference not in text and family.children.get().person.full_name not in text
