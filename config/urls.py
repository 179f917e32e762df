from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from minutes import start_pages

admin.site.site_header = "Confer administration"
admin.site.site_title = "Confer"
# The admin signs in through allauth, so the MFA requirement applies there too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", start_pages.start, name="start"),
    path("home/", start_pages.home, name="home"),
    path("meetings/", include("meetings.urls")),
    path("meetings/<int:pk>/minutes/", include("minutes.urls")),
    path("audit/", include("audit.urls")),
    path("people/", include("participants.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
