"""The family's voice after the meeting: compliments, comments and complaints about a
meeting or its record, kept beside it with the service's answer.

A family member (or the advocate who comes with them) sends it from the meeting's minutes
page. It is acknowledged at once: an email with its reference and the date they will hear
back (``CONFER_FEEDBACK_ANSWER_WORKING_DAYS``: by default 10 working days for a complaint
or a comment at stage 1, 20 at stage 2; a compliment is thanked and owes no answer). Every
manager is told. A manager marks it as being looked into and answers; the answer is
emailed to the author and shown beside the record. A complaint whose answer does not
settle it can be taken to stage 2 by the author's household, with a new answer date.

Who sees it: the author's household (the reader's ``own`` invitations: a parent and the
advocate who comes with them) and managers. Not the chair, not other professionals, not
the other parent: a complaint may be about any of them. Email subjects carry the kind and
reference, never a child's name.

An answer not given by its date is a deadline like the others: the sweep records it and
tells managers, and the timeliness dashboard counts answers on time and late.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from audit.services import audit_record
from meetings import timescales
from meetings.enums import InvitationRole, MeetingStatus
from meetings.models import Invitation, Meeting
from meetings.services import numbered_reference
from minutes import copies, redaction
from minutes.enums import MinutesStatus
from minutes.errors import MinutesError
from minutes.models import Feedback, Minutes, Section
from notifications.links import absolute_url
from notifications.services import outbox_enqueue
from participants.enums import StaffRole
from participants.models import Person
from participants.rules import is_manager, is_staff_role

Kind, Status = Feedback.Kind, Feedback.Status


def answer_due(kind: str, stage: int, received: date) -> date | None:
    """When the family will hear back, in working days from ``received``; None when no
    answer is owed (a compliment)."""
    days = settings.CONFER_FEEDBACK_ANSWER_WORKING_DAYS.get(f"{kind}_stage_{stage}")
    return timescales.add_working_days(received, days) if days else None


def may_send(meeting: Meeting, invitation: Invitation | None) -> bool:
    """A family member or an advocate sends feedback about a meeting once it has been held."""
    held = meeting.status in (MeetingStatus.HELD, MeetingStatus.MINUTED)
    return held and invitation is not None and InvitationRole(invitation.role).may_comment


def sender_invitation(meeting: Meeting, user) -> Invitation | None:
    """The invitation through which ``user`` may send feedback about ``meeting`` (``may_send``)."""
    if meeting.status not in (MeetingStatus.HELD, MeetingStatus.MINUTED) or is_staff_role(user):
        return None  # (the user's roles are already loaded: no query for staff)
    invitation = copies.invitation_of(meeting, user)
    return invitation if may_send(meeting, invitation) else None


def sections_for(meeting: Meeting, invitation: Invitation) -> list[tuple[int, str]]:
    """The parts of the minutes this person can read and may point to: none until the
    draft has been shared with the family."""
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None or minutes.share_count == 0 or minutes.status == MinutesStatus.DRAFT:
        return []
    copy = copies.reader_copy(minutes, copies.reader_of(invitation))
    return [(s.id, s.heading) for s in copy.sections if not s.withheld]


def _when(day: date) -> str:
    return date_format(day, "l j F Y")


def _send(feedback: Feedback, person: Person, subject: str, body: str, key: str, now: datetime) -> None:
    outbox_enqueue(
        key=f"feedback:{feedback.pk}:{key}",
        to_email=person.email,
        recipient=person,
        subject=subject,
        body=body,
        obj=feedback.meeting,
        now=now,
    )


def _to_author(feedback: Feedback, subject: str, body: str, key: str, now: datetime) -> None:
    if feedback.author.person.email:
        _send(feedback, feedback.author.person, subject, body, key, now)


def _to_managers(feedback: Feedback, subject: str, body: str, key: str, now: datetime) -> None:
    managers = Person.objects.filter(user__is_active=True, user__groups__name=StaffRole.MANAGER).exclude(email="")
    for person in managers.distinct():
        _send(feedback, person, subject, body, f"{key}:{person.pk}", now)


def link_to(feedback: Feedback) -> str:
    return absolute_url(reverse("minutes:feedback_detail", args=[feedback.meeting_id, feedback.pk]))


@transaction.atomic
def feedback_send(
    *,
    meeting: Meeting,
    actor,
    kind: str,
    about: str,
    text: str,
    section: Section | None = None,
    submission: uuid.UUID | None = None,
    now: datetime | None = None,
) -> Feedback:
    """Record what the family member said, acknowledge it and tell the managers. The same
    form sent twice (``submission``) records it once."""
    now = now or timezone.now()
    if submission is not None and (sent := Feedback.objects.filter(submission=submission).first()) is not None:
        return sent
    meeting = Meeting.objects.get(pk=meeting.pk)  # its state now, not the caller's copy
    invitation = sender_invitation(meeting, actor)
    if invitation is None:
        raise PermissionDenied("Only the family, and those who come with them, send feedback on a meeting once held.")
    text = text.strip()
    if not text:
        raise MinutesError("Tell us what you want to say.")
    if section is not None and section.pk not in dict(sections_for(meeting, invitation)):
        raise MinutesError("Choose a part of the minutes you can read.")
    received = timezone.localtime(now).date()
    feedback = Feedback(
        reference=numbered_reference("FB", received.year),
        meeting=meeting,
        section=section,
        author=invitation,
        kind=Kind(kind),
        about=Feedback.About(about),
        text=text,
        received_at=now,
        answer_due_on=answer_due(kind, 1, received),
        submission=submission,
    )
    feedback.acknowledge(now=now)
    try:
        with transaction.atomic():
            feedback.save()
    except IntegrityError:  # the same form, sent twice at the same moment
        return Feedback.objects.get(submission=submission)
    what = feedback.get_kind_display().lower().removeprefix("a ")
    if feedback.answer_due_on:
        hear_back = f"We will answer by {_when(feedback.answer_due_on)}."
    else:
        hear_back = "Thank you: we have passed it on to the people it is about."
    _to_author(
        feedback,
        f"We have your {what}: {feedback.reference}",
        f"Hello,\n\nThank you for your {what} about the {meeting.get_kind_display().lower()} "
        f"{meeting.reference}. Its reference is {feedback.reference}.\n\n{hear_back}\n\n"
        f"You can read what you sent, and our answer when we give it, at {link_to(feedback)} "
        "(you need to sign in).\n",
        "acknowledged",
        now,
    )
    due = f", to answer by {_when(feedback.answer_due_on)}" if feedback.answer_due_on else ""
    _to_managers(
        feedback,
        f"New {what}: {feedback.reference}",
        f"Hello,\n\nA family member sent a {what} about {meeting.reference}{due}.\n\n"
        f"Read it and answer at {link_to(feedback)} (you need to sign in).\n",
        "received",
        now,
    )
    audit_record(
        actor=actor,
        code="feedback.received",
        obj=meeting,
        now=now,
        detail={"feedback": feedback.pk, "reference": feedback.reference, "kind": feedback.kind},
    )
    return feedback


def _locked(feedback: Feedback) -> Feedback:
    return Feedback.objects.select_for_update().select_related("meeting", "author__person").get(pk=feedback.pk)


def _manager_only(actor) -> None:
    if actor is None or not is_manager(actor):
        raise PermissionDenied("Only a manager answers feedback.")


@transaction.atomic
def feedback_investigate(*, feedback: Feedback, actor, now: datetime | None = None) -> Feedback:
    """A manager takes it on: the family's page says it is being looked into."""
    _manager_only(actor)
    feedback = _locked(feedback)
    if feedback.status == Status.INVESTIGATING:
        return feedback  # already: a second click changes nothing
    if feedback.status not in (Status.ACKNOWLEDGED, Status.ESCALATED):
        raise MinutesError(f"{feedback.reference} has already been answered.")
    feedback.investigate()
    feedback.save()
    audit_record(
        actor=actor, code="feedback.investigating", obj=feedback.meeting, now=now, detail={"feedback": feedback.pk}
    )
    return feedback


