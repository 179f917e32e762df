"""Who may do what to a meeting.

Staff act by role; the chair of a meeting is the only one who holds it. Everyone else's
access comes from an invitation. ``MEETING_PERMISSIONS`` is read by ``Meeting.Meta``, so
``user.has_perm("meetings.hold_meeting", meeting)`` asks these predicates.
"""

import rules

from participants.rules import is_administrator, is_chair, is_manager


@rules.predicate
def is_meeting_chair(user, meeting) -> bool:
    if meeting is None or not getattr(user, "is_authenticated", False):
        return False
    return meeting.chair.user_id == user.pk


@rules.predicate
def is_invited(user, meeting) -> bool:
    if meeting is None or not getattr(user, "is_authenticated", False):
        return False
    return meeting.invitations.filter(person__user=user).exists()


can_schedule = is_administrator
can_change_arrangements = is_administrator | is_meeting_chair
can_hold = is_meeting_chair
can_view = is_administrator | is_chair | is_manager | is_invited

MEETING_PERMISSIONS = {
    "add": can_schedule,
    "view": can_view,
    "change": can_change_arrangements,
    "reschedule": can_change_arrangements,
    "cancel": can_change_arrangements,
    "invite": can_change_arrangements,
    "hold": can_hold,
}
