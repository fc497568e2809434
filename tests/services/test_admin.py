import json

import pytest
from django.contrib.admin.sites import site
from django.contrib.messages.storage.fallback import FallbackStorage

from services.admin.catalogue import FormVersionForm
from services.models import FormVersion
from tests.services.factories import FormFactory, FormVersionFactory
from tests.services.helpers import page, radios

pytestmark = pytest.mark.django_db


def test_the_admin_form_shows_schema_errors_naming_the_question():
    form_obj = FormFactory()
    bad = {"pages": [page("which-bin", radios("bin_type"))]}
    form = FormVersionForm(data={"form": form_obj.pk, "schema": json.dumps(bad)})
    assert not form.is_valid()
    assert form.errors["schema"] == [
        "Question 'bin_type' on page 'which-bin': radios need at least one option"
    ]


def test_the_admin_form_accepts_a_valid_draft_schema():
    form_obj = FormFactory()
    good = {"pages": [page("which-bin", radios("bin_type", "general"))]}
    form = FormVersionForm(data={"form": form_obj.pk, "schema": json.dumps(good)})
    assert form.is_valid(), form.errors
    assert form.save().number == 1


def test_a_live_version_is_read_only_in_the_admin(rf):
    version = FormVersionFactory()
    version.publish()
    model_admin = site._registry[FormVersion]
    assert "schema" in model_admin.get_readonly_fields(rf.get("/"), version)
    assert "schema" not in model_admin.get_readonly_fields(rf.get("/"), FormVersionFactory())


def test_admin_actions_publish_archive_and_copy(rf, django_user_model):
    user = django_user_model.objects.create_superuser(email="a@example.gov.uk", password="x" * 12)
    request = rf.post("/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    model_admin = site._registry[FormVersion]
    v1 = FormVersionFactory(form__service__is_live=False)

    model_admin.publish(request, FormVersion.objects.filter(pk=v1.pk))
    model_admin.new_draft(request, FormVersion.objects.filter(pk=v1.pk))
    v2 = v1.form.versions.get(number=2)
    model_admin.publish(request, FormVersion.objects.filter(pk=v2.pk))
    model_admin.archive(request, FormVersion.objects.filter(pk=v2.pk))

    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == ("archived", "archived")
    assert v2.created_by == user
    # Publishing an archived version is refused with a message, not an exception.
    model_admin.publish(request, FormVersion.objects.filter(pk=v1.pk))
    assert any("Only a draft can be published" in str(m) for m in request._messages)
