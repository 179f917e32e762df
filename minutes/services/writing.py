"""Starting the minutes and writing them, section by section; what each reader may see of a part."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from simple_history.utils import bulk_create_with_history

from audit.services import audit_record
from config import fragments
from core import limits
from meetings.enums import Attendance, MeetingStatus
from meetings.models import Invitation, Meeting
from meetings.reports import reached_family_in_time
from minutes.enums import MinutesStatus
from minutes.errors import MinutesError, StaleSection
from minutes.models import Minutes, Section
from minutes.services.common import in_words, lock_minutes, lock_section, require, state_refusal
from minutes.templates import sections_for
from participants.models import ThirdPartySource


def _prefill(key: str, meeting: Meeting) -> str:
    if key == "attendance":
        lines = []
        for inv in meeting.invitations.select_related("person", "agency").order_by("role", "id"):
            what = {
                Attendance.ATTENDED: "attended",
                Attendance.APOLOGIES: "sent apologies",
                Attendance.DID_NOT_ATTEND: "did not attend",
            }.get(inv.attendance, "attendance not recorded")
            agency = f", {inv.agency.name}" if inv.agency else ""
            # That someone left is part of everyone's record; why is not (see minutes.redaction).
            excluded = " (not present for part of the meeting)" if inv.excluded_from_part else ""
            lines.append(f"{inv.person.full_name}{agency}, {inv.get_role_display().lower()}: {what}{excluded}.")
        return "\n".join(lines)
    if key == "reports":
        lines = []
        for report in meeting.reports.select_related("author", "agency"):
            shared = (
                "shared with the family in time"
                if reached_family_in_time(report)
                else ("shared with the family late" if report.share_with_family else "not shared with the family")
            )
            agency = report.agency.name if report.agency else report.author.full_name
            lines.append(f"{agency}: received {in_words(report.submitted_at)}, {shared}.")
        return "\n".join(lines) or "No reports were received."
    if key == "decision":
        lines = []
        for outcome in meeting.outcomes.select_related("child__person"):
            name = outcome.child.person.full_name
            if outcome.plan_needed is not None:
                lines.append(
                    f"{name}: a child protection plan is needed, category {outcome.get_category_display().lower()}."
                    if outcome.plan_needed
                    else f"{name}: a child protection plan is not needed."
                )
            else:
                lines.append(f"{name}: {outcome.get_review_outcome_display().lower()}.")
        return "\n".join(lines)
    if key == "next_meeting" and meeting.next_due_on:
        due = date_format(meeting.next_due_on, "l j F Y")
        return f"The next {meeting.get_next_kind_display().lower()} is due by {due}."
    return ""


@transaction.atomic
def minutes_start(*, meeting: Meeting, actor, now: datetime | None = None) -> Minutes:
    """Create the minutes from the meeting kind's template, once the meeting is held.
    Starting twice returns the minutes already started."""
    now = now or timezone.now()
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    existing = Minutes.objects.filter(meeting=meeting).first()
    if existing is not None:
        return existing
    probe = Minutes(meeting=meeting)
    require(actor, "change", probe)
    if meeting.status not in (MeetingStatus.HELD, MeetingStatus.MINUTED):
        raise MinutesError("Minutes can be written once the meeting is recorded as held.")
    minutes = Minutes.objects.create(meeting=meeting, created_at=now)
    bulk_create_with_history(
        [
            Section(
                minutes=minutes,
                order=(i + 1) * 10,
                key=t.key,
                heading=t.heading,
                plain_heading=t.plain_heading,
                text=_prefill(t.prefill, meeting) if t.prefill else "",
                updated_at=now,
            )
            for i, t in enumerate(sections_for(meeting.kind))
        ],
        Section,
        default_user=actor,
    )
    fragments.moved_on("minutes")  # the sections were written in bulk
    audit_record(actor=actor, code="minutes.started", obj=meeting, now=now)
    return minutes


def _writable(minutes: Minutes) -> None:
    if minutes.status == MinutesStatus.SHARED:
        raise MinutesError("The draft is with the family for comment. Withdraw it to draft before changing it.")
    if minutes.status != MinutesStatus.DRAFT:
        raise state_refusal(minutes, "they can no longer change")


def set_text(section: Section, *, text: str, version: int, actor, now: datetime) -> Section:
    """Save only if nobody saved since ``version`` (one conditional UPDATE, so two
    simultaneous saves cannot both win)."""
    updated = Section.objects.filter(pk=section.pk, version=version).update(
        text=text, version=F("version") + 1, updated_at=now, updated_by=actor
    )
    current = Section.objects.get(pk=section.pk)
    fragments.moved_on("minutes")  # a conditional update saves no model
    if not updated:
        who = (
            current.updated_by.get_full_name() or current.updated_by.get_username() if current.updated_by else "someone"
        )
        raise StaleSection(
            f"{who} changed this section at {timezone.localtime(current.updated_at):%H:%M} while you were editing. "
            "Nothing has been overwritten: both versions are below. Combine them and save again.",
            yours=text,
            theirs=current.text,
            current_version=current.version,
        )
    # The conditional UPDATE bypasses signals; saving the same values again writes the
    # history row (who wrote what, when), safely, as the minutes row is locked.
    current.save(update_fields=["text", "version", "updated_at", "updated_by"])
    return current


@transaction.atomic
def section_save(*, section: Section, actor, text: str, version: int, now: datetime | None = None) -> Section:
    now = now or timezone.now()
    minutes = lock_minutes(section.minutes)
    require(actor, "change", minutes)
    _writable(minutes)
    section = lock_section(minutes, section)
    limits.enforce(text, limits.SECTION, "The section", MinutesError)
    saved = set_text(section, text=text.strip(), version=version, actor=actor, now=now)
    audit_record(
        actor=actor,
        code="minutes.section_saved",
        obj=minutes.meeting,
        now=now,
        detail={"section": section.pk, "version": saved.version},
    )
    return saved


def restrictions_seen(section: Section) -> str:
    """A short fingerprint of who may read a section now, carried by the page that changes
    it, so a change made from an out-of-date page is refused instead of undoing a newer one
    (which could show a part again to someone it was withheld from)."""
    restricted = sorted(section.restricted_from.values_list("pk", flat=True))
    return hashlib.sha256(f"{section.third_party_source_id}:{restricted}".encode()).hexdigest()[:16]


@transaction.atomic
def section_set_restrictions(
    *,
    section: Section,
    actor,
    third_party_source: ThirdPartySource | None,
    restricted_from: Iterable[Invitation],
    seen: str | None = None,
    now: datetime | None = None,
) -> Section:
    """Mark a section as a third party's information, and/or as withheld from named people.
    ``seen`` is ``restrictions_seen`` as the person's page showed it."""
    now = now or timezone.now()
    minutes = lock_minutes(section.minutes)
    require(actor, "restrict", minutes)
    _writable(minutes)
    section = lock_section(minutes, section)
    if seen is not None and seen != restrictions_seen(section):
        raise MinutesError(
            "Who may read this section was changed after you opened this page, so your change was not saved. "
            "The page now shows who may read it; make your change again if it is still needed."
        )
    restricted = list(restricted_from)
    if third_party_source is not None and third_party_source.family_id != minutes.meeting.family_id:
        raise MinutesError("Choose a source recorded for this family.")
    if any(inv.meeting_id != minutes.meeting_id for inv in restricted):
        raise MinutesError("Choose people invited to this meeting.")
    section.third_party_source = third_party_source
    section.save(update_fields=["third_party_source"])
    section.restricted_from.set(restricted)
    audit_record(
        actor=actor,
        code="minutes.section_restricted",
        obj=minutes.meeting,
        now=now,
        detail={
            "section": section.pk,
            "third_party_source": third_party_source.pk if third_party_source else None,
            "restricted_from": sorted(inv.pk for inv in restricted),
        },
    )
    return section


@transaction.atomic
def section_add_part(*, section: Section, actor, now: datetime | None = None) -> Section:
    """Split out a separate block after a section, so part of it can be withheld on its own."""
    now = now or timezone.now()
    minutes = lock_minutes(section.minutes)
    require(actor, "restrict", minutes)
    _writable(minutes)
    section = lock_section(minutes, section)
    following = Section.objects.filter(minutes=minutes, order__gt=section.order).order_by("order").first()
    if following is not None and following.order - section.order < 2:
        Section.objects.filter(minutes=minutes, order__gt=section.order).update(order=F("order") + 10)
        fragments.moved_on("minutes")
        following.refresh_from_db()
    order = section.order + ((following.order - section.order) // 2 if following else 10)
    part = Section.objects.create(
        minutes=minutes,
        order=order,
        key=f"{section.key.removesuffix('_part')}_part",
        heading=f"{section.heading.removesuffix(' (separate part)')} (separate part)",
        plain_heading=section.plain_heading,
        updated_at=now,
        updated_by=actor,
    )
    audit_record(actor=actor, code="minutes.part_added", obj=minutes.meeting, now=now, detail={"after": section.pk})
    return part
