from __future__ import annotations

import dataclasses
from datetime import date, datetime

from django.db.models import Case, Count, DateField, Exists, F, OuterRef, Q, QuerySet, When
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import dateformat, timezone

from meetings import selectors as meeting_selectors
from meetings.enums import InvitationRole, MeetingKind, MeetingStatus, Rsvp
from meetings.models import Invitation, Meeting
from meetings.timescales import working_days_between
from minutes.enums import MinutesStatus
from minutes.models import Comment, Minutes, NoComments

# --- the chair's work ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ChairStep:
    """What the chair has to do next for a meeting, and by when."""

    meeting: Meeting
    action: str
    due_on: date
    overdue: bool
    days_left: int = 0  # working days from today to ``due_on``; negative once it has passed

    @property
    def days_words(self) -> str:
        n = self.days_left
        if n < 0:
            return f"{-n} working day{'s' if n < -1 else ''} overdue"
        if n == 0:
            return "Overdue" if self.overdue else "Due today"
        return f"{n} working day{'s' if n > 1 else ''} left"

    @property
    def tone(self) -> str:
        """The tag's colour, which only repeats the words: red overdue or due today, yellow
        within three working days, green otherwise."""
        if self.overdue or self.days_left <= 0:
            return "red"
        return "yellow" if self.days_left <= 3 else "green"


def chair_workload(user, now: datetime | None = None) -> QuerySet[Meeting]:
    """The meetings this chair still has something to do for, most urgent first: by the due
    date of the next step (``chair_step``), so the most overdue leads and a meeting held
    long ago is not buried under next month's. Scheduled, or held and not yet minuted;
    each carries its minutes (or None) and how many of the family's comments wait for an
    answer, in one query."""
    unanswered = Count(
        "minutes__comments",
        filter=Q(minutes__comments__withdrawn_at__isnull=True, minutes__comments__response__isnull=True),
    )
    # The same dates chair_step gives: the meeting's day until it is held; the draft's due
    # date until it is first shared; the end of the family's window while the chair waits
    # for it; then the distribution's.
    now = now or timezone.now()
    waiting_for_family = Q(minutes__status=MinutesStatus.SHARED, unanswered=0, minutes__comment_deadline__gte=now)
    next_due = Case(
        When(status=MeetingStatus.SCHEDULED, then=TruncDate("starts_at")),
        When(
            Q(minutes__isnull=True) | Q(minutes__share_count=0, minutes__status=MinutesStatus.DRAFT),
            then=F("draft_due_on"),
        ),
        When(waiting_for_family, then=TruncDate("minutes__comment_deadline")),
        default=F("distribution_due_on"),
        output_field=DateField(),
    )
    return (
        Meeting.objects.filter(chair__user=user, status__in=[MeetingStatus.SCHEDULED, MeetingStatus.HELD])
        .select_related("chair", "minutes")
        .annotate(unanswered=unanswered, next_due=next_due)
        .order_by("next_due", "starts_at", "id")
    )


def _minutes_of(meeting: Meeting) -> Minutes | None:
    try:
        return meeting.minutes
    except Minutes.DoesNotExist:
        return None


def chair_step(meeting: Meeting, now: datetime) -> ChairStep:
    """The next step from the meeting's and its minutes' state (no queries: the meeting
    comes from ``chair_workload``). The dates follow the timescales: draft shared within
    10 working days of the meeting, minutes distributed within 15."""
    today = timezone.localtime(now).date()

    def step(action: str, due_on: date, overdue: bool | None = None) -> ChairStep:
        late = due_on < today if overdue is None else overdue
        return ChairStep(meeting, action, due_on, late, working_days_between(today, due_on))

    if meeting.status == MeetingStatus.SCHEDULED:
        if meeting.starts_at <= now:
            return step("Record the meeting as held", meeting.local_date)
        return step("Hold the meeting", meeting.local_date, overdue=False)
    # Fixed when the meeting was held (``timescales.due_after``).
    share_by, distribute_by = meeting.draft_due_on, meeting.distribution_due_on
    minutes = _minutes_of(meeting)
    unanswered = getattr(meeting, "unanswered", 0)
    if minutes is None:
        return step("Write the minutes", share_by)
    if minutes.status == MinutesStatus.DRAFT:
        if minutes.share_count:
            return step("Share the changed draft with the family again", distribute_by)
        return step("Finish the draft and share it with the family", share_by)
    if minutes.status == MinutesStatus.SHARED:
        if unanswered:
            return step(f"Answer the family's comments ({unanswered} waiting)", distribute_by)
        if now <= minutes.comment_deadline:
            deadline = timezone.localtime(minutes.comment_deadline).date()
            return step("Wait for the family's comments, then approve", deadline, overdue=False)
        return step("Approve the minutes", distribute_by)
    return step("Distribute the minutes", distribute_by)


# --- what a family member (or anyone invited from outside the service) does next --------


