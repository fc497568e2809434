"""Every seeded service completed end to end in real Chromium, with JavaScript on and off.

On the way each journey meets errors (one on every kind of question, and on the check and save
pages), branching (skipped pages and exit pages), a change from check your answers, saving and
resuming, uploads, address lookup and manual entry, and location with and without the current
position. Every page is checked with axe-core at desktop width and at 320 pixels (see
journeys.Journey), error states included, and each journey ends with the submission in the
database holding exactly the answers given.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from unittest.mock import ANY

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, Geolocation, expect

from services.models import Submission
from tests.browser.conftest import BrowserPage, _open_page, is_tile
from tests.browser.journeys import Journey, sign_in
from tests.portal.accounts.factories import UserFactory
from tests.services.seeding import nothing_queued, seed_live_catalogue

pytestmark = pytest.mark.browser

HOME_ADDRESS = {
    "uprn": "999900001017",
    "line1": "6 Mill Lane",
    "line2": "",
    "town": "Middlehampton",
    "postcode": "ZZ99 1AB",
}
# Where the browser says it is when a resident presses "Use my current location".
HERE: Geolocation = {"latitude": 52.241445, "longitude": -0.904485}
# Where the map opens in the map tests (settings MAP_CENTRE and MAP_ZOOM), and how many degrees of
# longitude one of its pixels spans there (a pixel spans fewer degrees of latitude).
MAP_CENTRE = (52.2405, -0.9027)
MAP_ZOOM = 14
PIXEL = 360 / (256 * 2**MAP_ZOOM)


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Uploaded files are stored in a folder of this test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


@pytest.fixture
def catalogue(transactional_db, monkeypatch) -> None:
    nothing_queued(monkeypatch)
    seed_live_catalogue()


@pytest.fixture
def resident(transactional_db):
    return UserFactory(
        email="ada@example.org",
        full_name="Ada Lovelace",
        phone="07911123456",
        address=HOME_ADDRESS,
    )


@pytest.fixture
def journey(desktop_page: BrowserPage, catalogue) -> Journey:
    return Journey(desktop_page)


@pytest.fixture
def signed_in(journey: Journey, resident, live_server) -> Journey:
    sign_in(journey.page.context, live_server.url, resident)
    return journey


@pytest.fixture
def another_browser(
    browser: Browser, live_server, javascript: bool
) -> Iterator[Callable[[], Journey]]:
    """A second browser with no cookies, as on another device, in the same JavaScript mode."""
    opened: list[BrowserPage] = []

    def open_one() -> Journey:
        opened.append(_open_page(browser, live_server.url, javascript, "desktop"))
        return Journey(opened[-1])

    yield open_one
    for browser_page in opened:
        browser_page.page.context.close()


@pytest.fixture
def photo(tmp_path: Path) -> Callable[[str], Path]:
    """A small real JPEG with the given file name."""

    def make(name: str) -> Path:
        path = tmp_path / name
        Image.new("RGB", (64, 48), (120, 110, 100)).save(path, "JPEG")
        return path

    return make


def days_from_today(days: int):
    return timezone.localdate() + timedelta(days=days)


def start(journey: Journey, slug: str, *, guest: bool = False) -> None:
    journey.goto(f"/services/{slug}/")
    journey.submit(journey.button("Continue without an account" if guest else "Start now"))


def submission(reference: str) -> Submission:
    return Submission.objects.select_related("service", "user").get(reference=reference)


# --- Bins and recycling ---------------------------------------------------------------------


def test_guest_reports_a_missed_bin_and_resumes_from_the_emailed_link(
    journey: Journey, another_browser, mail_through_celery
):
    page = journey.page
    collected = days_from_today(-2)
    start(journey, "report-missed-bin", guest=True)

    # Address by postcode lookup: first without a postcode.
    journey.expect_heading("What is the address of the missed collection?")
    journey.submit(journey.button("Find address"))
    journey.expect_error("Enter a postcode")
    journey.fill("Postcode", "zz99 1ab")
    journey.submit(journey.button("Find address"))
    journey.choose("2 Mill Lane, Middlehampton, ZZ99 1AB")
    journey.continue_()

    journey.expect_page("which-bin")
    journey.continue_()
    journey.expect_error("Select which bin was not collected")
    journey.choose("General waste (black bin)")
    journey.continue_()

    # Not garden waste: the subscription question is skipped.
    journey.expect_page("collection-date")
    journey.date(*_parts(days_from_today(5)))
    journey.continue_()
    journey.expect_error("The collection date must be today or in the past")
    expect(page.get_by_label("Day")).to_have_value(str(days_from_today(5).day))
    journey.date(*_parts(collected))
    journey.continue_()

    # Save for later on the next page: a guest gives an e-mail address for the link.
    journey.expect_page("put-out")
    journey.choose("Yes")
    journey.submit(journey.button("Save and come back later"))
    journey.expect_heading("Get a link to continue later")
    journey.fill("Get a link to continue later", "not an email")
    journey.submit(journey.button("Send the link"))
    journey.expect_error("Enter an email address in the correct format, like name@example.com")
    journey.fill("Get a link to continue later", "guest@example.org")
    journey.submit(journey.button("Send the link"))
    journey.expect_heading("We have sent you a link")
    journey.finish()

    link = _resume_link(mail_through_celery, "guest@example.org")
    later = another_browser()
    later.goto(link)
    later.expect_page("put-out")
    expect(later.page.get_by_role("radio", name="Yes", exact=True)).to_be_checked()
    later.continue_()

    later.expect_page("details")
    later.fill("Is there anything else we should know?", "x" * 501)
    later.continue_()
    later.expect_error("Your answer must be 500 characters or less")
    later.fill("Is there anything else we should know?", "The bin is by the side gate")
    later.continue_()

    later.expect_heading("Check your answers before sending your request")
    later.expect_answer("Which bin was not collected?", "General waste (black bin)")
    later.change("Is there anything else we should know?")
    later.fill("Is there anything else we should know?", "The bin is by the back gate")
    later.continue_()
    later.expect_heading("Check your answers before sending your request")
    later.expect_answer("Is there anything else we should know?", "The bin is by the back gate")

    # The address given when saving is offered; the guest's contact address is checked.
    email = later.page.get_by_label("Email address", exact=True)
    expect(email).to_have_value("guest@example.org")
    email.fill("guest@")
    later.submit(later.button("Accept and send"))
    later.expect_error("Enter an email address in the correct format, like name@example.com")
    email.fill("guest@example.org")
    reference = later.send()
    later.finish()

    sent = submission(reference)
    assert sent.service.slug == "report-missed-bin"
    assert sent.user is None
    assert sent.contact_email == "guest@example.org"
    assert sent.answers == {
        "collection_address": {
            "uprn": "999900001010",
            "line1": "2 Mill Lane",
            "line2": "",
            "town": "Middlehampton",
            "postcode": "ZZ99 1AB",
        },
        "bin_type": "general",
        "collection_date": collected.isoformat(),
        "put_out_by_7am": "yes",
        "details": "The bin is by the back gate",
    }


def test_guest_requests_a_replacement_for_a_stolen_bin(journey: Journey):
    page = journey.page
    start(journey, "request-replacement-bin", guest=True)

    # The address typed in by hand.
    journey.submit(journey.button("Enter the address manually"))
    journey.fill("Address line 1", "Flat 9, Mill House")
    journey.fill("Postcode", "ZZ99 1AB")
    journey.continue_()
    journey.expect_error("Enter town or city")
    expect(page.get_by_label("Address line 1")).to_have_value("Flat 9, Mill House")
    journey.fill("Town or city", "Middlehampton")
    journey.continue_()

    journey.expect_page("which-bin")
    journey.choose("Recycling (blue bin)")
    journey.continue_()
    journey.choose("It was stolen")
    journey.continue_()

    # Not damaged, so no damage question; not reported to the police, so an exit page.
    journey.expect_page("reported-theft")
    journey.choose("No")
    journey.continue_()
    journey.expect_heading("Report the theft to the police first")
    journey.back()
    journey.expect_page("reported-theft")
    journey.choose("Yes")
    journey.continue_()

    journey.expect_page("crime-reference")
    journey.fill("What is the crime reference number?", "AB#123")
    journey.continue_()
    journey.expect_error(
        "Crime reference number must only include letters, numbers, slashes and hyphens"
    )
    journey.fill("What is the crime reference number?", "CR/1234/25")
    journey.continue_()

    journey.expect_heading("Check your answers before sending your request")
    journey.expect_answer("What is your address?", "Flat 9, Mill HouseMiddlehamptonZZ99 1AB")
    journey.submit(journey.button("Accept and send"))
    journey.expect_error("Enter your email address")
    journey.fill("Email address", "guest2@example.org")
    reference = journey.send()
    journey.finish()

    sent = submission(reference)
    assert sent.user is None
    assert sent.contact_email == "guest2@example.org"
    assert sent.answers == {
        "bin_address": {
            "uprn": None,
            "line1": "Flat 9, Mill House",
            "line2": "",
            "town": "Middlehampton",
            "postcode": "ZZ99 1AB",
        },
        "bin_type": "recycling",
        "reason": "stolen",
        "reported_to_police": "yes",
        "crime_reference": "CR/1234/25",
    }


def test_resident_books_a_bulky_waste_collection(signed_in: Journey, resident):
    journey = signed_in
    page = journey.page
    collection = days_from_today(7)
    start(journey, "book-bulky-waste")

    # Told once: the address in the resident's profile is already chosen.
    expect(page.get_by_role("radio", name="6 Mill Lane, Middlehampton, ZZ99 1AB")).to_be_checked()
    journey.continue_()

    journey.expect_page("items")
    journey.tick("Sofa", "Armchair", "Mattress", "Bed frame", "Wardrobe", "Something else")
    journey.continue_()
    journey.expect_error("Select no more than 5 options")
    journey.untick("Wardrobe")
    journey.continue_()

    # "Something else": each other item in turn, then the list ("add another")
    journey.expect_page("other-items")
    journey.continue_()
    journey.expect_error("Enter a description of the item")
    journey.fill("Describe the item", "A rowing machine")
    journey.choose("It needs two people")
    journey.continue_()
    journey.expect_heading("You have added 1 other item")
    journey.choose("No")
    journey.continue_()

    journey.expect_page("collection-date")
    journey.date(*_parts(days_from_today(-1)))
    journey.continue_()
    journey.expect_error("The collection date must be in the future")
    journey.date(*_parts(collection))
    journey.continue_()

    journey.expect_page("where-left")
    journey.continue_()
    journey.expect_error("Enter where you will leave the items")
    journey.fill("Where will you leave the items?", "In the front garden")
    journey.continue_()

    journey.expect_answer(
        "What do you need collected?", "SofaArmchairMattressBed frameSomething else"
    )
    reference = journey.send()
    journey.finish()

    sent = submission(reference)
    assert sent.user == resident
    assert sent.answers == {
        "collection_address": HOME_ADDRESS,
        "items": ["sofa", "armchair", "mattress", "bed-frame", "other"],
        "other_items": [{"description": "A rowing machine", "size": "two-people"}],
        "preferred_date": collection.isoformat(),
        "where_left": "In the front garden",
    }


# --- Roads and streets ----------------------------------------------------------------------


def test_resident_reports_a_pothole_with_its_location_and_a_photo(
    signed_in: Journey, resident, live_server, photo, tmp_path
):
    journey = signed_in
    page = journey.page
    if journey.javascript:
        page.context.grant_permissions(["geolocation"], origin=live_server.url)
        page.context.set_geolocation(HERE)
    start(journey, "report-pothole")

    journey.continue_()
    journey.expect_error("Select yes or no")
    journey.choose("Yes")
    journey.continue_()
    journey.expect_heading("Call us now")
    journey.back()
    journey.choose("No")
    journey.continue_()

    journey.expect_page("location")
    journey.continue_()
    journey.expect_error("Enter where the pothole is")
    journey.fill("Where is the pothole?", "Outside 12 High Street, near the bus stop")
    locate = page.get_by_role("button", name="Use my current location")
    if journey.javascript:
        locate.click()
        expect(page.get_by_text("Your current location has been added.")).to_be_visible()
        expect(page.locator("input[name='pothole_location-lat']")).to_have_value("52.241445")
        expect(page.locator("input[name='pothole_location-lng']")).to_have_value("-0.904485")
        # The map comes to the resident's position, with the pin on it.
        expect_pin_in_the_middle(journey)
        journey.audit()  # the status message and the button's new state
    else:
        # Without JavaScript the button and the map could do nothing, so neither is offered.
        expect(locate).to_be_hidden()
        expect(page.locator("#pothole_location-map")).to_have_count(1)
        expect(page.locator("#pothole_location-map")).to_be_hidden()
    journey.continue_()

    journey.choose("On the road")
    journey.continue_()
    journey.choose("Bigger than a car tyre")
    journey.continue_()

    # A text file dressed up as a photo is refused by its content, then a real photo goes.
    journey.expect_page("photo")
    disguised = tmp_path / "pothole.jpg"
    disguised.write_text("not a photo at all")
    page.get_by_label("Upload a photo of the pothole (optional)").set_input_files(disguised)
    journey.continue_()
    journey.expect_error("The selected file must be a JPG, PNG, WebP or PDF")
    page.get_by_label("Upload a photo of the pothole (optional)").set_input_files(
        photo("pothole-photo.jpg")
    )
    journey.continue_()

    journey.expect_answer("Upload a photo of the pothole (optional)", "pothole-photo.jpg")
    location = "Outside 12 High Street, near the bus stop"
    if journey.javascript:
        location += "Pin on map"  # the resident's words and a pin, never coordinates
    journey.expect_answer("Where is the pothole?", location)
    # The photo page shows what was uploaded; continuing without a new file keeps it.
    journey.change("Upload a photo of the pothole (optional)")
    expect(page.get_by_text("Uploaded: pothole-photo.jpg")).to_be_visible()
    journey.continue_()
    journey.expect_answer("Upload a photo of the pothole (optional)", "pothole-photo.jpg")
    reference = journey.send()
    journey.finish()

    sent = submission(reference)
    assert sent.user == resident
    where = (HERE["latitude"], HERE["longitude"]) if journey.javascript else (None, None)
    assert sent.answers == {
        "immediate_danger": "no",
        "pothole_location": {
            "lat": where[0],
            "lng": where[1],
            "description": "Outside 12 High Street, near the bus stop",
        },
        "surface": "road",
        "pothole_size": "large",
        "photo": {"reference": ANY, "name": "pothole-photo.jpg"},
    }
    assert (sent.latitude, sent.longitude) == where


@pytest.fixture
def map_settings(settings) -> None:
    settings.MAP_CENTRE = MAP_CENTRE
    settings.MAP_ZOOM = MAP_ZOOM


def point_at(east: float, south: float) -> tuple[float, float]:
    """The point `east` and `south` pixels from the middle of the map as it opens, by Web
    Mercator (EPSG:3857), as every web map's tiles are laid out."""
    size = 256 * 2**MAP_ZOOM
    lat, lng = map(math.radians, MAP_CENTRE)
    x = (lng + math.pi) / (2 * math.pi) * size + east
    y = (1 - math.log(math.tan(math.pi / 4 + lat / 2)) / math.pi) / 2 * size + south
    return (
        math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / size)))),
        x / size * 360 - 180,
    )


