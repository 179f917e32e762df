"""The one way a page reaches a meeting.

A meeting the user may not see is a 404 identical to one that does not exist, and the
attempt is audited; a visible meeting they may not act on is a 403 saying why (their role,
or the meeting's state: ``meetings.rules.refusal``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from audit.access import not_found
from meetings.models import Meeting
from meetings.rules import refusal, remember_role
from meetings.selectors import visible_meeting


def access_meeting(request: HttpRequest, pk: int, *, perm: str | None = None, related: tuple[str, ...] = ()) -> Meeting:
    """The meeting ``pk`` if the user may see it and, with ``perm`` (an action of
    ``meetings.rules.ACTIONS``, e.g. "hold"), may do that to it now. ``related``: more of
    what comes with it in the same query (``select_related``), for a caller that needs it.

    The row comes with the user's role at the meeting, if invited (``viewer_role``), which
    the permission predicates and pages ask about."""
    user = request.user
    meeting = visible_meeting(user, pk, related=related)
    if meeting is None:
        not_found(request, Meeting, pk=pk)
    # The permission predicates ask the viewer's role at the meeting: it came with the row.
    remember_role(meeting, user, meeting.viewer_role)
    if perm is not None and not request.user.has_perm(f"meetings.{perm}_meeting", meeting):
        raise PermissionDenied(refusal(request.user, perm, meeting))
    return meeting
