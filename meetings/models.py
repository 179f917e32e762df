"""Meetings, who is invited to them, and what they decided.

``Meeting.status`` is a protected FSM field: it changes only through the transition
methods below, and those are called only by ``meetings.services``. Transitions change the
state and the fields that follow from it, nothing else; locking, permission, audit and
side effects belong to the services (see docs/architecture.md).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition
from rules.contrib.models import RulesModelBase, RulesModelMixin
from simple_history.models import HistoricalRecords

from meetings import rules as meeting_rules
from meetings import timescales
from meetings.enums import (
    Attendance,
    Category,
    InvitationRole,
    MeetingKind,
    MeetingStatus,
    ReviewOutcome,
    Rsvp,
)
from participants.models import Agency, Child, Family, Person


class ReferenceCounter(models.Model):
    """The last number used for a reference prefix in a year (CP-2026-0042)."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="unique_reference_counter")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class Meeting(FSMModelMixin, RulesModelMixin, models.Model, metaclass=RulesModelBase):
    kind = models.CharField(max_length=10, choices=MeetingKind.choices)
    reference = models.CharField(max_length=20, unique=True, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="meetings")
    children = models.ManyToManyField(Child, related_name="meetings")
    chair = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="chaired_meetings")

    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    venue = models.CharField(max_length=300, blank=True)
    online_link = models.URLField(blank=True)
    notes_for_participants = models.TextField(blank=True)

    status = FSMField(max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED, protected=True)
    # iCalendar UID and SEQUENCE: one UID for the meeting's life; the sequence is bumped on
    # every change of time or place, and on cancellation.
    calendar_uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)

    # The statutory due date when it was scheduled, and why it is later, if it is.
    due_on = models.DateField(null=True, blank=True)
    late_reason = models.TextField(blank=True)
    strategy_discussion_on = models.DateField(
        null=True, blank=True, help_text="Initial conferences only: the clock starts here."
    )
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="followed_by")

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The scheduling form's one-time token: a second post of the same form (a double
    # click, a resent form) finds this meeting instead of creating another.
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    held_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancellation_reason = models.TextField(blank=True, editable=False)
    minuted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Proposed by holding the meeting, from the statutory timescales.
    next_kind = models.CharField(max_length=10, choices=MeetingKind.choices, blank=True, editable=False)
    next_due_on = models.DateField(null=True, blank=True, editable=False)
    # True while the next meeting is due and none (not cancelled) follows this one: what the
    # due list shows. Set when held; cleared when the next is scheduled, set again if that
    # one is cancelled. Stored so the list reads only open work, not years of history.
    next_pending = models.BooleanField(default=False, editable=False)
    # The timescales after a meeting, fixed when it is held (working days depend on the
    # territory's holidays, which SQL cannot count): the deadline sweep and the dashboard
    # compare dates instead of computing them row by row.
    letter_due_on = models.DateField(null=True, blank=True, editable=False)  # conferences only
    draft_due_on = models.DateField(null=True, blank=True, editable=False)
    distribution_due_on = models.DateField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            # Lists order by (starts_at, id): with id in the index a page is its first rows,
            # not a sort of every matching row.
            models.Index(fields=["status", "starts_at", "id"], name="meeting_status_start_idx"),
            models.Index(fields=["status", "next_due_on"]),
            models.Index(fields=["status", "draft_due_on"]),
            models.Index(fields=["status", "distribution_due_on"]),
            # Open work stays small however long the history grows; these partial indexes
            # hold only it, so the due list, a chair's list and the late list read only it.
            models.Index(
                fields=["next_due_on"], name="meeting_next_pending_idx", condition=models.Q(next_pending=True)
            ),
            models.Index(
                fields=["chair", "starts_at", "id"],
                name="meeting_chair_open_idx",
                condition=models.Q(status__in=["scheduled", "held"]),
            ),
            models.Index(
                fields=["starts_at", "id"],
                name="meeting_scheduled_late_idx",
                condition=models.Q(status="scheduled") & ~models.Q(late_reason=""),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            )
        ]
        rules_permissions = meeting_rules.MEETING_PERMISSIONS

    def __str__(self) -> str:
        # Never the child's name: this appears in logs, admin and calendar summaries.
        return f"{self.reference} ({self.get_kind_display()})"

    @property
    def kind_enum(self) -> MeetingKind:
        return MeetingKind(self.kind)

    @property
    def local_date(self) -> date:
        return timezone.localtime(self.starts_at).date()

    @property
    def is_late(self) -> bool:
        """Scheduled (or held) after its statutory due date."""
        return self.due_on is not None and self.local_date > self.due_on

    # --- transitions: pure state changes, called only by meetings.services -------------

    @transition(field=status, source=MeetingStatus.SCHEDULED, target=MeetingStatus.SCHEDULED)
    def reschedule(self, *, starts_at: datetime, ends_at: datetime, venue: str, online_link: str) -> None:
        self.starts_at, self.ends_at = starts_at, ends_at
        self.venue, self.online_link = venue, online_link
        self.sequence += 1

    reschedule.alters_data = True

    def bump_sequence(self) -> None:
        """The attendee list changed after invitations went out: every calendar copy of the
        event must be superseded (RFC 5546: a later message carries a higher SEQUENCE)."""
        self.sequence += 1

    bump_sequence.alters_data = True

    @transition(field=status, source=MeetingStatus.SCHEDULED, target=MeetingStatus.CANCELLED)
    def cancel(self, *, reason: str, now: datetime) -> None:
        self.cancellation_reason = reason
        self.cancelled_at = now
        self.sequence += 1

    cancel.alters_data = True

    @transition(field=status, source=MeetingStatus.SCHEDULED, target=MeetingStatus.HELD)
    def hold(self, *, now: datetime, next_kind: str, next_due_on: date | None) -> None:
        self.held_at = now
        self.next_kind = next_kind
        self.next_due_on = next_due_on
        self.next_pending = next_due_on is not None
        self.letter_due_on, self.draft_due_on, self.distribution_due_on = timescales.due_after(self)

    hold.alters_data = True

    @transition(field=status, source=MeetingStatus.HELD, target=MeetingStatus.MINUTED)
    def mark_minuted(self, *, now: datetime) -> None:
        self.minuted_at = now

    mark_minuted.alters_data = True


