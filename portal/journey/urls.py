"""Journey URLs, under the language prefix (/cy/... in Welsh). Other apps link to these names."""

from django.urls import path

from portal.journey import views, views_drafts

app_name = "journey"

urlpatterns = [
    path("services/<slug:slug>/start/", views.start, name="start"),
    path(
        "services/<slug:slug>/<uuid:draft_id>/check-your-answers/",
        views.check,
        name="check",
    ),
    path("services/<slug:slug>/<uuid:draft_id>/save/", views_drafts.save, name="save"),
    path(
        "services/<slug:slug>/<uuid:draft_id>/<slug:page_id>/",
        views.question_page,
        name="page",
    ),
    path("services/<slug:slug>/sent/<str:reference>/", views.confirmation, name="confirmation"),
    path("drafts/<uuid:draft_id>/continue/", views_drafts.continue_draft, name="continue"),
    path("resume/<str:token>/", views_drafts.resume, name="resume"),
]
