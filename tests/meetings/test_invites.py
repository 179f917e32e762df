"""Calendar invitations: parsed back with icalendar, checked for leaks, sent once each.

The test family's surname, Leakname, is on the child and the parent: it must appear in no
subject, body or calendar file."""

from datetime import timedelta
from email import message_from_bytes

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction

from meetings import invites, services
from meetings.enums import InvitationRole, MeetingStatus, Rsvp
from meetings.errors import MeetingError
from notifications.models import OutboundEmail
from tests import factories
from tests.factories import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(administrator, chair, family, parent):
    officer = factories.PersonFactory(
        full_name="Pat Constable", agency=factories.AgencyFactory(name="Police"), email="pat.constable@police.test"
    )
    child = family.children.get()
    child.person.email = "young.person@example.test"
    child.person.save()
    return {"officer": officer, "young": child.person}


@pytest.fixture
def meeting(administrator, chair, family, parent, people):
    m = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 1, 6, 10))
    factories.invite(m, administrator, parent)
    factories.invite(m, administrator, people["officer"], InvitationRole.PROFESSIONAL)
    factories.invite(m, administrator, people["young"], InvitationRole.YOUNG_PERSON)
    return m


def send(meeting, actor, capture, now=None):
    with capture(execute=True):
        return invites.invitations_send(meeting=meeting, actor=actor.user, now=now or local(2026, 12, 20))


def parsed(message):
    return icalendar.Calendar.from_ical(message.calendar)


def event_of(cal):
    return next(iter(cal.walk("VEVENT")))


def attendees(event):
    values = event.get("ATTENDEE")
    values = values if isinstance(values, list) else [values]
    return {str(a).removeprefix("mailto:"): a.params for a in values}


def by_recipient(meeting):
    return {m.to_email: m for m in OutboundEmail.objects.filter(object_id=str(meeting.pk)).order_by("id")}


def test_sending_queues_one_request_per_invitee_with_a_correct_calendar(
    meeting, administrator, chair, parent, people, django_capture_on_commit_callbacks, settings
):
    # With a service mailbox to read, calendars are asked for replies (RSVP=TRUE).
    settings.CONFER_MAILBOX = {**settings.CONFER_MAILBOX, "host": "imap.example.org"}
    assert send(meeting, administrator, django_capture_on_commit_callbacks) == 4
    messages = by_recipient(meeting)
    assert set(messages) == {chair.email, parent.email, people["officer"].email, people["young"].email}
    for message in messages.values():
        assert message.status == OutboundEmail.Status.SENT
        assert (message.calendar_method, message.sequence) == ("REQUEST", 0)
        cal = parsed(message)
        assert str(cal["METHOD"]) == "REQUEST"
        assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Jersey"]
        event = event_of(cal)
        assert str(event["UID"]) == f"{meeting.calendar_uid}@confer"
        assert event["SEQUENCE"] == 0
        start = event.decoded("DTSTART")
        assert (start.hour, start.minute, str(start.tzinfo)) == (10, 0, "Europe/Jersey")
        assert event["DTSTART"].params["TZID"] == "Europe/Jersey"
        assert str(event["SUMMARY"]) == f"Initial child protection conference {meeting.reference}"
        assert str(event["ORGANIZER"]) == "mailto:meetings@confer.example.org"
        assert str(event["URL"]).endswith(f"/meetings/{meeting.pk}/")
    # Everyone sees the chair and the police officer, named, with their roles.
    officer_view = attendees(event_of(parsed(messages[people["officer"].email])))
    assert set(officer_view) == {chair.email, people["officer"].email}
    assert officer_view[people["officer"].email]["CN"] == "Pat Constable"
    assert officer_view[people["officer"].email]["ROLE"] == "REQ-PARTICIPANT"
    assert officer_view[people["officer"].email]["PARTSTAT"] == "NEEDS-ACTION"
    assert officer_view[people["officer"].email]["RSVP"] == "TRUE"
    assert officer_view[chair.email]["ROLE"] == "REQ-PARTICIPANT"
    # A parent sees themselves (unnamed) but no other family member.
    parent_view = attendees(event_of(parsed(messages[parent.email])))
    assert set(parent_view) == {chair.email, people["officer"].email, parent.email}
    assert "CN" not in parent_view[parent.email]