def expect_point(journey: Journey, point: tuple[float, float]) -> tuple[float, float]:
    """The hidden latitude and longitude hold `point` (to a pixel), to six decimal places."""
    values = []
    for part, expected in zip(("lat", "lng"), point, strict=True):
        field = journey.page.locator(f"input[name='pothole_location-{part}']")
        expect(field).to_have_value(re.compile(r"^-?[0-9]+\.[0-9]{6}$"))
        values.append(float(field.input_value()))
        assert values[-1] == pytest.approx(expected, abs=PIXEL), part
    return values[0], values[1]


def expect_pin_in_the_middle(journey: Journey) -> None:
    """Wait until the map has come to rest with the pin at its middle (within 2 pixels)."""
    journey.page.wait_for_function(
        """() => {
          const map = document.querySelector(".journey-location__map");
          const pin = map && map.querySelector("img[alt='Pin']");
          if (!pin) return false;
          const [m, p] = [map.getBoundingClientRect(), pin.getBoundingClientRect()];
          // The pin's point is 12 pixels in from its image's left, at its bottom (41 down).
          return Math.abs(p.left + 12 - (m.left + m.width / 2)) <= 2
            && Math.abs(p.top + 41 - (m.top + m.height / 2)) <= 2;
        }"""
    )


def pan_east(journey: Journey) -> None:
    """One press of the right arrow key on the map, and the end of the move it starts."""
    journey.page.keyboard.press("ArrowRight")
    # Leaflet ignores arrow keys while a move is still running.
    expect(journey.page.locator(".leaflet-pan-anim")).to_have_count(0)


