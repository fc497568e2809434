from django.urls import path

from portal.dashboard.views import account, notifications, profile, track

app_name = "dashboard"

urlpatterns = [
    path("account/", account.home, name="home"),
    path("account/requests/", account.requests, name="requests"),
    path("account/requests/<str:reference>/", account.submission_detail, name="submission"),
    path("account/drafts/<uuid:draft_id>/delete/", account.draft_delete, name="draft_delete"),
    path("account/profile/", profile.profile, name="profile"),
    path("account/notifications/", notifications.preferences, name="notifications"),
    path("track/", track.track, name="track"),
    path("track/sent/", track.track_sent, name="track_sent"),
    path("track/<str:token>/", track.track_view, name="track_view"),
]
