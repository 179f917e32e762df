from django.urls import path

from participants import views

app_name = "participants"

urlpatterns = [
    path("staff/", views.staff_accounts, name="staff"),
    path("families/", views.families, name="families"),
]
