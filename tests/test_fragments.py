"""Kept fragments (``config.fragments``): rendered rows kept until what they show changes,
never one reader's rows for another, and never older than a minute."""

import re
from datetime import timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_save
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config import fragments
from meetings.enums import MeetingKind
from tests import factories
from tests.factories import local


def test_a_fragment_is_rendered_once_until_its_topic_moves_on(db):
    made = []

    def render():
        made.append(1)
        return f"<p>{len(made)}</p>"

    assert fragments.kept("t", ("meetings",), "k", render) == "<p>1</p>"
    assert fragments.kept("t", ("meetings",), "k", render) == "<p>1</p>"
    assert fragments.kept("t", ("meetings",), "other", render) == "<p>2</p>"  # another key, another entry
    fragments.moved_on("people")  # not what it shows
    assert fragments.kept("t", ("meetings",), "k", render) == "<p>1</p>"
    fragments.moved_on("meetings")
    assert fragments.kept("t", ("meetings",), "k", render) == "<p>3</p>"


def test_a_kept_fragment_is_read_with_its_generations_in_one_cache_read(db, monkeypatch):
    fragments.kept("t", ("meetings", "people"), "k", lambda: "<p>kept</p>")
    reads = []

    class Counted:
        def __getattr__(self, name):
            if name.startswith("get") or name == "add":
                reads.append(name)
            return getattr(cache, name)

    monkeypatch.setattr(fragments, "cache", Counted())
    assert fragments.kept("t", ("meetings", "people"), "k", lambda: "<p>afresh</p>") == "<p>kept</p>"
    assert reads == ["get_many"]


def test_what_was_rendered_while_its_topic_moved_on_is_not_shown_after(db):
    """A change committed while a request renders: what it stores carries the generation it
    read before, which the next request does not take for the current one."""
    made = []

    def render():
        made.append(1)
        if len(made) == 1:
            fragments.moved_on("meetings")  # the change lands mid-render
        return f"<p>{len(made)}</p>"

    assert fragments.kept("t", ("meetings",), "k", render) == "<p>1</p>"
    assert fragments.kept("t", ("meetings",), "k", render) == "<p>2</p>"
    assert fragments.kept("t", ("meetings",), "k", render) == "<p>2</p>"


def test_a_change_moves_the_generation_on_at_once_and_again_when_it_commits(db, django_capture_on_commit_callbacks):
    """At once, so the same request's next page shows it; again at the commit, since a
    request elsewhere may have kept the old rows under the first new generation."""
    before = fragments.generations(["minutes"])
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        fragments.moved_on("minutes")
        during = fragments.generations(["minutes"])
        assert during != before
    assert fragments.generations(["minutes"]) not in (before, during)


def test_every_model_of_the_record_moves_its_topic_on_when_saved_or_linked(db):
    """Wired from the app registry: a model added later is covered without a list to keep."""
    for label, _topic in fragments.APP_TOPICS.items():
        for model in apps.get_app_config(label).get_models():
            assert post_save.has_listeners(model), model
            for field in model._meta.local_many_to_many:
                assert m2m_changed.has_listeners(field.remote_field.through), field
    assert m2m_changed.has_listeners(get_user_model().groups.through)


def test_each_family_member_start_page_is_their_own(client, administrator, chair):
    family_a, parent_a = factories.family_with_parent(surname="Ayling")
    family_b, parent_b = factories.family_with_parent(surname="Bexley")
    meeting_a = factories.schedule(administrator=administrator, chair=chair, family=family_a)
    meeting_b = factories.schedule(administrator=administrator, chair=chair, family=family_b, kind=MeetingKind.CIN)
    factories.invite(meeting_a, administrator, parent_a)
    factories.invite(meeting_b, administrator, parent_b)
    pages = {}
    for parent in (parent_a, parent_b, parent_a):
        client.force_login(parent.user)
        pages[parent.pk] = client.get(reverse("home")).content.decode()
    assert f'id="meeting-{meeting_a.pk}"' in pages[parent_a.pk]
    assert f'id="meeting-{meeting_b.pk}"' not in pages[parent_a.pk]
    assert f'id="meeting-{meeting_b.pk}"' in pages[parent_b.pk]
    assert f'id="meeting-{meeting_a.pk}"' not in pages[parent_b.pk]


