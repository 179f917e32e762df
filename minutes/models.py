"""Minutes of a meeting: sections, the family's comments, the chair's responses, versions.

``Minutes.status`` is a protected FSM field changed only by ``minutes.services``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition
from rules.contrib.models import RulesModelBase, RulesModelMixin
from simple_history.models import HistoricalRecords

from meetings.models import Invitation, Meeting
from minutes import rules as minutes_rules
from minutes.enums import MinutesStatus
from participants.models import ThirdPartySource


class Minutes(FSMModelMixin, RulesModelMixin, models.Model, metaclass=RulesModelBase):
    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="minutes")
    status = FSMField(max_length=20, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT, protected=True)
    created_at = models.DateTimeField()
    shared_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The family's comment window closes at the end of this moment (local end of day).
    comment_deadline = models.DateTimeField(null=True, blank=True, editable=False)
    # How many times the draft has been shared. Answers ("no comments", comments) belong to
    # the sharing they were given on: sharing a changed draft again asks the family again.
    share_count = models.PositiveIntegerField(default=0, editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    distributed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Working days from the meeting to distribution, counted once when distributed, so the
    # timeliness dashboard adds numbers up instead of counting calendars per meeting.
    working_days_to_distribution = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # Why the minutes went out after their distribution due date, when they did.
    distribution_late_reason = models.TextField(blank=True, editable=False)
    # The chair approved before the family's time was up without every family member having
    # said they had finished: when, and the reason the family is shown.
    comments_closed_early_at = models.DateTimeField(null=True, blank=True, editable=False)
    comments_closed_early_reason = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name_plural = "minutes"
        rules_permissions = minutes_rules.MINUTES_PERMISSIONS

    def __str__(self) -> str:
        return f"Minutes of {self.meeting}"

    def is_open_for_comments(self, now: datetime) -> bool:
        """Shared, and the family's window has not closed (nor been closed early)."""
        shared = self.status == MinutesStatus.SHARED and self.comment_deadline is not None
        return shared and self.comments_closed_early_at is None and now <= self.comment_deadline

    @transition(field=status, source=MinutesStatus.DRAFT, target=MinutesStatus.SHARED)
    def share(self, *, now: datetime, deadline: datetime) -> None:
        self.shared_at = self.shared_at or now
        self.comment_deadline = deadline
        self.share_count += 1

    share.alters_data = True

    @transition(field=status, source=MinutesStatus.SHARED, target=MinutesStatus.DRAFT)
    def withdraw(self) -> None:
        """Back to draft for rework; comments and the deadline are kept."""

    withdraw.alters_data = True

    @transition(field=status, source=MinutesStatus.SHARED, target=MinutesStatus.APPROVED)
    def approve(self, *, now: datetime, user) -> None:
        self.approved_at, self.approved_by = now, user

    approve.alters_data = True

    @transition(field=status, source=MinutesStatus.APPROVED, target=MinutesStatus.DISTRIBUTED)
    def mark_distributed(self, *, now: datetime) -> None:
        self.distributed_at = now

    mark_distributed.alters_data = True


class Section(models.Model):
    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField()
    key = models.CharField(max_length=40)
    heading = models.CharField(max_length=200)
    plain_heading = models.CharField(max_length=200)
    text = models.TextField(blank=True)
    # Bumped on every change of text: a save from an older version is refused.
    version = models.PositiveIntegerField(default=1)
    third_party_source = models.ForeignKey(
        ThirdPartySource, null=True, blank=True, on_delete=models.PROTECT, related_name="sections"
    )
    restricted_from = models.ManyToManyField(Invitation, blank=True, related_name="restricted_sections")
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.heading} ({self.minutes.meeting.reference})"


class Comment(models.Model):
    """A family member's comment on a section (or on the whole draft when ``section`` is None)."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="comments")
    section = models.ForeignKey(Section, null=True, blank=True, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(Invitation, on_delete=models.PROTECT, related_name="comments")
    text = models.TextField()
    round = models.PositiveIntegerField(default=1, help_text="The sharing of the draft it was made on.")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The page's one-time form token: the same comment posted twice with it (a double
    # click, a resent form) is kept once.
    submission = models.UUIDField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment #{self.pk} on {self.minutes}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class NoComments(models.Model):
    """A family member said they have no comments on the draft as it was shared that time."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="no_comments")
    invitation = models.ForeignKey(Invitation, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveIntegerField(default=1, help_text="The sharing of the draft it answered.")
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["minutes", "invitation", "round"], name="one_no_comments_each_round")
        ]

    def __str__(self) -> str:
        return f"No comments from invitation #{self.invitation_id}"


class Response(models.Model):
    """The chair's answer to a comment: accepted (with the amendment made) or not, and why."""

    comment = models.OneToOneField(Comment, on_delete=models.PROTECT, related_name="response")
    accepted = models.BooleanField()
    reason = models.TextField(blank=True)
    text_before = models.TextField(blank=True)
    text_after = models.TextField(blank=True)
    # A comment not accepted is shown, in the final record, to its author, staff and
    # professionals; to the rest of the family only when the chair chooses so.
    show_to_family = models.BooleanField(default=False)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    responded_at = models.DateTimeField()

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{'Accepted' if self.accepted else 'Not accepted'}: comment #{self.comment_id}"

    @property
    def amended(self) -> bool:
        return self.accepted and self.text_before != self.text_after


