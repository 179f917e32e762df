"""One reader's copy of the minutes: (minutes, reader) → everything they may see.

Pages, emails, the approved version and exported files take what they show of the minutes
from ``reader_copy`` only; the rules themselves are the pure functions of
``minutes.redaction``. This module only loads the rows, in a fixed number of queries
whatever the size of the minutes, and says who a signed-in user reads as.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from meetings.enums import InvitationRole
from meetings.models import Invitation, Meeting
from minutes import redaction
from minutes.enums import MinutesStatus
from minutes.models import Comment, Minutes, Section


def invitation_of(meeting: Meeting, user) -> Invitation | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return meeting.invitations.filter(person__user=user).first()


def reader_for(meeting: Meeting, user) -> redaction.Reader:
    """Who ``user`` reads the minutes of ``meeting`` as. Staff who are not invited read the
    full record; an invited person reads as their role says (see ``InvitationRole.party``)."""
    invitation = invitation_of(meeting, user)
    if invitation is None:
        return redaction.Reader.staff()
    return reader_of(invitation)


def reader_of(invitation: Invitation) -> redaction.Reader:
    return readers_of(invitation.meeting)[invitation.pk]


def readers_of(meeting: Meeting) -> dict[int, redaction.Reader]:
    """The reader every invitation to the meeting makes, in one query."""
    return readers_from(list(meeting.invitations.values_list("pk", "role", "accompanies_id")))


def invitations_of(meeting: Meeting) -> list[Invitation]:
    """Every invitation to the meeting with its person (one query): a page that needs the
    reader's own invitation and the readers of all (``readers_from``) reads them once."""
    return list(meeting.invitations.select_related("person"))


def own_invitation(invitations: list[Invitation], user) -> Invitation | None:
    """``user``'s invitation among ``invitations`` (as ``invitation_of``, without a query)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return next((inv for inv in invitations if inv.person.user_id == user.pk), None)


def readers_from(rows: list) -> dict[int, redaction.Reader]:
    """The reader each invitation makes, from (pk, role, accompanies_id) rows or the
    invitations themselves: companions and family members are found among them."""
    rows = [row if isinstance(row, tuple) else (row.pk, row.role, row.accompanies_id) for row in rows]
    family = [pk for pk, role, _with in rows if InvitationRole(role).is_family]
    return {
        pk: redaction.reader_for_invitation(
            pk,
            InvitationRole(role),
            accompanies=with_whom,
            companions=[other for other, _role, their in rows if their == pk],
            family_members=family,
        )
        for pk, role, with_whom in rows
    }


def section_content(section: Section) -> redaction.SectionContent:
    source = section.third_party_source
    restricted = list(section.restricted_from.all())
    labels = []
    if source is not None:
        labels.append(f"Third party: {source.name}, consent {source.get_consent_display().lower()}")
    labels += [f"Withheld from {inv.person.full_name}" for inv in restricted]
    return redaction.SectionContent(
        id=section.pk,
        heading=section.heading,
        plain_heading=section.plain_heading,
        text=section.text,
        third_party_consent=source.consent if source else None,
        restricted_from=frozenset(inv.pk for inv in restricted),
        labels=tuple(labels),
    )


def sections_of(minutes: Minutes) -> list[Section]:
    return list(
        minutes.sections.select_related("third_party_source").prefetch_related(
            Prefetch("restricted_from", queryset=Invitation.objects.select_related("person"))
        )
    )


def comment_content(comment: Comment) -> redaction.CommentContent:
    response = getattr(comment, "response", None)
    return redaction.CommentContent(
        id=comment.pk,
        section_id=comment.section_id,
        author_id=comment.author_id,
        author_name=comment.author.person.full_name,
        text=comment.text,
        active=comment.withdrawn_at is None,
        round=comment.round,
        created_at=comment.created_at,
        response=redaction.ResponseContent(
            accepted=response.accepted,
            reason=response.reason,
            text_before=response.text_before,
            text_after=response.text_after,
            show_to_family=response.show_to_family,
            responded_at=response.responded_at,
        )
        if response is not None
        else None,
    )


def exclusion_notes(meeting: Meeting) -> list[redaction.ExclusionNote]:
    return [
        redaction.ExclusionNote(inv.pk, inv.person.full_name, inv.exclusion_reason)
        for inv in meeting.invitations.filter(excluded_from_part=True).select_related("person").order_by("role", "id")
    ]


def is_final(minutes: Minutes) -> bool:
    return minutes.status in (MinutesStatus.APPROVED, MinutesStatus.DISTRIBUTED)


@dataclass(frozen=True)
class Contents:
    """Everything of the minutes, loaded once, before any reader's rules apply."""

    sections: list[redaction.SectionContent]
    comments: list[redaction.CommentContent]
    notes: list[redaction.ExclusionNote]
    final: bool


def load(minutes: Minutes) -> Contents:
    """The minutes' contents in a fixed number of queries (five), whatever their size."""
    comments = (
        Comment.objects.filter(minutes=minutes)
        .select_related("author__person", "response")
        .order_by("created_at", "id")
    )
    return Contents(
        sections=[section_content(s) for s in sections_of(minutes)],
        comments=[comment_content(c) for c in comments],
        notes=exclusion_notes(minutes.meeting),
        final=is_final(minutes),
    )


def copy_for(contents: Contents, reader: redaction.Reader) -> redaction.ReaderCopy:
    return redaction.build_copy(contents.sections, contents.comments, contents.notes, reader, final=contents.final)


def reader_copy(minutes: Minutes, reader: redaction.Reader) -> redaction.ReaderCopy:
    """Everything of ``minutes`` that ``reader`` may see."""
    return copy_for(load(minutes), reader)