def test_a_start_page_is_read_from_the_cache_and_shows_a_reply_at_once(client, administrator, chair, family, parent):
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    factories.invite(meeting, administrator, parent)
    client.force_login(parent.user)
    assert "Tell us if you can come" in client.get(reverse("home")).content.decode()
    with CaptureQueriesContext(connection) as kept:
        client.get(reverse("home"))
    assert not any("meetings_" in query["sql"] for query in kept.captured_queries)
    client.post(reverse("meetings:respond", args=[meeting.pk]), {"rsvp": "accepted"})
    assert "You said: Attending" in client.get(reverse("home")).content.decode()


def test_the_due_list_drops_a_meeting_once_the_next_is_scheduled(client, administrator, chair, family, time_machine):
    """The list is the same for all staff and kept; scheduling moves it on."""
    time_machine.move_to(local(2027, 1, 6, 13))
    held = factories.schedule(administrator=administrator, chair=chair, family=family)
    factories.hold(held, chair, now=local(2027, 1, 6, 13))
    client.force_login(administrator.user)
    assert held.reference in client.get(reverse("meetings:due")).content.decode()
    factories.schedule(
        administrator=administrator,
        chair=chair,
        family=family,
        kind=MeetingKind.RCPC,
        starts_at=local(2027, 3, 1),
        now=local(2027, 1, 7),
    )  # follows the conference held: the service finds it
    assert held.reference not in client.get(reverse("meetings:due")).content.decode()


def test_what_changes_by_the_clock_alone_shows_within_a_minute(
    client, administrator, chair, family, parent, time_machine
):
    """A meeting that has started is no longer upcoming: no row changed, the clock did."""
    time_machine.move_to(local(2027, 1, 6, 9, 59, 45))
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family, now=local(2027, 1, 1))
    client.force_login(administrator.user)
    upcoming = client.get(reverse("home")).content.decode()
    assert meeting.reference in upcoming.split("Upcoming meetings")[1]
    time_machine.move_to(local(2027, 1, 6, 10, 0, 15))  # started, and the rows were kept 30 s ago
    assert meeting.reference in client.get(reverse("home")).content.decode().split("Upcoming meetings")[1]
    time_machine.move_to(local(2027, 1, 6, 9, 59, 45) + timedelta(seconds=fragments.SECONDS + 2))
    assert meeting.reference not in client.get(reverse("home")).content.decode().split("Upcoming meetings")[1]


def test_a_kept_meeting_page_carries_each_request_its_own_csrf_token(administrator, chair, family, parent):
    """The page's forms are kept with a marker for the token, filled in per request: the
    reply posted from the kept page is accepted with CSRF checks on."""
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    factories.invite(meeting, administrator, parent)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(parent.user)
    url = reverse("meetings:detail", args=[meeting.pk])
    browser.get(url)
    with CaptureQueriesContext(connection) as kept:
        page = browser.get(url).content.decode()
    assert not any("meetings_report" in query["sql"] for query in kept.captured_queries)  # from the cache
    assert fragments.marker("csrf") not in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = browser.post(
        reverse("meetings:respond", args=[meeting.pk]), {"rsvp": "accepted", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert "You said: <strong>Attending</strong>" in browser.get(url).content.decode()


def test_the_staff_meeting_page_shows_the_emails_once_they_are_queued(client, administrator, chair, family, parent):
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    factories.invite(meeting, administrator, parent)
    client.force_login(administrator.user)
    url = reverse("meetings:detail", args=[meeting.pk])
    assert "No emails about this meeting yet." in client.get(url).content.decode()
    client.post(reverse("meetings:send_invitations", args=[meeting.pk]))
    page = client.get(url).content.decode()
    assert 'id="outbox"' in page and parent.full_name in page.split('id="outbox"')[1]


class UnreachableCache(BaseCache):
    """A cache whose server is down: every call fails, as Redis's client does then."""

    def __init__(self, _location, params):
        super().__init__(params)

    def _down(self, *args, **kwargs):
        raise ConnectionError("Redis is down")

    get = get_many = set = add = incr = delete = clear = _down


def test_with_the_cache_down_changes_are_saved_and_pages_rendered_afresh(
    settings, client, administrator, chair, family
):
    """A worker's or the sweep's change must not fail because the cache is down."""
    settings.CACHES = {"default": {"BACKEND": "tests.test_fragments.UnreachableCache"}}
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)  # saves, links, bumps
    assert fragments.kept("t", ("meetings",), "k", lambda: "<p>afresh</p>") == "<p>afresh</p>"
    assert fragments.kept("t", ("meetings",), "k", lambda: "<p>again</p>") == "<p>again</p>"
    assert meeting.pk is not None
