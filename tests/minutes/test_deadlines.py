"""The deadline sweep: reminders before, escalation after, each once; a fixed number of
queries whatever the volume; "no minutes produced" listed for managers."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.enums import MeetingKind, MeetingStatus
from meetings.models import Meeting
from minutes import services
from minutes.deadlines import deadlines_sweep
from minutes.models import DeadlineNotice
from notifications.models import OutboundEmail
from tests import factories
from tests.concurrency import race
from tests.factories import local


@pytest.fixture
def letter_sent(held_meeting, chair):
    """The conference's decision letter went out on time (Thursday 7 January 2027), so the
    tests below see only the deadlines they are about."""
    return services.decision_letter_send(
        meeting=held_meeting, actor=chair.user, lead_social_worker="Sam Worker", now=local(2027, 1, 7, 9)
    )


def emails_to(person):
    return list(OutboundEmail.objects.filter(to_email=person.email, key__startswith="deadlines:").order_by("id"))


def test_the_chair_is_reminded_once_before_the_draft_is_due_and_managers_told_once_after(
    held_meeting, chair, manager, client, letter_sent
):
    # Held Wednesday 6 January 2027: the draft is due Wednesday 20 January, and the chair is
    # reminded 2 working days before, on Monday 18 January.
    assert deadlines_sweep(now=local(2027, 1, 15, 9)).reminders == 0
    first = deadlines_sweep(now=local(2027, 1, 18, 9))
    assert (first.reminders, first.overdue, first.emails) == (1, 0, 1)
    [reminder] = emails_to(chair)
    assert "share the draft minutes, due Wednesday 20 January 2027" in reminder.body
    assert held_meeting.reference in reminder.body
    child = held_meeting.children.get().person.full_name
    assert child not in reminder.subject and child not in reminder.body
    # Again the same day, and the next: nothing new.
    assert deadlines_sweep(now=local(2027, 1, 18, 15)).emails == 0
    assert deadlines_sweep(now=local(2027, 1, 19, 9)).emails == 0
    assert len(emails_to(chair)) == 1 and emails_to(manager) == []
    # Overdue on Thursday 21st: the chair and the manager are told, once.
    late = deadlines_sweep(now=local(2027, 1, 21, 9))
    assert (late.reminders, late.overdue, late.emails) == (0, 1, 2)
    assert "OVERDUE, was due Wednesday 20 January 2027" in emails_to(manager)[0].body
    assert emails_to(manager)[0].subject == "Deadlines: 1 to act on, 1 overdue"
    assert deadlines_sweep(now=local(2027, 1, 22, 9)).emails == 0
    assert DeadlineNotice.objects.count() == 2

    # Managers see it on their start page until the draft is shared.
    client.force_login(manager.user)
    page = client.get(reverse("home")).content.decode()
    assert "No minutes produced in time" in page and held_meeting.reference in page
    minutes = services.minutes_start(meeting=held_meeting, actor=chair.user, now=local(2027, 1, 22, 10))
    services.minutes_share(minutes=minutes, actor=chair.user, now=local(2027, 1, 22, 11))
    assert held_meeting.reference not in client.get(reverse("home")).content.decode()


def test_unanswered_comments_and_undistributed_minutes_have_their_own_deadlines(
    minutes, chair, parent, held_meeting, letter_sent
):
    services.minutes_share(minutes=minutes, actor=chair.user, now=local(2027, 1, 7, 10))
    services.comment_add(minutes=minutes, actor=parent.user, text="Wrong name", now=local(2027, 1, 8, 10))
    # Distribution is due Wednesday 27 January; the chair is reminded on Monday 25th.
    swept = deadlines_sweep(now=local(2027, 1, 25, 9))
    assert set(DeadlineNotice.objects.values_list("kind", "stage")) == {("comments", "reminder")}
    assert "answer the family's comments, due Wednesday 27 January 2027" in emails_to(chair)[-1].body
    assert swept.reminders == 1
    comment = minutes.comments.get()
    services.comment_respond(
        comment=comment, actor=chair.user, accepted=True, reason="Already right", now=local(2027, 1, 25, 10)
    )
    services.minutes_approve(minutes=minutes, actor=chair.user, now=local(2027, 1, 25, 11))
    deadlines_sweep(now=local(2027, 1, 25, 12))
    assert ("distribution", "reminder") in set(DeadlineNotice.objects.values_list("kind", "stage"))
    assert "distribute the minutes, due Wednesday 27 January 2027" in emails_to(chair)[-1].body


def test_a_next_meeting_due_soon_with_none_scheduled_is_sent_to_the_administrators(
    held_meeting, administrator, chair, letter_sent
):
    # The initial conference on 6 January 2027 made a plan: the review is due by 6 April.
    held_meeting.refresh_from_db()
    assert held_meeting.next_due_on.isoformat() == "2027-04-06"
    deadlines_sweep(now=local(2027, 3, 24, 9))
    [email] = emails_to(administrator)
    assert "schedule the next review child protection conference, due Tuesday 6 April 2027" in email.body
    factories.schedule(
        administrator=administrator,
        chair=chair,
        family=held_meeting.family,
        kind=MeetingKind.RCPC,
        starts_at=local(2027, 4, 1),
        now=local(2027, 3, 24, 10),
    )
    # Scheduled now: overdue never comes for it.
    deadlines_sweep(now=local(2027, 4, 8, 9))
    assert not DeadlineNotice.objects.filter(kind="next_meeting", stage="overdue").exists()


def test_a_decision_letter_not_sent_the_next_working_day_is_escalated(held_meeting, chair, manager):
    # Conference on Wednesday 6 January 2027: the letter is due Thursday 7th.
    deadlines_sweep(now=local(2027, 1, 8, 9))
    assert ("decision_letter", "overdue") in set(DeadlineNotice.objects.values_list("kind", "stage"))
    assert "send the decision letter to the parents, OVERDUE, was due Thursday 7 January 2027" in (
        emails_to(manager)[0].body
    )


def _held_in_bulk(count, chair, family):
    start = local(2027, 1, 6)
    Meeting.objects.bulk_create(
        [
            Meeting(
                kind=MeetingKind.CIN,
                reference=f"BULK-{count}-{i}",
                family=family,
                chair=chair,
                starts_at=start + timedelta(minutes=i),
                ends_at=start + timedelta(minutes=i, hours=1),
                status=MeetingStatus.HELD,
                held_at=start,
                # What holding it through the service would have stored (CIN: no letter).
                draft_due_on=local(2027, 1, 20).date(),
                distribution_due_on=local(2027, 1, 27).date(),
            )
            for i in range(count)
        ]
    )


def test_the_sweep_costs_the_same_number_of_queries_with_10_or_1000_items(chair, manager, family):
    counts = {}
    for count, when in ((10, local(2027, 2, 1, 9)), (1000, local(2027, 2, 2, 9))):
        _held_in_bulk(count, chair, family)
        with CaptureQueriesContext(connection) as queries:
            result = deadlines_sweep(now=when)
        # Each run finds only its own new items: the earlier ones were told already.
        assert (result.overdue, result.emails) == (count, 2)
        # The manager's email counts them all, and lists the first fifty.
        digest = OutboundEmail.objects.filter(to_email=manager.email).latest("id")
        assert digest.subject == f"Deadlines: {count} to act on, {count} overdue"
        assert digest.body.count("OVERDUE") == min(count, 50)
        counts[count] = len(queries)
    assert counts[10] == counts[1000] <= 25  # an INSERT … SELECT per deadline and stage, and the emails
    assert DeadlineNotice.objects.count() == 1010


def test_the_command_sweeps_as_of_a_given_moment(held_meeting, chair, capsys, letter_sent):
    call_command("sweep_deadlines", "--now", "2027-01-18T09:00:00")
    assert "1 reminders, 0 overdue, 1 emails." in capsys.readouterr().out
    call_command("sweep_deadlines", "--now", "2027-01-18T10:00:00")
    assert "0 reminders, 0 overdue, 0 emails." in capsys.readouterr().out


def test_the_same_sweep_run_twice_at_the_same_moment_sends_nothing_twice(held_meeting, chair, capsys, letter_sent):
    call_command("sweep_deadlines", "--now", "2027-01-18T09:00:00")
    assert "1 emails." in capsys.readouterr().out
    sent = OutboundEmail.objects.count()
    call_command("sweep_deadlines", "--now", "2027-01-18T09:00:00")
    assert "0 reminders, 0 overdue, 0 emails." in capsys.readouterr().out
    assert OutboundEmail.objects.count() == sent


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_both_finish_and_each_notice_is_told_once(held_meeting, chair, manager, letter_sent):
    """The first run keeps its transaction open; the second, a second later, waits on the
    first's notices and then writes and sends nothing (it used to crash on the unique
    constraint)."""
    moments = iter([local(2027, 1, 21, 9), local(2027, 1, 21, 9, 0, 1)])
    first, second = race(lambda: deadlines_sweep(now=next(moments)), Exception)
    assert not isinstance(first, Exception) and not isinstance(second, Exception), (first, second)
    assert first.overdue == 1 and first.emails >= 1
    assert (second.reminders, second.overdue, second.emails) == (0, 0, 0)
    assert DeadlineNotice.objects.count() == 1
    assert len({e.key for e in OutboundEmail.objects.filter(key__startswith="deadlines:")}) == first.emails
