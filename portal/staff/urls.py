from django.urls import path

from portal.staff.views import cases

app_name = "staff"

urlpatterns = [
    path("", cases.search, name="home"),
    path("cases/<str:reference>/", cases.case_detail, name="case"),
]
