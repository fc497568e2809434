from django.urls import path

from portal.staff.views import (
    assist,
    audit,
    cases,
    casework,
    deliveries,
    reason,
    residents,
    retention,
    status,
    updates,
)

app_name = "staff"

urlpatterns = [
    path("", cases.search, name="home"),
    path("cases/<str:reference>/", cases.case_detail, name="case"),
    path("cases/<str:reference>/note/", casework.note, name="case_note"),
    path("cases/<str:reference>/contact/", casework.contact, name="case_contact"),
    path("cases/<str:reference>/status/", status.change, name="case_status"),
    path("cases/<str:reference>/question/", casework.question, name="case_question"),
    path(
        "cases/<str:reference>/deliveries/<int:delivery_id>/retry/",
        deliveries.retry,
        name="case_delivery_retry",
    ),
    path(
        "cases/<str:reference>/updates/<int:update_id>/send-again/",
        updates.resend,
        name="case_update_resend",
    ),
    path("cases/<str:reference>/reason/", reason.case_reason, name="case_reason"),
    path("cases/<str:reference>/timeline/", cases.case_timeline, name="case_timeline"),
    path(
        "cases/<str:reference>/files/<slug:question_id>/",
        cases.attachment,
        name="case_attachment",
    ),
    path("residents/", residents.find, name="residents"),
    path("residents/<int:user_id>/", residents.account, name="resident"),
    path("residents/guest/<str:reference>/", residents.guest, name="guest_resident"),
    path("assist/", assist.start, name="assist"),
    path("assist/resident/", assist.resident, name="assist_resident"),
    path("assist/caller/", assist.caller, name="assist_caller"),
    path("assist/<uuid:draft_id>/stop/", assist.stop, name="assist_stop"),
    path("assist/sent/<str:reference>/", assist.sent, name="assist_sent"),
    path("audit/", audit.audit_log, name="audit_log"),
    path("audit/export/", audit.audit_export, name="audit_export"),
    path("retention/", retention.outlook, name="retention"),
]
