"""A case's files for adapter tests: real JPEG, PNG and PDF bytes, and a loopback server that
serves their signed links the way the portal's link view does (portal/filelinks/views.py)."""

from __future__ import annotations

import hashlib
import io
import re
import secrets
from dataclasses import dataclass

from django.utils.http import content_disposition_header
from PIL import Image
from pypdf import PdfWriter

from integrations.base import DeliveryFile
from integrations.simulators.base import RecordedRequest, Response, Simulator

_LINK_PATH = re.compile(r"^/files/([A-Za-z0-9_-]+)/$")


def jpeg(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def png(colour: tuple[int, int, int] = (30, 90, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (12, 16), colour).save(buffer, "PNG")
    return buffer.getvalue()


def pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=300)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class Served:
    """A file the server holds: what an adapter is given, and what the resident sent."""

    upload: DeliveryFile
    data: bytes
    token: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


class FileLinkServer(Simulator):
    """GET /files/<token>/ answers the file as the portal's link view does (attachment,
    nosniff, its type); any other link is a 404. `fetches(file)` counts the GETs of one link."""

    name = "file-link-server"

    def __init__(self) -> None:
        super().__init__()
        self._files: dict[str, Served] = {}

    def add(self, id: str, name: str, content_type: str, data: bytes) -> Served:
        token = secrets.token_urlsafe(16)
        upload = DeliveryFile.from_bytes(
            id, name, content_type, data, url=f"{self.url}/files/{token}/"
        )
        served = self._files[token] = Served(upload, data, token)
        return served

    def case_files(self) -> tuple[Served, Served, Served]:
        """Two photos and a PDF, as a resident reporting a pothole might send them."""
        return (
            self.add("photo", "pothole.jpg", "image/jpeg", jpeg()),
            self.add("photo_close_up", "close up.png", "image/png", png()),
            self.add("evidence", "council letter.pdf", "application/pdf", pdf()),
        )

    def fetches(self, served: Served) -> int:
        path = f"/files/{served.token}/"
        return sum(1 for r in self.requests if r.method == "GET" and r.path == path)

    def handle(self, request: RecordedRequest) -> Response:
        match = _LINK_PATH.match(request.path)
        served = self._files.get(match[1]) if match else None
        if served is None or request.method != "GET":
            return Response(404, b"Not found", {"Content-Type": "text/plain"})
        return Response(
            200,
            served.data,
            {
                "Content-Type": served.upload.content_type,
                "Content-Disposition": content_disposition_header(
                    as_attachment=True, filename=served.upload.name
                )
                or "attachment",
                "X-Content-Type-Options": "nosniff",
            },
        )
