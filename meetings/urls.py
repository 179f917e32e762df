from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/account-invite/",
        views.invitation_account_invite,
        name="invitation_account_invite",
    ),
]
