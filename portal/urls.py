from allauth.account.decorators import secure_admin_login
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from portal.callbacks.notify import receive as receive_notify_receipt
from portal.callbacks.views import receive as receive_callback
from portal.core import pages
from portal.core import views as core_views
from portal.filelinks import views as file_link_views
from portal.journey.preview import PREVIEW_URL_NAME, form_version_preview

# The Django admin signs people in through allauth, so MFA applies to it as everywhere else.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "My Council administration"

urlpatterns = [
    path("health/", core_views.health, name="health"),
    # GOV.UK Notify's delivery receipts (before the back offices' callbacks, which it shadows:
    # services.models.routing.RESERVED_CONNECTION_SLUGS keeps connections from taking "notify").
    path("callbacks/notify/", receive_notify_receipt, name="notify_callback"),
    # Back offices report status changes here, signed with the connection's callback secret.
    path("callbacks/<slug:slug>/", receive_callback, name="callback"),
    # The admin's form preview renders with the journey's templates, so the portal provides it
    # (services must not import portal); services/admin.py links to it by name.
    path(
        "admin/services/formversion/<int:pk>/preview/",
        admin.site.admin_view(form_version_preview),
        name=PREVIEW_URL_NAME,
    ),
    path("admin/", admin.site.urls),
    # Back offices fetch residents' files here by signed link (services/file_links.py).
    path("files/<str:token>/", file_link_views.fetch, name="file_link"),
]

# Resident-facing pages: English at /, Welsh at /cy/.
urlpatterns += i18n_patterns(
    path("", core_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("accessibility-statement/", pages.accessibility, name="accessibility"),
    path("privacy-notice/", pages.privacy, name="privacy"),
    path("cookies/", pages.cookies, name="cookies"),
    path("contact/", pages.contact, name="contact"),
    path("", include("portal.journey.urls", namespace="journey")),
    path("", include("portal.catalogue.urls", namespace="catalogue")),
    path("", include("portal.dashboard.urls", namespace="dashboard")),
    path("staff/studio/", include("portal.studio.urls", namespace="studio")),
    path("staff/", include("portal.staff.urls", namespace="staff")),
    prefix_default_language=False,
)

# Django's default 500 handler renders without the request, so the page would lose the council's
# name and the CSP nonce; this one renders with it (and still never touches the database).
handler500 = pages.server_error
