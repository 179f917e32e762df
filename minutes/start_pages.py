"""The front door and each person's start page.

They live here, at the top of the dependency chain (participants ← meetings ← minutes),
because a start page speaks of both: a chair's next step depends on the meeting and on
its minutes (write, share, answer comments, approve, distribute).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from config import fragments
from config.keyset import PeekPage
from meetings import selectors as meeting_selectors
from minutes import deadlines, selectors
from participants.rules import is_administrator, is_chair, is_manager, is_staff_role

# A start page says what comes next; the full lists page on (ten rows render in a
# fraction of the time of twenty, and the page stays as fast as the shell around it).
PAGE_SIZE = 10


def start(request):
    """The service's front door. It shows nothing about any family: that is behind login."""
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "start.html")


def _page(request, queryset, param: str) -> PeekPage:
    """A page of open work, without counting it (one query, not two)."""
    return PeekPage(queryset, request.GET.get(param), PAGE_SIZE)


@login_required
def home(request):
    """One page per person: each staff role's work, or a family member's own meetings.

    What it lists is kept rendered for this person (``config.fragments``) until a meeting,
    person or minutes changes, or for a minute: people come back to it all day."""
    key = f"{request.user.pk}:{timezone.localdate()}?{request.GET.urlencode()}"
    work = fragments.kept(
        "home",
        ("meetings", "people", "minutes"),
        key,
        lambda: render_to_string("meetings/_home_work.html", _work(request)),
    )
    return render(request, "meetings/home.html", {"work": work})


def _work(request) -> dict:
    user, now = request.user, timezone.now()
    context: dict = {"today": timezone.localdate()}
    if is_administrator(user):
        context["upcoming"] = _page(request, meeting_selectors.upcoming_meetings(now), "upcoming")
        context["late"] = _page(request, meeting_selectors.late_scheduled_meetings(), "late")
    if is_chair(user):
        page = _page(request, selectors.chair_workload(user, now), "chair")
        context["chair_page"] = page
        context["chair_steps"] = [selectors.chair_step(m, now) for m in page]
    if is_manager(user):
        context["counts"] = meeting_selectors.open_counts()
        context["manager_late"] = _page(request, meeting_selectors.late_scheduled_meetings(), "manager_late")
        context["no_minutes"] = _page(request, deadlines.no_minutes_produced(), "no_minutes")
    if not is_staff_role(user):
        page = _page(request, selectors.invitee_invitations(user), "page")
        context["invitations"] = page
        # What each person needs to do, and by when, leads: the most pressing first.
        steps = [selectors.invitee_step(invitation, now) for invitation in page]
        context["invitee_steps"] = sorted(steps, key=lambda step: not step.todo)
    return context
