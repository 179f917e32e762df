from django.contrib import admin

from audit.admin import ReadOnlyAdminMixin
from notifications.models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The outbox: what was sent, to whom, and what failed."""

    list_display = ["created_at", "to_email", "subject", "calendar_method", "sequence", "status", "attempts"]
    list_filter = ["status", "calendar_method"]
    search_fields = ["to_email", "subject", "key"]
    date_hierarchy = "created_at"