@pytest.mark.parametrize("javascript", [True], ids=["js"])
def test_resident_puts_the_pothole_on_the_map_by_clicking_and_by_keyboard(
    signed_in: Journey, resident, map_settings
):
    journey = signed_in
    page = journey.page
    start(journey, "report-pothole")
    journey.choose("No")
    journey.continue_()
    journey.expect_page("location")

    the_map = page.get_by_role("region", name="Map")
    pin = the_map.get_by_role("img", name="Pin")
    status = page.locator("[data-journey-location='status']")
    centre = page.get_by_role("button", name="Put the pin at the centre of the map")
    remove = page.get_by_role("button", name="Remove the pin")
    expect(the_map).to_be_visible()
    expect(remove).to_be_hidden()
    width, height = the_map.evaluate("map => [map.clientWidth, map.clientHeight]")

    # A click 120 pixels east of the middle and 60 north puts the pin there.
    the_map.click(position={"x": width / 2 + 120, "y": height / 2 - 60})
    expect(pin).to_be_visible()
    expect(status).to_have_text("The pin has been put on the map.")
    expect_point(journey, point_at(120, -60))
    journey.audit()

    page.get_by_role("button", name="Remove the pin").click()
    expect(pin).to_have_count(0)
    expect(page.locator("input[name='pothole_location-lat']")).to_have_value("")
    expect(page.locator("input[name='pothole_location-lng']")).to_have_value("")
    expect(status).to_have_text("The pin has been removed from the map.")
    expect(remove).to_be_hidden()
    expect(centre).to_be_focused()

    # By keyboard: the map is the next stop after the description; the arrow keys move it; the
    # tab key leaves it, through its zoom buttons, for the buttons below.
    page.get_by_label("Where is the pothole?").focus()
    page.keyboard.press("Tab")
    expect(the_map).to_be_focused()
    pan_east(journey)
    pan_east(journey)
    for stop in (
        the_map.get_by_role("button", name="Zoom in"),
        the_map.get_by_role("button", name="Zoom out"),
        page.get_by_role("button", name="Use my current location"),
        centre,
    ):
        page.keyboard.press("Tab")
        expect(stop).to_be_focused()
    page.keyboard.press("Enter")
    expect(pin).to_be_visible()
    expect(status).to_have_text("The pin has been put on the map.")
    # Leaflet moves the map 80 pixels a key press.
    chosen = expect_point(journey, point_at(160, 0))
    journey.audit()
    journey.continue_()  # the pin alone answers the question

    journey.choose("On the road")
    journey.continue_()
    journey.choose("Bigger than a car tyre")
    journey.continue_()
    journey.continue_()  # no photo
    journey.expect_answer("Where is the pothole?", "Pin on map")

    # Coming back to the question shows the pin where it was put, in the middle of the map.
    journey.change("Where is the pothole?")
    expect(pin).to_be_visible()
    expect(status).to_have_text("A location on the map has been added.")
    assert expect_point(journey, chosen) == chosen
    expect_pin_in_the_middle(journey)
    journey.continue_()

    reference = journey.send()
    journey.finish()

    sent = submission(reference)
    assert sent.answers["pothole_location"] == {
        "lat": chosen[0],
        "lng": chosen[1],
        "description": "",
    }
    assert (sent.latitude, sent.longitude) == chosen


