from django.urls import path

from portal.dashboard.views import account, conversation, notifications, privacy, profile, track

app_name = "dashboard"

urlpatterns = [
    path("account/", account.home, name="home"),
    path("account/requests/", account.requests, name="requests"),
    path("account/requests/<str:reference>/", account.submission_detail, name="submission"),
    path("account/requests/<str:reference>/reply/", conversation.reply_page, name="reply"),
    path("account/requests/<str:reference>/reopen/", conversation.reopen_page, name="reopen"),
    path("account/drafts/<uuid:draft_id>/delete/", account.draft_delete, name="draft_delete"),
    path("account/profile/", profile.profile, name="profile"),
    path("account/notifications/", notifications.preferences, name="notifications"),
    path("account/your-data/", privacy.your_data, name="your_data"),
    path("account/your-data/see/", privacy.your_data_view, name="your_data_view"),
    path("account/your-data/your-data.json", privacy.your_data_json, name="your_data_json"),
    path("account/your-data/your-data.zip", privacy.your_data_zip, name="your_data_zip"),
    path("account/your-data/prepared.zip", privacy.your_data_prepared, name="your_data_prepared"),
    path("account/delete/", privacy.account_delete, name="account_delete"),
    path("account/deleted/", privacy.account_deleted, name="account_deleted"),
    path("track/", track.track, name="track"),
    path("track/<str:token>/", track.track_view, name="track_view"),
    path("track/<str:token>/reply/", conversation.track_reply_page, name="track_reply"),
    path("track/<str:token>/reopen/", conversation.track_reopen_page, name="track_reopen"),
]
