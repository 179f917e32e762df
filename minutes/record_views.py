"""Pages about the final record: distributing it and each reader's copy, the decision
letter, subject access exports, and the managers' timeliness dashboard."""

from __future__ import annotations

import csv
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from audit.access import audit_view, get_visible_or_404
from config import fragments
from meetings.errors import MeetingError
from meetings.gates import access_meeting
from minutes import dashboard, deadlines, feedback, quality, services
from minutes.errors import MinutesError
from minutes.forms import (
    DecisionLetterForm,
    DistributeForm,
    SubjectAccessForm,
    TimelinessForm,
)
from minutes.gates import access_minutes, staff_only
from minutes.models import DecisionLetter, DecisionLetterCopy, Distribution, SubjectAccessExport
from minutes.views import back_to_minutes
from participants.enums import StaffRole
from participants.models import Child, Person
from participants.rules import is_manager


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
        messages.success(request, services.distribution_summary(made))
    return back_to_minutes(meeting)


@login_required
def own_copy(request, pk: int):
    """The signed-in recipient's own copy of the distributed minutes, and no one else's.
    Every download is audited; the first is kept on the copy."""
    meeting, minutes = access_minutes(request, pk)
    copy = get_visible_or_404(
        request, Distribution.objects.select_related("minutes"), minutes=minutes, person__user=request.user
    )
    now = timezone.now()
    if Distribution.objects.filter(pk=copy.pk, first_opened_at__isnull=True).update(first_opened_at=now):
        fragments.moved_on("minutes")  # "first opened" is shown to the chair
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
    if DecisionLetterCopy.objects.filter(pk=copy.pk, first_opened_at__isnull=True).update(
        first_opened_at=timezone.now()
    ):
        fragments.moved_on("minutes")
    audit_view(request, meeting, "meeting.decision_letter_downloaded", copy=copy.pk, sha256=copy.sha256)
    return FileResponse(
        copy.file.open("rb"),
        as_attachment=True,
        filename=f"decision-{meeting.reference}.pdf",
        content_type="application/pdf",
    )


@login_required
def subject_access(request, child_pk: int):
    """A manager answers a subject access request for a child: one PDF of every distributed
    record about them, as the person who asked may read it."""
    staff_only(request, is_manager, "Only managers produce subject access exports.")
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
    staff_only(request, is_manager, "Only managers produce subject access exports.")
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
    per month, each meeting, and a CSV of it all.

    The figures are the same for every manager and are kept rendered until something they
    show changes (``config.fragments``); a form with errors is rendered afresh."""
    staff_only(request, is_manager, "Only managers see the timeliness dashboard.")
    today = timezone.localdate()
    chairs = Person.objects.filter(user__groups__name=StaffRole.CHAIR).order_by("full_name")
    initial = {"start": today.replace(day=1) - timedelta(days=365), "end": today}
    form = TimelinessForm(request.GET or initial, chairs=chairs)
    query = request.GET.urlencode()
    if not form.is_valid():
        figures = render_to_string("minutes/includes/timeliness_figures.html", _timeliness_context(form, query))
    elif request.GET.get("format") == "csv":
        data = form.cleaned_data
        rows = dashboard.rows_for(data["start"], data["end"], chair_id=data["chair"].pk if data["chair"] else None)
        return _timeliness_csv(rows, by_child=request.GET.get("by") == "child")
    else:
        figures = fragments.kept(
            "timeliness",
            dashboard.TOPICS,
            f"{today}?{query}",
            lambda: render_to_string("minutes/includes/timeliness_figures.html", _timeliness_context(form, query)),
        )
    return render(request, "minutes/timeliness.html", {"figures": figures})


def _timeliness_context(form: TimelinessForm, query: str) -> dict:
    report, feedback_counts, quality_by_chair = None, None, None
    if form.is_valid():
        data = form.cleaned_data
        report = dashboard.timeliness(data["start"], data["end"], chair_id=data["chair"].pk if data["chair"] else None)
        feedback_counts = feedback.answered_in(data["start"], data["end"])
        quality_by_chair = quality.results(data["start"], data["end"])[0]
    bars = dashboard.chart_bars(report) if report else []
    return {
        "form": form,
        "report": report,
        "totals": [(label, report.totals[key]) for key, label in dashboard.MEASURES] if report else [],
        "rows": [
            (row, [label for key, label in dashboard.MEASURES if row.results.get(key) is False]) for row in report.rows
        ]
        if report
        else [],
        "bars": bars,
        "chart_width": 40 + dashboard.BAR_SPACING * len(bars),
        "overdue": deadlines.open_overdue(),
        "feedback_counts": feedback_counts,
        "quality_by_chair": quality_by_chair,
        "query": query,
    }


def _timeliness_csv(rows: list[dashboard.Row], *, by_child: bool) -> HttpResponse:
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
    for row in rows:
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
