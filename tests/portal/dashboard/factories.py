import factory

from services.forms.references import new_reference
from services.models import Draft, Service, Submission
from tests.portal.accounts.factories import UserFactory

MISSED_BIN_ANSWERS = {
    "collection_address": {
        "uprn": None,
        "line1": "1 High Street",
        "line2": "",
        "town": "Exampleton",
        "postcode": "ZZ99 1AA",
    },
    "bin_type": "garden",
    "garden_subscription": "yes",
    "collection_date": "2026-01-05",
    "put_out_by_7am": "yes",
    "details": "<script>alert(1)</script> by the gate",
}


def live_version(slug: str = "report-missed-bin"):
    version = Service.objects.get(slug=slug).live_version
    assert version is not None, f"{slug} has no live form; seed the catalogue first"
    return version


class SubmissionFactory(factory.django.DjangoModelFactory):
    """A form sent by a signed-in resident; pass user=None, contact_email=... for a guest's."""

    class Meta:
        model = Submission

    form_version = factory.LazyFunction(live_version)
    service = factory.SelfAttribute("form_version.form.service")
    reference = factory.LazyFunction(new_reference)
    user = factory.SubFactory(UserFactory)
    contact_email = factory.LazyAttribute(lambda o: o.user.email if o.user else "")
    answers = factory.LazyFunction(lambda: dict(MISSED_BIN_ANSWERS))


class DraftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Draft

    form_version = factory.LazyFunction(live_version)
    user = factory.SubFactory(UserFactory)
    answers = factory.LazyFunction(lambda: {"bin_type": "general"})
    last_page = "which-bin"
