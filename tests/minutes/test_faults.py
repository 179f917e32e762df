"""Faults while minutes are distributed: nothing lost, nothing sent twice.

A real SMTP server (aiosmtpd) stands in for the mail relay; on PostgreSQL, a real
``manage.py db_worker`` process is killed in the middle of a batch.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection

from meetings.enums import MeetingStatus
from minutes import services
from minutes.enums import MinutesStatus
from minutes.errors import MinutesError
from minutes.models import Distribution
from notifications.delivery import build_email
from notifications.models import OutboundEmail
from notifications.services import outbox_retry
from tests.concurrency import race
from tests.factories import local
from tests.smtp import Inbox, free_port, smtp_mailers, start_server

ROOT = Path(__file__).resolve().parents[2]
DISTRIBUTED_AT = local(2027, 1, 8, 10)


def final_minutes_emails():
    return OutboundEmail.objects.filter(subject__startswith="Final minutes")


def _delivered_once_each(inbox: Inbox) -> None:
    """Every "final minutes" message reached the server exactly once, and nothing else did."""
    keys = Counter(m["X-Confer-Message"] for m in inbox.messages())
    assert set(keys) == set(final_minutes_emails().values_list("key", flat=True))
    assert set(keys.values()) == {1}, keys
    assert set(final_minutes_emails().values_list("status", flat=True)) == {OutboundEmail.Status.SENT}


@pytest.fixture
def earlier_emails_sent(approved):
    """The emails of the steps before distribution (sharing the draft) went out already."""
    OutboundEmail.objects.update(status=OutboundEmail.Status.SENT)


@pytest.mark.django_db
def test_smtp_down_while_distributing_commits_and_each_message_goes_once_when_it_returns(
    approved, earlier_emails_sent, chair, settings, django_capture_on_commit_callbacks
):
    port = free_port()  # nothing listens yet: every connection is refused
    settings.MAILERS = smtp_mailers(port)
    with django_capture_on_commit_callbacks(execute=True):
        services.minutes_distribute(minutes=approved, actor=chair.user, now=DISTRIBUTED_AT)
    approved.refresh_from_db()
    assert approved.status == MinutesStatus.DISTRIBUTED
    assert approved.meeting.status == MeetingStatus.MINUTED
    waiting = final_minutes_emails()
    assert waiting.count() == Distribution.objects.count() == 3
    assert set(waiting.values_list("status", flat=True)) == {OutboundEmail.Status.FAILED}

    controller, inbox = start_server(port)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            outbox_retry(now=DISTRIBUTED_AT + timedelta(minutes=10))
            outbox_retry(now=DISTRIBUTED_AT + timedelta(minutes=20))  # again: nothing left to send
    finally:
        controller.stop()
    _delivered_once_each(inbox)


def test_every_attempt_at_one_message_carries_the_same_message_id():
    message = OutboundEmail(key="minutes:distributed:7:3", to_email="a@example.org", subject="s", body="b")
    first, again = build_email(message).message(), build_email(message).message()
    assert first["Message-ID"] == again["Message-ID"]
    other = OutboundEmail(key="minutes:distributed:7:4", to_email="a@example.org", subject="s", body="b")
    assert build_email(other).message()["Message-ID"] != first["Message-ID"]


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_chairs_distributing_at_once_give_one_distribution_and_one_set_of_emails(approved, chair, other_chair):
    first, second = race(
        lambda: services.minutes_distribute(minutes=approved, actor=chair.user, now=DISTRIBUTED_AT), MinutesError
    )
    assert not isinstance(first, MinutesError)
    assert isinstance(second, MinutesError)
    assert "already distributed on Friday 8 January 2027" in str(second)
    assert Distribution.objects.count() == 3
    assert final_minutes_emails().count() == 3


def _worker(port: int, *args: str) -> subprocess.Popen:
    """``manage.py db_worker`` as production runs it, on this test's database."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(DATABASE_URL=url, TASK_BACKEND="database", EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port))
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.2", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_every_recipient_exactly_one_message(
    approved, earlier_emails_sent, chair, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    services.minutes_distribute(minutes=approved, actor=chair.user, now=DISTRIBUTED_AT)
    assert final_minutes_emails().filter(status=OutboundEmail.Status.PENDING).count() == 3

    port = free_port()
    # The server accepts the first message and holds the worker in the second one's DATA.
    controller, inbox = start_server(port, Inbox(stall_at=2))
    try:
        worker = _worker(port)
        try:
            assert inbox.stalled.wait(60), "the worker never reached the second message"
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
        finally:
            worker.kill()
        inbox.release.set()  # the half-sent message is refused: it was never delivered
        assert len(inbox.envelopes) == 1
        # The dead worker's connection (and its row lock) goes; the message waits again.
        deadline = time.monotonic() + 10
        while final_minutes_emails().filter(status=OutboundEmail.Status.SENT).count() != 1:
            assert time.monotonic() < deadline
            time.sleep(0.1)

        # After the restart: the scheduled retry re-queues what a dead worker held, and a
        # new worker drains the queue (each message's row is checked before sending).
        outbox_retry(now=DISTRIBUTED_AT + timedelta(minutes=10))
        restarted = _worker(port, "--batch")
        assert restarted.wait(120) == 0
    finally:
        controller.stop()
    _delivered_once_each(inbox)
    assert len({m["Message-ID"] for m in inbox.messages()}) == 3