def test_no_child_or_family_name_in_any_subject_body_or_calendar(
    meeting, administrator, family, parent, people, django_capture_on_commit_callbacks
):
    send(meeting, administrator, django_capture_on_commit_callbacks)
    services.meeting_cancel(meeting=meeting, actor=administrator.user, reason="x", now=local(2026, 12, 21))
    names = {"Leakname", "Mabel", "Zebedee", family.children.get().person.full_name, family.reference}
    sent = OutboundEmail.objects.all()
    assert sent.count() == 8  # four invitations, four cancellations
    for message in sent:
        for text in (message.subject, message.body, message.calendar):
            assert not [name for name in names if name in text], message.key
    for email in mail.outbox:
        raw = email.message().as_string()
        assert "Leakname" not in raw and "Zebedee" not in raw


def test_the_email_carries_an_inline_calendar_and_an_ics_attachment(
    meeting, administrator, parent, django_capture_on_commit_callbacks
):
    send(meeting, administrator, django_capture_on_commit_callbacks)
    email = next(e for e in mail.outbox if e.to == [parent.email])
    mime = message_from_bytes(email.message().as_bytes())
    types = [part.get_content_type() for part in mime.walk()]
    assert types == ["multipart/mixed", "multipart/alternative", "text/plain", "text/calendar", "application/ics"]
    calendar_part = next(p for p in mime.walk() if p.get_content_type() == "text/calendar")
    assert calendar_part.get_param("method") == "REQUEST"
    attachment = next(p for p in mime.walk() if p.get_content_type() == "application/ics")
    assert attachment.get_filename() == "invite.ics"
    assert icalendar.Calendar.from_ical(attachment.get_payload(decode=True))["METHOD"] == "REQUEST"


def test_sending_twice_sends_nothing_new(meeting, administrator, django_capture_on_commit_callbacks):
    send(meeting, administrator, django_capture_on_commit_callbacks)
    assert send(meeting, administrator, django_capture_on_commit_callbacks) == 0
    assert OutboundEmail.objects.count() == 4
    assert len(mail.outbox) == 4