@transaction.atomic
def feedback_answer(*, feedback: Feedback, actor, text: str, now: datetime | None = None) -> Feedback:
    """The manager's answer, sent to the author and kept beside the record."""
    now = now or timezone.now()
    _manager_only(actor)
    feedback = _locked(feedback)
    text = text.strip()
    if not text:
        raise MinutesError("Write the answer to send to the family.")
    if feedback.status not in Feedback.OPEN:
        raise MinutesError(
            f"{feedback.reference} was already answered on {_when(timezone.localtime(feedback.answered_at).date())}."
        )
    today = timezone.localtime(now).date()
    late = feedback.answer_due_on is not None and today > feedback.answer_due_on
    feedback.give_answer(text=text, user=actor, now=now, late=late)
    feedback.save()
    what = feedback.get_kind_display().lower().removeprefix("a ")
    settle = (
        "\n\nIf this does not settle your complaint, you can ask for it to be looked at again (stage 2) "
        "from the same page."
        if feedback.kind == Kind.COMPLAINT and feedback.stage == 1
        else ""
    )
    _to_author(
        feedback,
        f"Our answer to your {what}: {feedback.reference}",
        f"Hello,\n\nWe have answered your {what} {feedback.reference}. Read our answer at "
        f"{link_to(feedback)} (you need to sign in).{settle}\n",
        f"answered:{feedback.stage}",
        now,
    )
    audit_record(
        actor=actor,
        code="feedback.answered",
        obj=feedback.meeting,
        now=now,
        detail={"feedback": feedback.pk, "late": late},
    )
    return feedback


