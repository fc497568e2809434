"""Real Chromium, driven by Playwright, against pytest-django's live server.

Debian's Chromium is used (`apt-get install chromium`): `playwright install` cannot download
browsers on the project's machines. Every page fixture runs a test four times: JavaScript on and
off, on a desktop and on a 320 pixel wide phone screen, because every page must work for all four.
Nothing leaves loopback: the map's tile server is answered with a blank tile from here, and any
other request outside is refused and reported as a problem of the page.
"""

import io
import os
import re
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatch
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from PIL import Image
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Response,
    Route,
    sync_playwright,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BUILT_CSS = REPO_ROOT / "portal" / "static" / "build" / "portal.css"

VIEWPORTS = {
    "desktop": {"width": 1280, "height": 800},
    "phone-320": {"width": 320, "height": 640},
}

# WCAG 2.0, 2.1 and 2.2 at levels A and AA: what public sector websites must meet.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_AXE = Axe()


# Pages opened with JavaScript off, each with the copy assert_accessible checks (see there), once
# it has made one.
_SCRIPTLESS_PAGES: "weakref.WeakKeyDictionary[Page, Page | None]" = weakref.WeakKeyDictionary()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    # Playwright's sync API keeps an asyncio event loop in this thread, and Django refuses ORM
    # calls from a thread with a running loop. The tests never share a connection with that loop,
    # so the check only gets in the way while the browser tests run.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as driver:
            yield driver
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not at {CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)"
        )
    if not BUILT_CSS.exists():
        pytest.fail(f"{BUILT_CSS.relative_to(REPO_ROOT)} is missing: run `make assets` first")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(autouse=True)
def _browser_settings(settings, transactional_db):
    """Settings for a live server on http://localhost.

    Static files: the live server serves /static/ straight from the source directories through
    the staticfiles finders, which know the files by their real names; the production storage
    would ask for hashed names from a collectstatic manifest that a test run does not build.
    tests/browser/test_assets.py checks that collectstatic with the production storage works.

    Cookies stay Secure, as in production: Chromium treats http://localhost as a secure context
    and keeps Secure cookies for it, and the sign-up test depends on that (no CSRF cookie, no form).
    """
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False


@dataclass
class PageProblems:
    """What the browser complained about while the test ran: console errors (CSP violations
    among them) and responses that failed."""

    console_errors: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)
    outside_loopback: list[str] = field(default_factory=list)

    def assert_none(self) -> None:
        assert not self.outside_loopback, "\n".join(self.outside_loopback)
        assert not self.console_errors, "\n".join(self.console_errors)
        assert not self.failed_responses, "\n".join(self.failed_responses)


@dataclass
class BrowserPage:
    page: Page
    javascript: bool
    viewport: str
    problems: PageProblems


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _open_page(browser: Browser, base_url: str, javascript: bool, viewport: str) -> BrowserPage:
    context = browser.new_context(
        base_url=base_url,
        java_script_enabled=javascript,
        viewport=VIEWPORTS[viewport],  # type: ignore[arg-type]
        locale="en-GB",
    )
    context.set_default_timeout(5_000)
    page = context.new_page()
    if not javascript:
        _SCRIPTLESS_PAGES[page] = None
    problems = PageProblems()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.console_errors.append(f"{page.url}: {message.text}")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            problems.failed_responses.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    keep_to_loopback(context, problems)
    return BrowserPage(page=page, javascript=javascript, viewport=viewport, problems=problems)


# Any address but loopback; a pattern, not a function, so requests to loopback are not intercepted.
OFF_LOOPBACK = re.compile(r"^(?!https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?/)")


def is_tile(url: str) -> bool:
    """Whether `url` is on the map's tile server (MAP_TILE_URL; "{s}." stands for any subdomain)."""
    tile_host = urlsplit(django_settings.MAP_TILE_URL).netloc.replace("{s}", "*")
    return bool(tile_host) and fnmatch(urlsplit(url).netloc, tile_host)


@cache
def blank_tile() -> bytes:
    """A plain grey 256 pixel map tile, as PNG."""
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (221, 221, 221)).save(out, "PNG")
    return out.getvalue()


def keep_to_loopback(context: BrowserContext, problems: PageProblems) -> None:
    """Answer map tiles with a blank one; refuse, and report, any other request off loopback."""

    def handle(route: Route) -> None:
        url = route.request.url
        if is_tile(url):
            route.fulfill(status=200, content_type="image/png", body=blank_tile())
        else:
            problems.outside_loopback.append(f"a request outside loopback: {url}")
            route.abort()

    context.route(OFF_LOOPBACK, handle)


