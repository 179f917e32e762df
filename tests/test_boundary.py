"""The boundary where strangers' data comes in: every form has limits by construction,
and the values that broke Confer before get a message that names what to change, with
nothing written and nothing the person typed lost."""

from __future__ import annotations

import importlib
import io
from datetime import UTC, date, timedelta

import pytest
from django import forms
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import limits
from core.forms import BoundedForm
from meetings import timescales
from meetings.errors import MeetingError
from meetings.models import Meeting
from meetings.services import meeting_reschedule
from minutes.errors import MinutesError
from minutes.models import Comment
from minutes.services import minutes_share, minutes_start
from minutes.services.comments import comment_add
from notifications.models import OutboundEmail
from notifications.services import render_text
from participants.services import account_invite
from tests import factories
from tests.factories import local
from tests.meetings.test_scheduling_pages import schedule_form

pytestmark = pytest.mark.django_db

FORM_MODULES = [
    "participants.forms",
    "meetings.forms",
    "minutes.forms",
    "minutes.quality_views",
    "minutes.accuracy_views",
    "audit.forms",
]
# Forms allauth defines and checks itself (one code field each, of a fixed length).
ALLAUTH_FORMS = {"AuthenticateForm", "ReauthenticateForm"}


def confer_forms() -> list[type[forms.Form]]:
    found = []
    for name in FORM_MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.Form) and value.__module__ == name:
                found.append(value)
    return found


def test_every_form_of_confers_stands_on_the_bounded_base():
    found = confer_forms()
    assert len(found) > 25
    unbounded = [f.__name__ for f in found if not issubclass(f, BoundedForm) and f.__name__ not in ALLAUTH_FORMS]
    assert unbounded == []


class Loose(BoundedForm):
    """A form that forgets every limit: the base supplies them."""

    title = forms.CharField(label="Title")
    story = forms.CharField(label="Your story", widget=forms.Textarea)
    on = forms.DateField(label="Date of the meeting")
    count = forms.IntegerField(label="Number of copies", required=False)


def test_a_form_that_forgets_its_limits_gets_them_and_says_which_field():
    ok = Loose({"title": "x" * limits.LINE, "story": "y" * limits.NOTE, "on": "2027-01-06", "count": "3"})
    assert ok.is_valid(), ok.errors
    form = Loose(
        {
            "title": "x" * (limits.LINE + 1),
            "story": "a\x00b",
            "on": "9999-12-31",
            "count": str(2**40),
        }
    )
    assert not form.is_valid()
    assert form.errors["title"] == ["Title must be 300 characters or fewer; it is 301. Shorten it and send it again."]
    assert form.errors["story"][0].startswith("Remove the hidden control characters from your story")
    assert form.errors["on"] == ["Enter date of the meeting between 1 January 1900 and 31 December 2099"]
    assert form.errors["count"] == ["Enter a smaller number for number of copies"]
    empty = Loose({})
    assert not empty.is_valid()
    assert empty.errors["title"] == ["Enter title"] and empty.errors["on"] == ["Enter date of the meeting"]
    # The limit is on the page before anything is sent, and counted as the person types.
    html = str(Loose().as_div())
    assert 'data-maxlength="2000"' in html and "You can enter up to 2000 characters" in html
    assert 'maxlength="300"' in html