@pytest.mark.parametrize("javascript", [True], ids=["js"])
def test_the_map_takes_a_pin_and_says_so_when_its_tiles_cannot_load(
    signed_in: Journey, map_settings
):
    journey = signed_in
    page = journey.page
    # The tile server answers with something that is not a picture, as a broken one might.
    page.route(
        is_tile,
        lambda route: route.fulfill(status=200, content_type="image/png", body=b"not a picture"),
    )
    start(journey, "report-pothole")
    journey.choose("No")
    journey.continue_()
    journey.expect_page("location")

    failed = "The map could not be loaded. Describe the location in the box above instead."
    expect(page.get_by_text(failed)).to_be_visible()
    the_map = page.get_by_role("region", name="Map")
    width, height = the_map.evaluate("map => [map.clientWidth, map.clientHeight]")
    the_map.click(position={"x": width / 2 - 40, "y": height / 2 + 30})
    expect(the_map.get_by_role("img", name="Pin")).to_be_visible()
    expect_point(journey, point_at(-40, 30))
    journey.audit()
    journey.finish()


def test_resident_reports_fly_tipping_and_changes_an_answer(signed_in: Journey, resident):
    journey = signed_in
    start(journey, "report-fly-tipping")

    journey.choose("No")
    journey.continue_()
    journey.expect_page("location")
    journey.fill("Where is the fly-tipping?", "The lay-by on Wick Lane")
    journey.continue_()

    journey.expect_page("waste-type")
    journey.continue_()
    journey.expect_error("Select what has been dumped")
    journey.tick("Tyres", "Something else")
    journey.continue_()

    journey.expect_page("other-waste")
    journey.fill("What else has been dumped?", "y" * 201)
    journey.continue_()
    journey.expect_error("Your answer must be 200 characters or less")
    journey.fill("What else has been dumped?", "A broken shopping trolley")
    journey.continue_()

    journey.choose("About a car boot load")
    journey.continue_()
    journey.expect_page("photo")
    journey.continue_()  # the photo is optional
    journey.expect_page("witnessed")
    journey.choose("Yes")
    journey.continue_()
    journey.fill("Tell us what you saw", "A white van, registration AB12 CDE")
    journey.continue_()

    journey.expect_answer("How much is there?", "About a car boot load")
    journey.expect_answer("Upload a photo (optional)", "Not provided")
    journey.change("How much is there?")
    journey.expect_page("amount")
    journey.choose("About a van load")
    journey.continue_()
    journey.expect_heading("Check your answers before sending your request")
    journey.expect_answer("How much is there?", "About a van load")
    reference = journey.send()
    journey.finish()

    assert submission(reference).answers == {
        "private_land": "no",
        "tipping_location": {"lat": None, "lng": None, "description": "The lay-by on Wick Lane"},
        "waste_type": ["tyres", "other"],
        "other_waste": "A broken shopping trolley",
        "amount": "van",
        "witnessed": "yes",
        "witness_details": "A white van, registration AB12 CDE",
    }