def test_reschedule_sends_everyone_the_new_sequence(meeting, administrator, chair, django_capture_on_commit_callbacks):
    send(meeting, administrator, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_reschedule(
            meeting=meeting,
            actor=chair.user,
            starts_at=local(2027, 1, 6, 14),
            ends_at=local(2027, 1, 6, 16),
            reason="Room clash",
            now=local(2026, 12, 22),
        )
    for to, rows in _grouped().items():
        assert [(r.calendar_method, r.sequence) for r in rows] == [("REQUEST", 0), ("REQUEST", 1)], to
        event = event_of(parsed(rows[1]))
        assert event["SEQUENCE"] == 1
        assert event.decoded("DTSTART").hour == 14
        assert rows[1].subject.startswith("Updated: ")
    assert len(mail.outbox) == 8


def test_cancel_sends_cancel_with_status_cancelled(meeting, administrator, django_capture_on_commit_callbacks):
    send(meeting, administrator, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(
            meeting=meeting, actor=administrator.user, reason="Family moved", now=local(2026, 12, 22)
        )
    for rows in _grouped().values():
        cancel = rows[-1]
        assert (cancel.calendar_method, cancel.sequence) == ("CANCEL", 1)
        cal = parsed(cancel)
        assert str(cal["METHOD"]) == "CANCEL"
        assert str(event_of(cal)["STATUS"]) == "CANCELLED"
        assert str(event_of(cal)["UID"]) == f"{meeting.calendar_uid}@confer"


def test_removing_one_person_cancels_only_for_them(meeting, administrator, people, django_capture_on_commit_callbacks):
    send(meeting, administrator, django_capture_on_commit_callbacks)
    officer_invitation = meeting.invitations.get(person=people["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        invites.invitation_remove(invitation=officer_invitation, actor=administrator.user, now=local(2026, 12, 22))
    new = OutboundEmail.objects.filter(calendar_method="CANCEL")
    assert [m.to_email for m in new] == [people["officer"].email]
    assert str(parsed(new[0])["METHOD"]) == "CANCEL"
    assert not meeting.invitations.filter(person=people["officer"]).exists()


def test_adding_someone_later_sends_just_them_the_request(meeting, administrator, django_capture_on_commit_callbacks):
    send(meeting, administrator, django_capture_on_commit_callbacks)
    advocate = factories.PersonFactory(email="advocate@example.test")
    factories.invite(meeting, administrator, advocate, InvitationRole.ADVOCATE)
    assert send(meeting, administrator, django_capture_on_commit_callbacks) == 1
    latest = OutboundEmail.objects.latest("id")
    assert latest.to_email == "advocate@example.test"
    assert attendees(event_of(parsed(latest)))["advocate@example.test"]["ROLE"] == "OPT-PARTICIPANT"


def test_an_answer_shows_as_partstat_in_later_invitations(
    meeting, administrator, chair, people, django_capture_on_commit_callbacks
):
    send(meeting, administrator, django_capture_on_commit_callbacks)
    officer_invitation = meeting.invitations.get(person=people["officer"])
    officer_invitation.person.user = factories.UserFactory()
    officer_invitation.person.save()
    invites.invitation_respond(invitation=officer_invitation, actor=officer_invitation.person.user, rsvp=Rsvp.ACCEPTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_reschedule(
            meeting=meeting,
            actor=chair.user,
            starts_at=local(2027, 1, 7),
            ends_at=local(2027, 1, 7, 12),
            reason="x",
            now=local(2026, 12, 22),
        )
    latest_to_chair = OutboundEmail.objects.filter(to_email=chair.email).latest("id")
    assert attendees(event_of(parsed(latest_to_chair)))[people["officer"].email]["PARTSTAT"] == "ACCEPTED"


def test_only_the_invitee_answers_and_not_after_cancellation(meeting, administrator, parent, chair):
    invitation = meeting.invitations.get(person=parent)

    with pytest.raises(PermissionDenied):
        invites.invitation_respond(invitation=invitation, actor=chair.user, rsvp=Rsvp.ACCEPTED)
    chair_invitation = meeting.invitations.get(role=InvitationRole.CHAIR)
    with pytest.raises(PermissionDenied, match="does not reply"):
        invites.invitation_respond(invitation=chair_invitation, actor=chair.user, rsvp=Rsvp.ACCEPTED)
    services.meeting_cancel(meeting=meeting, actor=administrator.user, reason="x", now=local(2026, 12, 22))
    with pytest.raises(MeetingError, match="replies are closed"):
        invites.invitation_respond(invitation=invitation, actor=parent.user, rsvp=Rsvp.DECLINED)


def test_nothing_is_sent_when_the_transaction_rolls_back(meeting, administrator, django_capture_on_commit_callbacks):

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        invites.invitations_send(meeting=meeting, actor=administrator.user, now=local(2026, 12, 20))
        raise RuntimeError("later step failed")
    assert OutboundEmail.objects.count() == 0
    assert mail.outbox == []
    assert meeting.status == MeetingStatus.SCHEDULED
    assert meeting.starts_at - timedelta(days=1) < meeting.ends_at


def _grouped():
    grouped = {}
    for row in OutboundEmail.objects.order_by("id"):
        grouped.setdefault(row.to_email, []).append(row)
    return grouped
