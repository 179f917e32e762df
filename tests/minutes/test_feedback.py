"""The family's feedback: acknowledged at once with a reference and an answer date, seen
only by the author's household and managers, answered, late answers swept, stage 2."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from minutes import feedback, services
from minutes.deadlines import deadlines_sweep
from minutes.errors import MinutesError
from minutes.models import DeadlineNotice, Feedback
from notifications.models import OutboundEmail
from tests import factories
from tests.factories import local

SENT = local(2027, 1, 11, 10)  # Monday: ten working days later is Monday 25 January


def queued(person=None) -> list[OutboundEmail]:
    """The messages queued (sent once their transaction commits), oldest first."""
    messages = OutboundEmail.objects.order_by("id")
    return list(messages.filter(to_email=person.email) if person else messages)


@pytest.fixture
def complaint(held_meeting, parent, minutes, chair, manager):
    services.minutes_share(minutes=minutes, actor=chair.user, now=local(2027, 1, 7, 10))
    return feedback.feedback_send(
        meeting=held_meeting,
        actor=parent.user,
        kind=Feedback.Kind.COMPLAINT,
        about=Feedback.About.RECORD,
        text="COMPLAINT-MARKER: the minutes say I was late; I was not.",
        section=minutes.sections.get(key="purpose"),
        now=SENT,
    )


def test_a_complaint_is_acknowledged_at_once_with_its_reference_and_answer_date(
    complaint, parent, manager, django_capture_on_commit_callbacks
):
    assert complaint.reference == "FB-2027-0001"
    assert complaint.status == Feedback.Status.ACKNOWLEDGED
    assert complaint.answer_due_on.isoformat() == "2027-01-25"
    to_parent = [m for m in queued(parent) if "FB-" in m.subject]
    assert [m.subject for m in to_parent] == ["We have your complaint: FB-2027-0001"]
    assert "We will answer by Monday 25 January 2027" in to_parent[0].body
    to_manager = queued(manager)
    assert len(to_manager) == 1 and "to answer by Monday 25 January 2027" in to_manager[0].body
    assert all("Leakname" not in m.subject for m in queued())


def test_a_compliment_owes_no_answer_and_a_second_post_of_the_form_records_it_once(held_meeting, parent):
    token = "7b7f2d4e-9d2a-4d53-9a1d-2f0d7f6b8a11"
    first, second = (
        feedback.feedback_send(
            meeting=held_meeting,
            actor=parent.user,
            kind="compliment",
            about="meeting",
            text="Thank you",
            submission=token,
        )
        for _ in range(2)
    )
    assert first.pk == second.pk and first.answer_due_on is None
    assert Feedback.objects.count() == 1


def test_only_the_family_send_feedback_and_only_once_the_meeting_is_held(
    administrator, chair, family, parent, held_meeting, officer
):
    with pytest.raises(PermissionDenied):
        feedback.feedback_send(meeting=held_meeting, actor=officer.user, kind="comment", about="meeting", text="x")
    with pytest.raises(PermissionDenied):
        feedback.feedback_send(meeting=held_meeting, actor=chair.user, kind="comment", about="meeting", text="x")
    scheduled = factories.schedule(administrator=administrator, chair=chair, family=family, starts_at=local(2027, 3, 1))
    factories.invite(scheduled, administrator, parent)
    with pytest.raises(PermissionDenied):
        feedback.feedback_send(meeting=scheduled, actor=parent.user, kind="comment", about="meeting", text="x")
    with pytest.raises(MinutesError):
        feedback.feedback_send(meeting=held_meeting, actor=parent.user, kind="comment", about="meeting", text="  ")


def test_the_household_and_managers_see_it_and_no_one_else_does(
    client, complaint, held_meeting, parent, manager, chair, administrator, officer
):
    url = reverse("minutes:feedback_detail", args=[held_meeting.pk, complaint.pk])
    _other_family, other_parent = factories.family_with_parent(surname="Otherfamily")
    for person, status in ((parent, 200), (manager, 200), (chair, 404), (administrator, 404), (officer, 404)):
        client.force_login(person.user)
        response = client.get(url)
        assert response.status_code == status, person
        if status == 200:
            assert "COMPLAINT-MARKER" in response.content.decode()
    client.force_login(other_parent.user)
    assert client.get(url).status_code == 404
    # On the minutes page the parent sees it listed with its state; the chair does not.
    client.force_login(parent.user)
    page = client.get(reverse("minutes:overview", args=[held_meeting.pk])).content.decode()
    assert complaint.reference in page and "Acknowledged" in page
    client.force_login(chair.user)
    assert complaint.reference not in client.get(reverse("minutes:overview", args=[held_meeting.pk])).content.decode()


def test_a_late_answer_is_swept_counted_late_and_a_complaint_can_go_to_stage_2(
    complaint, parent, manager, chair, time_machine
):
    feedback.feedback_investigate(feedback=complaint, actor=manager.user, now=SENT + timedelta(days=1))
    with pytest.raises(PermissionDenied):
        feedback.feedback_answer(feedback=complaint, actor=chair.user, text="No")
    # Not answered by Monday 25th: the sweep on Tuesday 26th tells managers, not the chair.
    sent_before = len(queued())
    deadlines_sweep(now=local(2027, 1, 26, 7))
    notice = DeadlineNotice.objects.get(kind=DeadlineNotice.Kind.FEEDBACK)
    assert (notice.stage, notice.due_on.isoformat()) == ("overdue", "2027-01-25")
    new = queued()[sent_before:]
    assert any(m.to_email == manager.email and "answer the family's feedback" in m.body for m in new)
    assert not any(m.to_email == chair.email and "feedback" in m.body for m in new)
    answered = feedback.feedback_answer(
        feedback=complaint,
        actor=manager.user,
        text="ANSWER-MARKER: we checked the register.",
        now=local(2027, 1, 27, 9),
    )
    assert answered.answered_late and answered.status == Feedback.Status.ANSWERED
    counts = feedback.answered_in(local(2027, 1, 1).date(), local(2027, 1, 31).date())
    assert counts == {"on_time": 0, "late": 1, "overdue": 0}
    assert any("Our answer to your complaint" in m.subject for m in queued(parent))
    # Not settled: stage 2, with 20 working days from the day it was asked for.
    escalated = feedback.feedback_escalate(
        feedback=answered, actor=parent.user, reason="The register was not checked.", now=local(2027, 1, 28, 9)
    )
    assert (escalated.stage, escalated.status, escalated.answer_due_on.isoformat()) == (2, "escalated", "2027-02-25")
    with pytest.raises(MinutesError):
        feedback.feedback_escalate(feedback=escalated, actor=parent.user, reason="again")


def test_the_managers_list_shows_what_waits_soonest_first(client, complaint, manager, chair, parent):
    client.force_login(manager.user)
    page = client.get(reverse("feedback_list")).content.decode()
    assert complaint.reference in page
    client.force_login(chair.user)
    assert client.get(reverse("feedback_list")).status_code == 403
    client.force_login(parent.user)
    assert client.get(reverse("feedback_list")).status_code == 404
