"""Your account: sent requests, unfinished forms, profile; and guest tracking by e-mailed link."""

from typing import cast

from django.http import HttpRequest

from portal.accounts.models import User


def resident(request: HttpRequest) -> User:
    """The signed-in user of a login_required view (never the anonymous user there)."""
    return cast(User, request.user)
