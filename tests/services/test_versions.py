import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from services.forms.schema import SchemaError
from services.models import FormVersion, ImmutableVersionError, VersionStateError
from services.models.forms import locked_version
from tests.services.factories import FormFactory, FormVersionFactory
from tests.services.helpers import page, radios

pytestmark = pytest.mark.django_db

V2_SCHEMA = {"pages": [page("which-bin", radios("bin_type", "general", "garden", "food"))]}


def test_versions_are_numbered_one_two_three_per_form():
    form = FormFactory()
    numbers = [FormVersionFactory(form=form).number for _ in range(3)]
    assert numbers == [1, 2, 3]
    assert FormVersionFactory().number == 1


def test_publishing_makes_a_draft_live_and_archives_the_previous_live_version():
    # Given a form with a live version 1 and a draft version 2
    v1 = FormVersionFactory()
    v1.publish()
    v2 = FormVersion.new_draft_from(v1)
    # When version 2 is published
    v2.publish()
    # Then 2 is live, 1 archived, and the form's live version is 2
    v1.refresh_from_db()
    assert (v1.status, v2.status) == ("archived", "live")
    assert v2.published_at is not None
    assert v1.form.live_version == v2


def test_editing_a_live_versions_schema_is_refused():
    version = FormVersionFactory()
    version.publish()
    version.schema = V2_SCHEMA
    with pytest.raises(ImmutableVersionError, match="cannot be changed"):
        version.save()
    with pytest.raises(ImmutableVersionError):
        FormVersion.objects.filter(pk=version.pk).update(schema=V2_SCHEMA)
    version.refresh_from_db()
    assert version.schema != V2_SCHEMA


def test_editing_an_archived_versions_schema_is_refused_and_it_cannot_go_live_again():
    version = FormVersionFactory()
    version.publish()
    version.archive()
    version.schema = V2_SCHEMA
    with pytest.raises(ImmutableVersionError):
        version.save()
    version.refresh_from_db()
    with pytest.raises(VersionStateError):
        version.publish()


def test_a_draft_can_be_edited():
    version = FormVersionFactory()
    version.schema = V2_SCHEMA
    version.save()
    version.refresh_from_db()
    assert version.schema == V2_SCHEMA


def test_the_database_allows_only_one_live_version_per_form():
    v1 = FormVersionFactory()
    v1.publish()
    v2 = FormVersionFactory(form=v1.form)
    with pytest.raises(IntegrityError), transaction.atomic():
        FormVersion.objects.filter(pk=v2.pk).update(status="live", published_at=v1.published_at)


def test_an_invalid_draft_cannot_be_published():
    version = FormVersionFactory(schema={"pages": [page("p", radios("bin_type"))]})
    with pytest.raises(SchemaError, match="radios need at least one option"):
        version.publish()
    version.refresh_from_db()
    assert version.status == "draft"


def test_a_new_draft_copies_the_schema_without_sharing_it():
    v1 = FormVersionFactory()
    v1.publish()
    draft = FormVersion.new_draft_from(v1)
    draft.schema["pages"][0]["id"] = "changed"
    draft.save()
    v1.refresh_from_db()
    assert v1.schema["pages"][0]["id"] == "which-bin"
    assert (draft.number, draft.status) == (2, "draft")


def test_a_submission_in_flight_keeps_its_version_after_a_new_one_is_published():
    # Given a resident who started on version 1 (a later Submission keeps this id)
    v1 = FormVersionFactory()
    v1.publish()
    started_on = v1.pk
    original_schema = v1.schema
    # When an admin publishes version 2 with another option
    v2 = FormVersion.new_draft_from(v1)
    v2.schema = V2_SCHEMA
    v2.save()
    v2.publish()
    # Then version 1 is still readable, unchanged, and parses to the questions the resident saw
    seen = FormVersion.objects.get(pk=started_on)
    assert seen.status == "archived"
    assert seen.schema == original_schema
    assert [o.value for o in seen.parsed.question("bin_type").options] == ["general", "garden"]
    assert seen.form.live_version == v2


def test_model_validation_names_the_bad_question_for_the_admin():
    version = FormVersionFactory.build(
        form=FormFactory(), schema={"pages": [page("p", radios("bin_type"))]}
    )
    with pytest.raises(ValidationError) as caught:
        version.full_clean()
    assert caught.value.message_dict["schema"] == [
        "Question 'bin_type' on page 'p': radios need at least one option"
    ]


def test_archiving_a_live_version_leaves_the_form_without_one():
    version = FormVersionFactory()
    version.publish()
    version.archive()
    assert version.form.live_version is None
    with pytest.raises(VersionStateError):
        version.archive()


def test_a_process_keeps_live_versions_but_reads_drafts_every_time(django_assert_num_queries):
    live = FormVersionFactory()
    live.publish()
    draft = FormVersion.new_draft_from(live)

    with django_assert_num_queries(1):
        first = locked_version(live.pk)
        assert locked_version(live.pk) is first
    assert first.parsed == live.parsed

    with django_assert_num_queries(2):
        assert locked_version(draft.pk).pk == draft.pk
        assert locked_version(draft.pk).status == "draft"
