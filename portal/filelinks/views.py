"""GET /files/<token>/: a back-office system fetches one resident's file by its signed link.

The token (services/file_links.py) names one file and one connection and expires; anything else —
expired, altered, made for a file since deleted by retention — gets 404 and changes nothing. The
file is served as a download (Content-Disposition: attachment) with the type established from its
bytes when it was uploaded, and `nosniff`, so no browser ever renders it as a page of ours.
No session: the link itself is the credential.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from services.file_links import file_for_link


@never_cache
@require_safe
def fetch(request: HttpRequest, token: str) -> FileResponse:
    found = file_for_link(token)
    if found is None:
        raise Http404
    file_row, _connection_id = found
    try:
        handle = default_storage.open(file_row.storage_name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=file_row.name, content_type=file_row.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
