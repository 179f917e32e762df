"""What every minutes service shares: the permission check, the row locks, dates in words."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.formats import date_format

from meetings.enums import InvitationRole
from meetings.models import Invitation, Meeting
from minutes.errors import MinutesError
from minutes.models import Minutes, Section
from minutes.rules import refusal


def require(actor, action: str, minutes: Minutes) -> None:
    """Refuse (PermissionDenied, with the reason from ``minutes.rules``) unless the actor may."""
    if actor is None or not actor.has_perm(f"minutes.{action}_minutes", minutes):
        raise PermissionDenied(refusal(action))


def lock_minutes(minutes: Minutes) -> Minutes:
    return Minutes.objects.select_for_update().select_related("meeting", "meeting__chair").get(pk=minutes.pk)


def in_words(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "l j F Y")


def family_invitations(meeting: Meeting) -> list[Invitation]:
    """The family members invited: each must answer the draft (or let the window close)."""
    roles = [role for role in InvitationRole if role.is_family]
    return list(meeting.invitations.filter(role__in=roles).select_related("person"))


def family_readers(meeting: Meeting) -> list[Invitation]:
    """Everyone told that the draft is ready: family members and those who come with them."""
    return list(meeting.invitations.filter(role__in=InvitationRole.family_readers()).select_related("person"))


def lock_section(minutes: Minutes, section: Section) -> Section:
    section = Section.objects.select_for_update().filter(pk=section.pk, minutes=minutes).first()
    if section is None:
        raise MinutesError("That section is not part of these minutes.")
    return section


def state_refusal(minutes: Minutes, cannot: str) -> MinutesError:
    """The one wording of "not in this state": "These minutes are approved, so they cannot be shared."."""
    return MinutesError(f"These minutes are {minutes.get_status_display().lower()}, so {cannot}.")


def has_commented(minutes: Minutes, invitation: Invitation) -> bool:
    """Has a comment of their own standing on the draft as last shared."""
    return minutes.comments.filter(author=invitation, withdrawn_at__isnull=True, round=minutes.share_count).exists()


def has_finished(minutes: Minutes, invitation: Invitation) -> bool:
    """Said, on the draft as last shared, that they have no (more) comments: they or the
    advocate who comes with them. Sending a comment is not finishing: a parent who has
    sent one may still be writing the next, so only their own word closes their time."""
    household = [invitation.pk, *invitation.companions.values_list("pk", flat=True)]
    return minutes.no_comments.filter(invitation__in=household, round=minutes.share_count).exists()


def has_answered(minutes: Minutes, invitation: Invitation) -> bool:
    """Answered the draft as last shared: a comment or "no comments" from them, or from the
    advocate who comes with them, on this sharing. An answer to an earlier sharing does not
    count for a draft that changed since."""
    household = [invitation.pk, *invitation.companions.values_list("pk", flat=True)]
    current = minutes.share_count
    return (
        minutes.comments.filter(author__in=household, withdrawn_at__isnull=True, round=current).exists()
        or minutes.no_comments.filter(invitation__in=household, round=current).exists()
    )