@transaction.atomic
def feedback_escalate(*, feedback: Feedback, actor, reason: str, now: datetime | None = None) -> Feedback:
    """The author's household takes an answered complaint to stage 2."""
    now = now or timezone.now()
    feedback = _locked(feedback)
    reader = household_reader(feedback.meeting, actor) if actor is not None else None
    if reader is None or not visible_to(feedback, reader):
        raise PermissionDenied("Only the household that sent it can take it further.")
    if feedback.kind != Kind.COMPLAINT or feedback.status != Status.ANSWERED or feedback.stage != 1:
        raise MinutesError("Only a complaint answered at stage 1 can go to stage 2.")
    reason = reason.strip()
    if not reason:
        raise MinutesError("Tell us why the answer does not settle it.")
    feedback.escalate(reason=reason, now=now, due_on=answer_due(feedback.kind, 2, timezone.localtime(now).date()))
    feedback.save()
    _to_author(
        feedback,
        f"Your complaint goes to stage 2: {feedback.reference}",
        f"Hello,\n\nYour complaint {feedback.reference} will be looked at again. We will answer by "
        f"{_when(feedback.answer_due_on)}. See it at {link_to(feedback)} (you need to sign in).\n",
        "escalated",
        now,
    )
    _to_managers(
        feedback,
        f"Complaint at stage 2: {feedback.reference}",
        f"Hello,\n\nThe complaint {feedback.reference} was taken to stage 2, to answer by "
        f"{_when(feedback.answer_due_on)}. See it at {link_to(feedback)} (you need to sign in).\n",
        "escalated",
        now,
    )
    audit_record(
        actor=actor, code="feedback.escalated", obj=feedback.meeting, now=now, detail={"feedback": feedback.pk}
    )
    return feedback


# --- who sees what ------------------------------------------------------------------------


def household_reader(meeting: Meeting, user) -> redaction.Reader | None:
    """The family reader ``user`` is at ``meeting`` (None: not a family reader there)."""
    invitation = copies.invitation_of(meeting, user)
    if invitation is None or not InvitationRole(invitation.role).reads_as_family:
        return None
    return copies.reader_of(invitation)


def household_of(reader: redaction.Reader) -> frozenset[int]:
    """The one rule: a reader sees the feedback sent by their own household's invitations
    (their own, and the advocate's who comes with them: ``Reader.own``). Every page asks it."""
    return reader.own


def visible_to(feedback: Feedback, reader: redaction.Reader) -> bool:
    return feedback.author_id in household_of(reader)


def for_household(meeting: Meeting, reader: redaction.Reader) -> QuerySet[Feedback]:
    return Feedback.objects.filter(meeting=meeting, author_id__in=household_of(reader)).order_by("-received_at", "-id")


def may_see(feedback: Feedback, user) -> bool:
    """Managers, and the author's household."""
    if is_manager(user):
        return True
    reader = household_reader(feedback.meeting, user)
    return reader is not None and visible_to(feedback, reader)


def open_for_managers() -> QuerySet[Feedback]:
    """What waits for an answer, the answer date soonest first (no date last)."""
    return Feedback.objects.filter(status__in=Feedback.OPEN).select_related("meeting").order_by("answer_due_on", "id")


def answered_in(start: date, end: date) -> dict[str, int]:
    """Feedback received in the period: answered by its date, answered late, and still
    open past its date (one query)."""
    today = timezone.localdate()
    zone = timezone.get_current_timezone()
    received = Feedback.objects.filter(
        received_at__gte=datetime.combine(start, datetime.min.time(), tzinfo=zone),
        received_at__lt=datetime.combine(end, datetime.max.time(), tzinfo=zone),
        answer_due_on__isnull=False,
    )
    return received.aggregate(
        on_time=Count("id", filter=Q(status=Status.ANSWERED, answered_late=False)),
        late=Count("id", filter=Q(status=Status.ANSWERED, answered_late=True)),
        overdue=Count("id", filter=Q(status__in=Feedback.OPEN, answer_due_on__lt=today)),
    )
