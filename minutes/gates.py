"""The one way a page reaches a meeting's minutes: through the meeting's gate (an audited
404 for a meeting the user may not see), then the minutes' own permission (403)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from meetings.gates import access_meeting
from meetings.models import Meeting
from minutes.models import Minutes
from minutes.rules import refusal
from participants.rules import is_staff_role


def access_minutes(
    request: HttpRequest, pk: int, *, perm: str | None = None, started: bool = True
) -> tuple[Meeting, Minutes | None]:
    """The meeting ``pk`` and its minutes, if the user may see the meeting and, with
    ``perm`` (an action of ``minutes.rules.ACTIONS``), may do that to its minutes.

    Minutes not started are a 404, unless ``started=False``: then the minutes may be None
    and ``perm`` is asked of minutes about to be started.
    """
    meeting = access_meeting(request, pk, related=("minutes",))  # the minutes in the same query
    try:
        minutes = meeting.minutes
    except Minutes.DoesNotExist:
        minutes = None
    if minutes is None and started:
        raise Http404("These minutes have not been started")
    if minutes is not None:
        minutes.meeting = meeting  # with the viewer's role the gate read: the rules ask it
    if perm is not None and not request.user.has_perm(f"minutes.{perm}_minutes", minutes or Minutes(meeting=meeting)):
        raise PermissionDenied(refusal(perm))
    return meeting, minutes


def staff_only(request: HttpRequest, allowed, refusal: str) -> None:
    """For pages that belong to a staff role (managers' exports and dashboards, the quality
    page): staff without the role are refused (403, with ``refusal``); anyone else gets the
    404 a missing page gives, so no family member learns what is there."""
    if not is_staff_role(request.user):
        raise Http404("No such page")
    if not allowed(request.user):
        raise PermissionDenied(refusal)
