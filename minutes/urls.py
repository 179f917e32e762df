from django.urls import path

from minutes import accuracy_views, feedback_views, quality_views, record_views, views

app_name = "minutes"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("start/", views.start, name="start"),
    path("sections/<id:section_pk>/", views.section_edit, name="section_edit"),
    path("sections/<id:section_pk>/who-may-read/", views.section_restrict, name="section_restrict"),
    path("sections/<id:section_pk>/add-part/", views.section_add_part, name="section_add_part"),
    path("share/", views.share, name="share"),
    path("withdraw/", views.withdraw, name="withdraw"),
    path("reopen/", views.reopen, name="reopen"),
    path("approve/", views.approve, name="approve"),
    path("comments/", views.comment_add, name="comment_add"),
    path("comments/<id:comment_pk>/", views.comment_edit, name="comment_edit"),
    path("comments/<id:comment_pk>/answer/", views.respond, name="respond"),
    path("no-comments/", views.no_comments, name="no_comments"),
    path("history/", views.history, name="history"),
    path("feedback/", feedback_views.feedback_add, name="feedback_add"),
    path("feedback/<id:feedback_pk>/", feedback_views.feedback_detail, name="feedback_detail"),
    path("quality/", quality_views.quality_audit, name="quality_audit"),
    path("accuracy/", accuracy_views.accuracy_page, name="accuracy"),
    path("distribute/", record_views.distribute, name="distribute"),
    path("copy/", record_views.own_copy, name="copy"),
    path("decision-letter/", record_views.decision_letter, name="decision_letter"),
    path("decision-letter/copy/", record_views.decision_letter_copy, name="decision_letter_copy"),
]
