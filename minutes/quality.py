"""The quality of records, measured: a manager (or a chair, for another chair's meeting)
scores distributed minutes against a checklist, with a comment per item.

The checklist is a setting (``CONFER_QUALITY_CHECKLIST``), by default what practice
standards ask of a child protection record: the child's views recorded, the parents'
views recorded, reasons for the decision stated, each plan action with who and by when,
the family's comments not accepted answered with reasons, distributed on time.

Confer fills in what it can measure from the record itself, marked as measured, and the
auditor may change it with a reason: timeliness (distributed by its due date), comments
answered (every comment standing has an answer, and every one not accepted a reason), and
empty sections (a section the item depends on that has no text fails it). The rest is
the auditor's judgement.

Each month a sample of the month's distributed records can be drawn at random for audit.
The draw is reproducible: the same month, size and seed give the same records, so a
sample can be checked afterwards. Results per chair and per month go on the quality page
and in its CSV.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.services import audit_record
from meetings.enums import MeetingStatus
from meetings.models import Meeting
from minutes.enums import MinutesStatus
from minutes.errors import MinutesError
from minutes.models import Minutes, QualityAudit
from participants.rules import is_chair, is_manager

MET, NOT_MET, NOT_APPLICABLE = "met", "not_met", "not_applicable"
RESULTS = {MET: "Met", NOT_MET: "Not met", NOT_APPLICABLE: "Does not apply"}

# Which sections of the minutes an item depends on (by each kind of meeting's keys, see
# ``minutes.templates``): those the record has all empty, the item is not met.
SECTIONS_FOR = {
    "child_views": ("child_views", "young_person_views"),
    "parents_views": ("parents_views",),
    "decision_reasons": ("decision",),
    "plan_actions": ("plan", "actions"),
}


def checklist() -> list[tuple[str, str]]:
    return [(item["key"], item["label"]) for item in settings.CONFER_QUALITY_CHECKLIST]


def may_audit(user, meeting: Meeting) -> bool:
    """Managers audit any record; a chair audits another chair's, never their own."""
    if is_manager(user):
        return True
    return is_chair(user) and meeting.chair.user_id != user.pk


def auditable() -> QuerySet[Meeting]:
    return Meeting.objects.filter(status=MeetingStatus.MINUTED, minutes__status=MinutesStatus.DISTRIBUTED)


@dataclass(frozen=True)
class Measured:
    result: str
    why: str


def measured(minutes: Minutes) -> dict[str, Measured]:
    """What Confer can tell from the record itself, item by item (two queries)."""
    meeting = minutes.meeting
    found: dict[str, Measured] = {}
    due, sent = meeting.distribution_due_on, minutes.distributed_at
    if due and sent:
        day = timezone.localtime(sent).date()
        found["on_time"] = (
            Measured(MET, f"Distributed on {day:%d %B %Y}, due by {due:%d %B %Y}.")
            if day <= due
            else Measured(NOT_MET, f"Distributed on {day:%d %B %Y}, after its due date, {due:%d %B %Y}.")
        )
    comments = list(minutes.comments.filter(withdrawn_at__isnull=True).select_related("response"))
    if not comments:
        found["comments_answered"] = Measured(NOT_APPLICABLE, "The family made no comments.")
    else:
        unanswered = [c for c in comments if not hasattr(c, "response")]
        unexplained = [
            c for c in comments if hasattr(c, "response") and not c.response.accepted and not c.response.reason
        ]
        if unanswered or unexplained:
            found["comments_answered"] = Measured(
                NOT_MET, f"{len(unanswered)} not answered, {len(unexplained)} not accepted without a reason."
            )
        else:
            found["comments_answered"] = Measured(
                MET, f"All {len(comments)} answered; every one not accepted has a reason."
            )
    texts: dict[str, str] = defaultdict(str)
    for key, text in minutes.sections.values_list("key", "text"):
        texts[key] += text.strip()
    for item, keys in SECTIONS_FOR.items():
        present = [key for key in keys if key in texts]  # a kind of meeting may not have it
        if present and all(not texts[key] for key in present):
            found[item] = Measured(NOT_MET, "The section is empty.")
    return found


