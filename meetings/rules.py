"""Who may do what to a meeting, and when.

Staff act by role; the chair of a meeting is the only one who holds it. Everyone else's
access comes from an invitation, and what an invitation allows from its role
(``InvitationRole``). Each action below says who may do it, in which state of the meeting,
and what to tell someone who may not: the pages (``meetings.gates``), the templates
(``{% has_perm %}``) and the services (``meetings.guards``) all ask this one table.
``MEETING_PERMISSIONS`` is read by ``Meeting.Meta``, so
``user.has_perm("meetings.hold_meeting", meeting)`` asks these predicates.
"""

from __future__ import annotations

from dataclasses import dataclass

import rules

from meetings.enums import InvitationRole, MeetingStatus
from participants.rules import is_administrator, is_chair, is_manager


def own_role(user, meeting) -> InvitationRole | None:
    """The user's role at the meeting, asked once per meeting object (the minutes' rules
    ask it of their meeting too)."""
    if meeting is None or not getattr(user, "is_authenticated", False):
        return None
    known = meeting.__dict__.setdefault("_invitation_roles", {})
    if user.pk not in known:
        role = meeting.invitations.filter(person__user=user).values_list("role", flat=True).first()
        known[user.pk] = InvitationRole(role) if role else None
    return known[user.pk]


def remember_role(meeting, user, role: str | None) -> None:
    """Record the user's role at the meeting when it is already known (loaded with the
    meeting), so the predicates do not ask again."""
    meeting.__dict__.setdefault("_invitation_roles", {})[user.pk] = InvitationRole(role) if role else None


@rules.predicate
def is_meeting_chair(user, meeting) -> bool:
    if meeting is None or not getattr(user, "is_authenticated", False):
        return False
    return meeting.chair.user_id == user.pk


@rules.predicate
def is_invited(user, meeting) -> bool:
    return own_role(user, meeting) is not None


@rules.predicate
def is_invited_to_reply(user, meeting) -> bool:
    role = own_role(user, meeting)
    return role is not None and role.replies


@rules.predicate
def is_invited_professional(user, meeting) -> bool:
    return own_role(user, meeting) == InvitationRole.PROFESSIONAL


@rules.predicate
def is_scheduled(user, meeting) -> bool:
    return meeting is not None and meeting.status == MeetingStatus.SCHEDULED


@rules.predicate
def is_held_conference(user, meeting) -> bool:
    return (
        meeting is not None
        and meeting.kind_enum.is_conference
        and meeting.status in (MeetingStatus.HELD, MeetingStatus.MINUTED)
    )


can_schedule = is_administrator
can_change_arrangements = is_administrator | is_meeting_chair
can_view = is_administrator | is_chair | is_manager | is_invited


@dataclass(frozen=True)
class Action:
    """An action on a meeting: ``who`` may do it, ``when`` (the meeting's state) it can be
    done, what to tell someone who may not (``refusal``), and what cannot happen in another
    state ("This meeting is held, so <cannot>.")."""

    who: rules.Predicate
    refusal: str
    when: rules.Predicate | None = None
    cannot: str = ""

    @property
    def predicate(self) -> rules.Predicate:
        return self.who & self.when if self.when is not None else self.who


ACTIONS: dict[str, Action] = {
    "reschedule": Action(
        can_change_arrangements,
        "Only an administrator or the chair can reschedule this meeting.",
        is_scheduled,
        "it cannot be rescheduled",
    ),
    "cancel": Action(
        can_change_arrangements,
        "Only an administrator or the chair can cancel this meeting.",
        is_scheduled,
        "it cannot be cancelled",
    ),
    "invite": Action(
        can_change_arrangements,
        "Only an administrator or the chair can change who is invited.",
        is_scheduled,
        "who is invited cannot change",
    ),
    "send_invitations": Action(
        can_change_arrangements,
        "Only an administrator or the chair can send the invitations.",
        is_scheduled,
        "invitations cannot be sent",
    ),
    "hold": Action(
        is_meeting_chair, "Only the chair of this meeting can record it as held.", is_scheduled, "it cannot be held"
    ),
    "reply": Action(
        is_invited_to_reply, "Only people invited to this meeting can reply.", is_scheduled, "replies are closed"
    ),
    "report": Action(
        is_invited_professional,
        "Only professionals invited to this meeting can submit a report.",
        is_scheduled,
        "reports are closed",
    ),
    "invite_accounts": Action(is_administrator, "Only administrators can invite people to use Confer."),
    "send_letter": Action(
        is_meeting_chair,
        "Only the chair of this conference sends its decision letter.",
        is_held_conference,
        "there is no decision letter to send (only a held conference has one)",
    ),
}

MEETING_PERMISSIONS = {
    "add": can_schedule,
    "view": can_view,
    "change": can_change_arrangements,
    **{name: action.predicate for name, action in ACTIONS.items()},
}


def state_refusal(meeting, cannot: str) -> str:
    """The one wording of "not in this state": "This meeting is cancelled, so it cannot be held."."""
    return f"This meeting is {meeting.get_status_display().lower()}, so {cannot}."


def refusal(user, action: str, meeting) -> str:
    """Why ``user`` may not do ``action`` to ``meeting``: their role, or the meeting's state."""
    rule = ACTIONS[action]
    if not rule.who.test(user, meeting):
        return rule.refusal
    return state_refusal(meeting, rule.cannot)
