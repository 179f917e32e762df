from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, register_converter

from config import views as service_views
from config.converters import IdConverter
from meetings import views as meeting_views
from minutes import feedback_views, monitoring, quality_views, record_views, start_pages

# Registered before any app's URLs are included: they use <id:...> for database ids.
register_converter(IdConverter, "id")

admin.site.site_header = "Confer administration"
admin.site.site_title = "Confer"
# The admin signs in through allauth, so the MFA requirement applies there too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", start_pages.start, name="start"),
    path("home/", start_pages.home, name="home"),
    path("privacy/", service_views.privacy, name="privacy"),
    path("meetings/", include("meetings.urls")),
    path("meetings/<id:pk>/minutes/", include("minutes.urls")),
    # The audit log's search page: the audit app is a leaf, so the page that resolves a
    # child's meetings for it lives with the meetings.
    path("audit/", include(([path("", meeting_views.audit_search, name="search")], "audit"))),
    path("people/", include("participants.urls")),
    path("children/<id:child_pk>/subject-access/", record_views.subject_access, name="subject_access"),
    path("subject-access/<id:export_pk>/file/", record_views.subject_access_file, name="subject_access_file"),
    path("timeliness/", record_views.timeliness, name="timeliness"),
    path("feedback/", feedback_views.feedback_list, name="feedback_list"),
    path("quality/", quality_views.quality_page, name="quality"),
    path("healthz", monitoring.healthz, name="healthz"),
    path("metrics", monitoring.metrics, name="metrics"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "config.views.bad_request"
handler500 = "config.views.server_error"
