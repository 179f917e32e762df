from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from participants.models import Agency, Child, Family, FamilyMember, Person, ThirdPartySource
from participants.services import AccountError, account_invite


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.action(description="Invite selected people to use Confer (sign in by emailed code)")
def invite_people(modeladmin, request, queryset):
    for person in queryset:
        try:
            account_invite(actor=request.user, person=person)
            modeladmin.message_user(request, f"{person}: invitation sent.", messages.SUCCESS)
        except (AccountError, PermissionDenied) as exc:
            modeladmin.message_user(request, f"{person}: {exc}", messages.ERROR)


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    actions = [invite_people]
    list_display = ["full_name", "email", "agency", "user"]
    list_filter = ["agency"]
    search_fields = ["full_name", "email"]
    autocomplete_fields = ["user", "agency"]


class FamilyMemberInline(admin.TabularInline):
    model = FamilyMember
    extra = 0
    autocomplete_fields = ["person"]


class ChildInline(admin.TabularInline):
    model = Child
    extra = 0
    autocomplete_fields = ["person"]


class ThirdPartySourceInline(admin.TabularInline):
    model = ThirdPartySource
    extra = 0
    fields = ["name", "agency", "consent", "consent_recorded_by", "consent_recorded_at"]
    readonly_fields = ["consent_recorded_by", "consent_recorded_at"]


@admin.register(Family)
class FamilyAdmin(SimpleHistoryAdmin):
    list_display = ["reference"]
    search_fields = ["reference", "children__identifier"]
    inlines = [ChildInline, FamilyMemberInline, ThirdPartySourceInline]


@admin.register(Child)
class ChildAdmin(SimpleHistoryAdmin):
    list_display = ["identifier", "person", "date_of_birth", "looked_after_since", "family"]
    search_fields = ["identifier", "person__full_name"]
    autocomplete_fields = ["person", "family"]


@admin.register(ThirdPartySource)
class ThirdPartySourceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "family", "consent", "consent_recorded_at"]
    list_filter = ["consent"]
    readonly_fields = ["consent_recorded_by", "consent_recorded_at"]

    def save_model(self, request, obj, form, change):
        # Who recorded the consent, and when, is evidence for every later redaction.
        if "consent" in form.changed_data or not change:
            obj.consent_recorded_by = request.user
            obj.consent_recorded_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(FamilyMember)
class FamilyMemberAdmin(SimpleHistoryAdmin):
    list_display = ["family", "person", "relationship", "has_parental_responsibility"]
    list_filter = ["relationship"]
    search_fields = ["family__reference", "person__full_name"]
    autocomplete_fields = ["family", "person"]
