"""Minutes pages. One overview serves every reader, each seeing only what they may."""

from __future__ import annotations

import csv
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone

from audit.access import audit_view, get_visible_or_404
from meetings.enums import InvitationRole, MeetingStatus
from meetings.errors import MeetingError
from meetings.gates import access_meeting
from minutes import copies, dashboard, deadlines, redaction, services
from minutes.diff import word_diff
from minutes.enums import MinutesStatus
from minutes.errors import MinutesError, StaleSection
from minutes.forms import (
    CommentForm,
    DecisionLetterForm,
    DistributeForm,
    ReasonForm,
    ResponseForm,
    RestrictionForm,
    SectionForm,
    SubjectAccessForm,
    TimelinessForm,
)
from minutes.gates import access_minutes
from minutes.models import Comment, DecisionLetter, DecisionLetterCopy, Distribution, Minutes, SubjectAccessExport
from minutes.rules import refusal
from participants.enums import StaffRole
from participants.models import Child, Person
from participants.rules import is_manager, is_staff_role


def _back(meeting, anchor: str = ""):
    response = redirect("minutes:overview", pk=meeting.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@login_required
def overview(request, pk: int):
    """The minutes as this reader may see them: every part of the page comes from their
    copy (``minutes.copies.reader_copy``), never from the rows themselves."""
    meeting, minutes = access_minutes(request, pk, started=False)
    user = request.user
    own = copies.invitation_of(meeting, user)
    reader = copies.reader_of(own) if own is not None else redaction.Reader.staff()
    context = {
        "meeting": meeting,
        "minutes": minutes,
        "own": own,
        "is_family": reader.reads_as_family,
        "letter_copy": DecisionLetterCopy.objects.filter(letter__meeting=meeting, person__user=user).first()
        if own is not None and own.role_enum.receives_decision_letter
        else None,
    }
    if minutes is None:
        context["can_start"] = meeting.status in (MeetingStatus.HELD, MeetingStatus.MINUTED) and user.has_perm(
            "minutes.change_minutes", Minutes(meeting=meeting)
        )
        return render(request, "minutes/overview.html", context)
    if not user.has_perm("minutes.view_minutes", minutes):
        raise PermissionDenied(refusal("view"))
    if reader.reads_as_family and minutes.status == MinutesStatus.DRAFT:
        # Not shared yet (or withdrawn for rework): nothing of the draft is shown.
        context["not_ready"] = True
        return render(request, "minutes/overview.html", context)
    audit_view(request, minutes.meeting, "minutes.viewed", minutes=minutes.pk, status=minutes.status)
    copy = copies.reader_copy(minutes, reader)
    window_open = minutes.is_open_for_comments(timezone.now())
    can_comment = window_open and user.has_perm("minutes.comment_minutes", minutes)
    this_round = [c for c in copy.own_comments if c.active and c.comment.round == minutes.share_count]
    context.update(
        {
            "copy": copy,
            "window_open": window_open,
            "can_write": minutes.status == MinutesStatus.DRAFT and user.has_perm("minutes.change_minutes", minutes),
            # What this reader may do here, asked of the permission table once per action.
            "may": {
                action: user.has_perm(f"minutes.{action}_minutes", minutes)
                for action in ("share", "restrict", "withdraw", "reopen", "respond", "approve", "distribute")
            },
            "can_comment": can_comment,
            "young_person": own is not None and own.role == InvitationRole.YOUNG_PERSON,
            "said_no_comments": can_comment
            and minutes.no_comments.filter(invitation=own, round=minutes.share_count).exists(),
            "commented_this_round": bool(this_round),
            "latest_version": minutes.versions.order_by("-number").first(),
            **_distribution_context(minutes, user, reader),
        }
    )
    return render(request, "minutes/overview.html", context)


def _distribution_context(minutes, user, reader) -> dict:
    """What the page says about distribution: when it is due, who was sent what, your copy."""
    if minutes.status not in (MinutesStatus.APPROVED, MinutesStatus.DISTRIBUTED):
        return {}
    due = services.distribution_due(minutes.meeting)
    context = {"distribution_due": due, "distribution_late": timezone.localdate() > due}
    if minutes.status == MinutesStatus.DISTRIBUTED:
        context["own_copy"] = minutes.distributions.filter(person__user=user).first()
        if not reader.reads_as_family:
            context["distributions"] = minutes.distributions.select_related("person").order_by("id")
    return context


@login_required
def start(request, pk: int):
    meeting, _minutes = access_minutes(request, pk, perm="change", started=False)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.minutes_start(meeting=meeting, actor=request.user)
    except MinutesError as exc:
        messages.error(request, str(exc))
    return _back(meeting)


@login_required
def section_edit(request, pk: int, section_pk: int):
    meeting, minutes = access_minutes(request, pk, perm="change")
    section = get_visible_or_404(request, minutes.sections.all(), pk=section_pk)
    form = SectionForm(request.POST or None, initial={"text": section.text, "version": section.version})
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            services.section_save(
                section=section,
                actor=request.user,
                text=form.cleaned_data["text"],
                version=form.cleaned_data["version"],
            )
        except StaleSection as exc:
            stale = exc
            # Offer the current version to save against, with the person's own text kept.
            form = SectionForm(initial={"text": exc.yours, "version": exc.current_version})
        except MinutesError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Saved: {section.heading}.")
            return _back(meeting, f"section-{section.pk}")
    return render(
        request,
        "minutes/section_edit.html",
        {"meeting": meeting, "minutes": minutes, "section": section, "form": form, "stale": stale},
    )


@login_required
def section_restrict(request, pk: int, section_pk: int):
    meeting, minutes = access_minutes(request, pk, perm="restrict")
    section = get_visible_or_404(request, minutes.sections.all(), pk=section_pk)
    initial = {"third_party_source": section.third_party_source, "restricted_from": list(section.restricted_from.all())}
    form = RestrictionForm(request.POST or None, minutes=minutes, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.section_set_restrictions(section=section, actor=request.user, **form.cleaned_data)
        except MinutesError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Saved who may read: {section.heading}.")
            return _back(meeting, f"section-{section.pk}")
    return render(
        request,
        "minutes/section_restrict.html",
        {"meeting": meeting, "minutes": minutes, "section": section, "form": form},
    )


def _chair_action(request, pk: int, perm: str, action, success: str, *, needs_reason: bool = False):
    meeting, minutes = access_minutes(request, pk, perm=perm)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    kwargs = {}
    if needs_reason:
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Give a reason.")
            return _back(meeting)
        kwargs["reason"] = form.cleaned_data["reason"]
    try:
        action(minutes=minutes, actor=request.user, **kwargs)
    except MinutesError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return _back(meeting)


@login_required
def section_add_part(request, pk: int, section_pk: int):
    meeting, minutes = access_minutes(request, pk, perm="restrict")
    section = get_visible_or_404(request, minutes.sections.all(), pk=section_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        part = services.section_add_part(section=section, actor=request.user)
    except MinutesError as exc:
        messages.error(request, str(exc))
        return _back(meeting)
    return redirect("minutes:section_edit", pk=meeting.pk, section_pk=part.pk)


@login_required
def share(request, pk: int):
    return _chair_action(
        request,
        pk,
        "share",
        services.minutes_share,
        "The draft is shared. The family has been told it is ready for their comments.",
    )


@login_required
def withdraw(request, pk: int):
    return _chair_action(
        request,
        pk,
        "withdraw",
        services.minutes_withdraw,
        "The draft is back with you. The family's comments are kept.",
        needs_reason=True,
    )


@login_required
def reopen(request, pk: int):
    return _chair_action(
        request,
        pk,
        "reopen",
        services.window_reopen,
        "The comment window is open again and the family has been told.",
        needs_reason=True,
    )


@login_required
def approve(request, pk: int):
    meeting, minutes = access_minutes(request, pk, perm="approve")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        version = services.minutes_approve(minutes=minutes, actor=request.user)
    except MinutesError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The minutes are approved (version {version.number}).")
    return _back(meeting)


@login_required
def comment_add(request, pk: int):
    meeting, minutes = access_minutes(request, pk, perm="comment")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write your comment.")
        return _back(meeting)
    section = None
    if form.cleaned_data["section"]:
        section = get_visible_or_404(request, minutes.sections.all(), pk=form.cleaned_data["section"])
    try:
        comment = services.comment_add(
            minutes=minutes, actor=request.user, text=form.cleaned_data["text"], section=section
        )
    except MinutesError as exc:
        messages.error(request, str(exc))
        return _back(meeting)
    messages.success(request, "Thank you. Your comment has been sent to the chair.")
    return _back(meeting, f"comment-{comment.pk}")


@login_required
def comment_edit(request, pk: int, comment_pk: int):
    meeting, minutes = access_minutes(request, pk)
    own = copies.invitation_of(meeting, request.user)
    comment = get_visible_or_404(
        request, minutes.comments.filter(author=own) if own else Comment.objects.none(), pk=comment_pk
    )
    form = CommentForm(request.POST or None, initial={"text": comment.text})
    if request.method == "POST" and form.is_valid():
        try:
            if "withdraw" in request.POST:
                services.comment_withdraw(comment=comment, actor=request.user)
                messages.success(request, "Your comment has been withdrawn.")
            else:
                services.comment_edit(comment=comment, actor=request.user, text=form.cleaned_data["text"])
                messages.success(request, "Your comment has been changed.")
        except MinutesError as exc:
            form.add_error(None, str(exc))
        else:
            return _back(meeting)
    return render(
        request, "minutes/comment_edit.html", {"meeting": meeting, "minutes": minutes, "comment": comment, "form": form}
    )


@login_required
def no_comments(request, pk: int):
    meeting, minutes = access_minutes(request, pk, perm="comment")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.no_comments(minutes=minutes, actor=request.user)
    except MinutesError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Thank you. The chair knows you have no comments.")
    return _back(meeting)


@login_required
def respond(request, pk: int, comment_pk: int):
    meeting, minutes = access_minutes(request, pk, perm="respond")
    comment = get_visible_or_404(request, minutes.comments.select_related("section", "author__person"), pk=comment_pk)
    section = comment.section
    initial = {"amended_text": section.text if section else "", "section_version": section.version if section else None}
    form = ResponseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.comment_respond(
                comment=comment,
                actor=request.user,
                accepted=data["accepted"],
                reason=data["reason"],
                amended_text=data["amended_text"] if data["accepted"] and section else None,
                section_version=data["section_version"],
                show_to_family=data["show_to_family"],
            )
        except StaleSection as exc:
            form.add_error("amended_text", str(exc))
        except MinutesError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Your answer is saved; the family can read it.")
            return _back(meeting, f"comment-{comment.pk}")
    return render(
        request, "minutes/respond.html", {"meeting": meeting, "minutes": minutes, "comment": comment, "form": form}
    )


@login_required
def history(request, pk: int):
    """Every amendment made in answer to the family, as tracked changes, and the versions:
    for the people who write and check the minutes, from their own copy."""
    meeting, minutes = access_minutes(request, pk, perm="history")
    own = copies.invitation_of(meeting, request.user)
    reader = copies.reader_of(own) if own is not None else redaction.Reader.staff()
    copy = copies.reader_copy(minutes, reader)
    amendments = [
        (comment, word_diff(comment.response.text_before, comment.response.text_after)) for comment in copy.amendments
    ]
    return render(
        request,
        "minutes/history.html",
        {"meeting": meeting, "minutes": minutes, "amendments": amendments, "versions": minutes.versions.all()},
    )


@login_required
def distribute(request, pk: int):
    """The chair sends the approved minutes: everyone entitled gets their own copy."""
    meeting, minutes = access_minutes(request, pk, perm="distribute")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = DistributeForm(request.POST)
    late_reason = form.cleaned_data["late_reason"] if form.is_valid() else ""
    try:
        made = services.minutes_distribute(minutes=minutes, actor=request.user, late_reason=late_reason)
    except MinutesError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The minutes have gone to {len(made)} people, each with their own copy.")
    return _back(meeting)


@login_required
def own_copy(request, pk: int):
    """The signed-in recipient's own copy of the distributed minutes, and no one else's.
    Every download is audited; the first is kept on the copy."""
    meeting, minutes = access_minutes(request, pk)
    copy = get_visible_or_404(
        request, Distribution.objects.select_related("minutes"), minutes=minutes, person__user=request.user
    )
    now = timezone.now()
    Distribution.objects.filter(pk=copy.pk, first_opened_at__isnull=True).update(first_opened_at=now)
    audit_view(request, meeting, "minutes.copy_downloaded", distribution=copy.pk, sha256=copy.sha256)
    return FileResponse(
        copy.file.open("rb"),
        as_attachment=True,
        filename=f"minutes-{meeting.reference}.pdf",
        content_type="application/pdf",
    )


@login_required
def decision_letter(request, pk: int):
    """The chair writes and sends a conference's decision letter to the parents."""
    meeting = access_meeting(request, pk, perm="send_letter")
    sent = DecisionLetter.objects.filter(meeting=meeting).first()
    form = DecisionLetterForm(request.POST or None)
    if request.method == "POST" and sent is None and form.is_valid():
        try:
            services.decision_letter_send(meeting=meeting, actor=request.user, **form.cleaned_data)
        except (MinutesError, MeetingError) as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, "The decision letter has been sent to the parents.")
            return redirect("meetings:detail", pk=meeting.pk)
    context = {
        "meeting": meeting,
        "form": form,
        "sent": sent,
        "due": services.decision_letter_due(meeting),
        "outcomes": meeting.outcomes.select_related("child__person"),
    }
    return render(request, "minutes/decision_letter.html", context)


@login_required
def decision_letter_copy(request, pk: int):
    """A parent's own copy of the decision letter; every download is audited."""
    meeting = access_meeting(request, pk)
    copy = get_visible_or_404(
        request, DecisionLetterCopy.objects.all(), letter__meeting=meeting, person__user=request.user
    )
    DecisionLetterCopy.objects.filter(pk=copy.pk, first_opened_at__isnull=True).update(first_opened_at=timezone.now())
    audit_view(request, meeting, "meeting.decision_letter_downloaded", copy=copy.pk, sha256=copy.sha256)
    return FileResponse(
        copy.file.open("rb"),
        as_attachment=True,
        filename=f"decision-{meeting.reference}.pdf",
        content_type="application/pdf",
    )


def _manager_only(request) -> None:
    """Staff who are not managers are refused (403); no one else may know a child exists (404)."""
    if not is_staff_role(request.user):
        raise Http404("No such page")
    if not is_manager(request.user):
        raise PermissionDenied("Only managers produce subject access exports.")


@login_required
def subject_access(request, child_pk: int):
    """A manager answers a subject access request for a child: one PDF of every distributed
    record about them, as the person who asked may read it."""
    _manager_only(request)
    child = get_visible_or_404(request, Child.objects.select_related("person", "family"), pk=child_pk)
    requesters = services.requesters_for(child)
    form = SubjectAccessForm(request.POST or None, requesters=Person.objects.filter(pk__in=[p.pk for p in requesters]))
    if request.method == "POST" and form.is_valid():
        try:
            export = services.subject_access_export(
                child=child, requester=form.cleaned_data["requester"], actor=request.user
            )
        except MinutesError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"The export holds {export.records} record{'s' if export.records != 1 else ''}.")
            return redirect("subject_access", child_pk=child.pk)
    exports = SubjectAccessExport.objects.filter(child=child).select_related("requester", "made_by")
    return render(request, "minutes/subject_access.html", {"child": child, "form": form, "exports": exports})


@login_required
def subject_access_file(request, export_pk: int):
    """Download an export (managers only); every download is audited."""
    _manager_only(request)
    export = get_visible_or_404(request, SubjectAccessExport.objects.select_related("child"), pk=export_pk)
    audit_view(request, export.child, "subject_access.downloaded", export=export.pk, sha256=export.sha256)
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=f"subject-access-{export.child.identifier}-{export.pk}.pdf",
        content_type="application/pdf",
    )