def prefilled_items(minutes: Minutes) -> list[dict]:
    """The checklist, with what Confer measured already filled in."""
    found = measured(minutes)
    return [
        {
            "key": key,
            "label": label,
            "result": found[key].result if key in found else "",
            "measured": found[key].why if key in found else "",
            "comment": "",
        }
        for key, label in checklist()
    ]


@transaction.atomic
def audit_record_quality(
    *, meeting: Meeting, actor, results: dict[str, str], comments: dict[str, str], now: datetime | None = None
) -> QualityAudit:
    """Keep one audit of a distributed record. Every item needs a result; an item Confer
    measured may be changed only with a comment saying why."""
    now = now or timezone.now()
    meeting = Meeting.objects.select_related("chair").get(pk=meeting.pk)
    if not may_audit(actor, meeting):
        raise PermissionDenied("Managers audit records; a chair audits other chairs' records, not their own.")
    minutes = Minutes.objects.filter(meeting=meeting, status=MinutesStatus.DISTRIBUTED).first()
    if minutes is None:
        raise MinutesError("Only distributed minutes are audited.")
    minutes.meeting = meeting
    items = prefilled_items(minutes)
    missing = [item["label"] for item in items if results.get(item["key"]) not in RESULTS]
    if missing:
        raise MinutesError(f"Give a result for: {'; '.join(missing)}.")
    for item in items:
        chosen, comment = results[item["key"]], comments.get(item["key"], "").strip()
        if item["result"] and chosen != item["result"] and not comment:
            raise MinutesError(f"Say why you changed what Confer measured for: {item['label']}.")
        item.update(result=chosen, comment=comment, changed=bool(item["result"]) and chosen != item["result"])
    audit = QualityAudit.objects.create(
        meeting=meeting,
        chair=meeting.chair,
        auditor=actor,
        items=items,
        created_at=now,
        distributed_on=timezone.localtime(minutes.distributed_at).date(),
    )
    audit_record(actor=actor, code="quality.audited", obj=meeting, now=now, detail={"audit": audit.pk})
    return audit


def draw_sample(month: date, size: int, seed: int) -> list[Meeting]:
    """``size`` records distributed in ``month``, drawn at random with ``seed``: the same
    arguments always draw the same records (the candidates are put in id order first)."""
    start = month.replace(day=1)
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    zone = timezone.get_current_timezone()
    candidates = list(
        auditable()
        .filter(
            minutes__distributed_at__gte=datetime.combine(start, datetime.min.time(), tzinfo=zone),
            minutes__distributed_at__lt=datetime.combine(end, datetime.min.time(), tzinfo=zone),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chosen = sorted(random.Random(seed).sample(candidates, min(size, len(candidates))))  # noqa: S311 - a fair draw, not a secret
    return list(Meeting.objects.filter(pk__in=chosen).select_related("chair").order_by("starts_at", "pk"))


@dataclass
class Score:
    met: int = 0
    not_met: int = 0

    @property
    def percent(self) -> int | None:
        total = self.met + self.not_met
        return round(100 * self.met / total) if total else None


def results(start: date, end: date) -> tuple[dict[str, Score], dict[str, Score], list[QualityAudit]]:
    """Audits of records distributed in the period: the share of items met per chair and
    per month (items that do not apply count neither way), and the audits themselves."""
    audits = list(
        QualityAudit.objects.filter(distributed_on__gte=start, distributed_on__lte=end)
        .select_related("meeting", "chair", "auditor")
        .order_by("distributed_on", "pk")
    )
    by_chair: dict[str, Score] = defaultdict(Score)
    by_month: dict[str, Score] = defaultdict(Score)
    for audit in audits:
        for item in audit.items:
            for score in (by_chair[audit.chair.full_name], by_month[f"{audit.distributed_on:%Y-%m}"]):
                if item["result"] == MET:
                    score.met += 1
                elif item["result"] == NOT_MET:
                    score.not_met += 1
    return dict(sorted(by_chair.items())), dict(sorted(by_month.items())), audits
