from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("due/", views.due, name="due"),
    path("calendar/", views.calendar_feed_settings, name="feed_settings"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="feed"),
    path("schedule/<int:family_pk>/", views.meeting_schedule, name="schedule"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/hold/", views.meeting_hold, name="hold"),
    path("<int:pk>/reply/", views.meeting_respond, name="respond"),
    path("<int:pk>/report/", views.report_submit, name="report"),
    path("<int:pk>/reports/<int:report_pk>/file/", views.report_file, name="report_file"),
    path("<int:pk>/invite/", views.meeting_invite, name="invite"),
    path("<int:pk>/send-invitations/", views.meeting_send_invitations, name="send_invitations"),
    path("<int:pk>/reschedule/", views.meeting_reschedule, name="reschedule"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/invitations/<int:invitation_pk>/remove/", views.invitation_remove, name="invitation_remove"),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/account-invite/",
        views.invitation_account_invite,
        name="invitation_account_invite",
    ),
]
