"""Address lookup: find the addresses at a postcode, or one address by its UPRN.

    from services.addresses import get_provider, AddressLookupError
    addresses = get_provider().find_by_postcode("zz99 1ab")

Which provider answers is a setting (ADDRESS_PROVIDER): "local" reads a gazetteer CSV
(services/addresses/local.py describes the format), "os_places" asks the Ordnance Survey Places API.
"""

from services.addresses.base import (
    Address,
    AddressLookupError,
    AddressProvider,
    InvalidPostcodeError,
    is_postcode,
    normalise_postcode,
)
from services.addresses.match import with_uprn
from services.addresses.providers import get_provider

__all__ = [
    "Address",
    "AddressLookupError",
    "AddressProvider",
    "InvalidPostcodeError",
    "get_provider",
    "is_postcode",
    "normalise_postcode",
    "with_uprn",
]
