"""Running Confer: request ids in structured logs without personal data, a clean 503
when the database is away and recovery without a restart, and the schedule."""

from __future__ import annotations

import io
import json
import logging
import logging.config

import pytest
from crontask import scheduler
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_started
from django.db import OperationalError, connection, connections
from django.urls import reverse

from config.requests import RequestIdFilter
from tests import factories
from tests.factories import local


@pytest.fixture
def json_log():
    """Confer's request logger written through the production formatter and filter."""
    stream = io.StringIO()
    configurator = logging.config.DictConfigurator({})
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configurator.configure_custom(dict(settings.LOGGING["formatters"]["json"])))
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("confer.request")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


@pytest.mark.django_db
def test_each_request_logs_one_json_line_with_its_id_and_route_and_no_personal_data(
    client, json_log, administrator, chair, family, parent
):
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 1, 6))
    factories.invite(meeting, administrator, parent)
    client.force_login(parent.user)
    response = client.get(reverse("meetings:detail", args=[meeting.pk]), HTTP_X_REQUEST_ID="lb-7f3a9c21e5")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "lb-7f3a9c21e5"  # the proxy's id, carried through
    fresh = client.get(reverse("home"), {"q": "Leakname"})
    assert len(fresh["X-Request-ID"]) == 32

    lines = json_log()
    assert [(line["route"], line["status"], line["request_id"]) for line in lines] == [
        ("meetings/<id:pk>/", 200, "lb-7f3a9c21e5"),
        ("home/", 200, fresh["X-Request-ID"]),
    ]
    assert all({"time", "level", "duration_ms", "method"} <= line.keys() for line in lines)
    written = json.dumps(lines)
    child = family.children.get().person
    for personal in (child.full_name, parent.full_name, parent.email, f"/meetings/{meeting.pk}/", "Leakname"):
        assert personal not in written


@pytest.mark.django_db
def test_a_request_id_that_is_not_plausible_is_replaced(client):
    response = client.get(reverse("start"), HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert response["X-Request-ID"] != "<script>alert(1)</script>"
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_a_database_that_is_away_gives_a_plain_503_with_the_request_id(client, parent, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed")

    monkeypatch.setattr("minutes.start_pages.meeting_selectors.invitations_for_user", unreachable)
    client.force_login(parent.user)
    client.raise_request_exception = False
    response = client.get(reverse("home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Nothing you sent was saved" in page
    assert response["X-Request-ID"] in page


@pytest.mark.django_db
def test_any_other_failure_is_a_500_page_with_the_request_id(client, parent, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("minutes.start_pages.meeting_selectors.invitations_for_user", broken)
    client.force_login(parent.user)
    client.raise_request_exception = False
    response = client.get(reverse("home"))
    assert response.status_code == 500
    assert response["X-Request-ID"] in response.content.decode()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_after_the_database_drops_every_connection_the_next_request_works(client, parent, settings):
    """What a PostgreSQL restart (or failover) looks like from Confer: its kept connection
    is gone. The request that was using it fails cleanly; the next one reconnects."""
    connection.settings_dict["CONN_MAX_AGE"] = 60
    try:
        client.force_login(parent.user)
        client.raise_request_exception = False
        assert client.get(reverse("home")).status_code == 200
        pid = connection.connection.info.backend_pid  # the kept connection survived the request

        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        finally:
            other.close()
        # A request that finds its connection gone fails cleanly (the test client skips
        # the check at the start of a request, so it meets the dead connection head-on).
        failed = client.get(reverse("home"))
        assert failed.status_code == 503
        assert "Nothing you sent was saved" in failed.content.decode()
        # In production every request starts with Django's connection check (the
        # request_started signal, which the test client leaves out): it sees the broken
        # connection, drops it, and the request runs on a new one. No restart of Confer.
        request_started.send(sender=WSGIHandler, environ={})
        assert client.get(reverse("home")).status_code == 200
        assert connection.connection.info.backend_pid != pid
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = 0
        connection.close()


def test_the_scheduler_enqueues_the_sweep_daily_and_the_outbox_retry_every_ten_minutes():
    import meetings.tasks  # noqa: F401, PLC0415 (what `manage.py crontask` loads)
    import minutes.tasks  # noqa: F401, PLC0415
    import notifications.tasks  # noqa: F401, PLC0415

    jobs = {job.name: job.trigger for job in scheduler.get_jobs()}
    assert str(jobs["sweep_deadlines"]) == "cron[month='*', day='*', day_of_week='*', hour='6', minute='15']"
    assert str(jobs["retry_outbox"]) == "cron[month='*', day='*', day_of_week='*', hour='*', minute='*/10']"
    assert str(jobs["sweep_deadlines"].timezone) == "Europe/Jersey"
    # Calendar replies are read every five minutes (the task does nothing without a mailbox).
    assert str(jobs["mail_fetch"]) == "cron[month='*', day='*', day_of_week='*', hour='*', minute='*/5']"
