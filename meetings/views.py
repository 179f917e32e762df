"""Pages about meetings. Every lookup goes through ``meetings.selectors``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from audit.access import audit_page_view, audit_view, get_visible_or_404
from audit.forms import AuditSearchForm
from audit.selectors import search_events
from config import fragments
from meetings import feeds, invites, reports, selectors, services
from meetings.enums import Rsvp
from meetings.errors import MeetingError, StaleMeeting, add_to_form
from meetings.forms import (
    AttendanceForm,
    CancelForm,
    InviteFamilyForm,
    InviteOtherForm,
    OutcomeForm,
    ReportForm,
    RescheduleForm,
    RsvpForm,
    ScheduleForm,
)
from meetings.gates import access_meeting
from meetings.models import CalendarReply, Meeting
from participants.enums import StaffRole
from participants.models import Family, Person
from participants.rules import is_administrator, is_manager, is_staff_role
from participants.services import AccountError, account_invite

PAGE_SIZE = 20


@login_required
def meeting_detail(request, pk: int):
    return _detail_page(request, access_meeting(request, pk))


def _detail_page(request, meeting: Meeting, rsvp_form: RsvpForm | None = None):
    """The meeting page; with ``rsvp_form``, the reply the invitee sent back with its errors.

    Who may see the meeting is checked, and the view audited, on every request; what the
    page shows this reader is kept rendered (``config.fragments``) under their user, the
    meeting and the day until a meeting, person, minutes or (for staff, who see what was
    emailed) outbox change. Its forms' CSRF token is filled in per request; a reply with
    errors is rendered afresh."""
    audit_page_view(request, meeting, "meeting.viewed")
    if rsvp_form is not None:
        body = render_to_string("meetings/_detail_body.html", _detail_context(request, meeting, rsvp_form), request)
        return render(request, "meetings/detail.html", {"meeting": meeting, "body": body})
    staff_view = is_staff_role(request.user)
    token = get_token(request)  # one per page: the layout's form takes it too
    body = fragments.kept(
        "meeting",
        ("meetings", "people", "minutes", "notifications") if staff_view else ("meetings", "people", "minutes"),
        # Whether it has started changes what the chair is offered (recording it as held).
        f"{request.user.pk}:{meeting.pk}:{timezone.localdate()}:{meeting.starts_at <= timezone.now()}",
        lambda: render_to_string(
            "meetings/_detail_body.html",
            {**_detail_context(request, meeting, None), "csrf_token": fragments.marker("csrf")},
        ),
        fill={"csrf": token},
    )
    return render(request, "meetings/detail.html", {"meeting": meeting, "body": body, "csrf_token": token})


def _detail_context(request, meeting: Meeting, rsvp_form: RsvpForm | None) -> dict:
    user = request.user
    invitations = list(
        meeting.invitations.select_related("person", "agency", "accompanies__person").order_by("role", "id")
    )
    own = next((inv for inv in invitations if inv.person.user_id == user.pk), None)
    staff_view = is_staff_role(user)
    can_arrange = user.has_perm("meetings.reschedule_meeting", meeting)
    return {
        "meeting": meeting,
        "children": meeting.children.select_related("person"),
        "invitations": invitations,
        "own_invitation": own,
        "rsvp_form": (rsvp_form or RsvpForm(initial={"rsvp": own.rsvp}))
        if user.has_perm("meetings.reply_meeting", meeting)
        else None,
        "is_staff_view": staff_view,
        "can_arrange": can_arrange,
        "can_hold": user.has_perm("meetings.hold_meeting", meeting),
        "hold_not_yet": services.hold_not_yet(meeting, timezone.now()),
        "can_send_letter": user.has_perm("meetings.send_letter_meeting", meeting),
        "can_invite_accounts": user.has_perm("meetings.invite_accounts_meeting", meeting),
        "unsent": sum(1 for inv in invitations if inv.person.email and inv.sent_sequence != meeting.sequence),
        "emails": selectors.emails_for_meeting(meeting) if staff_view else None,
        # Calendar replies not applied (a new time proposed, an out-of-date reply): for
        # the people who arrange the meeting.
        "calendar_notes": list(
            meeting.calendar_replies.exclude(outcome=CalendarReply.Outcome.APPLIED).order_by("-received_at")[:10]
        )
        if can_arrange
        else [],
        "reports": [(r, reports.reached_family_in_time(r)) for r in selectors.reports_visible_to(meeting, user)],
        "report_deadline": reports.share_deadline(meeting),
        "can_report": user.has_perm("meetings.report_meeting", meeting),
        "sees_report_status": staff_view or (own is not None and own.role_enum.reads_full_record),
    }


@login_required
def invitation_account_invite(request, pk: int, invitation_pk: int):
    """An administrator gives an invitee a login and emails them how to sign in.

    Order matters: a meeting the user cannot see is a 404 before anything else, a visible
    meeting they may not act on is a 403, and only then is the method checked.
    """
    meeting = access_meeting(request, pk, perm="invite_accounts")
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


def _post_only(request):
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


@login_required
def meeting_respond(request, pk: int):
    """The signed-in invitee answers whether they can come."""
    meeting = access_meeting(request, pk, perm="reply")
    invitation = meeting.invitations.get(person__user=request.user)
    if (refused := _post_only(request)) is not None:
        return refused
    form = RsvpForm(request.POST)
    if form.is_valid():
        try:
            invites.invitation_respond(invitation=invitation, actor=request.user, **form.cleaned_data)
        except MeetingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Thank you. Your reply has been saved.")
    else:
        # The page again, with an error summary that leads to the question.
        return _detail_page(request, meeting, rsvp_form=form)
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
def meeting_send_invitations(request, pk: int):
    meeting = access_meeting(request, pk, perm="invite")
    if (refused := _post_only(request)) is not None:
        return refused
    try:
        count = invites.invitations_send(meeting=meeting, actor=request.user)
    except MeetingError as exc:
        messages.error(request, str(exc))
    else:
        if count:
            messages.success(request, f"Invitations sent to {count} {'person' if count == 1 else 'people'}.")
        else:
            messages.success(request, "Everyone invited has already been sent the latest invitation.")
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
def meeting_reschedule(request, pk: int):
    meeting = access_meeting(request, pk, perm="reschedule")
    form = RescheduleForm.for_meeting(meeting, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_reschedule(
                meeting=meeting,
                actor=request.user,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.ends_at,
                venue=form.cleaned_data["venue"],
                online_link=form.cleaned_data["online_link"],
                reason=form.cleaned_data["reason"],
                late_reason=form.cleaned_data.get("late_reason", ""),
                version=form.cleaned_data["version"],
            )
        except StaleMeeting as exc:
            # Their answers stay; the form now carries the meeting's current version.
            form = RescheduleForm.for_meeting(exc.meeting, {**request.POST.dict(), "version": exc.meeting.sequence})
            form.is_valid()
            add_to_form(form, exc)
            meeting = exc.meeting
        except MeetingError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, "The meeting has been moved and everyone invited has been sent the new time.")
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/reschedule.html", {"meeting": meeting, "form": form})


@login_required
def meeting_cancel(request, pk: int):
    meeting = access_meeting(request, pk, perm="cancel")
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(meeting=meeting, actor=request.user, reason=form.cleaned_data["reason"])
        except MeetingError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, "The meeting has been cancelled and everyone invited has been told.")
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/cancel.html", {"meeting": meeting, "form": form})


@login_required
def invitation_remove(request, pk: int, invitation_pk: int):
    meeting = access_meeting(request, pk, perm="invite")
    if (refused := _post_only(request)) is not None:
        return refused
    invitation = get_visible_or_404(request, meeting.invitations.select_related("person"), pk=invitation_pk)
    try:
        invites.invitation_remove(invitation=invitation, actor=request.user)
    except MeetingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{invitation.person.full_name} is no longer invited.")
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
def meeting_invite(request, pk: int):
    """Choose who to invite: the family's members, and professionals or others."""
    meeting = access_meeting(request, pk, perm="invite")
    which = request.POST.get("form")
    family_form = InviteFamilyForm(request.POST if which == "family" else None, meeting=meeting, prefix="family")
    other_form = InviteOtherForm(request.POST if which == "other" else None, meeting=meeting, prefix="other")
    if request.method == "POST":
        form = family_form if which == "family" else other_form
        if form.is_valid():
            try:
                added = _invite_from(form, meeting, request.user, which)
            except (MeetingError, AccountError) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Added {added}. Send the invitations when everyone is on the list.")
                return redirect("meetings:invite", pk=meeting.pk)
    invitations = meeting.invitations.select_related("person", "agency", "accompanies__person").order_by("role", "id")
    return render(
        request,
        "meetings/invite.html",
        {"meeting": meeting, "family_form": family_form, "other_form": other_form, "invitations": invitations},
    )


