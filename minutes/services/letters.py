"""The decision letter: the chair tells the parents, the working day after a conference,
what it decided for each child, who the lead social worker is, when the core group and the
review meet, and how to complain.

One render, stamped with each parent's name (separate households get separate copies;
the letter names neither parent). The email links to the copy behind sign-in. Sending it
after its due date (1 working day after the conference, ``decision_letter_working_days``)
needs the reason it is late, kept and audited.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from audit.services import audit_record
from core import limits
from meetings.guards import lock_meeting, require_action
from meetings.models import Meeting
from minutes import pdf
from minutes.errors import MinutesError
from minutes.models import DecisionLetter, DecisionLetterCopy
from minutes.services.common import in_words
from notifications.links import absolute_url
from notifications.services import outbox_enqueue


def decision_letter_due(meeting: Meeting) -> date:
    """The day after the conference (a working day), fixed when it was held."""
    return meeting.letter_due_on


def letter_html(meeting: Meeting, letter: DecisionLetter) -> str:
    return render_to_string(
        "pdf/decision_letter.html",
        {
            "meeting": meeting,
            "letter": letter,
            "sent_on": timezone.localtime(letter.sent_at),
            "outcomes": meeting.outcomes.select_related("child__person").order_by("child__identifier"),
            "complaints": settings.CONFER_COMPLAINTS_TEXT,
        },
    )


@transaction.atomic
def decision_letter_send(
    *,
    meeting: Meeting,
    actor,
    lead_social_worker: str,
    core_group_on: date | None = None,
    late_reason: str = "",
    now: datetime | None = None,
) -> DecisionLetter:
    now = now or timezone.now()
    meeting = lock_meeting(meeting.pk)
    require_action(actor, "send_letter", meeting)
    sent = DecisionLetter.objects.filter(meeting=meeting).first()
    if sent is not None:
        raise MinutesError(f"The decision letter was already sent on {in_words(sent.sent_at)}.")
    if not lead_social_worker.strip():
        raise MinutesError("Enter the lead social worker's name.", field="lead_social_worker")
    due = decision_letter_due(meeting)
    late = timezone.localtime(now).date() > due
    late_reason = limits.enforce(late_reason, limits.REASON, "The reason it is late", MinutesError)
    if late and not late_reason.strip():
        raise MinutesError(
            f"The decision letter was due by {date_format(due, 'l j F Y')}. "
            "Give the reason it is late: it is kept and reported.",
            field="late_reason",
        )
    letter = DecisionLetter(
        meeting=meeting,
        lead_social_worker=lead_social_worker.strip(),
        core_group_on=core_group_on,
        sent_at=now,
        sent_by=actor,
        late_reason=late_reason.strip() if late else "",
    )
    base = pdf.render_pdf(letter_html(meeting, letter))
    letter.sha256 = pdf.sha256(base)
    letter.save()
    parents = [inv for inv in meeting.invitations.select_related("person") if inv.role_enum.receives_decision_letter]
    link = absolute_url(reverse("minutes:decision_letter_copy", args=[meeting.pk]))
    for invitation in parents:
        person = invitation.person
        data = pdf.stamp(base, f"OFFICIAL-SENSITIVE - copy for {person.full_name} - do not share")
        copy = DecisionLetterCopy(letter=letter, person=person, sha256=pdf.sha256(data))
        copy.file.save("letter.pdf", ContentFile(data), save=False)
        copy.save()
        if person.email:
            outbox_enqueue(
                key=f"letter:{letter.pk}:{person.pk}",
                to_email=person.email,
                recipient=person,
                subject=f"What the conference decided: {meeting.reference}",
                body=(
                    f"Hello,\n\nThe letter telling you what the {meeting.get_kind_display().lower()} "
                    f"{meeting.reference} decided is ready.\n\nRead and download it at {link} "
                    "(you need to sign in).\n"
                ),
                obj=meeting,
                now=now,
            )
    audit_record(
        actor=actor,
        code="meeting.decision_letter_sent",
        obj=meeting,
        now=now,
        detail={"due_on": due.isoformat(), "late_reason": letter.late_reason, "copies": len(parents)},
    )
    return letter
