from django.urls import path

from portal.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("services/", views.service_list, name="list"),
    path("services/<slug:slug>/", views.start, name="start"),
]
