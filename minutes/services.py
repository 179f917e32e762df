"""Every change to minutes goes through one function here.

Each service locks the minutes row and re-reads the rows it changes under that lock (never
acting on the copy the caller loaded earlier), checks permission, checks state and time,
changes, writes the audit row in the same transaction, and queues email after commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django_fsm import can_proceed
from simple_history.utils import bulk_create_with_history

from audit.services import audit_record
from meetings import timescales
from meetings.enums import Attendance, InvitationRole, MeetingStatus
from meetings.invites import meeting_url
from meetings.models import Invitation, Meeting
from meetings.reports import reached_family_in_time
from minutes import copies, document, redaction
from minutes.enums import MinutesStatus
from minutes.errors import MinutesError, StaleSection
from minutes.models import Comment, Minutes, NoComments, Response, Section, Version
from minutes.rules import refusal
from minutes.templates import sections_for
from notifications.services import outbox_enqueue
from participants.models import ThirdPartySource


def _require(actor, action: str, minutes: Minutes) -> None:
    """Refuse (PermissionDenied, with the reason from ``minutes.rules``) unless the actor may."""
    if actor is None or not actor.has_perm(f"minutes.{action}_minutes", minutes):
        raise PermissionDenied(refusal(action))


def _lock(minutes: Minutes) -> Minutes:
    return Minutes.objects.select_for_update().select_related("meeting", "meeting__chair").get(pk=minutes.pk)


def _day(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "l j F Y")


def family_invitations(meeting: Meeting) -> list[Invitation]:
    """The family members invited: each must answer the draft (or let the window close)."""
    roles = [role for role in InvitationRole if role.is_family]
    return list(meeting.invitations.filter(role__in=roles).select_related("person"))


def _family_readers(meeting: Meeting) -> list[Invitation]:
    """Everyone told that the draft is ready: family members and those who come with them."""
    return list(meeting.invitations.filter(role__in=InvitationRole.family_readers()).select_related("person"))


def _lock_section(minutes: Minutes, section: Section) -> Section:
    section = Section.objects.select_for_update().filter(pk=section.pk, minutes=minutes).first()
    if section is None:
        raise MinutesError("That section is not part of these minutes.")
    return section


# --- starting and writing -----------------------------------------------------------


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
            lines.append(f"{agency}: received {_day(report.submitted_at)}, {shared}.")
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
    _require(actor, "change", probe)
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
    audit_record(actor=actor, code="minutes.started", obj=meeting, now=now)
    return minutes


def _writable(minutes: Minutes) -> None:
    if minutes.status == MinutesStatus.SHARED:
        raise MinutesError("The draft is with the family for comment. Withdraw it to draft before changing it.")
    if minutes.status != MinutesStatus.DRAFT:
        raise MinutesError(f"These minutes are {minutes.get_status_display().lower()} and can no longer change.")


def _set_text(section: Section, *, text: str, version: int, actor, now: datetime) -> Section:
    """Save only if nobody saved since ``version`` (one conditional UPDATE, so two
    simultaneous saves cannot both win)."""
    updated = Section.objects.filter(pk=section.pk, version=version).update(
        text=text, version=F("version") + 1, updated_at=now, updated_by=actor
    )
    current = Section.objects.get(pk=section.pk)
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
    minutes = _lock(section.minutes)
    _require(actor, "change", minutes)
    _writable(minutes)
    section = _lock_section(minutes, section)
    saved = _set_text(section, text=text.strip(), version=version, actor=actor, now=now)
    audit_record(
        actor=actor,
        code="minutes.section_saved",
        obj=minutes.meeting,
        now=now,
        detail={"section": section.pk, "version": saved.version},
    )
    return saved


@transaction.atomic
def section_set_restrictions(
    *,
    section: Section,
    actor,
    third_party_source: ThirdPartySource | None,
    restricted_from: Iterable[Invitation],
    now: datetime | None = None,
) -> Section:
    """Mark a section as a third party's information, and/or as withheld from named people."""
    now = now or timezone.now()
    minutes = _lock(section.minutes)
    _require(actor, "restrict", minutes)
    _writable(minutes)
    section = _lock_section(minutes, section)
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
    minutes = _lock(section.minutes)
    _require(actor, "restrict", minutes)
    _writable(minutes)
    section = _lock_section(minutes, section)
    following = Section.objects.filter(minutes=minutes, order__gt=section.order).order_by("order").first()
    if following is not None and following.order - section.order < 2:
        Section.objects.filter(minutes=minutes, order__gt=section.order).update(order=F("order") + 10)
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


# --- sharing with the family --------------------------------------------------------


