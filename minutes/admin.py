"""Minutes in the admin are for looking, not changing: every change goes through
``minutes.services`` (versions, the comment window and the audit log depend on it)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from audit.admin import ReadOnlyAdminMixin
from minutes.models import (
    AccuracyCheck,
    Comment,
    DeadlineNotice,
    DecisionLetter,
    DecisionLetterCopy,
    Distribution,
    Feedback,
    Minutes,
    NoComments,
    QualityAudit,
    Response,
    Section,
    SubjectAccessExport,
    Suggestion,
    Version,
)


class ReadOnlyAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    pass


@admin.register(Minutes)
class MinutesAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "status", "shared_at", "comment_deadline", "approved_at", "distributed_at"]
    list_filter = ["status"]
    search_fields = ["meeting__reference"]


@admin.register(Section)
class SectionAdmin(ReadOnlyAdmin):
    list_display = ["minutes", "order", "heading", "version", "third_party_source"]
    search_fields = ["minutes__meeting__reference", "heading"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["minutes", "section", "author", "created_at", "withdrawn_at"]


@admin.register(NoComments)
class NoCommentsAdmin(ReadOnlyAdmin):
    list_display = ["minutes", "invitation", "at"]


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["comment", "accepted", "responded_by", "responded_at"]


@admin.register(Version)
class VersionAdmin(ReadOnlyAdmin):
    list_display = ["minutes", "number", "created_at", "created_by", "sha256"]


@admin.register(Distribution)
class DistributionAdmin(ReadOnlyAdmin):
    """Who was sent which copy, its hash, and when they first opened it (evidence)."""

    list_display = ["minutes", "person", "sent_at", "first_opened_at", "sha256"]
    exclude = ["file"]  # a copy is downloaded by its recipient, through Confer, audited


@admin.register(DeadlineNotice)
class DeadlineNoticeAdmin(ReadOnlyAdmin):
    """What the deadline sweep told people, and when (evidence; written only by the sweep)."""

    list_display = ["meeting", "kind", "stage", "due_on", "created_at"]
    list_filter = ["kind", "stage"]


@admin.register(DecisionLetter)
class DecisionLetterAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "sent_at", "sent_by", "late_reason"]


@admin.register(DecisionLetterCopy)
class DecisionLetterCopyAdmin(ReadOnlyAdmin):
    list_display = ["letter", "person", "first_opened_at", "sha256"]
    exclude = ["file"]  # downloaded by its recipient, through Confer, audited


@admin.register(SubjectAccessExport)
class SubjectAccessExportAdmin(ReadOnlyAdmin):
    list_display = ["made_at", "made_by", "records", "sha256"]
    exclude = ["file"]  # downloaded through Confer by a manager, audited


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["reference", "meeting", "kind", "status", "stage", "received_at", "answer_due_on"]
    list_filter = ["kind", "status", "stage"]
    search_fields = ["reference", "meeting__reference"]


@admin.register(QualityAudit)
class QualityAuditAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "chair", "auditor", "distributed_on", "created_at"]
    search_fields = ["meeting__reference"]


@admin.register(AccuracyCheck)
class AccuracyCheckAdmin(ReadOnlyAdmin):
    list_display = ["minutes", "sent_at", "deadline"]


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ["section", "author", "created_at", "decision", "decided_at"]
    list_filter = ["decision"]
