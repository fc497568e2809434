"""Forms made for tests: one page per question type, and a large generated form."""

from services.models import Form, FormVersion
from tests.services.factories import ServiceFactory


def t(en):
    return {"en": en, "cy": f"{en} (cy)"}


def q(qid, qtype, **extra):
    return {"id": qid, "type": qtype, "label": t(f"Question {qid}"), **extra}


def optional(qid, qtype, **extra):
    return q(qid, qtype, required=False, **extra)


OPTIONS = [{"value": v, "label": t(v.title())} for v in ("red", "green", "blue")]

EVERY_TYPE = {
    "pages": [
        {
            "id": "p-short",
            "questions": [
                optional("short", "short_text", prefill="full_name", validation={"min_length": 3})
            ],
        },
        {
            "id": "p-long",
            "questions": [optional("long", "long_text", validation={"max_length": 50})],
        },
        {
            "id": "p-number",
            "questions": [optional("number", "number", validation={"min": 1, "max": 10})],
        },
        {"id": "p-email", "questions": [optional("email", "email")]},
        {"id": "p-phone", "questions": [optional("phone", "phone")]},
        {"id": "p-postcode", "questions": [optional("postcode", "postcode")]},
        {"id": "p-date", "questions": [optional("date", "date", validation={"date": "past"})]},
        {"id": "p-radios", "questions": [optional("radios", "radios", options=OPTIONS)]},
        {
            "id": "p-checkboxes",
            "questions": [optional("checkboxes", "checkboxes", options=OPTIONS)],
        },
        {"id": "p-select", "questions": [optional("select", "select", options=OPTIONS)]},
        {"id": "p-yes-no", "questions": [optional("yes_no", "yes_no")]},
        {"id": "p-address", "questions": [optional("address", "address")]},
        {"id": "p-location", "questions": [optional("location", "location")]},
        {"id": "p-file", "questions": [optional("file", "file", validation={"max_size_mb": 1})]},
        {"id": "p-vehicle", "questions": [optional("vehicle", "vehicle_registration")]},
        {"id": "p-declaration", "questions": [q("declaration", "declaration")]},
    ]
}


def generated(count=40, per_page=1):
    """`count` short-text questions, `per_page` to a page."""
    pages = []
    for start in range(0, count, per_page):
        questions = [q(f"q{n}", "short_text") for n in range(start, min(count, start + per_page))]
        pages.append({"id": f"page-{start}", "questions": questions})
    return {"pages": pages}


def live_service(schema, slug, allow_guests=True):
    service = ServiceFactory(slug=slug, allow_guests=allow_guests)
    form = Form.objects.create(service=service)
    version = FormVersion.objects.create(form=form, schema=schema)
    version.publish()
    return service
