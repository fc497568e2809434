"""What a simulated back office keeps of each file it receives: its SHA-256, size, name and type.

A back office gets a resident's file one of two ways: inside the request (base64 in a JSON body)
or as a link in it (Open311's media_url, a webhook's files[].url), which a real server fetches
once, on receipt, in the background (its answer to the request does not wait for the download).
Simulators keep one entry per file either way, so a test compares the bytes that arrived with
the bytes the resident sent by hash, and counts that no file came twice:

    {"source": "media_url", "how": "link", "url": "...", "status": "fetched",
     "name": "pothole.jpg", "content_type": "image/jpeg", "size": 2301, "sha256": "..."}

`status` is "received" (inline), "pending" (a fetch is under way), "fetched", or "failed" with
`error` saying why (an unreachable portal, a 404): a failed fetch never undoes the request it
came with, as a real server's failed download would not. A linked file's name and type are the
ones its server gave (Content-Disposition, Content-Type), as a real server would see them.
"""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from email.message import Message
from typing import Any

import httpx

# More than any file the portal accepts; a link serving more is cut off and recorded as failed.
MAX_FETCH_BYTES = 50 * 1024 * 1024
FETCH_TIMEOUT = 10.0


def received(data: bytes, *, source: str, name: str, content_type: str) -> dict[str, Any]:
    """The entry for a file that came inside the request."""
    return {
        "source": source,
        "how": "inline",
        "status": "received",
        "name": name,
        "content_type": content_type,
        **_facts(data),
    }


def linked(url: str, *, source: str) -> dict[str, Any]:
    """The entry for a file the request links to, before it is fetched."""
    return {"source": source, "how": "link", "url": url, "status": "pending"}


class LinkFetcher:
    """Fetches linked files in the background, a few at a time, each once, and fills in their
    entries (under `lock`, the simulator's own, since /_records reads them meanwhile)."""

    def __init__(self, lock: threading.Lock, *, workers: int = 4) -> None:
        self._lock = lock
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._pending: set[Future[None]] = set()
        self._pending_lock = threading.Lock()

    def fetch(self, entry: dict[str, Any]) -> None:
        """Start fetching `entry["url"]`; the entry is updated in place when it is done."""
        with self._pending_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="file-fetch")
            future = self._pool.submit(self._fetch, entry)
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def wait(self, timeout: float = 15.0) -> bool:
        """Wait until every fetch started so far is done; False if some still run at `timeout`."""
        with self._pending_lock:
            pending = set(self._pending)
        _done, not_done = wait(pending, timeout=timeout)
        return not not_done

    def stop(self) -> None:
        with self._pending_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def _forget(self, future: Future[None]) -> None:
        with self._pending_lock:
            self._pending.discard(future)

    def _fetch(self, entry: dict[str, Any]) -> None:
        outcome = download(str(entry["url"]))
        with self._lock:
            entry.update(outcome)


def download(url: str) -> dict[str, Any]:
    """What fetching `url` came to, as the fields of a file entry."""
    try:
        with httpx.stream("GET", url, timeout=FETCH_TIMEOUT, follow_redirects=False) as response:
            if response.status_code != 200:
                return {
                    "status": "failed",
                    "http_status": response.status_code,
                    "error": f"the link answered {response.status_code}",
                }
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_FETCH_BYTES:
                    return {"status": "failed", "error": "the file is larger than allowed"}
                chunks.append(chunk)
            disposition = Message()
            disposition["content-disposition"] = response.headers.get("content-disposition", "")
            return {
                "status": "fetched",
                "http_status": response.status_code,
                "name": disposition.get_filename() or "",
                "content_type": response.headers.get("content-type", "").split(";")[0].strip(),
                **_facts(b"".join(chunks)),
            }
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return {"status": "failed", "error": f"{exc.__class__.__name__}: {exc}"}


def _facts(data: bytes) -> dict[str, Any]:
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
