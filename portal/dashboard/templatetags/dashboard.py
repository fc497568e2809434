from datetime import date, datetime

from django import template
from django.utils.dateformat import format as date_format
from django.utils.translation import get_language

from services.messages.receipts import contact_problems
from services.models import Submission

register = template.Library()

# GOV.UK tag colours: blue (the default) for new, teal while the council works on it, purple once
# something is booked, orange when the resident is asked to reply, green when done, grey when
# closed without the council doing anything.
_TAG_CLASSES: dict[str, str] = {
    Submission.Status.RECEIVED: "",
    Submission.Status.IN_PROGRESS: "govuk-tag--teal",
    Submission.Status.ACTION_SCHEDULED: "govuk-tag--purple",
    Submission.Status.NEEDS_INFORMATION: "govuk-tag--orange",
    Submission.Status.CLOSED_FIXED: "govuk-tag--green",
    Submission.Status.CLOSED_NOT_COUNCIL: "govuk-tag--grey",
    Submission.Status.DUPLICATE: "govuk-tag--grey",
}


@register.filter
def status_tag_class(status: str) -> str:
    """The GOV.UK tag modifier class for a submission status."""
    return _TAG_CLASSES.get(status, "govuk-tag--grey")


@register.filter(expects_localtime=True)
def day_and_date(value: date | datetime | None) -> str:
    """ "Friday 18 December 2026" ("dydd Gwener 18 Rhagfyr 2026" in Welsh).

    Django's Welsh day names start with a capital ("Dydd Gwener"), as at the start of a line;
    these dates are read mid-sentence ("… erbyn dydd Gwener …"), where Welsh writes "dydd" small.
    """
    if value is None or value == "":
        return ""
    text = date_format(value, "l j F Y")
    if (get_language() or "").startswith("cy") and text.startswith("Dydd "):
        text = "d" + text[1:]
    return text


@register.inclusion_tag("dashboard/_contact_problems.html", takes_context=True)
def contact_problems_banner(context: template.Context) -> dict[str, object]:
    """A notification banner asking the resident to correct an e-mail address or mobile number
    that GOV.UK Notify could not deliver to (services/messages/receipts.py); nothing otherwise."""
    user = context.get("user")
    problems = contact_problems(user) if getattr(user, "is_authenticated", False) else []
    return {"problems": problems}
