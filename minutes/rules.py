"""Who may do what with a meeting's minutes.

Staff and the invited people who read the full record (professionals, the minute-taker)
read the full draft; family members and those who come with them read their own copy once
it is shared (``InvitationRole.party`` says who is which). The chair, an invited
minute-taker or an administrator writes; only the chair shares, answers comments and
approves; family members (and an advocate on their behalf) comment.
"""

import rules

from meetings.enums import InvitationRole
from meetings.rules import is_meeting_chair, own_role
from participants.rules import is_administrator, is_chair, is_manager


def _invitation_role(user, minutes) -> InvitationRole | None:
    """The user's role at the minutes' meeting: known already when the meeting came through
    its gate, which read it with the meeting."""
    return None if minutes is None else own_role(user, minutes.meeting)


@rules.predicate
def is_chair_of_minutes(user, minutes) -> bool:
    return minutes is not None and is_meeting_chair(user, minutes.meeting)


@rules.predicate
def is_minute_taker(user, minutes) -> bool:
    return _invitation_role(user, minutes) == InvitationRole.MINUTE_TAKER


@rules.predicate
def is_invited_professional(user, minutes) -> bool:
    role = _invitation_role(user, minutes)
    return role is not None and role.reads_full_record


@rules.predicate
def is_family_reader(user, minutes) -> bool:
    role = _invitation_role(user, minutes)
    return role is not None and role.reads_as_family


@rules.predicate
def is_commenter(user, minutes) -> bool:
    role = _invitation_role(user, minutes)
    return role is not None and role.may_comment


can_write = is_chair_of_minutes | is_minute_taker | is_administrator
can_read_full = is_administrator | is_chair | is_manager | is_invited_professional

# Each action: who may do it, and what to tell someone who may not. The minutes' state
# (draft, shared, approved) is checked by the services, which say exactly why ("already
# approved on …"); the pages show each action only in the states it applies to.
ACTIONS: dict[str, tuple[rules.Predicate, str]] = {
    "view": (can_read_full | is_family_reader, "You cannot read these minutes."),
    "change": (can_write, "Only the chair, the minute-taker or an administrator writes minutes."),
    "share": (is_chair_of_minutes, "Only the chair shares the draft."),
    "restrict": (is_chair_of_minutes, "Only the chair decides what is withheld."),
    "withdraw": (is_chair_of_minutes, "Only the chair withdraws the draft."),
    "reopen": (is_chair_of_minutes, "Only the chair reopens the comment window."),
    "respond": (is_chair_of_minutes, "Only the chair answers the family's comments."),
    "approve": (is_chair_of_minutes, "Only the chair approves the minutes."),
    "distribute": (is_chair_of_minutes, "Only the chair distributes the minutes."),
    "comment": (is_commenter, "Only the family members invited to the meeting comment on the draft."),
    "history": (can_read_full, "The history of changes is for the people who wrote and checked the minutes."),
}

MINUTES_PERMISSIONS = {name: predicate for name, (predicate, _refusal) in ACTIONS.items()}


def refusal(action: str) -> str:
    return ACTIONS[action][1]
