"""The provider the settings name, built once per process and shared."""

from __future__ import annotations

import functools
import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from services.addresses.base import AddressProvider
from services.addresses.local import LocalGazetteerProvider
from services.addresses.os_places import OSPlacesProvider

PROVIDERS = ("local", "os_places")

_lock = threading.Lock()


def get_provider() -> AddressProvider:
    """The provider named by settings.ADDRESS_PROVIDER ("local" or "os_places").

    Built on first use and kept: the local gazetteer is read once per process, and the OS Places
    client keeps its connections. Changed settings (as in tests) give a new provider.
    """
    kind = getattr(settings, "ADDRESS_PROVIDER", "local")
    if kind == "local":
        return _build(kind, str(settings.ADDRESS_GAZETTEER_CSV))
    if kind == "os_places":
        if not settings.OS_PLACES_API_KEY:
            raise ImproperlyConfigured("ADDRESS_PROVIDER is os_places: set OS_PLACES_API_KEY")
        return _build(
            kind,
            settings.OS_PLACES_API_URL,
            settings.OS_PLACES_API_KEY,
            float(settings.OS_PLACES_TIMEOUT),
        )
    raise ImproperlyConfigured(
        f"ADDRESS_PROVIDER is {kind!r}; it must be one of {', '.join(PROVIDERS)}"
    )


def _build(kind: str, *options: str | float) -> AddressProvider:
    # Two requests arriving together on a fresh process must not both read a large gazetteer.
    with _lock:
        return _cached(kind, *options)


@functools.lru_cache(maxsize=4)
def _cached(kind: str, *options: str | float) -> AddressProvider:
    if kind == "local":
        return LocalGazetteerProvider(str(options[0]))
    base_url, api_key, timeout = options
    return OSPlacesProvider(str(base_url), str(api_key), timeout=float(timeout))


def clear_cache() -> None:
    """Forget built providers (tests that change the gazetteer file in place)."""
    with _lock:
        _cached.cache_clear()
