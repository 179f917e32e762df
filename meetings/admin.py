"""Admin for meetings. Status, sequence and times change only through admin actions that
call ``meetings.services``, so the admin cannot skip the audit log or a transition rule."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from simple_history.admin import SimpleHistoryAdmin

from meetings import services, timescales
from meetings.errors import MeetingError
from meetings.forms import OutcomeForm, ReasonForm, RescheduleForm
from meetings.models import CalendarFeed, CalendarReply, ChildOutcome, Invitation, Meeting, ReferenceCounter, Report


class BulkRescheduleForm(RescheduleForm):
    """The admin's action moves the meetings chosen in the list: there is no one form
    filled in against one meeting's version, so it is not asked for."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["version"]


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    fields = ["person", "role", "agency", "rsvp", "attendance", "excluded_from_part", "exclusion_reason"]
    readonly_fields = ["rsvp"]
    autocomplete_fields = ["person", "agency"]


class ChildOutcomeInline(admin.TabularInline):
    model = ChildOutcome
    extra = 0
    can_delete = False
    readonly_fields = ["child", "plan_needed", "category", "review_outcome", "notes"]

    def has_add_permission(self, request, obj=None):
        return False


def _run(modeladmin, request, queryset, service, **kwargs) -> None:
    done = 0
    for meeting in queryset:
        try:
            service(meeting=meeting, actor=request.user, **kwargs)
            done += 1
        except (MeetingError, PermissionDenied) as exc:
            modeladmin.message_user(request, f"{meeting.reference}: {exc}", messages.ERROR)
    if done:
        modeladmin.message_user(request, f"{done} meeting(s) updated.", messages.SUCCESS)


def _form_action(modeladmin, request, queryset, form_class, title, on_valid):
    """An admin action that asks for details (a reason, new times) on an intermediate page."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        on_valid(form.cleaned_data)
        return None
    return _render_action_form(modeladmin, request, queryset, form, title)


def _render_action_form(modeladmin, request, queryset, form, title):
    return render(
        request,
        "admin/meetings/action_form.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "form": form,
            "queryset": queryset,
            "action": request.POST["action"],
            "opts": modeladmin.model._meta,
        },
    )


@admin.action(description="Cancel selected meetings")
def cancel_meetings(modeladmin, request, queryset):
    return _form_action(
        modeladmin,
        request,
        queryset,
        ReasonForm,
        "Cancel meetings",
        lambda data: _run(modeladmin, request, queryset, services.meeting_cancel, reason=data["reason"]),
    )


@admin.action(description="Reschedule selected meeting")
def reschedule_meeting(modeladmin, request, queryset):
    if queryset.count() != 1:
        modeladmin.message_user(request, "Reschedule one meeting at a time.", messages.ERROR)
        return None
    return _form_action(
        modeladmin,
        request,
        queryset,
        BulkRescheduleForm,
        "Reschedule meeting",
        lambda data: _run(
            modeladmin,
            request,
            queryset,
            services.meeting_reschedule,
            starts_at=data["starts_at"],
            ends_at=timescales.ends_after(data["starts_at"], data["duration"]),
            venue=data["venue"] or None,
            online_link=data["online_link"] or None,
            reason=data["reason"],
        ),
    )


@admin.action(description="Record selected meeting as held (attendance from its invitations)")
def hold_meeting(modeladmin, request, queryset):
    """Attendance comes from the invitation rows (edit them on the meeting first); the
    intermediate page asks for each child's outcome."""
    if queryset.count() != 1:
        modeladmin.message_user(request, "Record one meeting as held at a time.", messages.ERROR)
        return None
    meeting = queryset.get()
    form = OutcomeForm(request.POST if "apply" in request.POST else None, meeting=meeting)
    if "apply" in request.POST and form.is_valid():
        records = {
            inv.pk: services.AttendanceRecord(inv.attendance, inv.excluded_from_part, inv.exclusion_reason)
            for inv in meeting.invitations.all()
        }
        _run(modeladmin, request, queryset, services.meeting_hold, attendance=records, outcomes=form.outcomes())
        return None
    return _render_action_form(modeladmin, request, queryset, form, f"Record {meeting.reference} as held")


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "kind", "status", "starts_at", "due_on", "chair", "sequence"]
    list_filter = ["status", "kind"]
    search_fields = ["reference", "family__reference"]
    date_hierarchy = "starts_at"
    readonly_fields = [
        "reference",
        "status",
        "sequence",
        "starts_at",
        "ends_at",
        "due_on",
        "late_reason",
        "held_at",
        "cancelled_at",
        "cancellation_reason",
        "minuted_at",
        "next_kind",
        "next_due_on",
        "created_at",
    ]
    fields = [
        "reference",
        "kind",
        "status",
        "family",
        "children",
        "chair",
        "starts_at",
        "ends_at",
        "venue",
        "online_link",
        "notes_for_participants",
        "strategy_discussion_on",
        "due_on",
        "late_reason",
        "sequence",
        "held_at",
        "next_kind",
        "next_due_on",
        "cancelled_at",
        "cancellation_reason",
        "minuted_at",
        "created_at",
    ]
    autocomplete_fields = ["family", "chair"]
    filter_horizontal = ["children"]
    inlines = [InvitationInline, ChildOutcomeInline]
    actions = [reschedule_meeting, cancel_meetings, hold_meeting]

    def has_add_permission(self, request):
        # New meetings are scheduled through meetings.services.meeting_schedule (the
        # scheduling pages), which works out the due date and the reference.
        return False

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["kind", "family", "children", "chair", "venue", "online_link", "strategy_discussion_on"]
        return fields


@admin.register(ReferenceCounter)
class ReferenceCounterAdmin(admin.ModelAdmin):
    list_display = ["prefix", "year", "last"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin):
    list_display = ["meeting", "person", "role", "rsvp", "attendance", "excluded_from_part"]
    list_filter = ["role", "rsvp", "attendance"]
    search_fields = ["meeting__reference", "person__full_name", "person__email"]
    autocomplete_fields = ["person", "agency"]
    readonly_fields = ["meeting", "invited_at", "rsvp_at"]

    def has_add_permission(self, request):
        # People are invited through meetings.invites.invitation_add (checks and audit).
        return False


@admin.register(ChildOutcome)
class ChildOutcomeAdmin(SimpleHistoryAdmin):
    """Outcomes are written by meeting_hold; the admin shows them, it does not decide them."""

    list_display = ["meeting", "child", "plan_needed", "category", "review_outcome"]
    list_filter = ["plan_needed", "category", "review_outcome"]
    readonly_fields = ["meeting", "child", "plan_needed", "category", "review_outcome"]

    def has_add_permission(self, request):
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Shows who has a feed; the secret itself is never stored, so it cannot be shown."""

    list_display = ["user", "created_at", "last_used_at"]
    readonly_fields = ["user", "token_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    """Reports are submitted by professionals on the meeting page; the admin only shows them."""

    list_display = ["meeting", "author", "agency", "submitted_at", "share_with_family"]
    list_filter = ["share_with_family"]
    readonly_fields = ["meeting", "author", "agency", "text", "file", "share_with_family", "submitted_at"]

    def has_add_permission(self, request):
        return False


@admin.register(CalendarReply)
class CalendarReplyAdmin(admin.ModelAdmin):
    """What the mailbox reader did with each message: read-only, kept by Message-ID."""

    list_display = ["received_at", "from_address", "method", "partstat", "outcome", "reason", "meeting"]
    list_filter = ["outcome", "method"]
    search_fields = ["from_address", "message_id", "meeting__reference"]
    readonly_fields = [f.name for f in CalendarReply._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