def comment_deadline_from(now: datetime, kind: str) -> datetime:
    """The end of the Nth working day after ``now`` (the window is never cut short)."""
    days = timescales.timescales(kind).comment_window_working_days
    last_day = timescales.add_working_days(timezone.localdate(now), days)
    return timezone.make_aware(datetime.combine(last_day, time(23, 59, 59)))


def _notify_family(minutes: Minutes, *, kind: str, now: datetime, extra: str = "") -> int:
    meeting = minutes.meeting
    title = f"{meeting.get_kind_display()} {meeting.reference}"
    subject, opening = {
        "shared": (
            f"Draft minutes ready for your comments: {title}",
            f"The draft minutes of the {meeting.get_kind_display().lower()} {meeting.reference} are ready "
            "for you to read and comment on.",
        ),
        "reopened": (
            f"More time to comment on the draft minutes: {title}",
            f"The chair has reopened the comment window for the draft minutes of {meeting.reference}.",
        ),
    }[kind]
    body = (
        f"Hello,\n\n{opening}\n\nSend your comments by {_day(minutes.comment_deadline)}.{extra}\n\n"
        f"Read them at {meeting_url(meeting)}minutes/ (you need to sign in).\n"
    )
    sent = 0
    # One message per sharing (a draft shared again is news, even on the same day) and per
    # new deadline when the window is reopened.
    occasion = minutes.share_count if kind == "shared" else minutes.comment_deadline.isoformat()
    for inv in _family_readers(meeting):
        if inv.person.email:
            outbox_enqueue(
                key=f"minutes:{minutes.pk}:{kind}:{occasion}:{inv.pk}",
                to_email=inv.person.email,
                recipient=inv.person,
                subject=subject,
                body=body,
                obj=meeting,
                now=now,
            )
            sent += 1
    return sent


@transaction.atomic
def minutes_share(*, minutes: Minutes, actor, now: datetime | None = None) -> Minutes:
    now = now or timezone.now()
    minutes = _lock(minutes)
    _require(actor, "share", minutes)
    if minutes.status == MinutesStatus.SHARED:
        raise MinutesError(f"The draft was already shared on {_day(minutes.shared_at)}.")
    if not can_proceed(minutes.share):
        raise MinutesError(f"These minutes are {minutes.get_status_display().lower()}, so cannot be shared.")
    # Sharing again after a withdrawal never shortens the window the family was given.
    deadline = comment_deadline_from(now, minutes.meeting.kind)
    if minutes.comment_deadline and minutes.comment_deadline > deadline:
        deadline = minutes.comment_deadline
    minutes.share(now=now, deadline=deadline)
    minutes.save()
    notified = _notify_family(minutes, kind="shared", now=now)
    audit_record(
        actor=actor,
        code="minutes.shared",
        obj=minutes.meeting,
        now=now,
        detail={"deadline": deadline.isoformat(), "notified": notified, "round": minutes.share_count},
    )
    return minutes


@transaction.atomic
def minutes_withdraw(*, minutes: Minutes, actor, reason: str, now: datetime | None = None) -> Minutes:
    now = now or timezone.now()
    minutes = _lock(minutes)
    _require(actor, "withdraw", minutes)
    if not can_proceed(minutes.withdraw):
        raise MinutesError(f"These minutes are {minutes.get_status_display().lower()}, so cannot be withdrawn.")
    if not reason.strip():
        raise MinutesError("Give the reason for withdrawing the draft.")
    minutes.withdraw()
    minutes.save()
    audit_record(actor=actor, code="minutes.withdrawn", obj=minutes.meeting, now=now, detail={"reason": reason.strip()})
    return minutes


@transaction.atomic
def window_reopen(*, minutes: Minutes, actor, reason: str, now: datetime | None = None) -> Minutes:
    """The chair gives the family a fresh comment window (reason recorded, family told)."""
    now = now or timezone.now()
    minutes = _lock(minutes)
    _require(actor, "reopen", minutes)
    if minutes.status != MinutesStatus.SHARED:
        raise MinutesError("The comment window can be reopened only while the draft is shared.")
    if not reason.strip():
        raise MinutesError("Give the reason for reopening the comment window.")
    previous = minutes.comment_deadline
    minutes.comment_deadline = max(previous, comment_deadline_from(now, minutes.meeting.kind))
    minutes.save(update_fields=["comment_deadline"])
    _notify_family(minutes, kind="reopened", now=now)
    audit_record(
        actor=actor,
        code="minutes.window_reopened",
        obj=minutes.meeting,
        now=now,
        detail={"reason": reason.strip(), "from": previous.isoformat(), "to": minutes.comment_deadline.isoformat()},
    )
    return minutes