class Version(models.Model):
    """An immutable copy of the full minutes at approval, with its SHA-256."""

    minutes = models.ForeignKey(Minutes, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content = models.TextField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["minutes", "number"], name="unique_version_number")]

    def __str__(self) -> str:
        return f"Version {self.number} of {self.minutes}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Versions of minutes are immutable.")
        super().save(*args, **kwargs)

    save.alters_data = True

    def delete(self, *args, **kwargs):
        raise TypeError("Versions of minutes are immutable.")

    delete.alters_data = True


def _copy_path(instance, filename: str) -> str:
    # A random name: the download names the file, and a path must never carry a name.
    return f"minutes/{instance.minutes_id}/{uuid.uuid4().hex}.pdf"


class Distribution(models.Model):
    """One recipient's copy of the distributed minutes: the PDF made for their redaction
    profile and stamped with their name, its SHA-256, when it was sent and first opened."""

    minutes = models.ForeignKey(Minutes, on_delete=models.PROTECT, related_name="distributions")
    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="distributions")
    invitation = models.ForeignKey(Invitation, null=True, on_delete=models.SET_NULL, related_name="+")
    person = models.ForeignKey("participants.Person", on_delete=models.PROTECT, related_name="minutes_copies")
    # Readers with the same profile were sent the same render (before their name was stamped).
    profile = models.CharField(max_length=64)
    file = models.FileField(upload_to=_copy_path)
    sha256 = models.CharField(max_length=64)
    sent_at = models.DateTimeField()
    first_opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["minutes", "id"]
        constraints = [models.UniqueConstraint(fields=["minutes", "person"], name="one_copy_each")]

    def __str__(self) -> str:
        return f"Copy of {self.minutes} for person #{self.person_id}"


class DeadlineNotice(models.Model):
    """A deadline the sweep has told someone about: a reminder before it, or the
    escalation once it passed. One row per (meeting, what, due date, stage), so running the
    sweep again tells nobody twice; the overdue "draft" rows are the meetings with no
    minutes produced in time, listed for managers."""

    class Kind(models.TextChoices):
        DECISION_LETTER = "decision_letter", "Send the decision letter"
        DRAFT = "draft", "Share the draft minutes"
        COMMENTS = "comments", "Answer the family's comments"
        DISTRIBUTION = "distribution", "Distribute the minutes"
        NEXT_MEETING = "next_meeting", "Schedule the next meeting"
        FEEDBACK = "feedback", "Answer the family's feedback"

    class Stage(models.TextChoices):
        REMINDER = "reminder", "Reminder"
        OVERDUE = "overdue", "Overdue"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="deadline_notices")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_on = models.DateField()
    stage = models.CharField(max_length=10, choices=Stage.choices)
    created_at = models.DateTimeField()
    # The sweep that wrote it: what a run sends is exactly what that run wrote, even when
    # another run has the same clock time.
    sweep = models.UUIDField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "kind", "due_on", "stage"], name="one_notice_per_stage")
        ]
        indexes = [models.Index(fields=["kind", "stage", "due_on"])]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.get_kind_display()} by {self.due_on} ({self.meeting})"


