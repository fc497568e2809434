"""Reference numbers residents read out on the phone: short and hard to mistype.

Eight characters from an alphabet without I, O, Q, 0 and 1 (which people confuse), shown in two
groups: "K7WP-3XMR". 31^8 is about 8.5e11 references, so a clash is rare; the unique column that
stores them (the Submission model) turns a clash into an IntegrityError, and the caller retries
with a new reference.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ23456789"
LENGTH = 8
GROUP = 4
# The stored, displayed form includes the hyphen: a CharField(max_length=REFERENCE_MAX_LENGTH).
REFERENCE_MAX_LENGTH = LENGTH + (LENGTH - 1) // GROUP

# What people put around or between the characters: spaces, hyphens, dashes, dots.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015.]+")


def new_reference() -> str:
    """A fresh random reference, e.g. "K7WP-3XMR" (from `secrets`, so not predictable)."""
    return _format("".join(secrets.choice(ALPHABET) for _ in range(LENGTH)))


def normalise_reference(user_input: str) -> str | None:
    """The canonical "K7WP-3XMR" for what a resident typed ("k7wp 3xmr", "K7WP3XMR"), or None
    if it cannot be a reference (wrong length or a character outside the alphabet)."""
    if not isinstance(user_input, str) or len(user_input) > 40:
        return None
    compact = _SEPARATORS.sub("", user_input).upper()
    if len(compact) != LENGTH or any(char not in ALPHABET for char in compact):
        return None
    return _format(compact)


def is_reference(value: str) -> bool:
    """Whether `value` is a reference in canonical form."""
    return normalise_reference(value) == value


def _format(compact: str) -> str:
    return "-".join(compact[i : i + GROUP] for i in range(0, len(compact), GROUP))
