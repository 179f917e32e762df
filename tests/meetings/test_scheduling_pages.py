"""Scheduling, inviting, replying and holding through the pages, as people would."""

import re
from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from meetings import invites
from meetings.enums import Attendance, InvitationRole, MeetingKind, MeetingStatus, Rsvp
from meetings.models import Invitation, Meeting
from notifications.models import OutboundEmail
from participants.enums import StaffRole
from tests import factories
from tests.factories import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(time_machine):
    time_machine.move_to(local(2026, 12, 1, 9))
    return local(2026, 12, 1, 9)


def schedule_form(family, chair, **overrides):
    data = {
        "kind": "icpc",
        "children": [c.pk for c in family.children.all()],
        "chair": chair.pk,
        "strategy_discussion_on": "2026-12-11",
        "starts_at": "2027-01-06T10:00",
        "duration": "120",
        "venue": "Room 1",
        "online_link": "",
        "notes_for_participants": "",
        "late_reason": "",
    }
    data.update(overrides)
    return data


def test_administrator_schedules_from_the_family_page(client, administrator, chair, family, now):
    client.force_login(administrator.user)
    page = client.get(reverse("participants:families"), {"q": family.children.get().identifier})
    assert reverse("meetings:schedule", args=[family.pk]) in page.content.decode()
    response = client.post(reverse("meetings:schedule", args=[family.pk]), schedule_form(family, chair))
    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("meetings:invite", args=[meeting.pk])
    assert (meeting.kind, meeting.due_on, meeting.chair) == (MeetingKind.ICPC, date(2027, 1, 6), chair)


def test_scheduling_late_keeps_the_input_and_asks_for_a_reason(client, administrator, chair, family, now):
    client.force_login(administrator.user)
    url = reverse("meetings:schedule", args=[family.pk])
    response = client.post(url, schedule_form(family, chair, starts_at="2027-01-08T10:00"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "due by Wednesday 6 January 2027" in page
    assert 'value="Room 1"' in page
    assert not Meeting.objects.exists()
    client.post(url, schedule_form(family, chair, starts_at="2027-01-08T10:00", late_reason="Chair on leave"))
    assert Meeting.objects.get().late_reason == "Chair on leave"


def test_a_chairs_clash_is_a_warning_that_can_be_confirmed(client, administrator, chair, family, now):
    factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 1, 6, 11))
    client.force_login(administrator.user)
    url = reverse("meetings:schedule", args=[family.pk])
    page = client.post(url, schedule_form(family, chair)).content.decode()
    assert "already chairs CP-2027-0001 at 11:00 on 6 January." in page
    assert Meeting.objects.count() == 1
    client.post(url, schedule_form(family, chair, confirm_clash="on"))
    assert Meeting.objects.count() == 2


def test_invite_family_members_with_the_age_check_then_a_new_professional(
    client, administrator, chair, family, parent, now
):
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    young = family.children.get().person
    client.force_login(administrator.user)
    url = reverse("meetings:invite", args=[meeting.pk])
    page = client.post(url, {"form": "family", "family-young_people": [young.pk]}).content.decode()
    assert "suits their age" in page
    assert not meeting.invitations.filter(person=young).exists()
    client.post(
        url,
        {
            "form": "family",
            "family-adults": [parent.pk],
            "family-young_people": [young.pk],
            "family-young_people_checked": "on",
        },
    )
    assert set(meeting.invitations.values_list("role", flat=True)) == {
        InvitationRole.CHAIR,
        InvitationRole.PARENT_CARER,
        InvitationRole.YOUNG_PERSON,
    }
    client.post(
        url,
        {
            "form": "other",
            "other-role": "professional",
            "other-full_name": "Hana Health",
            "other-email": "hana@health.test",
            "other-new_agency": "Health visiting",
            "other-new_agency_kind": "health",
        },
    )
    invitation = meeting.invitations.get(person__full_name="Hana Health")
    assert (invitation.role, invitation.agency.name) == (InvitationRole.PROFESSIONAL, "Health visiting")


def test_the_invite_form_posted_twice_invites_once_and_says_so(client, administrator, chair, family, now):
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    client.force_login(administrator.user)
    form = {
        "form": "other",
        "other-role": "professional",
        "other-full_name": "Hana Health",
        "other-email": "hana@health.test",
        "other-new_agency": "Health visiting",
        "other-new_agency_kind": "health",
    }
    url = reverse("meetings:invite", args=[meeting.pk])
    assert client.post(url, form).status_code == 302
    again = client.post(url, form)
    assert again.status_code == 200
    assert "already invited" in again.content.decode()
    assert meeting.invitations.filter(person__email="hana@health.test").count() == 1


def test_an_interpreter_needs_a_language(client, administrator, chair, family, now):
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    client.force_login(administrator.user)
    page = client.post(
        reverse("meetings:invite", args=[meeting.pk]),
        {
            "form": "other",
            "other-role": "interpreter",
            "other-full_name": "Ivo Interp",
            "other-email": "ivo@x.test",
        },
    ).content.decode()
    assert "Enter the language" in page
    assert not Invitation.objects.filter(person__full_name="Ivo Interp").exists()