# --- Environment ----------------------------------------------------------------------------


def test_resident_reports_a_noise_problem_that_has_stopped(signed_in: Journey, resident):
    journey = signed_in
    page = journey.page
    started, stopped = days_from_today(-60), days_from_today(-10)
    start(journey, "report-noise")

    journey.continue_()
    journey.expect_error("Select what kind of noise it is")
    journey.choose("People in the street or traffic")
    journey.continue_()
    journey.expect_heading("Report this to the police")
    journey.back()
    journey.choose("Loud music or parties")
    journey.continue_()

    journey.expect_page("source")
    journey.continue_()
    journey.expect_error("Enter where the noise is coming from")
    journey.fill("Where is the noise coming from?", "14 Park Road, the flat above mine")
    journey.continue_()

    journey.tick("Evening (6pm to 11pm)", "Night (11pm to 6am)")
    journey.continue_()

    journey.expect_page("started")
    journey.date(31, 2, started.year)
    journey.continue_()
    journey.expect_error("The date it started must be a real date")
    journey.date(*_parts(started))
    journey.continue_()

    # Not still happening: "how often" is skipped and "when did it stop" asked instead.
    journey.choose("No")
    journey.continue_()
    journey.expect_page("stopped")
    journey.date(*_parts(stopped))
    journey.continue_()

    journey.fill("How is it affecting you?", "I cannot sleep")
    journey.continue_()

    journey.expect_page("phone")
    phone = page.get_by_label("What is your phone number? (optional)")
    expect(phone).to_have_value("07911 123456")  # from the resident's profile
    phone.fill("12345")
    journey.continue_()
    journey.expect_error(
        "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
    )
    phone.fill("01234 567890")
    journey.continue_()

    journey.expect_answer("Is it still happening?", "No")
    reference = journey.send()
    journey.finish()

    assert submission(reference).answers == {
        "noise_type": "music",
        "source": "14 Park Road, the flat above mine",
        "times": ["evening", "night"],
        "started": started.isoformat(),
        "ongoing": "no",
        "stopped": stopped.isoformat(),
        "effect": "I cannot sleep",
        "phone": "+441234567890",
    }


