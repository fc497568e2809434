"""GET or HEAD /files/<token>/: a back-office system fetches one resident's file by signed link.

The token (services/file_links.py) names one file and one connection and expires; anything else
(expired, altered, parts of two links put together, made for a file since deleted by retention
or whose bytes are gone) gets 404 and changes nothing. A genuine link gets the file as a download
(portal/core/downloads.py: Range and HEAD answered, the type established from its bytes when it
was uploaded, `nosniff`), and each fetch that sends the file or part of it, or its headers, is
recorded (FileFetch) for the case's timeline: which system fetched it, when, how.

No session, no CSRF: the link itself is the credential. Limits (portal/core/ratelimit.py), both
per source address, answered 429 with Retry-After: links that do not work (a source over that
limit is refused before any lookup, so guessing costs the guesser), and every request (kept per
address rather than per connection, so a link that leaked and is fetched from elsewhere cannot
use up the back office's own allowance).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from portal.core import ratelimit
from portal.core.downloads import file_download
from services.file_links import file_for_link
from services.models import FileFetch

BAD_LINKS_PER_CLIENT = ratelimit.Limit("file-links:bad-link", "30/m")
REQUESTS_PER_CLIENT = ratelimit.Limit("file-links:request", "300/m")
RECORDED_STATUSES = frozenset({200, 206})


@never_cache
@require_safe
def fetch(request: HttpRequest, token: str) -> HttpResponseBase:
    refused = ratelimit.peek(request, BAD_LINKS_PER_CLIENT, ratelimit.CLIENT) or ratelimit.use(
        request, REQUESTS_PER_CLIENT, ratelimit.CLIENT
    )
    if refused is not None:
        return HttpResponse(
            "Too many requests: try again shortly.\n",
            status=429,
            content_type="text/plain; charset=utf-8",
            headers={"Retry-After": str(refused.retry_after)},
        )
    found = file_for_link(token)
    response = None if found is None else file_download(request, found[0])
    if found is None or response is None:
        ratelimit.use(request, BAD_LINKS_PER_CLIENT, ratelimit.CLIENT)
        raise Http404
    file_row, connection_id = found
    if response.status_code in RECORDED_STATUSES:
        FileFetch.objects.create(
            file=file_row,
            connection_id=connection_id,
            method=str(request.method),  # GET or HEAD: require_safe let nothing else in
            status=response.status_code,
        )
    return response