def _invite_from(form, meeting: Meeting, actor, which: str) -> str:
    data = form.cleaned_data
    if which == "family":
        added = invites.invitations_add_family(
            meeting=meeting, actor=actor, adults=data["adults"], young_people=data["young_people"]
        )
        return ", ".join(inv.person.full_name for inv in added)
    invitation = invites.invitation_add_other(
        meeting=meeting,
        actor=actor,
        role=data["role"],
        person=data["existing"],
        full_name=data["full_name"],
        email=data["email"],
        agency=data["agency"],
        new_agency=data["new_agency"],
        new_agency_kind=data["new_agency_kind"],
        interpreting_language=data["interpreting_language"],
        accompanies=data["accompanies"],
    )
    return invitation.person.full_name


@login_required
def meeting_hold(request, pk: int):
    """The chair records who came, who was asked to leave for part, and each child's outcome."""
    meeting = access_meeting(request, pk, perm="hold")
    if not_started := services.hold_not_yet(meeting, timezone.now()):
        messages.info(request, not_started)
        return redirect("meetings:detail", pk=meeting.pk)
    invitations = list(meeting.invitations.select_related("person", "agency").order_by("role", "id"))
    data = request.POST if request.method == "POST" else None
    rows = [
        (inv, AttendanceForm(data, prefix=f"inv-{inv.pk}", initial={"attendance": _initial_attendance(inv)}))
        for inv in invitations
    ]
    outcome_form = OutcomeForm(data, meeting=meeting, prefix="outcome")
    error = None
    if data is not None and all(form.is_valid() for _, form in rows) and outcome_form.is_valid():
        attendance = {
            inv.pk: services.AttendanceRecord(
                form.cleaned_data["attendance"],
                form.cleaned_data["excluded_from_part"],
                form.cleaned_data["exclusion_reason"],
            )
            for inv, form in rows
        }
        try:
            meeting = services.meeting_hold(
                meeting=meeting, actor=request.user, attendance=attendance, outcomes=outcome_form.outcomes()
            )
        except MeetingError as exc:
            error = str(exc)
        else:
            follow = (
                f" The next {meeting.get_next_kind_display().lower()} is due by "
                f"{date_format(meeting.next_due_on, 'l j F Y')}."
                if meeting.next_due_on
                else ""
            )
            messages.success(request, f"The meeting is recorded as held.{follow}")
            return redirect("meetings:detail", pk=meeting.pk)
    elif data is not None:
        error = "Check the answers marked below."
    return render(
        request, "meetings/hold.html", {"meeting": meeting, "rows": rows, "outcome_form": outcome_form, "error": error}
    )


