"""The accuracy check page: the chair sends the draft to the professionals who attended and
decides on their suggestions; each of those professionals suggests corrections. One
page, shown to each as their part in it; anyone else who may see the meeting is refused."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from audit.access import audit_page_view
from config.forms import IdField
from core.forms import BoundedForm
from meetings import timescales
from minutes import accuracy, copies
from minutes.diff import word_diff
from minutes.errors import MinutesError
from minutes.gates import access_minutes
from minutes.models import AccuracyCheck, Suggestion


class SendForm(BoundedForm):
    deadline = forms.DateField(
        label="Ask for their corrections by",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Choose the date to ask for corrections by", "invalid": "Enter a real date"},
    )


class SuggestForm(BoundedForm):
    section = IdField(widget=forms.HiddenInput)
    text = forms.CharField(
        label="The section as you would correct it", widget=forms.Textarea(attrs={"rows": 6}), max_length=50000
    )
    note = forms.CharField(
        label="Why (optional)", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecideForm(BoundedForm):
    suggestion = IdField(widget=forms.HiddenInput)
    accept = forms.ChoiceField(choices=[("yes", "Accept"), ("no", "Do not accept")], widget=forms.HiddenInput)
    reason = forms.CharField(required=False, max_length=5000)


@login_required
def accuracy_page(request, pk: int):
    meeting, minutes = access_minutes(request, pk)
    user = request.user
    is_chair = user.has_perm("minutes.share_minutes", minutes)
    invitation = copies.invitation_of(meeting, user)
    checker = invitation is not None and invitation.pk in {i.pk for i in accuracy.checkers(minutes)}
    if not (is_chair or checker):
        raise PermissionDenied("Only the chair and the professionals who attended take part in the accuracy check.")
    check = AccuracyCheck.objects.filter(minutes=minutes).first()
    now = timezone.now()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "send" and is_chair:
                form = SendForm(request.POST)
                if not form.is_valid():
                    raise MinutesError("Choose the date to ask for corrections by.")
                accuracy.accuracy_check_send(minutes=minutes, actor=user, deadline=form.cleaned_data["deadline"])
                messages.success(request, "The draft has been sent to the professionals who attended.")
            elif action == "suggest" and checker:
                form = SuggestForm(request.POST)
                if not form.is_valid():
                    raise MinutesError("Write the section as you would correct it.")
                section = minutes.sections.filter(pk=form.cleaned_data["section"]).first()
                if section is None:
                    raise MinutesError("That section is not part of these minutes.")
                accuracy.suggestion_add(
                    section=section, actor=user, text=form.cleaned_data["text"], note=form.cleaned_data["note"]
                )
                messages.success(request, "Your suggestion has been sent to the chair.")
            elif action == "decide" and is_chair:
                form = DecideForm(request.POST)
                if not form.is_valid():
                    raise MinutesError("Choose whether to accept the suggestion.")
                suggestion = Suggestion.objects.filter(
                    pk=form.cleaned_data["suggestion"], accuracy_check__minutes=minutes
                ).first()
                if suggestion is None:
                    raise MinutesError("That suggestion is not about these minutes.")
                accept = form.cleaned_data["accept"] == "yes"
                accuracy.suggestion_decide(
                    suggestion=suggestion, actor=user, accept=accept, reason=form.cleaned_data["reason"]
                )
                messages.success(
                    request, "Accepted: the section is changed." if accept else "Not accepted: your reason is kept."
                )
            else:
                raise PermissionDenied("You cannot do that here.")
        except MinutesError as exc:
            messages.error(request, str(exc))
        return redirect("minutes:accuracy", pk=meeting.pk)
    suggestions = list(
        Suggestion.objects.filter(accuracy_check__minutes=minutes)
        .select_related("section", "author__person", "author__agency")
        .order_by("created_at", "id")
    )
    if not is_chair:
        suggestions = [s for s in suggestions if s.author_id == invitation.pk]
    audit_page_view(request, meeting, "minutes.accuracy_check_viewed", minutes=minutes.pk)  # it shows the draft
    due = meeting.draft_due_on
    default_deadline = min(due, timescales.add_working_days(timezone.localdate(), 3)) if due else None
    return render(
        request,
        "minutes/accuracy.html",
        {
            "meeting": meeting,
            "minutes": minutes,
            "check": check,
            "open": accuracy.is_open(check, now),
            "is_chair": is_chair,
            "checker": checker,
            "checkers": accuracy.checkers(minutes) if is_chair else [],
            "send_form": SendForm(initial={"deadline": default_deadline}) if is_chair and check is None else None,
            "sections": list(minutes.sections.order_by("order")) if checker else [],
            "suggestions": [(s, word_diff(s.base_text, s.text)) for s in suggestions],
        },
    )
