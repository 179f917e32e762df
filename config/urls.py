from django.contrib import admin
from django.urls import path

from meetings import views as meeting_views

admin.site.site_header = "Confer administration"
admin.site.site_title = "Confer"

urlpatterns = [
    path("", meeting_views.start, name="start"),
    path("admin/", admin.site.urls),
]