def _initial_attendance(invitation) -> str | None:
    return {Rsvp.DECLINED: "apologies"}.get(invitation.rsvp)


@login_required
def due(request):
    """Every child whose next conference or review is due and not yet scheduled."""
    if not is_staff_role(request.user):
        raise PermissionDenied("Only staff can see the due list.")
    # The same list for all staff (with a link to schedule for administrators): kept
    # rendered until a meeting or person changes (``config.fragments``).
    can_schedule = is_administrator(request.user)
    rows = fragments.kept(
        "due",
        ("meetings", "people"),
        f"{can_schedule}:{timezone.localdate()}?{request.GET.urlencode()}",
        lambda: render_to_string(
            "meetings/_due_rows.html",
            {"page": selectors.due_page(request.GET.get("page")), "can_schedule": can_schedule},
        ),
    )
    return render(request, "meetings/due.html", {"rows": rows})


@login_required
def mail(request):
    """What came to the service mailbox and waits for a person, and what could not be
    sent: for administrators, who arrange meetings and answer for their invitations."""
    if not is_staff_role(request.user):
        raise Http404("No such page")
    if not is_administrator(request.user):
        raise PermissionDenied("Only administrators look after the service's mail.")
    return render(
        request, "meetings/mail.html", {"held": selectors.held_mail(), "undelivered": selectors.undelivered_mail()}
    )


