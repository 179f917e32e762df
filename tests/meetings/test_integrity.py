"""Findings about meetings: calendar sequences on removal and re-invitation, late
rescheduling, a new period in care, who an advocate comes with."""

from datetime import date

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from meetings import invites, selectors, services
from meetings.enums import InvitationRole, MeetingKind, ReviewOutcome
from meetings.errors import MeetingError
from meetings.services import OutcomeRecord
from notifications.models import OutboundEmail
from tests import factories
from tests.factories import local
from tests.meetings.test_invites import attendees, event_of, parsed, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return factories.PersonFactory(full_name="Pat Constable", email="pat@police.test")


@pytest.fixture
def meeting(administrator, chair, family, parent, officer):
    m = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 1, 6, 10))
    factories.invite(m, administrator, parent)
    factories.invite(m, administrator, officer, InvitationRole.PROFESSIONAL)
    return m


def _sequence(message) -> int:
    return int(event_of(parsed(message))["SEQUENCE"])


def test_removal_raises_the_sequence_and_updates_everyone_else(
    meeting, administrator, parent, officer, django_capture_on_commit_callbacks
):
    send(meeting, administrator, django_capture_on_commit_callbacks)
    request = OutboundEmail.objects.get(to_email=officer.email, calendar_method="REQUEST")
    with django_capture_on_commit_callbacks(execute=True):
        invites.invitation_remove(
            invitation=meeting.invitations.get(person=officer), actor=administrator.user, now=local(2026, 12, 22)
        )
    cancel = OutboundEmail.objects.get(to_email=officer.email, calendar_method="CANCEL")
    assert _sequence(cancel) == _sequence(request) + 1
    # The parent's calendar is updated: the officer is no longer listed.
    update = OutboundEmail.objects.filter(to_email=parent.email, calendar_method="REQUEST").latest("id")
    assert _sequence(update) == _sequence(cancel)
    assert officer.email not in attendees(event_of(parsed(update)))
    # The chair's copy too (the chair is listed, so every change reaches them).
    assert OutboundEmail.objects.filter(calendar_method="REQUEST", sequence=_sequence(cancel)).count() == 2


def test_a_second_removal_says_it_was_already_done(meeting, administrator, officer):
    invitation = meeting.invitations.get(person=officer)
    invites.invitation_remove(invitation=invitation, actor=administrator.user)
    with pytest.raises(MeetingError, match="already been removed"):
        invites.invitation_remove(invitation=invitation, actor=administrator.user)


