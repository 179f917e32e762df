"""The checks every service makes before it changes something: lock the row, then ask the
permission table (``meetings.rules.ACTIONS``) who may act and in which state."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from meetings.errors import MeetingError
from meetings.models import Meeting
from meetings.rules import ACTIONS, state_refusal


def require(actor, perm: str, obj, message: str) -> None:
    """Raise PermissionDenied(message) unless ``actor`` has ``perm`` on ``obj``."""
    if actor is None or not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


def require_action(actor, action: str, meeting: Meeting) -> None:
    """Refuse unless ``actor`` may do ``action`` to ``meeting`` now: PermissionDenied when
    their role does not allow it, MeetingError ("This meeting is …, so …") when the
    meeting's state does not."""
    rule = ACTIONS[action]
    # Superusers (the site's operators) pass every role check, as they do in has_perm;
    # the meeting's state still applies to them.
    if actor is None or not (actor.is_superuser or rule.who.test(actor, meeting)):
        raise PermissionDenied(rule.refusal)
    if rule.when is not None and not rule.when.test(actor, meeting):
        raise MeetingError(state_refusal(meeting, rule.cannot))


def lock_meeting(meeting_id: int) -> Meeting:
    """Re-read the meeting under a row lock, so concurrent changes queue up."""
    return Meeting.objects.select_for_update().select_related("chair").get(pk=meeting_id)


def lock_for_invitations(meeting_id: int, *, actor, action: str = "invite") -> Meeting:
    """Lock a meeting whose invitations are about to change or go out."""
    meeting = lock_meeting(meeting_id)
    require_action(actor, action, meeting)
    return meeting
