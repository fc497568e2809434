import factory

from services.models import Form, FormVersion, Service, Topic
from tests.services.helpers import page, radios

# In English and Welsh, as a version must be to be published (services/forms/publish_checks.py).
SIMPLE_SCHEMA = {
    "pages": [
        page(
            "which-bin",
            {
                **radios("bin_type", "general", "garden"),
                "label": {"en": "bin_type", "cy": "Pa fin?"},
                "options": [
                    {"value": "general", "label": {"en": "General", "cy": "Cyffredinol"}},
                    {"value": "garden", "label": {"en": "Garden", "cy": "Gardd"}},
                ],
            },
        )
    ]
}


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name_en = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    name_en = factory.Sequence(lambda n: f"Service {n}")
    summary_en = "Do a thing."
    slug = factory.Sequence(lambda n: f"service-{n}")
    topic = factory.SubFactory(TopicFactory)
    is_live = True


class FormFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Form

    service = factory.SubFactory(ServiceFactory)


class FormVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormVersion

    form = factory.SubFactory(FormFactory)
    schema = factory.LazyFunction(lambda: {"pages": [dict(p) for p in SIMPLE_SCHEMA["pages"]]})
