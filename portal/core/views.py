from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from portal.core import health as health_checks


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/home.html")


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