# --- the family's comments ----------------------------------------------------------


def _commenter(minutes: Minutes, actor) -> Invitation:
    invitation = (
        minutes.meeting.invitations.filter(person__user=actor, role__in=InvitationRole.commenters())
        .select_related("person", "meeting")
        .first()
        if actor is not None
        else None
    )
    if invitation is None:
        raise PermissionDenied("Only the family members invited to the meeting comment on the draft.")
    return invitation


def _window_open(minutes: Minutes, now: datetime) -> None:
    if minutes.status != MinutesStatus.SHARED:
        raise MinutesError("The draft is not open for comments at the moment.")
    if now > minutes.comment_deadline:
        chair = minutes.meeting.chair
        contact = f"{chair.full_name}" + (f" ({chair.email})" if chair.email else "")
        raise MinutesError(
            f"The time for comments closed at the end of {_day(minutes.comment_deadline)}. "
            f"If you still want to comment, contact the chair, {contact}, who can reopen it."
        )


@transaction.atomic
def comment_add(
    *, minutes: Minutes, actor, text: str, section: Section | None = None, now: datetime | None = None
) -> Comment:
    now = now or timezone.now()
    minutes = _lock(minutes)
    invitation = _commenter(minutes, actor)
    _window_open(minutes, now)
    if not text.strip():
        raise MinutesError("Write your comment.")
    if section is not None:
        section = _lock_section(minutes, section)
        if redaction.withheld_because(copies.section_content(section), copies.reader_of(invitation)):
            raise MinutesError("You cannot comment on a part you have not been shown.")
    comment = Comment.objects.create(
        minutes=minutes,
        section=section,
        author=invitation,
        text=text.strip(),
        round=minutes.share_count,
        created_at=now,
        updated_at=now,
    )
    NoComments.objects.filter(minutes=minutes, invitation=invitation, round=minutes.share_count).delete()
    audit_record(
        actor=actor,
        code="minutes.comment_added",
        obj=minutes.meeting,
        now=now,
        detail={"comment": comment.pk, "section": section.pk if section else None},
    )
    return comment


def _own_open_comment(comment: Comment, actor, now: datetime) -> tuple[Minutes, Comment]:
    minutes = _lock(comment.minutes)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if _commenter(minutes, actor).pk != comment.author_id:
        raise PermissionDenied("You can change only your own comments.")
    _window_open(minutes, now)
    if comment.withdrawn_at is not None:
        raise MinutesError("You withdrew this comment.")
    if hasattr(comment, "response"):
        raise MinutesError("The chair has already answered this comment, so it can no longer change.")
    return minutes, comment


@transaction.atomic
def comment_edit(*, comment: Comment, actor, text: str, now: datetime | None = None) -> Comment:
    now = now or timezone.now()
    minutes, comment = _own_open_comment(comment, actor, now)
    if not text.strip():
        raise MinutesError("Write your comment, or withdraw it.")
    comment.text, comment.updated_at = text.strip(), now
    comment.save(update_fields=["text", "updated_at"])
    audit_record(
        actor=actor, code="minutes.comment_edited", obj=minutes.meeting, now=now, detail={"comment": comment.pk}
    )
    return comment


@transaction.atomic
def comment_withdraw(*, comment: Comment, actor, now: datetime | None = None) -> Comment:
    now = now or timezone.now()
    minutes, comment = _own_open_comment(comment, actor, now)
    comment.withdrawn_at = comment.updated_at = now
    comment.save(update_fields=["withdrawn_at", "updated_at"])
    audit_record(
        actor=actor, code="minutes.comment_withdrawn", obj=minutes.meeting, now=now, detail={"comment": comment.pk}
    )
    return comment


@transaction.atomic
def no_comments(*, minutes: Minutes, actor, now: datetime | None = None) -> NoComments:
    now = now or timezone.now()
    minutes = _lock(minutes)
    invitation = _commenter(minutes, actor)
    _window_open(minutes, now)
    if minutes.comments.filter(author=invitation, withdrawn_at__isnull=True, round=minutes.share_count).exists():
        raise MinutesError("You have sent comments. Withdraw them first if you no longer want to comment.")
    answer, _ = NoComments.objects.get_or_create(
        minutes=minutes, invitation=invitation, round=minutes.share_count, defaults={"at": now}
    )
    audit_record(
        actor=actor, code="minutes.no_comments", obj=minutes.meeting, now=now, detail={"round": minutes.share_count}
    )
    return answer


# --- the chair's responses and approval --------------------------------------------