class DecisionLetter(models.Model):
    """The chair's short letter to the parents the day after a conference: the decision
    and category for each child, the lead social worker, the core group and review dates,
    and how to complain. Sent as a PDF copy for each parent, behind sign-in."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="decision_letter")
    lead_social_worker = models.CharField(max_length=200)
    core_group_on = models.DateField(null=True, blank=True)
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    late_reason = models.TextField(blank=True)
    sha256 = models.CharField(max_length=64, help_text="Of the letter before each parent's name was stamped on it.")

    def __str__(self) -> str:
        return f"Decision letter for {self.meeting}"


def _letter_path(instance, filename: str) -> str:
    return f"letters/{instance.letter_id}/{uuid.uuid4().hex}.pdf"


class DecisionLetterCopy(models.Model):
    letter = models.ForeignKey(DecisionLetter, on_delete=models.PROTECT, related_name="copies")
    person = models.ForeignKey("participants.Person", on_delete=models.PROTECT, related_name="decision_letters")
    file = models.FileField(upload_to=_letter_path)
    sha256 = models.CharField(max_length=64)
    first_opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["letter", "person"], name="one_letter_each")]

    def __str__(self) -> str:
        return f"Copy of {self.letter} for person #{self.person_id}"


def _export_path(instance, filename: str) -> str:
    return f"subject-access/{uuid.uuid4().hex}.pdf"


class SubjectAccessExport(models.Model):
    """One subject access export: every distributed record about a child, redacted for the
    person who asked for it, as one PDF with an index. Kept with its SHA-256, audited."""

    child = models.ForeignKey("participants.Child", on_delete=models.PROTECT, related_name="subject_access_exports")
    requester = models.ForeignKey("participants.Person", on_delete=models.PROTECT, related_name="+")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField()
    records = models.PositiveIntegerField()
    file = models.FileField(upload_to=_export_path)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-made_at", "-id"]

    def __str__(self) -> str:
        return f"Subject access export #{self.pk}"


class Feedback(FSMModelMixin, models.Model):
    """What a family member says about a meeting or its record after it: a compliment, a
    comment or a complaint, kept beside the record with the service's answer.

    It is acknowledged the moment it arrives (``received`` → ``acknowledged``, with an
    email giving its reference and the date they will hear back), then a manager looks
    into it (``investigating``) and answers (``answered``); a complaint whose answer does
    not settle it goes to stage 2 (``escalated``), with a new answer date, and is answered
    again. Only the author's household and managers see it."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", "A complaint"
        COMMENT = "comment", "A comment"
        COMPLIMENT = "compliment", "A compliment"

    class About(models.TextChoices):
        RECORD = "record", "The minutes (the written record)"
        MEETING = "meeting", "The meeting itself"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        INVESTIGATING = "investigating", "Being looked into"
        ANSWERED = "answered", "Answered"
        ESCALATED = "escalated", "Stage 2: being looked into again"

    OPEN = (Status.RECEIVED, Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.ESCALATED)

    reference = models.CharField(max_length=20, unique=True)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="feedback")
    section = models.ForeignKey(Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author = models.ForeignKey(Invitation, on_delete=models.PROTECT, related_name="feedback")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    about = models.CharField(max_length=10, choices=About.choices)
    text = models.TextField()
    status = FSMField(max_length=15, choices=Status.choices, default=Status.RECEIVED, protected=True)
    stage = models.PositiveSmallIntegerField(default=1)
    received_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # When the family will hear back: working days from receipt (or from escalation), by
    # kind and stage (``CONFER_FEEDBACK_ANSWER_WORKING_DAYS``). None: no answer is owed.
    answer_due_on = models.DateField(null=True, blank=True)
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Whether the last answer came after its date: kept, because the date moves on escalation.
    answered_late = models.BooleanField(default=False)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_reason = models.TextField(blank=True)
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "answer_due_on", "id"], name="feedback_open_due_idx"),
            models.Index(fields=["received_at", "id"], name="feedback_received_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_kind_display().lower()})"

    @transition(field=status, source=Status.RECEIVED, target=Status.ACKNOWLEDGED)
    def acknowledge(self, *, now: datetime) -> None:
        self.acknowledged_at = now

    @transition(field=status, source=[Status.ACKNOWLEDGED, Status.ESCALATED], target=Status.INVESTIGATING)
    def investigate(self) -> None:
        pass

    @transition(
        field=status, source=[Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.ESCALATED], target=Status.ANSWERED
    )
    def give_answer(self, *, text: str, user, now: datetime, late: bool) -> None:
        self.answer, self.answered_at, self.answered_by, self.answered_late = text, now, user, late

    @transition(field=status, source=Status.ANSWERED, target=Status.ESCALATED)
    def escalate(self, *, reason: str, now: datetime, due_on) -> None:
        self.stage, self.escalated_at, self.escalation_reason, self.answer_due_on = 2, now, reason, due_on


class QualityAudit(models.Model):
    """One audit of a distributed record against the quality checklist
    (``minutes.quality``). ``items`` keeps, for each item as the checklist stood then, its
    label, the result, what Confer measured (if it could) and the auditor's comment: the
    checklist can change later without changing past audits."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="quality_audits")
    chair = models.ForeignKey("participants.Person", on_delete=models.PROTECT, related_name="+")
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    items = models.JSONField()
    distributed_on = models.DateField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["distributed_on", "id"], name="quality_distributed_idx")]

    def __str__(self) -> str:
        return f"Quality audit of {self.meeting.reference}"


class AccuracyCheck(models.Model):
    """The chair sent the draft to the professionals who attended, before the family sees
    it, to check what it says of their own contributions by ``deadline`` (inside the draft
    timescale). Their corrections come back as ``Suggestion``s; none changes the draft
    until the chair accepts it."""

    minutes = models.OneToOneField(Minutes, on_delete=models.CASCADE, related_name="accuracy_check")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    deadline = models.DateField()

    def __str__(self) -> str:
        return f"Accuracy check of {self.minutes.meeting.reference}, by {self.deadline}"


class Suggestion(models.Model):
    """A professional's correction to one section: the text they propose, against the
    version of the section they read. The chair accepts it (the section takes the text,
    tracked like any change) or declines it with a reason."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Not accepted"

    accuracy_check = models.ForeignKey(AccuracyCheck, on_delete=models.CASCADE, related_name="suggestions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="suggestions")
    author = models.ForeignKey(Invitation, on_delete=models.PROTECT, related_name="+")
    base_version = models.PositiveIntegerField()
    base_text = models.TextField(blank=True)
    text = models.TextField()
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Suggestion on {self.section_id} by invitation {self.author_id}"
