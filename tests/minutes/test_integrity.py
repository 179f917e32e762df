"""The integrity findings: answers belong to the sharing they answered, sharing again always
tells the family, the chair's start page follows the minutes, services never act on a
stale copy of a row."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from minutes import services
from minutes.errors import MinutesError
from minutes.models import NoComments
from minutes.selectors import chair_step, chair_workload
from notifications.models import OutboundEmail
from tests import factories
from tests.factories import local


def _shared_emails(parent):
    return OutboundEmail.objects.filter(to_email=parent.email, subject__startswith="Draft minutes ready")


def test_sharing_again_asks_the_family_again_and_a_no_comments_answer_counts_only_for_the_draft_it_answered(
    minutes, chair, parent
):
    services.minutes_share(minutes=minutes, actor=chair.user, now=local(2027, 1, 8, 9))
    services.no_comments(minutes=minutes, actor=parent.user, now=local(2027, 1, 8, 10))
    services.minutes_withdraw(minutes=minutes, actor=chair.user, reason="Wrong date", now=local(2027, 1, 8, 11))
    section = minutes.sections.get(key="purpose")
    services.section_save(
        section=section, actor=chair.user, text="Changed after the family said nothing", version=section.version
    )
    services.minutes_share(minutes=minutes, actor=chair.user, now=local(2027, 1, 8, 12))
    # Shared twice on the same day: the family is told twice.
    assert _shared_emails(parent).count() == 2
    # One minute later, the old "no comments" does not let the chair approve the changed draft.
    with pytest.raises(MinutesError, match="1 of them has not said they have finished"):
        services.minutes_approve(minutes=minutes, actor=chair.user, now=local(2027, 1, 8, 12, 1))
    services.no_comments(minutes=minutes, actor=parent.user, now=local(2027, 1, 8, 13))
    assert list(NoComments.objects.filter(minutes=minutes).values_list("round", flat=True).order_by("round")) == [1, 2]
    version = services.minutes_approve(minutes=minutes, actor=chair.user, now=local(2027, 1, 8, 14))
    assert "Changed after the family said nothing" in version.content


def test_a_comment_on_an_earlier_sharing_does_not_answer_a_changed_draft(minutes, chair, parent):
    services.minutes_share(minutes=minutes, actor=chair.user, now=local(2027, 1, 8, 9))
    comment = services.comment_add(minutes=minutes, actor=parent.user, text="Wrong name", now=local(2027, 1, 8, 10))
    services.comment_respond(
        comment=comment, actor=chair.user, accepted=True, reason="Already right", now=local(2027, 1, 8, 11)
    )
    services.minutes_withdraw(minutes=minutes, actor=chair.user, reason="Fix it", now=local(2027, 1, 8, 11))
    services.minutes_share(minutes=minutes, actor=chair.user, now=local(2027, 1, 8, 12))
    with pytest.raises(MinutesError, match="has not said they have finished"):
        services.minutes_approve(minutes=minutes, actor=chair.user, now=local(2027, 1, 8, 13))


def test_a_section_is_re_read_under_the_lock_not_taken_from_the_caller(minutes, chair):
    section = minutes.sections.get(key="purpose")
    stale = minutes.sections.get(key="purpose")
    services.section_add_part(section=section, actor=chair.user)  # moves nothing, adds a part after
    section.refresh_from_db()
    stale.order = 99999  # an out-of-date copy in the caller's hands
    part = services.section_add_part(section=stale, actor=chair.user)
    # The new part goes right after the section's real position, not after the stale one.
    assert section.order < part.order < minutes.sections.get(key="worries").order


def _step(chair, now):
    [meeting] = list(chair_workload(chair.user))
    return chair_step(meeting, now)


def test_the_chairs_next_step_follows_the_minutes_with_each_steps_due_date(
    held_meeting, chair, parent, client, django_assert_max_num_queries, time_machine
):
    # Held Wednesday 6 January 2027: draft due Wednesday 20th (10 working days), minutes
    # distributed by Wednesday 27th (15 working days).
    def step():
        s = _step(chair, local(2027, 1, 8, 9))
        return s.action, s.due_on.isoformat()

    # Friday 8th to Wednesday 20th: 8 working days, said in words with a colour that repeats them.
    first = _step(chair, local(2027, 1, 8, 9))
    assert (first.days_words, first.tone) == ("8 working days left", "green")
    near = _step(chair, local(2027, 1, 18, 9))
    assert (near.days_words, near.tone) == ("2 working days left", "yellow")

    assert step() == ("Write the minutes", "2027-01-20")
    minutes = services.minutes_start(meeting=held_meeting, actor=chair.user, now=local(2027, 1, 7, 9))
    assert step() == ("Finish the draft and share it with the family", "2027-01-20")
    services.minutes_share(minutes=minutes, actor=chair.user, now=local(2027, 1, 7, 10))
    # Comments close at the end of the 5th working day after sharing: Thursday 14th.
    assert step() == ("Wait for the family's comments, then approve", "2027-01-14")
    services.comment_add(minutes=minutes, actor=parent.user, text="Not right", now=local(2027, 1, 7, 11))
    assert step() == ("Answer the family's comments (1 waiting)", "2027-01-27")
    comment = minutes.comments.get()
    services.comment_respond(comment=comment, actor=chair.user, accepted=False, reason="It was said")
    assert _step(chair, local(2027, 1, 15, 9)).action == "Approve the minutes"
    services.minutes_approve(minutes=minutes, actor=chair.user, now=local(2027, 1, 15, 9))
    late = _step(chair, local(2027, 1, 28, 9))
    assert (late.action, late.due_on.isoformat(), late.overdue) == ("Distribute the minutes", "2027-01-27", True)
    assert (late.days_words, late.tone) == ("1 working day overdue", "red")
    time_machine.move_to(local(2027, 1, 28, 9))
    client.force_login(chair.user)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("home")).content.decode()
    assert "Distribute the minutes" in page
    assert 'govuk-tag--red confer-days-left">1 working day overdue<' in page
    assert "Write the minutes" not in page


def test_a_comment_does_not_close_the_familys_time_only_their_word_or_the_chairs_reason_does(
    client, minutes, chair, parent
):
    """The chair could approve a week early because the parent had sent one comment. Now the
    family's time closes early only on their own 'no more comments', or with a reason the
    chair gives, which the family then reads."""
    services.minutes_share(minutes=minutes, actor=chair.user, now=local(2027, 1, 8, 9))
    comment = services.comment_add(minutes=minutes, actor=parent.user, text="Wrong name", now=local(2027, 1, 8, 10))
    services.comment_respond(
        comment=comment, actor=chair.user, accepted=False, reason="It is right", now=local(2027, 1, 8, 11)
    )
    with pytest.raises(MinutesError, match=r"You can approve from Saturday 16 January, or give the reason"):
        services.minutes_approve(minutes=minutes, actor=chair.user, now=local(2027, 1, 8, 12))
    # Through the page: no reason, refused with the date; with one, approved and recorded.
    client.force_login(chair.user)
    url = reverse("minutes:approve", args=[minutes.meeting_id])
    client.post(url, {"close_early_reason": ""})
    minutes.refresh_from_db()
    assert minutes.status == "shared_for_comment"
    client.post(url, {"close_early_reason": "The review conference is brought forward to Monday."})
    minutes.refresh_from_db()
    assert minutes.status == "approved" and minutes.comments_closed_early_at is not None
    event = AuditEvent.objects.get(code="minutes.comments_closed_early")
    assert event.detail["reason"] == "The review conference is brought forward to Monday."
    client.force_login(parent.user)
    page = " ".join(client.get(reverse("minutes:overview", args=[minutes.meeting_id])).content.decode().split())
    assert "The chair closed the time for comments early" in page
    assert "gave this reason: The review conference is brought forward to Monday." in page
    assert "Send your comments by" not in page


def test_a_parent_who_has_commented_can_say_they_have_no_more_and_the_chair_may_then_approve(
    client, minutes, chair, parent
):
    services.minutes_share(minutes=minutes, actor=chair.user, now=local(2027, 1, 8, 9))
    comment = services.comment_add(minutes=minutes, actor=parent.user, text="Wrong name", now=local(2027, 1, 8, 10))
    client.force_login(parent.user)
    page = client.get(reverse("minutes:overview", args=[minutes.meeting_id])).content.decode()
    assert "I have no more comments" in page
    services.no_comments(minutes=minutes, actor=parent.user, now=local(2027, 1, 8, 10, 30))
    services.comment_respond(
        comment=comment, actor=chair.user, accepted=False, reason="It is right", now=local(2027, 1, 8, 11)
    )
    version = services.minutes_approve(minutes=minutes, actor=chair.user, now=local(2027, 1, 8, 12))
    minutes.refresh_from_db()
    assert version.number == 1 and minutes.comments_closed_early_at is None


def test_the_chairs_start_page_puts_the_most_urgent_next_step_first(
    client, minutes, chair, administrator, time_machine
):
    """On Monday 18 January: held on the 6th, the draft shared and the family's window closed
    (approve and distribute by the 27th); held on the 8th, nothing written (share the draft
    by the 22nd); one to come on 1 February. By date of meeting the oldest would lead; by
    the date of each next step, as the page shows it, the draft due on the 22nd does."""
    services.minutes_share(minutes=minutes, actor=chair.user, now=local(2027, 1, 7, 10))
    other_family, _ = factories.family_with_parent(surname="Other")
    later = factories.schedule(
        administrator=administrator, chair=chair, family=other_family, starts_at=local(2027, 1, 8)
    )
    factories.hold(later, chair, now=local(2027, 1, 8, 12, 30))
    third_family, _ = factories.family_with_parent(surname="Third")
    coming = factories.schedule(
        administrator=administrator, chair=chair, family=third_family, starts_at=local(2027, 2, 1)
    )
    time_machine.move_to(local(2027, 1, 18, 9))
    now = local(2027, 1, 18, 9)
    order = [meeting.pk for meeting in chair_workload(chair.user, now)]
    assert order == [later.pk, minutes.meeting_id, coming.pk]
    steps = [chair_step(m, now).due_on for m in chair_workload(chair.user, now)]
    assert steps == sorted(steps)
    client.force_login(chair.user)
    page = client.get(reverse("home")).content.decode()
    positions = [page.index(m.reference) for m in (later, minutes.meeting, coming)]
    assert positions == sorted(positions)


def test_saying_no_comments_first_says_what_it_means_then_records_it(client, minutes, chair, parent, time_machine):
    services.minutes_share(minutes=minutes, actor=chair.user, now=local(2027, 1, 8, 9))
    time_machine.move_to(local(2027, 1, 8, 10))
    client.force_login(parent.user)
    url = reverse("minutes:no_comments", args=[minutes.meeting_id])
    page = " ".join(client.get(url).content.decode().split())
    assert "Are you sure you have no comments?" in page
    assert "the chair can finish the minutes before Friday 15 January" in page
    assert not NoComments.objects.exists()  # reading the page says nothing
    services.comment_add(minutes=minutes, actor=parent.user, text="Wrong name", now=local(2027, 1, 8, 10))
    page = " ".join(client.get(url).content.decode().split())
    assert "Are you sure you have no more comments?" in page
    assert client.post(url).status_code == 302
    assert NoComments.objects.filter(minutes=minutes, invitation__person=parent).exists()