@login_required
def timeliness(request):
    """Managers see how timely meetings, drafts, letters and minutes were: totals, a chart
    per month, each meeting, and a CSV of it all."""
    _manager_only(request)
    today = timezone.localdate()
    chairs = Person.objects.filter(user__groups__name=StaffRole.CHAIR).order_by("full_name")
    initial = {"start": today.replace(day=1) - timedelta(days=365), "end": today}
    form = TimelinessForm(request.GET or initial, chairs=chairs)
    report = None
    if form.is_valid():
        data = form.cleaned_data
        report = dashboard.timeliness(data["start"], data["end"], chair_id=data["chair"].pk if data["chair"] else None)
        if request.GET.get("format") == "csv":
            return _timeliness_csv(report, by_child=request.GET.get("by") == "child")
    bars = dashboard.chart_bars(report) if report else []
    context = {
        "form": form,
        "report": report,
        "totals": [(label, report.totals[key]) for key, label in dashboard.MEASURES] if report else [],
        "rows": [
            (row, [label for key, label in dashboard.MEASURES if row.results.get(key) is False])
            for row in report.rows[:100]
        ]
        if report
        else [],
        "bars": bars,
        "chart_width": 40 + 64 * len(bars),
        "no_minutes": deadlines.no_minutes_produced()[:50],
        "query": request.GET.urlencode(),
    }
    return render(request, "minutes/timeliness.html", context)


def _timeliness_csv(report, *, by_child: bool) -> HttpResponse:
    """One row per meeting, or per child of each meeting (``by_child``), by identifier."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = "timeliness-by-child.csv" if by_child else "timeliness.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "reference",
            "kind",
            "held on",
            "children",
            "chair",
            *[label for _key, label in dashboard.MEASURES],
            "working days to distribution",
        ]
    )
    words = {True: "on time", False: "late", None: ""}
    for row in report.rows:
        for children in row.children.split(", ") if by_child else [row.children]:
            writer.writerow(
                [
                    row.meeting.reference,
                    row.meeting.get_kind_display(),
                    row.held_on.isoformat(),
                    children,
                    row.chair,
                    *[
                        words[row.results.get(key)] if key in row.results else "n/a"
                        for key, _label in dashboard.MEASURES
                    ],
                    "" if row.days_to_distribution is None else row.days_to_distribution,
                ]
            )
    return response