def test_send_invitations_button_twice_sends_once(
    client, administrator, chair, family, parent, now, django_capture_on_commit_callbacks
):
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    factories.invite(meeting, administrator, parent)
    client.force_login(administrator.user)
    url = reverse("meetings:send_invitations", args=[meeting.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, follow=True).content.decode()
        second = client.post(url, follow=True).content.decode()
    assert "Invitations sent to 2 people." in first
    assert "already been sent the latest invitation" in second
    assert OutboundEmail.objects.count() == 2
    assert len(mail.outbox) == 2


def test_a_parent_replies_on_the_meeting_page(client, administrator, chair, family, parent, now):
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    factories.invite(meeting, administrator, parent)
    client.force_login(parent.user)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "Can you come?" in page
    response = client.post(
        reverse("meetings:respond", args=[meeting.pk]),
        {"rsvp": "declined", "note": "I have a hospital appointment"},
        follow=True,
    )
    assert "Your reply has been saved" in response.content.decode()
    invitation = meeting.invitations.get(person=parent)
    assert (invitation.rsvp, invitation.rsvp_note) == (Rsvp.DECLINED, "I have a hospital appointment")
    client.force_login(chair.user)
    assert "I have a hospital appointment" in client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()


def test_reschedule_and_cancel_pages(client, administrator, chair, family, now):
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    client.force_login(chair.user)
    form = client.get(reverse("meetings:reschedule", args=[meeting.pk])).content.decode()
    assert 'value="2027-01-06T10:00"' in form
    client.post(
        reverse("meetings:reschedule", args=[meeting.pk]),
        {"starts_at": "2027-01-06T14:00", "duration": "90", "venue": "Room 2", "reason": "Clash", "version": "0"},
    )
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.sequence, meeting.venue) == (local(2027, 1, 6, 14), 1, "Room 2")
    response = client.post(reverse("meetings:cancel", args=[meeting.pk]), {"reason": ""})
    assert "Enter why the meeting is cancelled" in response.content.decode()
    client.post(reverse("meetings:cancel", args=[meeting.pk]), {"reason": "Family moved"})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED


def test_the_chair_holds_the_meeting_and_the_due_list_picks_up_the_review(
    client, administrator, chair, family, parent, time_machine
):
    time_machine.move_to(local(2026, 12, 1))
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    invitation = factories.invite(meeting, administrator, parent)
    chair_invitation = meeting.invitations.get(role=InvitationRole.CHAIR)
    child = family.children.get()
    time_machine.move_to(local(2027, 1, 6, 12, 30))
    client.force_login(chair.user)
    data = {
        f"inv-{chair_invitation.pk}-attendance": "attended",
        f"inv-{invitation.pk}-attendance": "attended",
        f"inv-{invitation.pk}-excluded_from_part": "on",
        f"inv-{invitation.pk}-exclusion_reason": "",
        f"outcome-plan_{child.pk}": "yes",
        f"outcome-category_{child.pk}": "neglect",
    }
    page = client.post(reverse("meetings:hold", args=[meeting.pk]), data).content.decode()
    assert "Give the reason" in page
    data[f"inv-{invitation.pk}-exclusion_reason"] = "Police information"
    response = client.post(reverse("meetings:hold", args=[meeting.pk]), data, follow=True)
    assert "The next review child protection conference is due by Tuesday 6 April 2027." in response.content.decode()
    meeting.refresh_from_db()
    invitation.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert (invitation.attendance, invitation.excluded_from_part) == (Attendance.ATTENDED, True)

    client.force_login(administrator.user)
    due = client.get(reverse("meetings:due")).content.decode()
    assert "Review child protection conference" in due
    assert "Tue 6 Apr 2027" in due
    assert f"{reverse('meetings:schedule', args=[family.pk])}?kind=rcpc" in due


@pytest.mark.parametrize("n", [1, 50])
def test_due_list_uses_a_fixed_number_of_queries(n, client, administrator, chair, django_assert_max_num_queries):

    for i in range(n):
        family, _ = factories.family_with_parent()
        m = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 1, 6))
        factories.hold(m, chair, now=local(2027, 1, 6, 13))
        if i == 0:
            looked_after = factories.ChildFactory(family=family, looked_after_since=date(2026, 11, 2))
    client.force_login(administrator.user)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("meetings:due")).content.decode()
    # 25 rows a page; the looked-after child's first review is due soonest, so it comes first.
    assert looked_after.identifier in page
    assert page.count("Review child protection conference") == min(n, 24)
    assert ("Page 1 of 3" in page) == (n == 50)


@pytest.mark.parametrize("n", [1, 50])
def test_meeting_page_with_emails_uses_a_fixed_number_of_queries(
    n, client, administrator, chair, family, django_assert_max_num_queries, django_capture_on_commit_callbacks
):

    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    for i in range(n):
        factories.invite(
            meeting, administrator, factories.PersonFactory(email=f"p{i}@example.test"), InvitationRole.PROFESSIONAL
        )
    with django_capture_on_commit_callbacks(execute=True):
        invites.invitations_send(meeting=meeting, actor=administrator.user, now=local(2026, 12, 20))
    client.force_login(administrator.user)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert page.count('<td class="govuk-table__cell">Invitation</td>') == n + 1  # each first calendar invitation