# --- Council Tax ----------------------------------------------------------------------------


def test_resident_tells_us_they_moved_saving_and_continuing_from_their_account(
    signed_in: Journey, resident
):
    journey = signed_in
    page = journey.page
    moved = days_from_today(-20)
    start(journey, "tell-us-you-moved")

    journey.choose("Yes")
    journey.continue_()
    journey.expect_page("old-address")
    expect(page.get_by_role("radio", name="6 Mill Lane, Middlehampton, ZZ99 1AB")).to_be_checked()
    journey.continue_()
    journey.date(*_parts(moved))
    journey.continue_()

    # Save and come back later: the draft waits in the resident's account.
    journey.expect_page("moving-to")
    journey.choose("Another address in this council's area")
    journey.submit(journey.button("Save and come back later"))
    expect(page).to_have_url(re.compile(r"/account/$"))
    expect(page.get_by_text("Your answers have been saved.")).to_be_visible()
    journey.follow(page.get_by_role("link", name="Continue Tell us you have moved home"))
    journey.expect_page("moving-to")
    expect(page.get_by_role("radio", name="Another address in this council's area")).to_be_checked()
    journey.continue_()

    # The new address by postcode, after one that finds nothing.
    journey.expect_page("new-address")
    journey.fill("Postcode", "ZZ99 9ZZ")
    journey.submit(journey.button("Find address"))
    journey.expect_error(
        "We could not find an address for ZZ99 9ZZ – check the postcode or enter the "
        "address manually"
    )
    journey.fill("Postcode", "ZZ99 1AH")
    journey.submit(journey.button("Find address"))
    journey.continue_()
    journey.expect_error("Select an address")
    journey.choose("8 Orchard Close, Middlehampton, ZZ99 1AH")
    journey.continue_()

    journey.choose("I rent from a private landlord")
    journey.continue_()
    journey.choose("Yes")
    journey.continue_()
    journey.fill("What are their full names?", "Grace Hopper")
    journey.continue_()

    journey.expect_page("email")
    email = page.get_by_label("What is your email address?")
    expect(email).to_have_value("ada@example.org")  # from the account
    email.fill("ada@example")
    journey.continue_()
    journey.expect_error("Enter an email address in the correct format, like name@example.com")
    email.fill("ada.lovelace@example.org")
    journey.continue_()

    journey.expect_answer("What is your new address?", "8 Orchard CloseMiddlehamptonZZ99 1AH")
    reference = journey.send()
    journey.finish()

    assert submission(reference).answers == {
        "liable": "yes",
        "old_address": HOME_ADDRESS,
        "move_date": moved.isoformat(),
        "moving_to": "within",
        "new_address": {
            "uprn": "999900001347",
            "line1": "8 Orchard Close",
            "line2": "",
            "town": "Middlehampton",
            "postcode": "ZZ99 1AH",
        },
        "tenure": "rent-private",
        "other_adults": "yes",
        "adult_names": "Grace Hopper",
        "email": "ada.lovelace@example.org",
    }