@transaction.atomic
def comment_respond(
    *,
    comment: Comment,
    actor,
    accepted: bool,
    reason: str = "",
    amended_text: str | None = None,
    section_version: int | None = None,
    show_to_family: bool = False,
    now: datetime | None = None,
) -> Response:
    """Accept (amending the section: a tracked change) or decline (with a reason, which
    keeps the family's comment in the final record). A declined comment is shown to the
    rest of the family only with ``show_to_family``; its author, staff and professionals
    always see it."""
    now = now or timezone.now()
    minutes = _lock(comment.minutes)
    _require(actor, "respond", minutes)
    if minutes.status not in (MinutesStatus.SHARED, MinutesStatus.DRAFT):
        raise MinutesError(
            f"These minutes are {minutes.get_status_display().lower()}; comments can no longer be answered."
        )
    comment = Comment.objects.select_for_update(of=("self",)).select_related("section").get(pk=comment.pk)
    if comment.withdrawn_at is not None:
        raise MinutesError("The family withdrew this comment, so it needs no answer.")
    if Response.objects.filter(comment=comment).exists():
        raise MinutesError("This comment has already been answered.")
    if not accepted and not reason.strip():
        raise MinutesError("Give the reason the comment is not accepted: the family will read it.")
    before = after = ""
    if accepted and amended_text is not None and comment.section is not None:
        before = comment.section.text
        saved = _set_text(
            comment.section,
            text=amended_text.strip(),
            version=section_version or comment.section.version,
            actor=actor,
            now=now,
        )
        after = saved.text
    response = Response.objects.create(
        comment=comment,
        accepted=accepted,
        reason=reason.strip(),
        text_before=before,
        text_after=after,
        show_to_family=show_to_family and not accepted,
        responded_by=actor,
        responded_at=now,
    )
    audit_record(
        actor=actor,
        code="minutes.comment_answered",
        obj=minutes.meeting,
        now=now,
        detail={
            "comment": comment.pk,
            "accepted": accepted,
            "amended": response.amended,
            "shown_to_family": response.show_to_family,
        },
    )
    return response


def full_document(minutes: Minutes) -> str:
    """The full record as plain text: what an approved version stores and hashes."""
    title = f"Minutes: {minutes.meeting.get_kind_display()} {minutes.meeting.reference}"
    return document.full_text(title, copies.reader_copy(minutes, redaction.Reader.staff()))


@transaction.atomic
def minutes_approve(*, minutes: Minutes, actor, now: datetime | None = None) -> Version:
    now = now or timezone.now()
    minutes = _lock(minutes)
    _require(actor, "approve", minutes)
    if minutes.status in (MinutesStatus.APPROVED, MinutesStatus.DISTRIBUTED):
        raise MinutesError(f"These minutes were already approved on {_day(minutes.approved_at)}.")
    if not can_proceed(minutes.approve):
        raise MinutesError("Share the draft with the family for comment before approving it.")
    unanswered = minutes.comments.filter(withdrawn_at__isnull=True, response__isnull=True).count()
    if unanswered:
        raise MinutesError(f"Answer every comment from the family first ({unanswered} not answered).")
    if now <= minutes.comment_deadline:
        waiting = [inv for inv in family_invitations(minutes.meeting) if not _has_answered(minutes, inv)]
        if waiting:
            raise MinutesError(
                f"The family has until the end of {_day(minutes.comment_deadline)} to comment, and "
                f"{len(waiting)} of them {'has' if len(waiting) == 1 else 'have'} not answered yet."
            )
    content = full_document(minutes)
    number = minutes.versions.count() + 1
    version = Version.objects.create(
        minutes=minutes,
        number=number,
        created_at=now,
        created_by=actor,
        content=content,
        sha256=document.sha256(content),
    )
    minutes.approve(now=now, user=actor)
    minutes.save()
    audit_record(
        actor=actor,
        code="minutes.approved",
        obj=minutes.meeting,
        now=now,
        detail={"version": number, "sha256": version.sha256},
    )
    return version


def _has_answered(minutes: Minutes, invitation: Invitation) -> bool:
    """Answered the draft as last shared: a comment or "no comments" from them, or from the
    advocate who comes with them, on this sharing. An answer to an earlier sharing does not
    count for a draft that changed since."""
    household = [invitation.pk, *invitation.companions.values_list("pk", flat=True)]
    current = minutes.share_count
    return (
        minutes.comments.filter(author__in=household, withdrawn_at__isnull=True, round=current).exists()
        or minutes.no_comments.filter(invitation__in=household, round=current).exists()
    )
