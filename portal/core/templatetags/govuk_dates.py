"""Times as GOV.UK style writes them: "3:15pm", "9am", "midday", "midnight".

Django's "g:ia" gives "3:15p.m." in English (its locale format adds the full stops). Welsh uses
"yb" (y bore) and "yh" (yr hwyr) and "hanner dydd" / "hanner nos", as Welsh public bodies write
them; that Welsh NEEDS REVIEW by a Welsh speaker with the rest of the catalogue.
"""

from __future__ import annotations

from datetime import datetime, time

from django import template
from django.utils.translation import get_language

register = template.Library()

_WORDS = {
    "en": {"am": "am", "pm": "pm", "midday": "midday", "midnight": "midnight"},
    "cy": {"am": "yb", "pm": "yh", "midday": "hanner dydd", "midnight": "hanner nos"},
}


def govuk_time_text(moment: time, lang: str) -> str:
    """`moment` in GOV.UK style in `lang` ("en" or "cy"; anything else reads as English)."""
    words = _WORDS.get(lang[:2], _WORDS["en"])
    if moment.minute == 0 and moment.hour in (0, 12):
        return words["midnight" if moment.hour == 0 else "midday"]
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{words['am' if moment.hour < 12 else 'pm']}"


@register.filter(expects_localtime=True)
def govuk_time(value: datetime | time | None) -> str:
    """The time of `value` (in the current time zone) in the page's language; "" for none."""
    if value is None or value == "":
        return ""
    moment = value.time() if isinstance(value, datetime) else value
    return govuk_time_text(moment, get_language() or "en")