# --- Parking --------------------------------------------------------------------------------


def test_resident_applies_for_a_parking_permit_with_proof_and_a_declaration(
    signed_in: Journey, resident, photo
):
    journey = signed_in
    page = journey.page
    start(journey, "apply-resident-parking-permit")

    journey.choose("Yes")
    journey.continue_()
    journey.expect_page("address")
    journey.continue_()

    journey.expect_page("vehicle")
    journey.fill("What is the vehicle's registration number?", "NOT A REG!")
    journey.continue_()
    journey.expect_error("Enter a real vehicle registration number, like AB12 CDE")
    journey.fill("What is the vehicle's registration number?", "ab12cde")
    journey.continue_()

    journey.choose("No")
    journey.continue_()
    journey.expect_page("evidence")
    journey.continue_()
    journey.expect_error("Upload proof that you may use the vehicle")
    page.get_by_label("Upload proof that you may use the vehicle").set_input_files(
        photo("lease-letter.jpg")
    )
    journey.continue_()

    journey.choose("12 months (£100)")
    journey.continue_()

    journey.expect_page("confirm")
    journey.continue_()
    journey.expect_error("Confirm that you agree with the declaration")
    journey.tick(
        "I confirm that I live at this address and that the information I have given is correct"
    )
    journey.continue_()

    journey.expect_answer("What is the vehicle's registration number?", "AB12 CDE")
    reference = journey.send()

    # The request is listed in the resident's account.
    journey.follow(page.get_by_role("link", name="See your requests in your account"))
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    journey.finish()

    assert submission(reference).answers == {
        "in_zone": "yes",
        "home_address": HOME_ADDRESS,
        "registration": "AB12 CDE",
        "registered_keeper": "no",
        "evidence": {"reference": ANY, "name": "lease-letter.jpg"},
        "permit_length": "12-months",
        "declaration": True,
    }


