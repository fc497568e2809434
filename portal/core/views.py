from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from portal.catalogue.views import live_services
from portal.core import health as health_checks

# How many services the home page lists before "See all services": the first of the catalogue's
# own order, so what the page offers is always what residents can use now.
HOME_SERVICES = 6


def home(request: HttpRequest) -> HttpResponse:
    services = list(live_services()[: HOME_SERVICES + 1])
    return render(
        request,
        "pages/home.html",
        {"services": services[:HOME_SERVICES], "more_services": len(services) > HOME_SERVICES},
    )


@never_cache
@require_safe
def health(request: HttpRequest) -> HttpResponse:
    """200 when the database, the broker and the migrations are all fine, else 503; JSON either way.

    Touches neither the session nor the user, so it sets no cookie and works before anyone signs in.
    """
    results = health_checks.run_checks()
    healthy = all(result.ok for result in results)
    body = {
        "status": "ok" if healthy else "error",
        "checks": {result.name: result.as_dict() for result in results},
    }
    return JsonResponse(body, status=200 if healthy else 503)