@pytest.fixture
def browser_page(
    browser: Browser, live_server, javascript: bool, viewport: str
) -> Iterator[BrowserPage]:
    """A fresh browser (no cookies) for each of JavaScript on/off x desktop/phone."""
    opened = _open_page(browser, live_server.url, javascript, viewport)
    yield opened
    close_page(opened.page)


@pytest.fixture
def page(browser_page: BrowserPage) -> Page:
    return browser_page.page


@pytest.fixture
def desktop_page(browser: Browser, live_server, javascript: bool) -> Iterator[BrowserPage]:
    """For journeys whose layout does not matter: JavaScript on and off, desktop only."""
    opened = _open_page(browser, live_server.url, javascript, "desktop")
    yield opened
    close_page(opened.page)


def close_page(page: Page) -> None:
    """Close the page's browser context, and the one of its scriptless copy if it has one."""
    copy = _SCRIPTLESS_PAGES.pop(page, None)
    if copy is not None:
        copy.context.close()
    page.context.close()


def assert_accessible(page: Page) -> None:
    """Fail, listing every violation, if axe-core finds a WCAG 2.x A or AA problem on the page."""
    assert_accessible_at(page, ())


def assert_accessible_at(page: Page, viewports: Sequence[str]) -> None:
    """Like assert_accessible, at each of `viewports` in turn (names from VIEWPORTS).

    The page is resized, not reloaded, so the state it is in (an error, a lookup's results) is
    the one checked at every width; it is put back to its own size afterwards. With no
    viewports, the page is checked at the size it has.
    """
    # A click returns once its navigation has started, not when the new document has loaded:
    # checking (or copying) before then would check an empty page.
    page.wait_for_load_state("load")
    copy = _scriptless_copy(page) if page in _SCRIPTLESS_PAGES else None
    target = copy or page
    size = page.viewport_size
    lines = []
    if copy is not None and size is not None:
        copy.set_viewport_size(size)
    try:
        names: list[str | None] = list(viewports) if viewports else [None]
        for name in names:
            if name is not None:
                target.set_viewport_size(VIEWPORTS[name])  # type: ignore[arg-type]
            for violation in _violations(target):
                at = f" at {name}" if name else ""
                rule = f"{violation['id']} ({violation['impact']}){at}"
                lines.append(f"- {rule}: {violation['help']}")
                lines.extend(f"    {' '.join(node['target'])}" for node in violation["nodes"])
    finally:
        if copy is None and size is not None and viewports:
            page.set_viewport_size(size)
    if lines:
        pytest.fail("\n".join([f"accessibility violations on {page.url}:", *lines]))


def _violations(page: Page) -> list[dict]:
    # axe-core is injected once per document: a second width reuses it.
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_AXE.axe_script)
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    # Only the violations cross back to Python: the whole result is large, and slow to read.
    return list(
        page.evaluate("o => axe.run(document, o).then(result => result.violations)", options)
    )


def _scriptless_copy(page: Page) -> Page:
    """The page exactly as a browser without JavaScript shows it, in a context where axe can run.

    axe-core needs timers, and Chromium runs none when JavaScript is off, so axe would wait for
    ever on the page itself. The copy is given the document the browser received (the result of
    a POST included) with every <script> removed, at the same address, so the same stylesheets
    load and nothing but axe runs. One copy serves each page for all its checks: its browser
    context keeps the stylesheets cached, and it is closed with the page (close_page).
    """
    html = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.DOTALL | re.I)
    copy = _SCRIPTLESS_PAGES.get(page)
    if copy is None:
        browser = page.context.browser
        assert browser is not None
        copy = browser.new_context(viewport=page.viewport_size).new_page()
        _SCRIPTLESS_PAGES[page] = copy
    address = page.url.split("#")[0]
    if copy.url == "about:blank":
        copy.route(
            address,
            lambda route: route.fulfill(
                status=200, content_type="text/html; charset=utf-8", body=html
            ),
        )
        copy.goto(address)
        copy.unroute(address)
    else:
        # Written in place and given the page's address: routing every check's document would
        # turn the HTTP cache off, and each check would fetch the stylesheets again.
        copy.set_content(html)
        copy.evaluate("address => history.replaceState(null, '', address)", address)
    return copy