# --- Finding services and following requests -------------------------------------------------


def test_finding_a_service_and_tracking_a_request_are_accessible(journey: Journey):
    page = journey.page
    journey.goto("/services/")
    expect(page.get_by_role("heading", name="Bins and recycling")).to_be_visible()

    search = page.get_by_label("Search for a service")
    search.fill("pothole")
    journey.submit(journey.button("Search"))
    expect(page.get_by_role("heading", name="1 result for ‘pothole’")).to_be_visible()

    page.get_by_label("Search for a service").fill("xyzzy")
    journey.submit(journey.button("Search"))
    expect(page.get_by_role("heading", name="No services match ‘xyzzy’")).to_be_visible()

    journey.goto("/services/")
    journey.follow(page.get_by_role("link", name="Book a bulky waste collection"))
    journey.expect_heading("Book a bulky waste collection")
    expect(page.get_by_text("You need an account to use this service")).to_be_visible()

    journey.goto("/track/")
    journey.submit(journey.button("Continue"))
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    journey.finish()


def test_a_journey_fails_if_a_page_on_the_way_was_not_checked(journey: Journey):
    journey.page.goto("/services/")  # not checked with axe
    journey.goto("/services/report-pothole/")

    with pytest.raises(
        AssertionError, match=r"pages not checked with axe: \['http://[^']+/services/'\]"
    ):
        journey.finish()


def _parts(day) -> tuple[int, int, int]:
    return day.day, day.month, day.year


def _resume_link(mailoutbox, to: str) -> str:
    sent = [message for message in mailoutbox if message.to == [to]]
    assert len(sent) == 1, [message.subject for message in mailoutbox]
    match = re.search(r"https?://\S+/resume/[^/\s]+/", sent[0].body)
    assert match, sent[0].body
    return match.group(0)
