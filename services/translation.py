"""Which catalogue fields have English and Welsh columns (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from services.models import Service, Topic


@register(Topic)
class TopicTranslationOptions(TranslationOptions):
    fields = ("name",)
    # English is the fallback for any text not yet translated.
    required_languages = ("en",)


@register(Service)
class ServiceTranslationOptions(TranslationOptions):
    fields = (
        "name",
        "summary",
        "what_you_need",
        "how_long",
        "other_ways_phone",
        "other_ways_in_person",
    )
    required_languages = {"en": ("name", "summary")}