def test_the_schedule_form_posted_twice_schedules_one_meeting(client, administrator, chair, family, now):
    client.force_login(administrator.user)
    url = reverse("meetings:schedule", args=[family.pk])
    token = re.search(r'name="submission" value="([0-9a-f-]+)"', client.get(url).content.decode()).group(1)
    first = client.post(url, schedule_form(family, chair, submission=token))
    second = client.post(url, schedule_form(family, chair, submission=token))
    meeting = Meeting.objects.get()
    assert first["Location"] == second["Location"] == reverse("meetings:invite", args=[meeting.pk])
    # A fresh form is a fresh meeting (the chair's clash is then asked about, as usual).
    client.post(url, schedule_form(family, chair, confirm_clash="on"))
    assert Meeting.objects.count() == 2


def test_a_stale_reschedule_form_is_refused_and_keeps_what_was_typed(client, administrator, chair, family, now):
    """Two administrators open the reschedule form; the first moves the meeting; the
    second's form, filled in against the old time, must not silently replace the move."""
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    second_admin = factories.staff(StaffRole.ADMINISTRATOR)
    url = reverse("meetings:reschedule", args=[meeting.pk])
    client.force_login(administrator.user)
    assert 'name="version" value="0"' in client.get(url).content.decode()
    first = {"starts_at": "2027-01-06T14:00", "duration": "90", "venue": "Room 2", "reason": "Clash", "version": "0"}
    assert client.post(url, first).status_code == 302
    client.force_login(second_admin.user)
    stale = {**first, "starts_at": "2027-01-06T09:00", "venue": "Room 9", "reason": "Earlier is better"}
    page = client.post(url, stale).content.decode()
    assert "Someone else changed this meeting while you were editing it." in page
    assert "Wednesday 6 January 2027 at 14:00, Room 2" in page
    assert 'value="Room 9"' in page and "Earlier is better" in page  # nothing they typed is lost
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.venue, meeting.sequence) == (local(2027, 1, 6, 14), "Room 2", 1)
    # Sent again from the refreshed form, it is the newest change and goes through.
    assert 'name="version" value="1"' in page
    assert client.post(url, {**stale, "version": "1"}).status_code == 302
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.venue) == (local(2027, 1, 6, 9), "Room 9")


def test_administrators_read_plain_words_not_system_terms(client, administrator, chair, family, parent, now):
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    factories.invite(meeting, administrator, parent)
    invites.invitations_send(meeting=meeting, actor=administrator.user, now=now)
    client.force_login(administrator.user)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "REQUEST" not in page and "Calendar version" not in page
    assert '<td class="govuk-table__cell">Invitation</td>' in page
    # The chair signs in as staff: no sign-in invitation is offered for them.
    assert "Signs in as staff" in page
    assert page.count("sign-in invitation") == 1  # the parent's row only


def test_recording_a_meeting_as_held_is_offered_once_it_has_started_and_then_shows_who_came(
    client, administrator, chair, family, parent, time_machine
):
    time_machine.move_to(local(2026, 12, 1, 9))
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)  # 6 January, 10:00
    factories.invite(meeting, administrator, parent)
    detail = reverse("meetings:detail", args=[meeting.pk])
    time_machine.move_to(local(2027, 1, 6, 9, 30))
    client.force_login(chair.user)  # sessions end after 30 idle minutes
    page = client.get(detail).content.decode()
    assert "record it as held once it has started." in page
    assert reverse("meetings:hold", args=[meeting.pk]) not in page
    response = client.get(reverse("meetings:hold", args=[meeting.pk]))
    assert response.status_code == 302 and response["Location"] == detail  # no form to fill in for nothing
    time_machine.move_to(local(2027, 1, 6, 10, 5))
    client.force_login(chair.user)
    page = client.get(detail).content.decode()
    assert reverse("meetings:hold", args=[meeting.pk]) in page  # the same day: the kept page moved on
    factories.hold(meeting, chair, now=local(2027, 1, 6, 12, 30))
    time_machine.move_to(local(2027, 1, 6, 12, 35))
    client.force_login(chair.user)
    page = " ".join(client.get(detail).content.decode().split())
    assert "Due by" not in page and "Not answered yet" not in page
    assert ">Attendance</th>" in page and ">Attended</td>" in page


def test_an_overdue_review_is_flagged_as_overdue_on_the_scheduling_page(
    client, administrator, chair, family, time_machine
):
    time_machine.move_to(local(2026, 12, 1, 9))
    meeting = factories.schedule(administrator=administrator, chair=chair, family=family)
    factories.hold(meeting, chair, now=local(2027, 1, 6, 12, 30))  # a plan: review within 3 months
    time_machine.move_to(local(2027, 4, 20, 9))
    client.force_login(administrator.user)
    page = " ".join(client.get(reverse("meetings:schedule", args=[family.pk])).content.decode().split())
    assert "Overdue</strong> was due by Tuesday 6 April 2027" in page
