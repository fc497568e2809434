"""Reading the resident's request cards (templates/dashboard/_request_card.html) as people do."""

import re

from tests.portal.catalogue.helpers import elements

REQUEST_PAGE = re.compile(r"(/cy)?/account/requests/[^/]+/")


def _title_links(response, heading: str):
    return [
        e
        for e in elements(response, "a")
        if REQUEST_PAGE.fullmatch(e.attrs["href"]) and e.inside(heading)
    ]


def request_links(response, heading: str = "h3") -> list[str]:
    """The address of each request listed, in order (each card's title links to its request).

    The account's home titles its cards with h3 (under "Your requests"), that page with h2."""
    return [e.attrs["href"] for e in _title_links(response, heading)]


def card_titles(response, heading: str = "h3") -> list[str]:
    """The service each card names, without the reference hidden after it for screen readers."""
    return [e.text.rsplit(",", 1)[0] for e in _title_links(response, heading)]
