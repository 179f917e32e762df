"""Pages for the family's feedback: sending it, reading it with its answer (and taking a
complaint to stage 2), and the managers' list. Who may see what is ``feedback.may_see``;
anyone else gets the 404 a missing page gives, so no one learns that feedback exists."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from audit.access import audit_page_view
from config.keyset import PeekPage
from meetings.gates import access_meeting
from minutes import feedback as service
from minutes.errors import MinutesError
from minutes.forms import EscalateForm, FeedbackAnswerForm, FeedbackForm
from minutes.gates import staff_only
from minutes.models import Feedback, Section
from participants.rules import is_manager

PAGE_SIZE = 20


@login_required
def feedback_add(request, pk: int):
    """A family member (or their advocate) sends a compliment, a comment or a complaint."""
    meeting = access_meeting(request, pk)
    invitation = service.sender_invitation(meeting, request.user)
    if invitation is None:
        raise PermissionDenied("Only the family, and those who come with them, send feedback once the meeting is held.")
    sections = service.sections_for(meeting, invitation)
    form = FeedbackForm(request.POST or None, sections=sections, initial={"section": request.GET.get("section")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        section = Section.objects.filter(pk=data["section"]).first() if data.get("section") else None
        try:
            sent = service.feedback_send(
                meeting=meeting,
                actor=request.user,
                kind=data["kind"],
                about=data["about"],
                text=data["text"],
                section=section,
                submission=data["submission"],
            )
        except MinutesError as exc:
            form.add_error(None, str(exc))
        else:
            what = sent.get_kind_display().lower().removeprefix("a ")
            due = sent.answer_due_on
            by = f" We will answer by {due:%A} {due.day} {due:%B}." if due else ""
            messages.success(request, f"Thank you. We have your {what}: its reference is {sent.reference}.{by}")
            return redirect("minutes:feedback_detail", pk=meeting.pk, feedback_pk=sent.pk)
    return render(
        request,
        "minutes/feedback_add.html",
        {"meeting": meeting, "form": form, "submission_token": uuid.uuid4()},
    )


@login_required
def feedback_detail(request, pk: int, feedback_pk: int):
    """The feedback and its answer. Managers look into it and answer; the author's
    household may take an answered complaint to stage 2."""
    meeting = access_meeting(request, pk)
    found = (
        Feedback.objects.select_related("section", "author__person", "meeting")
        .filter(meeting=meeting, pk=feedback_pk)
        .first()
    )
    if found is None or not service.may_see(found, request.user):
        raise Http404("No such feedback")
    manager = is_manager(request.user)
    answer_form = FeedbackAnswerForm(request.POST if request.POST.get("action") == "answer" else None)
    escalate_form = EscalateForm(request.POST if request.POST.get("action") == "escalate" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "investigate" and manager:
                service.feedback_investigate(feedback=found, actor=request.user)
                messages.success(request, f"{found.reference} is marked as being looked into.")
                return redirect("minutes:feedback_detail", pk=pk, feedback_pk=found.pk)
            if action == "answer" and manager and answer_form.is_valid():
                service.feedback_answer(feedback=found, actor=request.user, text=answer_form.cleaned_data["answer"])
                messages.success(request, f"Your answer to {found.reference} has been sent to the family.")
                return redirect("minutes:feedback_detail", pk=pk, feedback_pk=found.pk)
            if action == "escalate" and not manager and escalate_form.is_valid():
                service.feedback_escalate(
                    feedback=found, actor=request.user, reason=escalate_form.cleaned_data["reason"]
                )
                messages.success(request, f"Your complaint {found.reference} will be looked at again.")
                return redirect("minutes:feedback_detail", pk=pk, feedback_pk=found.pk)
        except MinutesError as exc:
            messages.error(request, str(exc))
            return redirect("minutes:feedback_detail", pk=pk, feedback_pk=found.pk)
    audit_page_view(request, meeting, "feedback.viewed", feedback=found.pk)
    return render(
        request,
        "minutes/feedback_detail.html",
        {
            "meeting": meeting,
            "feedback": found,
            "manager": manager,
            "answer_form": answer_form if manager and found.status in Feedback.OPEN else None,
            "may_investigate": manager and found.status in (Feedback.Status.ACKNOWLEDGED, Feedback.Status.ESCALATED),
            "escalate_form": escalate_form
            if not manager
            and found.kind == Feedback.Kind.COMPLAINT
            and found.status == Feedback.Status.ANSWERED
            and found.stage == 1
            else None,
        },
    )


@login_required
def feedback_list(request):
    """Managers: the feedback waiting for an answer, soonest due first."""
    staff_only(request, is_manager, "Only managers answer the families' feedback.")
    page = PeekPage(service.open_for_managers(), request.GET.get("page"), PAGE_SIZE)
    return render(request, "minutes/feedback_list.html", {"page": page, "today": timezone.localdate()})
