from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("due/", views.due, name="due"),
    path("mail/", views.mail, name="mail"),
    path("calendar/", views.calendar_feed_settings, name="feed_settings"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="feed"),
    path("schedule/<id:family_pk>/", views.meeting_schedule, name="schedule"),
    path("<id:pk>/", views.meeting_detail, name="detail"),
    path("<id:pk>/hold/", views.meeting_hold, name="hold"),
    path("<id:pk>/reply/", views.meeting_respond, name="respond"),
    path("<id:pk>/report/", views.report_submit, name="report"),
    path("<id:pk>/reports/<id:report_pk>/file/", views.report_file, name="report_file"),
    path("<id:pk>/invite/", views.meeting_invite, name="invite"),
    path("<id:pk>/send-invitations/", views.meeting_send_invitations, name="send_invitations"),
    path("<id:pk>/reschedule/", views.meeting_reschedule, name="reschedule"),
    path("<id:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("<id:pk>/invitations/<id:invitation_pk>/remove/", views.invitation_remove, name="invitation_remove"),
    path(
        "<id:pk>/invitations/<id:invitation_pk>/account-invite/",
        views.invitation_account_invite,
        name="invitation_account_invite",
    ),
]
