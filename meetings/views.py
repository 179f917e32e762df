"""Pages about meetings. Every lookup goes through ``meetings.selectors``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone

from audit.access import audit_view, get_visible_or_404
from meetings import selectors, timescales
from meetings.enums import MeetingStatus
from meetings.models import Meeting
from participants.rules import is_administrator, is_chair, is_manager, is_staff_role
from participants.services import AccountError, account_invite

PAGE_SIZE = 20


def start(request):
    """The service's front door. It shows nothing about any family: that is behind login."""
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "start.html")


@dataclass(frozen=True)
class NextStep:
    meeting: Meeting
    action: str
    due_on: date | None
    overdue: bool


def next_step_for_chair(meeting: Meeting, today: date) -> NextStep:
    """What the chair has to do next for a meeting, and by when (pure: no queries)."""
    if meeting.status == MeetingStatus.SCHEDULED:
        if meeting.local_date <= today:
            return NextStep(meeting, "Record the meeting as held", meeting.local_date, meeting.local_date < today)
        return NextStep(meeting, "Hold the meeting", meeting.local_date, False)
    t = timescales.timescales(meeting.kind)
    share_by = timescales.add_working_days(meeting.local_date, t.draft_share_working_days)
    return NextStep(meeting, "Write the minutes and share the draft", share_by, share_by < today)


def _page(request, queryset, param: str):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get(param))


@login_required
def home(request):
    """One page per person: each staff role's work, or a family member's own meetings."""
    user, now = request.user, timezone.now()
    today = timezone.localdate()
    context: dict = {"today": today}
    if is_administrator(user):
        context["upcoming"] = _page(request, selectors.upcoming_meetings(now), "upcoming")
        context["late"] = _page(request, selectors.late_scheduled_meetings(), "late")
    if is_chair(user):
        page = _page(request, selectors.chair_workload(user), "chair")
        context["chair_page"] = page
        context["chair_steps"] = [next_step_for_chair(m, today) for m in page]
    if is_manager(user):
        context["counts"] = selectors.status_counts()
        context["manager_late"] = _page(request, selectors.late_scheduled_meetings(), "manager_late")
    if not is_staff_role(user):
        context["invitations"] = _page(request, selectors.invitations_for_user(user), "page")
    return render(request, "meetings/home.html", context)


@login_required
def meeting_detail(request, pk: int):
    meeting = get_visible_or_404(
        request, selectors.meetings_for_user(request.user).select_related("chair", "family"), pk=pk
    )
    audit_view(request, meeting, "meeting.viewed")
    invitations = meeting.invitations.select_related("person", "agency").order_by("role", "id")
    own = next((inv for inv in invitations if inv.person.user_id == request.user.pk), None)
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "children": meeting.children.select_related("person"),
            "invitations": invitations,
            "own_invitation": own,
            "is_staff_view": is_staff_role(request.user),
            "can_invite_accounts": is_administrator(request.user),
        },
    )


@login_required
def invitation_account_invite(request, pk: int, invitation_pk: int):
    """An administrator gives an invitee a login and emails them how to sign in.

    Order matters: a meeting the user cannot see is a 404 before anything else, a visible
    meeting they may not act on is a 403, and only then is the method checked.
    """
    meeting = get_visible_or_404(request, selectors.meetings_for_user(request.user), pk=pk)
    if not is_administrator(request.user):
        raise PermissionDenied("Only administrators can invite people to use Confer.")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    invitation = get_visible_or_404(request, meeting.invitations.select_related("person"), pk=invitation_pk)
    try:
        account_invite(actor=request.user, person=invitation.person)
    except AccountError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{invitation.person.full_name} has been emailed how to sign in.")
    return redirect("meetings:detail", pk=meeting.pk)