def test_inviting_someone_again_after_removal_sends_a_higher_sequence_than_their_cancellation(
    meeting, administrator, officer, django_capture_on_commit_callbacks
):
    send(meeting, administrator, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        invites.invitation_remove(
            invitation=meeting.invitations.get(person=officer), actor=administrator.user, now=local(2026, 12, 22)
        )
    factories.invite(meeting, administrator, officer, InvitationRole.PROFESSIONAL, now=local(2026, 12, 23))
    send(meeting, administrator, django_capture_on_commit_callbacks, now=local(2026, 12, 23))
    cancel = OutboundEmail.objects.get(to_email=officer.email, calendar_method="CANCEL")
    again = OutboundEmail.objects.filter(to_email=officer.email, calendar_method="REQUEST").latest("id")
    assert _sequence(again) > _sequence(cancel)


def test_rescheduling_past_the_due_date_needs_a_reason_which_is_kept_and_audited(meeting, administrator):
    # Strategy discussion Wed 30 Dec 2026: due 15 working days later (1 January is a holiday),
    # Thursday 21 January 2027.
    assert meeting.due_on == date(2027, 1, 21)
    late = local(2027, 1, 26, 10)
    with pytest.raises(MeetingError, match="To move it to a later date, give the reason") as refused:
        services.meeting_reschedule(
            meeting=meeting, actor=administrator.user, starts_at=late, ends_at=late.replace(hour=12), reason="Room"
        )
    assert refused.value.field == "late_reason"
    moved = services.meeting_reschedule(
        meeting=meeting,
        actor=administrator.user,
        starts_at=late,
        ends_at=late.replace(hour=12),
        reason="Room",
        late_reason="The police officer is in court all week",
    )
    assert (moved.is_late, moved.late_reason) == (True, "The police officer is in court all week")
    event = AuditEvent.objects.filter(code="meeting.rescheduled").latest("id")
    assert event.detail["late_reason"] == "The police officer is in court all week"
    assert moved in selectors.late_scheduled_meetings()


def test_the_reschedule_page_shows_the_missing_lateness_reason_beside_its_field(client, meeting, administrator):
    client.force_login(administrator.user)
    url = reverse("meetings:reschedule", args=[meeting.pk])
    response = client.post(
        url,
        {"starts_at": "2027-01-26T10:00", "duration": 120, "venue": "Room 2", "reason": "Room booked", "version": 0},
    )
    assert response.status_code == 200
    assert "give the reason it cannot be held in time" in response.context["form"].errors["late_reason"][0]
    meeting.refresh_from_db()
    assert meeting.starts_at == local(2027, 1, 6, 10)


def test_a_child_back_in_care_starts_a_new_cla_clock_on_the_due_list(administrator, chair, family):
    child = family.children.get()
    child.looked_after_since = date(2026, 12, 14)
    child.save()
    first = factories.schedule(
        administrator=administrator, chair=chair, family=family, kind=MeetingKind.CLA, starts_at=local(2027, 1, 14)
    )
    factories.hold(first, chair, outcomes={child.pk: OutcomeRecord(review_outcome=ReviewOutcome.END)})
    assert [item.children for item in selectors.due_list()] == []
    # A year later the child comes back into care on Monday 3 January 2028.
    child.looked_after_since = date(2028, 1, 3)
    child.save()
    [item] = selectors.due_list()
    # 20 working days after Mon 3 Jan 2028 (no holidays in between): Monday 31 January.
    assert (item.kind, item.children, item.due_on) == (MeetingKind.CLA, (child.identifier,), date(2028, 1, 31))
    review = factories.schedule(
        administrator=administrator, chair=chair, family=family, kind=MeetingKind.CLA, starts_at=local(2028, 1, 27)
    )
    assert (review.due_on, review.previous) == (date(2028, 1, 31), None)
    assert selectors.due_list() == []


def test_an_advocate_comes_with_a_family_member_of_the_same_meeting(meeting, administrator, parent, officer):
    parent_invitation = meeting.invitations.get(person=parent)
    advocate = factories.invite(
        meeting, administrator, factories.PersonFactory(), InvitationRole.ADVOCATE, accompanies=parent_invitation
    )
    assert advocate.accompanies == parent_invitation
    with pytest.raises(MeetingError, match="Choose a parent, carer or young person"):
        factories.invite(
            meeting,
            administrator,
            factories.PersonFactory(),
            InvitationRole.INTERPRETER,
            interpreting_language="Polish",
            accompanies=meeting.invitations.get(person=officer),
        )
    with pytest.raises(MeetingError, match="Only an advocate or an interpreter"):
        factories.invite(
            meeting,
            administrator,
            factories.PersonFactory(),
            InvitationRole.PROFESSIONAL,
            accompanies=parent_invitation,
        )


def test_the_invite_page_asks_whom_an_advocate_comes_with(client, meeting, administrator, parent):
    client.force_login(administrator.user)
    url = reverse("meetings:invite", args=[meeting.pk])
    data = {"form": "other", "other-role": "advocate", "other-full_name": "Ada Advocate", "other-email": "ada@x.test"}
    response = client.post(url, data)
    assert response.context["other_form"].errors["accompanies"] == ["Choose the family member they come with."]
    parent_invitation = meeting.invitations.get(person=parent)
    assert client.post(url, {**data, "other-accompanies": parent_invitation.pk}).status_code == 302
    advocate = meeting.invitations.get(person__full_name="Ada Advocate")
    assert advocate.accompanies == parent_invitation
    assert f"Advocate, with {parent.full_name}" in client.get(url).content.decode()


def test_a_new_agency_added_while_inviting_is_audited(client, meeting, administrator):
    client.force_login(administrator.user)
    data = {
        "form": "other",
        "other-role": "professional",
        "other-full_name": "Sam Housing",
        "other-email": "sam@housing.test",
        "other-new_agency": "Housing Trust",
        "other-new_agency_kind": "housing",
    }
    assert client.post(reverse("meetings:invite", args=[meeting.pk]), data).status_code == 302
    invitation = meeting.invitations.get(person__full_name="Sam Housing")
    assert invitation.agency.name == "Housing Trust"
    created = AuditEvent.objects.get(code="agency.created")
    assert (created.actor, created.object_id) == (administrator.user, str(invitation.agency.pk))
    assert AuditEvent.objects.filter(code="person.created").count() == 1