@pytest.fixture
def now(time_machine):
    time_machine.move_to(local(2026, 12, 1, 9))
    return local(2026, 12, 1, 9)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"starts_at": "9999-12-31T22:00"}, "starts_at", "Enter date and start time between"),
        ({"strategy_discussion_on": "9999-12-31"}, "strategy_discussion_on", "Enter date of the strategy discussion"),
        ({"venue": "V" * 301}, "venue", "Venue must be 300 characters or fewer; it is 301"),
    ],
)
def test_scheduling_with_a_value_past_its_limit_is_refused_with_a_message(
    client, administrator, chair, family, now, overrides, field, message
):
    client.force_login(administrator.user)
    url = reverse("meetings:schedule", args=[family.pk])
    response = client.post(url, schedule_form(family, chair, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Meeting.objects.exists()


def test_rescheduling_to_the_end_of_time_is_refused_with_a_message(client, administrator, chair, family, now):
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    client.force_login(administrator.user)
    response = client.post(
        reverse("meetings:reschedule", args=[meeting.pk]),
        {"starts_at": "9999-12-31T22:00", "duration": "120", "venue": "Room 2", "reason": "Clash", "version": "0"},
    )
    assert response.status_code == 200
    assert "Enter date and start time between 1 January 1900 and 31 December 2099" in response.content.decode()
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.sequence) == (local(2027, 1, 6, 10), 0)


def test_the_services_refuse_what_the_forms_refuse(administrator, chair, family, now):
    with pytest.raises(MeetingError, match="The meeting's date must be between"):
        factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2100, 1, 6, 10))
    with pytest.raises(MeetingError, match="must be between 1 January 1900 and 31 December 2099"):
        timescales.add_working_days(date(9999, 12, 31), 15)
    assert not Meeting.objects.exists()
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    with pytest.raises(MeetingError, match="The venue must be 300 characters or fewer"):
        meeting_reschedule(
            meeting=meeting,
            actor=administrator.user,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            venue="V" * 301,
            reason="Room",
        )
    meeting.refresh_from_db()
    assert (len(meeting.venue) < 300, meeting.sequence) == (True, 0)


@pytest.mark.parametrize("day", [date(2027, 3, 28), date(2027, 10, 31)])
def test_a_three_hour_meeting_lasts_three_hours_on_the_day_the_clocks_change(day):
    starts_at = local(day.year, day.month, day.day, 0, 30)
    ends_at = timescales.ends_after(starts_at, 180)
    assert ends_at.astimezone(UTC) - starts_at.astimezone(UTC) == timedelta(hours=3)
    assert (ends_at.astimezone(starts_at.tzinfo).hour, ends_at.minute) == ((4, 30) if day.month == 3 else (2, 30))


def test_email_text_is_never_html_escaped():
    name = "Siobhán O'Brien & Sons <Ltd>"
    for template in ("account_invitation", "staff_account"):
        context = {"person": {"full_name": name}, "service": "Confer", "sign_in": "https://x/?a=1&b=2", "link": "x"}
        body = render_text(f"emails/{template}.txt", context)
        assert name in body
        assert "&#x27;" not in body and "&amp;" not in body and "&lt;" not in body


def test_an_account_invitation_greets_the_person_by_their_name_as_written(administrator, family):
    person = factories.PersonFactory(full_name="Siobhán O'Brien & Sons", email="siobhan@example.test")
    account_invite(person=person, actor=administrator.user)
    body = OutboundEmail.objects.get(to_email="siobhan@example.test").body
    assert body.startswith("Dear Siobhán O'Brien & Sons,")


@pytest.fixture
def shared(administrator, chair, family, parent, time_machine):
    """Minutes of a conference held on 6 January 2027, shared on the 7th; it is the 8th."""
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 1, 6))
    factories.invite(meeting, administrator, parent)
    factories.hold(meeting, chair, now=local(2027, 1, 6, 12, 30))
    minutes = minutes_start(meeting=meeting, actor=chair.user, now=local(2027, 1, 7, 9))
    minutes_share(minutes=minutes, actor=chair.user, now=local(2027, 1, 7, 10))
    time_machine.move_to(local(2027, 1, 8, 10))
    return minutes