@login_required
def meeting_schedule(request, family_pk: int):
    """An administrator schedules a meeting for a family's children."""
    families = Family.objects.all() if is_staff_role(request.user) else Family.objects.none()
    family = get_visible_or_404(request, families, pk=family_pk)
    if not request.user.has_perm("meetings.add_meeting"):
        raise PermissionDenied("Only administrators can schedule meetings.")
    chairs = Person.objects.filter(user__groups__name=StaffRole.CHAIR, user__is_active=True).order_by("full_name")
    initial = {"kind": request.GET.get("kind"), "children": list(family.children.values_list("pk", flat=True))}
    form = ScheduleForm(request.POST or None, family=family, chairs=chairs, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if (earlier := selectors.scheduled_by(data["submission"])) is not None:
            # This form was posted already (a double click): go where the first post went.
            return redirect("meetings:invite", pk=earlier.pk)
        clashes = selectors.chair_clashes(data["chair"], data["starts_at"], form.ends_at)
        if clashes.exists() and not data["confirm_clash"]:
            clash = clashes.first()
            form.add_error(
                "confirm_clash",
                f"{data['chair'].full_name} already chairs {clash.reference} at "
                f"{date_format(timezone.localtime(clash.starts_at), 'H:i \\o\\n j F')}. "
                "Tick the box to schedule anyway.",
            )
        else:
            try:
                meeting = services.meeting_schedule(
                    actor=request.user,
                    kind=data["kind"],
                    family=family,
                    children=list(data["children"]),
                    chair=data["chair"],
                    starts_at=data["starts_at"],
                    ends_at=form.ends_at,
                    venue=data["venue"],
                    online_link=data["online_link"],
                    notes_for_participants=data["notes_for_participants"],
                    strategy_discussion_on=data["strategy_discussion_on"],
                    late_reason=data["late_reason"],
                    submission=data["submission"],
                )
            except MeetingError as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, f"{meeting.reference} is scheduled. Now choose who to invite.")
                return redirect("meetings:invite", pk=meeting.pk)
    due_dates = selectors.due_dates_for_family(family)
    return render(request, "meetings/schedule.html", {"family": family, "form": form, "due_dates": due_dates})


def calendar_feed(request, token: str):
    """The feed itself: no sign-in (calendar apps cannot), the secret in the URL instead.
    An unknown or revoked token is a plain 404."""
    feed = feeds.feed_for_token(token)
    if feed is None:
        raise Http404("No such calendar")
    response = HttpResponse(feeds.feed_body(feed), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def calendar_feed_settings(request):
    """Chairs and administrators make, replace or revoke their private calendar address."""
    if not feeds.may_have_feed(request.user):
        raise PermissionDenied("Only chairs and administrators have a calendar feed.")
    new_url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            feeds.feed_revoke(actor=request.user)
            messages.success(request, "Your calendar address no longer works. Calendars using it stop updating.")
            return redirect("meetings:feed_settings")
        token = feeds.feed_create(actor=request.user)
        new_url = request.build_absolute_uri(reverse("meetings:feed", args=[token]))
    has_feed = feeds.CalendarFeed.objects.filter(user=request.user).exists()
    return render(request, "meetings/feed_settings.html", {"new_url": new_url, "has_feed": has_feed})


@login_required
def report_submit(request, pk: int):
    """An invited professional submits (or replaces) their agency's report."""
    meeting = access_meeting(request, pk, perm="report")
    existing = meeting.reports.filter(author__user=request.user).first()
    initial = {"text": existing.text, "share_with_family": existing.share_with_family} if existing else None
    form = ReportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            reports.report_submit(meeting=meeting, actor=request.user, **form.cleaned_data)
        except MeetingError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, "Your report has been received.")
            return redirect("meetings:detail", pk=meeting.pk)
    context = {"meeting": meeting, "form": form, "existing": existing, "deadline": reports.share_deadline(meeting)}
    return render(request, "meetings/report.html", context)


@login_required
def report_file(request, pk: int, report_pk: int):
    """Download a report's PDF, if the user may see that report. Every download is audited."""
    meeting = access_meeting(request, pk)
    report = get_visible_or_404(request, selectors.reports_visible_to(meeting, request.user), pk=report_pk)
    if not report.file:
        raise Http404("This report has no file")
    audit_view(request, meeting, "report.downloaded", report=report.pk)
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=f"report-{meeting.reference}-{report.pk}.pdf",
        content_type="application/pdf",
    )


@login_required
def audit_search(request):
    """Managers search who saw and changed what, by person, child reference and date.
    Searching is itself not audited: it reads the log, not a family's record."""
    if not is_manager(request.user):
        raise PermissionDenied("Only managers can search the audit log.")
    form = AuditSearchForm(request.GET or None)
    events = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        objects = selectors.audit_objects_for_child(data["child"]) if data["child"] else None
        found = search_events(
            person=data["person"], objects=objects, date_from=data["date_from"], date_to=data["date_to"]
        )
        events = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(request, "audit/search.html", {"form": form, "events": events, "query": request.GET.urlencode()})
