"""Finding a resident's account by what a caller reads out: their name, e-mail or phone.

The search box is read as the case search reads it (services/staff/search.py): a phone number
written any UK way, an e-mail address whole, a name as part of the account's name, all put in
the same shape as what is stored (services/staff/normalise.py). Staff accounts are never found:
a resident is an account that holds no permission.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q

from services.staff.normalise import phone_key, text_key
from services.staff.search import MIN_PART_LENGTH

MAX_RESIDENTS_SHOWN = 20


def resident_accounts() -> Any:
    """Active accounts of residents: no staff flag, no permission of their own or a role's."""
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=False, is_superuser=False)
        .exclude(groups__permissions__isnull=False)
        .exclude(user_permissions__isnull=False)
    )


def find_residents(text: str) -> list[Any]:
    """Up to MAX_RESIDENTS_SHOWN residents the text names; none for text that names nobody."""
    text = text.strip()
    lowered = text_key(text)
    condition = Q(pk__in=[])
    if "@" in text:
        condition |= Q(email__iexact=text)
    elif len(lowered) >= MIN_PART_LENGTH:
        condition |= Q(full_name__icontains=lowered)
    if (phone := phone_key(text)) is not None:
        condition |= Q(phone=phone)
    return list(
        resident_accounts()
        .filter(condition)
        .distinct()
        .order_by("full_name", "email", "pk")[:MAX_RESIDENTS_SHOWN]
    )
