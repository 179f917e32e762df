"""Minutes pages. One overview serves every reader, each seeing only what they may."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from audit.access import audit_page_view, get_visible_or_404
from config import fragments
from meetings.enums import InvitationRole, MeetingStatus
from minutes import copies, feedback, redaction, services
from minutes.diff import word_diff
from minutes.enums import MinutesStatus
from minutes.errors import MinutesError, StaleSection
from minutes.forms import (
    ApproveForm,
    CommentForm,
    ReasonForm,
    ResponseForm,
    RestrictionForm,
    SectionForm,
)
from minutes.gates import access_minutes
from minutes.models import Comment, DecisionLetterCopy, Minutes
from minutes.rules import refusal


def back_to_minutes(meeting, anchor: str = ""):
    response = redirect("minutes:overview", pk=meeting.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@login_required
def overview(request, pk: int):
    """The minutes as this reader may see them: every part of the page comes from their
    copy (``minutes.copies.reader_copy``), never from the rows themselves.

    Who may see the meeting and its minutes is checked, and the view audited, on every
    request. What the copy shows this reader is kept rendered (``config.fragments``) under
    their user, the meeting and the day until a meeting, person or minutes change (a
    comment, an answer, a restriction, a new share), or for a minute: the comment window
    closing shows within it, and a comment sent after it gets the late comment's message.
    Its forms' CSRF token and the fresh submission token that stops a double post are
    filled in per request."""
    meeting, minutes = access_minutes(request, pk, started=False)
    user = request.user
    # The reader's own invitation came with the meeting (``viewer_role``); the copy needs
    # the meeting's invitations, read only when it is rendered.
    role = meeting.viewer_role
    context = {
        "meeting": meeting,
        "minutes": minutes,
        "is_family": role is not None and redaction.reads_as_family(role),
    }
    if minutes is None:
        context["can_start"] = meeting.status in (MeetingStatus.HELD, MeetingStatus.MINUTED) and user.has_perm(
            "minutes.change_minutes", Minutes(meeting=meeting)
        )
        return _overview_page(request, meeting, {**context, "letter_copy": _letter_copy(meeting, user, role)})
    if not user.has_perm("minutes.view_minutes", minutes):
        raise PermissionDenied(refusal("view"))
    if context["is_family"] and minutes.status == MinutesStatus.DRAFT:
        # Not shared yet (or withdrawn for rework): nothing of the draft is shown.
        context.update(not_ready=True, letter_copy=_letter_copy(meeting, user, role))
        return _overview_page(request, meeting, context)
    audit_page_view(request, minutes.meeting, "minutes.viewed", minutes=minutes.pk, status=minutes.status)
    token = get_token(request)  # one per page: the layout's form takes it too
    body = fragments.kept(
        "minutes",
        ("meetings", "people", "minutes"),
        f"{user.pk}:{meeting.pk}:{timezone.localdate()}",
        lambda: render_to_string(
            "minutes/_overview_body.html",
            {
                **_reading_context(context, user),
                "csrf_token": fragments.marker("csrf"),
                "submission_token": fragments.marker("submission"),
            },
        ),
        fill={"csrf": token, "submission": str(uuid.uuid4())},
    )
    return render(request, "minutes/overview.html", {"meeting": meeting, "body": body, "csrf_token": token})


def _overview_page(request, meeting, context: dict):
    body = render_to_string("minutes/_overview_body.html", context, request)
    return render(request, "minutes/overview.html", {"meeting": meeting, "body": body})


def _letter_copy(meeting, user, role: str | None):
    if role is None or not InvitationRole(role).receives_decision_letter:
        return None
    return DecisionLetterCopy.objects.filter(letter__meeting=meeting, person__user=user).first()


def _reading_context(context: dict, user) -> dict:
    """Everything the page shows a reader of started minutes, from their copy."""
    meeting, minutes = context["meeting"], context["minutes"]
    invitations = copies.invitations_of(meeting)
    own = copies.own_invitation(invitations, user)
    reader = copies.readers_from(invitations)[own.pk] if own is not None else redaction.Reader.staff()
    copy = copies.reader_copy(minutes, reader)
    window_open = minutes.is_open_for_comments(timezone.now())
    can_comment = window_open and user.has_perm("minutes.comment_minutes", minutes)
    this_round = [c for c in copy.own_comments if c.active and c.comment.round == minutes.share_count]
    return {
        **context,
        "own": own,
        "letter_copy": _letter_copy(meeting, user, meeting.viewer_role),
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
        # What this household has told the service since, and where to tell it more.
        "feedback_show": feedback.may_send(meeting, own),
        "feedback_items": list(feedback.for_household(meeting, reader)) if reader.reads_as_family else [],
        **_distribution_context(minutes, user, reader),
    }


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
    return back_to_minutes(meeting)


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
            return back_to_minutes(meeting, f"section-{section.pk}")
    return render(
        request,
        "minutes/section_edit.html",
        {"meeting": meeting, "minutes": minutes, "section": section, "form": form, "stale": stale},
    )


@login_required
def section_restrict(request, pk: int, section_pk: int):
    meeting, minutes = access_minutes(request, pk, perm="restrict")
    section = get_visible_or_404(request, minutes.sections.all(), pk=section_pk)
    initial = {
        "third_party_source": section.third_party_source,
        "restricted_from": list(section.restricted_from.all()),
        "seen": services.restrictions_seen(section),
    }
    form = RestrictionForm(request.POST or None, minutes=minutes, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = {**form.cleaned_data, "seen": form.cleaned_data["seen"] or None}
            services.section_set_restrictions(section=section, actor=request.user, **data)
        except MinutesError as exc:
            # Shown as it is now (read for this request), not as the out-of-date page had it.
            current = {
                "third_party_source": section.third_party_source_id or "",
                "restricted_from": [invitation.pk for invitation in initial["restricted_from"]],
                "seen": initial["seen"],
            }
            form = RestrictionForm(current, minutes=minutes)
            form.is_valid()
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Saved who may read: {section.heading}.")
            return back_to_minutes(meeting, f"section-{section.pk}")
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
            return back_to_minutes(meeting)
        kwargs["reason"] = form.cleaned_data["reason"]
    try:
        action(minutes=minutes, actor=request.user, **kwargs)
    except MinutesError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return back_to_minutes(meeting)


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
        return back_to_minutes(meeting)
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
    form = ApproveForm(request.POST)
    reason = form.cleaned_data["close_early_reason"] if form.is_valid() else ""
    try:
        version = services.minutes_approve(minutes=minutes, actor=request.user, close_early_reason=reason)
    except MinutesError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The minutes are approved (version {version.number}).")
    return back_to_minutes(meeting)


@login_required
def comment_add(request, pk: int):
    meeting, minutes = access_minutes(request, pk, perm="comment")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _comment_not_sent(request, meeting, form)
    section = None
    if form.cleaned_data["section"]:
        section = get_visible_or_404(request, minutes.sections.all(), pk=form.cleaned_data["section"])
    try:
        comment = services.comment_add(
            minutes=minutes,
            actor=request.user,
            text=form.cleaned_data["text"],
            section=section,
            submission=form.cleaned_data["submission"],
        )
    except MinutesError as exc:
        form.add_error("text", str(exc))
        return _comment_not_sent(request, meeting, form)
    messages.success(request, "Thank you. Your comment has been sent to the chair.")
    return back_to_minutes(meeting, f"comment-{comment.pk}")


def _comment_not_sent(request, meeting, form: CommentForm):
    """A comment that was not sent comes back with the reason and every word of it, so it
    can be shortened or corrected and sent again (or copied, if the window has closed)."""
    return render(request, "minutes/comment_again.html", {"meeting": meeting, "form": form}, status=400)


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
            return back_to_minutes(meeting)
    return render(
        request, "minutes/comment_edit.html", {"meeting": meeting, "minutes": minutes, "comment": comment, "form": form}
    )


@login_required
def no_comments(request, pk: int):
    """'I have no (more) comments': a page that says what it means (the chair may then finish
    the minutes before the deadline), then the answer, confirmed on that page."""
    meeting, minutes = access_minutes(request, pk, perm="comment")
    if request.method != "POST":
        own = copies.invitation_of(meeting, request.user)
        commented = own is not None and services.has_commented(minutes, own)
        return render(
            request,
            "minutes/no_comments.html",
            {"meeting": meeting, "minutes": minutes, "commented": commented},
        )
    try:
        services.no_comments(minutes=minutes, actor=request.user)
    except MinutesError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Thank you. The chair knows you have no comments.")
    return back_to_minutes(meeting)


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
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, "Your answer is saved; the family can read it.")
            return back_to_minutes(meeting, f"comment-{comment.pk}")
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
