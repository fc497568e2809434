from typing import Any

from django.conf import settings
from django.http import HttpRequest


def council(request: HttpRequest) -> dict[str, Any]:
    """The council's branding, for the header, footer and page titles."""
    return {
        "council_name": settings.COUNCIL_NAME,
        "council_logo_url": settings.COUNCIL_LOGO_URL,
        "council_website_url": settings.COUNCIL_WEBSITE_URL,
        "council_contact_phone": settings.COUNCIL_CONTACT_PHONE,
    }
