"""Private calendar feeds for chairs and administrators."""

import icalendar
import pytest
from django.urls import reverse

from audit.models import AuditEvent
from meetings import feeds, services
from meetings.enums import MeetingKind
from meetings.models import CalendarFeed
from tests import factories
from tests.factories import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(time_machine):
    time_machine.move_to(local(2026, 12, 1, 9))


def make_feed(client, person) -> str:
    client.force_login(person.user)
    page = client.post(reverse("meetings:feed_settings"), {"action": "create"}).content.decode()
    url = page.split('id="feed-url" class="confer-feed-url">')[1].split("</code>")[0]
    assert url.startswith("http://testserver/meetings/calendar/")
    return url.removeprefix("http://testserver")


def test_a_chairs_feed_lists_their_meetings_without_names(client, administrator, chair, other_chair, family, now):
    mine = factories.schedule(administrator=administrator, chair=chair, family=family)
    other_family, _ = factories.family_with_parent()
    theirs = factories.schedule(administrator=administrator, chair=other_chair, family=other_family)
    url = make_feed(client, chair)
    client.logout()  # calendar apps do not sign in
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(response.content)
    assert "METHOD" not in cal
    events = list(cal.walk("VEVENT"))
    assert [str(e["UID"]) for e in events] == [f"{mine.calendar_uid}@confer"]
    assert str(events[0]["SUMMARY"]) == f"Initial child protection conference {mine.reference}"
    assert b"Leakname" not in response.content
    assert theirs.reference.encode() not in response.content
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Jersey"]


def test_an_administrators_feed_lists_every_meeting_and_shows_cancellations(client, administrator, chair, family, now):
    first = factories.schedule(administrator=administrator, chair=chair, family=family)
    second = factories.schedule(administrator=administrator, chair=chair, family=family, kind=MeetingKind.CIN)
    services.meeting_cancel(meeting=second, actor=administrator.user, reason="x", now=local(2026, 12, 1, 10))
    url = make_feed(client, administrator)
    events = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(client.get(url).content).walk("VEVENT")}
    assert set(events) == {f"{first.calendar_uid}@confer", f"{second.calendar_uid}@confer"}
    assert str(events[f"{second.calendar_uid}@confer"]["STATUS"]) == "CANCELLED"
    assert events[f"{second.calendar_uid}@confer"]["SEQUENCE"] == 1


def test_regenerating_kills_the_old_address_and_revoking_kills_all(client, chair, now):
    old = make_feed(client, chair)
    new = make_feed(client, chair)
    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    client.post(reverse("meetings:feed_settings"), {"action": "revoke"})
    assert client.get(new).status_code == 404
    assert not CalendarFeed.objects.exists()
    codes = list(AuditEvent.objects.filter(code__startswith="calendar_feed").values_list("code", flat=True))
    assert sorted(codes) == ["calendar_feed.created", "calendar_feed.regenerated", "calendar_feed.revoked"]


def test_the_secret_is_not_stored_and_a_demoted_user_loses_the_feed(client, chair, now):
    url = make_feed(client, chair)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert not CalendarFeed.objects.filter(token_hash=token).exists()
    chair.user.groups.clear()
    assert client.get(url).status_code == 404


def test_family_members_and_managers_have_no_feed(client, parent, manager):
    for person in (parent, manager):
        client.force_login(person.user)
        assert client.get(reverse("meetings:feed_settings")).status_code == 403
    with pytest.raises(Exception, match="Only chairs and administrators"):
        feeds.feed_create(actor=parent.user)


@pytest.mark.parametrize("n", [1, 50])
def test_the_feed_uses_a_fixed_number_of_queries(n, client, administrator, chair, now, django_assert_max_num_queries):
    for _ in range(n):
        family, _ = factories.family_with_parent()
        factories.schedule(administrator=administrator, chair=chair, family=family)
    url = make_feed(client, chair)
    client.logout()
    with django_assert_max_num_queries(5):
        body = client.get(url).content
    assert body.count(b"BEGIN:VEVENT") == n