class Invitation(models.Model):
    """A person's part in one meeting (the people themselves live in ``participants``)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="invitations")
    role = models.CharField(max_length=20, choices=InvitationRole.choices)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT)
    interpreting_language = models.CharField(max_length=60, blank=True)
    # An advocate or interpreter comes with one family member and reads what they read.
    # Without one (or once that member is removed) they read what no family member is
    # denied: the most withheld copy, never a fuller one.
    accompanies = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="companions")

    invited_at = models.DateTimeField(null=True, blank=True, help_text="When the invitation was last sent.")
    # The meeting's calendar sequence this person was last sent; None until first invited.
    sent_sequence = models.PositiveIntegerField(null=True, blank=True, editable=False)
    rsvp = models.CharField(max_length=20, choices=Rsvp.choices, default=Rsvp.PENDING)
    rsvp_note = models.TextField(blank=True)
    rsvp_at = models.DateTimeField(null=True, blank=True)
    # Where the answer came from: this service's page, or the person's own calendar.
    rsvp_source = models.CharField(
        max_length=10, choices=[("web", "Confer"), ("calendar", "their calendar")], blank=True
    )

    attendance = models.CharField(max_length=20, choices=Attendance.choices, default=Attendance.UNKNOWN)
    excluded_from_part = models.BooleanField(default=False)
    exclusion_reason = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="unique_invitation")]

    def __str__(self) -> str:
        return f"{self.person} as {self.get_role_display()} at {self.meeting}"

    @property
    def audit_label(self) -> str:
        return f"invitation #{self.pk} to {self.meeting}"

    @property
    def has_been_sent(self) -> bool:
        return self.sent_sequence is not None

    @property
    def role_enum(self) -> InvitationRole:
        return InvitationRole(self.role)


class ChildOutcome(models.Model):
    """What the meeting decided for one child."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="outcomes")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="outcomes")
    # Conferences: is a child protection plan needed, and under which category.
    plan_needed = models.BooleanField(null=True, blank=True)
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    # CLA reviews and CIN meetings.
    review_outcome = models.CharField(max_length=20, choices=ReviewOutcome.choices, blank=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "child"], name="unique_child_outcome")]

    def __str__(self) -> str:
        return f"Outcome for {self.child.identifier} at {self.meeting}"

    @property
    def continues(self) -> bool:
        """Whether this child's plan carries on, so another meeting will be due."""
        if self.plan_needed is not None:
            return self.plan_needed
        return self.review_outcome in (ReviewOutcome.CONTINUE, ReviewOutcome.CHANGE)


class CalendarFeed(models.Model):
    """A private, revocable calendar subscription for a chair or administrator.

    Only the SHA-256 of the secret is stored: the full URL is shown once, when it is made,
    so a copy of the database does not reveal working feed addresses.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"


def _report_path(instance, filename: str) -> str:
    # Never the uploaded name: it may carry a child's name. The download names the file.
    return f"reports/{instance.meeting_id}/{uuid.uuid4().hex}.pdf"


class Report(models.Model):
    """An agency's report to a meeting, submitted beforehand by an invited professional."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reports")
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="reports")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT)
    text = models.TextField(blank=True)
    file = models.FileField(upload_to=_report_path, blank=True)
    share_with_family = models.BooleanField(default=False)
    submitted_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "author"], name="one_report_per_author")]

    def __str__(self) -> str:
        return f"Report by {self.author} for {self.meeting}"

    @property
    def audit_label(self) -> str:
        return f"report #{self.pk} for {self.meeting}"


class CalendarReply(models.Model):
    """A message read from the service mailbox (``meetings.replies``), kept by Message-ID
    so reading the mailbox again does nothing twice: what it said, and what Confer did with
    it (applied, ignored with a reason, or held for a person with a reason). A COUNTER (a
    proposed new time) is kept for the administrator to see, never applied."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied"
        IGNORED = "ignored", "Ignored"
        HELD = "held", "Held for a person"

    message_id = models.CharField(max_length=998, unique=True)
    received_at = models.DateTimeField()
    from_address = models.CharField(max_length=320, blank=True)
    method = models.CharField(max_length=10, blank=True)
    partstat = models.CharField(max_length=20, blank=True)
    sequence = models.IntegerField(null=True, blank=True)
    proposed_start = models.DateTimeField(null=True, blank=True)
    proposed_end = models.DateTimeField(null=True, blank=True)
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="calendar_replies"
    )
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="calendar_replies"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        # The mail page lists the newest held messages.
        indexes = [models.Index(fields=["outcome", "-received_at"], name="calendarreply_outcome_recent")]

    def __str__(self) -> str:
        return f"{self.method or 'message'} {self.message_id}: {self.get_outcome_display()}"
