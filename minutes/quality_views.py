"""Pages for record quality: audit one distributed record, and the quality page (results
per chair and month, the audits, a CSV, and a random sample to audit each month)."""

from __future__ import annotations

import csv
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from audit.access import audit_page_view
from core.forms import BoundedForm
from meetings.gates import access_meeting
from minutes import quality
from minutes.enums import MinutesStatus
from minutes.errors import MinutesError
from minutes.gates import staff_only
from minutes.models import Minutes
from participants.rules import is_chair, is_manager


class AuditForm(BoundedForm):
    """A result and a comment for each item of the checklist, as it stands."""

    def __init__(self, *args, items: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"result_{item['key']}"] = forms.ChoiceField(
                label=item["label"],
                choices=list(quality.RESULTS.items()),
                widget=forms.RadioSelect,
                help_text=f"Confer measured: {item['measured']}" if item["measured"] else "",
                error_messages={"required": f"Give a result for: {item['label']}"},
            )
            self.fields[f"comment_{item['key']}"] = forms.CharField(
                label="Comment",
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )


@login_required
def quality_audit(request, pk: int):
    """Audit one distributed record against the checklist, with what Confer measured filled in."""
    meeting = access_meeting(request, pk)
    staff_only(request, is_manager | is_chair, "Managers and chairs audit records.")
    if not quality.may_audit(request.user, meeting):
        raise PermissionDenied("A chair audits other chairs' records, not their own.")
    minutes = Minutes.objects.filter(meeting=meeting, status=MinutesStatus.DISTRIBUTED).first()
    if minutes is None:
        raise Http404("Only distributed minutes are audited")
    minutes.meeting = meeting
    items = quality.prefilled_items(minutes)
    initial = {f"result_{item['key']}": item["result"] for item in items if item["result"]}
    form = AuditForm(request.POST or None, items=items, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            quality.audit_record_quality(
                meeting=meeting,
                actor=request.user,
                results={item["key"]: data[f"result_{item['key']}"] for item in items},
                comments={item["key"]: data[f"comment_{item['key']}"] for item in items},
            )
        except MinutesError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Your audit of {meeting.reference} is saved.")
            return redirect("quality")
    audit_page_view(request, meeting, "quality.viewed")
    return render(request, "minutes/quality_audit.html", {"meeting": meeting, "form": form})


class PeriodForm(BoundedForm):
    start = forms.DateField(label="Distributed from", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="to", widget=forms.DateInput(attrs={"type": "date"}))


class SampleForm(BoundedForm):
    month = forms.DateField(
        label="Month to sample",
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    size = forms.IntegerField(label="How many records", min_value=1, max_value=50, initial=5)
    seed = forms.IntegerField(
        label="Seed", min_value=0, max_value=2**31, help_text="The same month, number and seed draw the same records."
    )


@login_required
def quality_page(request):
    """Results per chair and month for records distributed in the period, the audits, a
    CSV of every item, and a random sample of a month's records to audit."""
    staff_only(request, is_manager | is_chair, "Managers and chairs audit records.")
    today = timezone.localdate()
    period = PeriodForm(request.GET if "start" in request.GET else {"start": today - timedelta(days=365), "end": today})
    start, end = (period.cleaned_data["start"], period.cleaned_data["end"]) if period.is_valid() else (today, today)
    by_chair, by_month, audits = quality.results(start, end)
    if request.GET.get("format") == "csv":
        return _csv(audits)
    last_month = today.replace(day=1) - timedelta(days=1)
    sample_form = SampleForm(
        request.GET if "month" in request.GET else None,
        initial={"month": last_month.replace(day=1), "size": 5, "seed": int(f"{last_month:%Y%m}")},
    )
    sample = None
    if sample_form.is_bound and sample_form.is_valid():
        data = sample_form.cleaned_data
        sample = quality.draw_sample(data["month"], data["size"], data["seed"])
    return render(
        request,
        "minutes/quality.html",
        {
            "period": period,
            "by_chair": by_chair,
            "by_month": by_month,
            "audits": audits[-50:],
            "sample_form": sample_form,
            "sample": sample,
            "query": request.GET.urlencode(),
        },
    )


def _csv(audits) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="record-quality.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "reference",
            "chair",
            "distributed on",
            "audited on",
            "auditor",
            "item",
            "result",
            "measured by Confer",
            "comment",
        ]
    )
    for audit in audits:
        for item in audit.items:
            writer.writerow(
                [
                    audit.meeting.reference,
                    audit.chair.full_name,
                    audit.distributed_on.isoformat(),
                    timezone.localtime(audit.created_at).date().isoformat(),
                    audit.auditor.email,
                    item["label"],
                    quality.RESULTS.get(item["result"], item["result"]),
                    item.get("measured", ""),
                    item.get("comment", ""),
                ]
            )
    return response