@dataclasses.dataclass(frozen=True)
class InviteeStep:
    """What the start page tells someone invited to a meeting: first what they need to do
    and by when (or where things stand), then what the service will do next, by when.

    ``todo`` is None when nothing waits for them; ``link`` then points to where they read.
    ``next_`` is what the service does next (the chair shares, sends), with its due date."""

    invitation: Invitation
    todo: str | None
    link: str
    link_text: str
    said: str | None
    next_: str | None


def invitee_invitations(user) -> QuerySet[Invitation]:
    """The person's own invitations with what their start page needs in one query: the
    meeting, its minutes, and whether they have answered the draft as it stands (a comment
    still standing, or "no comments", in the current sharing of the draft)."""
    this_round = {"round": OuterRef("meeting__minutes__share_count")}
    return (
        meeting_selectors.invitations_for_user(user)
        .select_related("meeting__minutes")
        .annotate(
            answered_draft=Exists(
                Comment.objects.filter(author=OuterRef("pk"), withdrawn_at__isnull=True, **this_round)
            )
            | Exists(NoComments.objects.filter(invitation=OuterRef("pk"), **this_round))
        )
    )


def _day(value: date | datetime | None) -> str:
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return dateformat.format(value, "l j F") if value else ""


def invitee_step(invitation: Invitation, now: datetime) -> InviteeStep:
    """Where this person's meeting stands, in their words (plain words for a young person).
    No queries: ``invitee_invitations`` loaded everything."""
    meeting = invitation.meeting
    role = InvitationRole(invitation.role)
    young = role == InvitationRole.YOUNG_PERSON
    kind = MeetingKind(meeting.kind)
    on = f"the {'meeting' if young else kind.everyday_name} on {_day(meeting.starts_at)}"
    meeting_url = reverse("meetings:detail", args=[meeting.pk])
    minutes_url = reverse("minutes:overview", args=[meeting.pk])
    final = "the finished notes" if young else "the final minutes"
    final_by = f"The chair will send {final} by {_day(meeting.distribution_due_on)}."
    held = f"The meeting was held on {_day(meeting.starts_at)}."

    def step(todo, link, link_text, said=None, next_=None) -> InviteeStep:
        return InviteeStep(invitation, todo, link, link_text, said, next_)

    if meeting.status == MeetingStatus.SCHEDULED:
        time = timezone.localtime(meeting.starts_at).strftime("%-I:%M%p").lower()
        when = f"The {'meeting' if young else kind.everyday_name} is on {_day(meeting.starts_at)} at {time}."
        if role.replies and invitation.rsvp == Rsvp.PENDING:
            button = "Say if you can come" if young else "Tell us if you can come"
            return step(f"Tell us if you can come to {on}.", meeting_url, button, None, when)
        return step(None, meeting_url, "See the meeting", f"You said: {invitation.get_rsvp_display()}.", when)
    minutes = _minutes_of(meeting)
    if meeting.status == MeetingStatus.MINUTED and minutes is not None and minutes.distributed_at:
        said = f"{final.capitalize()} were sent on {_day(minutes.distributed_at)}."
        return step(None, minutes_url, "Read the notes" if young else "Read the final minutes", said)
    if minutes is None or minutes.status == MinutesStatus.DRAFT:
        if not role.reads_as_family:
            return step(None, meeting_url, "See the meeting", held, final_by)
        if minutes is not None and minutes.share_count:
            next_ = "The chair is changing the draft minutes and will share them with you again."
        elif young:
            next_ = f"The chair will send you the notes of the meeting to read by {_day(meeting.draft_due_on)}."
        else:
            next_ = f"The chair will share the draft minutes with you by {_day(meeting.draft_due_on)}."
        return step(None, meeting_url, "See the meeting", held, next_)
    if minutes.status == MinutesStatus.SHARED and role.reads_as_family:
        deadline = _day(minutes.comment_deadline)
        read = "Read the notes" if young else "Read the draft minutes"
        if not minutes.is_open_for_comments(now):
            return step(None, minutes_url, read, f"Comments on the draft closed on {deadline}.", final_by)
        if role.may_comment and not getattr(invitation, "answered_draft", False):
            if young:
                todo = f"Read the notes of {on} and tell us what you think by {deadline}."
            else:
                todo = f"Draft minutes of {on} are ready: send your comments by {deadline}."
            return step(todo, minutes_url, read, None, final_by)
        if role.may_comment:
            said = f"You have answered. You can change your comments until {deadline}."
        else:
            said = f"The draft minutes are ready to read. Comments close on {deadline}."
        return step(None, minutes_url, read, said, final_by)
    if meeting.distribution_due_on and timezone.localtime(now).date() > meeting.distribution_due_on:
        late = (
            f"The final minutes were due by {_day(meeting.distribution_due_on)} and are late. "
            "The chair and the service's managers are told when minutes are late."
        )
        return step(None, meeting_url, "See the meeting", None, late)
    return step(None, meeting_url, "See the meeting", None, final_by)
