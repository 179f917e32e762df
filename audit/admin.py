from django.contrib import admin

from audit.models import AuditEvent, OutboundEmail


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is evidence, so not even a superuser edits it here."""

    list_display = ["at", "actor_label", "code", "object_type", "object_repr"]
    list_filter = ["code", "object_type"]
    search_fields = ["actor_label", "code", "object_repr", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """The outbox: what was sent, to whom, and what failed. Read-only."""

    list_display = ["created_at", "to_email", "subject", "calendar_method", "sequence", "status", "attempts"]
    list_filter = ["status", "calendar_method"]
    search_fields = ["to_email", "subject", "key"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
