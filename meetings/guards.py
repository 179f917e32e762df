"""The checks every service makes before it changes something: lock the row, then ask permission."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from meetings.enums import MeetingStatus
from meetings.errors import MeetingError
from meetings.models import Meeting


def require(actor, perm: str, obj, message: str) -> None:
    """Raise PermissionDenied(message) unless ``actor`` has ``perm`` on ``obj``."""
    if actor is None or not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


def lock_meeting(meeting_id: int) -> Meeting:
    """Re-read the meeting under a row lock, so concurrent changes queue up."""
    return Meeting.objects.select_for_update().select_related("chair").get(pk=meeting_id)


def lock_for_invitations(meeting_id: int, *, actor, refusal: str, cannot: str) -> Meeting:
    """Lock a meeting whose list of invitees is about to change: only its administrator or
    chair may, and only while it is scheduled ("…, so <cannot>")."""
    meeting = lock_meeting(meeting_id)
    require(actor, "meetings.invite_meeting", meeting, refusal)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise MeetingError(f"This meeting is {meeting.get_status_display().lower()}, so {cannot}.")
    return meeting
