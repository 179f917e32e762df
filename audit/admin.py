from django.contrib import admin

from audit.models import AuditEvent


class ReadOnlyAdminMixin:
    """For records that are evidence or are written only by services: viewable in the
    admin, never added, changed or deleted there, not even by a superuser."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "actor_label", "code", "object_type", "object_repr"]
    list_filter = ["code", "object_type"]
    search_fields = ["actor_label", "code", "object_repr", "object_id"]
    date_hierarchy = "at"
