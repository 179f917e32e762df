"""Who may do what with a meeting's minutes.

Staff and invited professionals read the full draft; family members (parents, carers,
young people and their advocates) read their redacted draft once it is shared. The chair,
an invited minute-taker or an administrator writes; only the chair shares, answers
comments and approves.
"""

import rules

from meetings.enums import InvitationRole
from meetings.rules import is_meeting_chair
from participants.rules import is_administrator, is_chair, is_manager

FAMILY_ROLES = (InvitationRole.PARENT_CARER, InvitationRole.YOUNG_PERSON, InvitationRole.ADVOCATE)


def _invitation_role(user, minutes):
    if minutes is None or not getattr(user, "is_authenticated", False):
        return None
    return minutes.meeting.invitations.filter(person__user=user).values_list("role", flat=True).first()


@rules.predicate
def is_chair_of_minutes(user, minutes) -> bool:
    return minutes is not None and is_meeting_chair(user, minutes.meeting)


@rules.predicate
def is_minute_taker(user, minutes) -> bool:
    return _invitation_role(user, minutes) == InvitationRole.MINUTE_TAKER


@rules.predicate
def is_invited_professional(user, minutes) -> bool:
    return _invitation_role(user, minutes) in (InvitationRole.PROFESSIONAL, InvitationRole.MINUTE_TAKER)


@rules.predicate
def is_family_reader(user, minutes) -> bool:
    return _invitation_role(user, minutes) in FAMILY_ROLES


can_write = is_chair_of_minutes | is_minute_taker | is_administrator
can_read_full = is_administrator | is_chair | is_manager | is_invited_professional

MINUTES_PERMISSIONS = {
    "view": can_read_full | is_family_reader,
    "change": can_write,
    "share": is_chair_of_minutes,
    "respond": is_chair_of_minutes,
    "approve": is_chair_of_minutes,
    "comment": is_family_reader,
}