def test_a_comment_over_the_limit_is_refused_by_the_service(shared, parent):
    with pytest.raises(MinutesError, match="Your comment must be 5,000 characters or fewer; it is 5,001"):
        comment_add(minutes=shared, actor=parent.user, text="x" * 5001)
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Too long" + "." * 199_992, "Your comment must be 5,000 characters or fewer; it is 200,000"),
        ("I disagree\x00 with this", "Remove the hidden control characters from your comment"),
    ],
)
def test_a_refused_comment_comes_back_with_every_word_and_the_reason(client, shared, parent, text, message):
    client.force_login(parent.user)
    response = client.post(reverse("minutes:comment_add", args=[shared.meeting_id]), {"text": text})
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert "<title>Error:" in page
    assert all(part in page for part in text.split("\x00")[0:2])  # what they wrote is in the box again
    assert not Comment.objects.exists()


def test_a_post_past_the_size_limit_gets_the_services_own_400_page(client, shared, parent):
    client.force_login(parent.user)
    response = client.post(reverse("minutes:comment_add", args=[shared.meeting_id]), {"text": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Sorry, there is a problem with what was sent" in page and "Nothing was saved." in page
    assert "quote this reference" in page
    assert not Comment.objects.exists()


@pytest.mark.parametrize("content_type", ["urlencoded", "multipart"])
def test_text_that_is_not_utf8_is_refused_not_stored_garbled(client, shared, parent, content_type):
    client.force_login(parent.user)
    url = reverse("minutes:comment_add", args=[shared.meeting_id])
    if content_type == "urlencoded":
        response = client.post(url, b"text=Bogus%C3%28name%FF", content_type="application/x-www-form-urlencoded")
    else:
        boundary = "BoUnDaRy"
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\n'.encode()
            + b"Bogus \xc3\x28 name \xff"
            + f"\r\n--{boundary}--\r\n".encode()
        )
        response = client.post(url, body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400
    assert "Sorry, there is a problem with what was sent" in response.content.decode()
    assert not Comment.objects.exists()
    # Real UTF-8, in any script, goes through.
    response = client.post(url, {"text": "Nie zgadzam się: Łukasz był w domu. Cytuna â ŵ. لا أوافق"})
    assert response.status_code == 302
    assert Comment.objects.get().text == "Nie zgadzam się: Łukasz był w domu. Cytuna â ŵ. لا أوافق"


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(now=st.one_of(st.text(max_size=40), st.sampled_from(["9999-12-31T23:59", "0001-01-01", "2027-03-28T01:30"])))
def test_the_sweep_command_answers_any_moment_with_a_sweep_or_a_clear_refusal(now):
    try:
        call_command("sweep_deadlines", "--now", now, stdout=io.StringIO())
    except CommandError as exc:
        assert "--now" in str(exc)


def test_a_section_and_an_answer_over_their_limits_are_refused_and_nothing_changes(shared, chair, parent):
    from minutes import services  # noqa: PLC0415

    comment = comment_add(minutes=shared, actor=parent.user, text="I disagree.")
    with pytest.raises(MinutesError, match="The reason must be 5,000 characters or fewer"):
        services.comment_respond(comment=comment, actor=chair.user, accepted=False, reason="No. " * 2000)
    assert not hasattr(Comment.objects.get(pk=comment.pk), "response")
    services.minutes_withdraw(minutes=shared, actor=chair.user, reason="Rework")
    section = shared.sections.order_by("id").first()
    before = (section.text, section.version)
    with pytest.raises(MinutesError, match="The section must be 50,000 characters or fewer; it is 50,001"):
        services.section_save(section=section, actor=chair.user, text="x" * 50_001, version=section.version)
    section.refresh_from_db()
    assert (section.text, section.version) == before


def test_a_page_showing_a_refused_form_says_error_in_its_title(client, administrator, chair, family, now):
    client.force_login(administrator.user)
    url = reverse("meetings:schedule", args=[family.pk])
    assert "<title>Error:" not in client.get(url).content.decode()
    page = client.post(url, schedule_form(family, chair, starts_at="")).content.decode()
    assert "<title>Error: " in page
    assert "Enter date and start time" in page
