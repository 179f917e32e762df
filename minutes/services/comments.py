"""The family's comments on the draft, and the chair's answers to them."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from config import fragments
from core import limits
from meetings.enums import InvitationRole
from meetings.models import Invitation
from minutes import copies, redaction
from minutes.enums import MinutesStatus
from minutes.errors import MinutesError
from minutes.models import Comment, Minutes, NoComments, Response, Section
from minutes.services.common import in_words, lock_minutes, lock_section, require, state_refusal
from minutes.services.writing import set_text


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
            f"The time for comments closed at the end of {in_words(minutes.comment_deadline)}. "
            f"If you still want to comment, contact the chair, {contact}, who can reopen it."
        )


@transaction.atomic
def comment_add(
    *,
    minutes: Minutes,
    actor,
    text: str,
    section: Section | None = None,
    submission: uuid.UUID | None = None,
    now: datetime | None = None,
) -> Comment:
    """Add a comment. Posted again with the same ``submission`` token, section and text
    (a double click, a resent form), it returns the comment already made: the lock on the
    minutes makes two such posts at the same moment take turns, so the second finds the
    first. A different text under an old token (the browser's back button) is a new comment."""
    now = now or timezone.now()
    minutes = lock_minutes(minutes)
    invitation = _commenter(minutes, actor)
    if submission is not None:
        earlier = Comment.objects.filter(
            minutes=minutes, author=invitation, submission=submission, section=section, text=text.strip()
        ).first()
        if earlier is not None:
            return earlier
    _window_open(minutes, now)
    if not text.strip():
        raise MinutesError("Write your comment.")
    limits.enforce(text.strip(), limits.COMMENT, "Your comment", MinutesError)
    if section is not None:
        section = lock_section(minutes, section)
        if redaction.withheld_because(copies.section_content(section), copies.reader_of(invitation)):
            raise MinutesError("You cannot comment on a part you have not been shown.")
    comment = Comment.objects.create(
        minutes=minutes,
        section=section,
        author=invitation,
        text=text.strip(),
        round=minutes.share_count,
        submission=submission,
        created_at=now,
        updated_at=now,
    )
    NoComments.objects.filter(minutes=minutes, invitation=invitation, round=minutes.share_count).delete()
    fragments.moved_on("minutes")  # a queryset delete may send no signal
    audit_record(
        actor=actor,
        code="minutes.comment_added",
        obj=minutes.meeting,
        now=now,
        detail={"comment": comment.pk, "section": section.pk if section else None},
    )
    return comment


def _own_open_comment(comment: Comment, actor, now: datetime) -> tuple[Minutes, Comment]:
    minutes = lock_minutes(comment.minutes)
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
    limits.enforce(text.strip(), limits.COMMENT, "Your comment", MinutesError)
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
    minutes = lock_minutes(minutes)
    invitation = _commenter(minutes, actor)
    _window_open(minutes, now)
    answer, _ = NoComments.objects.get_or_create(
        minutes=minutes, invitation=invitation, round=minutes.share_count, defaults={"at": now}
    )
    audit_record(
        actor=actor, code="minutes.no_comments", obj=minutes.meeting, now=now, detail={"round": minutes.share_count}
    )
    return answer


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
    minutes = lock_minutes(comment.minutes)
    require(actor, "respond", minutes)
    if minutes.status not in (MinutesStatus.SHARED, MinutesStatus.DRAFT):
        raise state_refusal(minutes, "comments can no longer be answered")
    comment = Comment.objects.select_for_update(of=("self",)).select_related("section").get(pk=comment.pk)
    if comment.withdrawn_at is not None:
        raise MinutesError("The family withdrew this comment, so it needs no answer.")
    if Response.objects.filter(comment=comment).exists():
        raise MinutesError("This comment has already been answered.")
    if not accepted and not reason.strip():
        raise MinutesError("Give the reason the comment is not accepted: the family will read it.")
    limits.enforce(reason.strip(), limits.ANSWER, "The reason", MinutesError)
    limits.enforce((amended_text or "").strip(), limits.SECTION, "The amended section", MinutesError)
    changes = (
        accepted
        and amended_text is not None
        and comment.section is not None
        and amended_text.strip() != comment.section.text.strip()
    )
    if accepted and not changes and not reason.strip():
        # "Accepted" with the record unchanged told the family their point was taken up
        # while the final copy still said what they had disputed.
        raise MinutesError(
            "To accept the comment, change the section so it carries the amendment, or say why no "
            "change is needed: the family will read your answer.",
            field="reason",
        )
    before = after = ""
    if changes:
        before = comment.section.text
        saved = set_text(
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
