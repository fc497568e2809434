"""The admin's preview of a form version: the form as a resident sees it, and nothing sendable."""

from html import unescape
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from portal.journey import preview as portal_preview
from services.admin import catalogue as services_admin
from services.forms.conditions import AllOf, AnyOf, Clause
from services.forms.schema import parse_schema
from services.forms.text import text
from services.models import FormVersion, Service
from services.seed import seed_catalogue
from tests.portal.accounts.factories import UserFactory
from tests.portal.accounts.helpers import activate_totp
from tests.services.factories import FormFactory, FormVersionFactory
from tests.services.helpers import page, radios

pytestmark = pytest.mark.django_db

BANNER = "Preview – this form cannot be sent"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def with_mfa(user):
    activate_totp(user)
    return user


@pytest.fixture
def admin_client_with_mfa() -> Client:
    """A superuser who has an authenticator app (RequireStaffMFAMiddleware lets them through)."""
    return signed_in(with_mfa(UserFactory(is_staff=True, is_superuser=True)))


@pytest.fixture
def seeded() -> list[FormVersion]:
    with translation.override("en"):
        seed_catalogue()
    versions = [s.form.live_version for s in Service.objects.select_related("form")]
    live = [v for v in versions if v is not None]
    assert len(live) == len(versions) >= 8
    return live


def url(version: FormVersion, lang: str = "") -> str:
    address = reverse("admin_formversion_preview", args=[version.pk])
    return f"{address}?lang={lang}" if lang else address


def html_text(response) -> str:
    return unescape(response.content.decode())


class Markup(HTMLParser):
    """The forms, buttons and form controls on a page, and which form (if any) holds each."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str | None]] = []
        self.open_forms = 0
        self.buttons: list[tuple[dict[str, str | None], bool]] = []
        self.controls_in_forms = 0
        self.lang = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang") or ""
        if tag == "form":
            self.forms.append(attributes)
            self.open_forms += 1
        elif tag == "button":
            self.buttons.append((attributes, self.open_forms > 0))
        if tag in ("input", "select", "textarea", "button") and self.open_forms:
            self.controls_in_forms += 1

    def handle_endtag(self, tag):
        if tag == "form":
            self.open_forms -= 1


def markup(response) -> Markup:
    parser = Markup()
    parser.feed(response.content.decode())
    return parser


# --- What the preview shows ---------------------------------------------------------------------


def test_every_seeded_live_form_previews_with_its_questions_options_and_exit_pages(
    admin_client_with_mfa, seeded
):
    for version in seeded:
        response = admin_client_with_mfa.get(url(version))

        assert response.status_code == 200, version
        page_html = response.content.decode()
        assert BANNER in html_text(response)
        assert 'class="govuk-notification-banner' in page_html
        schema = version.parsed
        for question in schema.questions:
            # Rendered by the resident's partial: its label, hint and its input's id.
            assert escape(text(question.label, "en")) in page_html, (version, question.id)
            if question.hint:
                assert escape(text(question.hint, "en")) in page_html, (version, question.id)
            for option in question.options:
                assert escape(text(option.label, "en")) in page_html, (version, option.value)
        for exit_page in (p for p in schema.pages if p.is_exit):
            assert escape(text(exit_page.title, "en")) in page_html
            assert escape(text(exit_page.body, "en").splitlines()[0]) in page_html
        # The resident's template, not the Django admin's.
        assert "govuk-template" in page_html
        assert 'id="site-name"' not in page_html


def test_the_preview_uses_the_resident_partials_markup(admin_client_with_mfa, seeded):
    version = Service.objects.get(slug="request-replacement-bin").form.live_version
    page_html = admin_client_with_mfa.get(url(version)).content.decode()

    # radios: the partial's fieldset, legend and inputs, with the options' ids as the journey's
    assert 'class="govuk-radios__input" id="reason" name="reason" type="radio" value="damaged"' in (
        page_html
    )
    assert 'id="reason-2" name="reason" type="radio" value="stolen"' in page_html
    # a lone question's label is the page's heading, as on the resident's page
    assert '<h1 class="govuk-fieldset__heading">Why do you need a replacement?</h1>' in page_html
    # the address question starts with the postcode look-up, as a resident's does
    assert 'id="bin_address-lookup" name="bin_address-lookup"' in page_html


def test_each_page_says_when_it_is_shown_in_plain_english(admin_client_with_mfa, seeded):
    version = Service.objects.get(slug="request-replacement-bin").form.live_version

    shown = html_text(admin_client_with_mfa.get(url(version)))

    assert "Shown only if ‘Why do you need a replacement?’ is ‘It was stolen’" in shown
    assert "Shown only if ‘Why do you need a replacement?’ is ‘It is damaged’" in shown
    # The exit page's condition has two parts; a yes/no answer reads as the resident's "No".
    assert (
        "Shown only if ‘Why do you need a replacement?’ is ‘It was stolen’ and "
        "‘Have you reported the theft to the police?’ is ‘No’"
    ) in shown
    assert "Always shown" in shown
    # Every page, one after another, numbered.
    pages = version.parsed.pages
    raw = admin_client_with_mfa.get(url(version)).content.decode()
    assert raw.count('<section class="govuk-!-margin-bottom-9" aria-label="Page ') == len(pages)
    assert f">Page {len(pages)} of {len(pages)}</strong>" in raw


def test_a_page_of_several_questions_has_its_title_and_notes_on_conditional_questions(
    admin_client_with_mfa,
):
    draft = FormVersionFactory(
        schema={
            "pages": [
                page("which-bin", radios("bin_type", "general", "garden")),
                {
                    "id": "details",
                    "title": {"en": "About the bin", "cy": "Am y bin"},
                    "questions": [
                        {"id": "colour", "type": "short_text", "label": {"en": "What colour?"}},
                        radios(
                            "size",
                            "small",
                            "large",
                            show_if={"question": "bin_type", "op": "one_of", "value": ["garden"]},
                        ),
                    ],
                },
            ]
        }
    )

    response = admin_client_with_mfa.get(url(draft))

    page_html = response.content.decode()
    # As journey/page.html: the service's name as a caption, the page's title as the heading,
    # and each label at the size it has on a page of several questions.
    service_name = escape(draft.form.service.name)
    assert f'<span class="govuk-caption-l">{service_name}</span>' in page_html
    assert '<h1 class="govuk-heading-l">About the bin</h1>' in page_html
    assert (
        '<label class="govuk-label govuk-label--m" for="colour">What colour?</label>' in page_html
    )
    assert "This question is shown only if ‘bin_type’ is ‘Garden’" in html_text(response)
    assert html_text(response).count("This question is shown only if") == 1


def test_the_welsh_preview_shows_the_welsh_text(admin_client_with_mfa, seeded):
    for version in seeded:
        response = admin_client_with_mfa.get(url(version, "cy"))

        assert response.status_code == 200
        page_html = response.content.decode()
        assert markup(response).lang == "cy"
        schema = version.parsed
        for question in schema.questions:
            assert escape(question.label.cy) in page_html, (version, question.id)
            for option in question.options:
                assert escape(option.label.cy) in page_html, (version, option.value)
        for exit_page in (p for p in schema.pages if p.is_exit):
            assert escape(exit_page.title.cy) in page_html
    replacement = Service.objects.get(slug="request-replacement-bin").form.live_version
    welsh = html_text(admin_client_with_mfa.get(url(replacement, "cy")))
    assert "Why do you need a replacement?" not in welsh
    # The notes name the question and the answer in Welsh (their own words may be translated).
    assert "‘Pam mae angen un newydd arnoch?’" in welsh
    assert "‘Cafodd ei ddwyn’" in welsh
    # The English preview links to the Welsh one and back.
    english = admin_client_with_mfa.get(url(replacement)).content.decode()
    assert f'href="{escape(url(replacement, "cy"))}"' in english
    assert f'href="{escape(url(replacement, "en"))}"' in welsh


def test_an_unknown_language_previews_in_english(admin_client_with_mfa, seeded):
    version = seeded[0]
    response = admin_client_with_mfa.get(url(version, "fr"))
    assert response.status_code == 200
    assert escape(text(version.parsed.questions[0].label, "en")) in response.content.decode()


def test_drafts_and_archived_versions_preview_too(admin_client_with_mfa):
    archived = FormVersionFactory()
    archived.publish()
    archived.archive()
    draft = FormVersionFactory(
        schema={"pages": [page("which-bin", radios("bin_type", "general", "garden"))]}
    )
    for version in (archived, draft):
        response = admin_client_with_mfa.get(url(version))
        assert response.status_code == 200
        page_html = response.content.decode()
        assert '<h1 class="govuk-fieldset__heading">bin_type</h1>' in page_html
        assert 'id="bin_type-2" name="bin_type" type="radio" value="garden"' in page_html
        assert BANNER in html_text(response)


def test_an_invalid_draft_shows_its_schema_errors_naming_the_question(admin_client_with_mfa):
    draft = FormVersion.objects.create(
        form=FormFactory(),
        schema={"pages": [page("which-bin", radios("bin_type"))]},  # radios with no options
    )

    response = admin_client_with_mfa.get(url(draft))

    assert response.status_code == 200
    shown = html_text(response)
    assert "Question 'bin_type' on page 'which-bin': radios need at least one option" in shown
    assert "cannot be previewed until its schema is fixed" in shown
    assert BANNER in shown
    assert reverse("admin:services_formversion_change", args=[draft.pk]) in shown


def test_a_schema_that_is_not_even_an_object_shows_its_error(admin_client_with_mfa):
    draft = FormVersion.objects.create(form=FormFactory(), schema=["not", "a", "schema"])
    response = admin_client_with_mfa.get(url(draft))
    assert response.status_code == 200
    assert 'The schema must be an object with a list of "pages"' in html_text(response)


# --- Nothing can be sent ------------------------------------------------------------------------


def test_the_preview_has_nothing_that_could_submit(admin_client_with_mfa, seeded):
    for version in seeded:
        response = admin_client_with_mfa.get(url(version))
        found = markup(response)

        # No form at all (not even the header's sign-out), so no control can be posted...
        assert found.forms == [], (version, found.forms)
        assert found.controls_in_forms == 0
        assert 'method="post"' not in response.content.decode().lower()
        assert "csrfmiddlewaretoken" not in response.content.decode()
        # ...and the journey's own buttons are plain, disabled buttons.
        continues = [
            attrs
            for attrs, _in_form in found.buttons
            if "govuk-button" in (attrs.get("class") or "")
            and attrs.get("type") == "button"
            and "disabled" in attrs
        ]
        pages = [p for p in version.parsed.pages if not p.is_exit]
        assert len(continues) == 2 * len(pages)
        assert not any(in_form for _attrs, in_form in found.buttons)


def test_the_preview_cannot_be_posted_to(admin_client_with_mfa):
    version = FormVersionFactory()
    assert admin_client_with_mfa.post(url(version), {"bin_type": "general"}).status_code == 405


# --- Who may see it -----------------------------------------------------------------------------


def test_staff_without_the_view_permission_are_refused(seeded):
    staff = signed_in(with_mfa(UserFactory(is_staff=True)))
    assert staff.get(url(seeded[0])).status_code == 403


def test_staff_with_the_view_permission_may_preview(seeded):
    user = with_mfa(UserFactory(is_staff=True))
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="services", codename="view_formversion")
    )
    response = signed_in(user).get(url(seeded[0]))
    assert response.status_code == 200
    assert BANNER in html_text(response)


def test_staff_without_mfa_are_sent_to_set_it_up(seeded):
    client = signed_in(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(url(seeded[0]))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_residents_and_visitors_get_no_access(seeded):
    resident = signed_in(UserFactory())
    for client in (resident, Client()):
        response = client.get(url(seeded[0]))
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
        assert BANNER not in html_text(response)


def test_an_unknown_version_is_not_found(admin_client_with_mfa):
    assert admin_client_with_mfa.get("/admin/services/formversion/987654/preview/").status_code == (
        404
    )


# --- Links from the admin -----------------------------------------------------------------------


def test_the_admin_links_to_the_preview_from_the_list_and_the_version(admin_client_with_mfa):
    version = FormVersionFactory()

    listing = admin_client_with_mfa.get(reverse("admin:services_formversion_changelist"))
    change = admin_client_with_mfa.get(
        reverse("admin:services_formversion_change", args=[version.pk])
    )

    assert listing.status_code == change.status_code == 200
    assert f'href="{url(version)}"' in listing.content.decode()
    assert f'href="{url(version)}"' in change.content.decode()


def test_services_links_by_the_url_name_the_portal_gives_the_preview():
    assert services_admin.PREVIEW_URL_NAME == portal_preview.PREVIEW_URL_NAME


# --- Conditions in words ------------------------------------------------------------------------

SCHEMA = parse_schema(
    {
        "pages": [
            page("which-bin", radios("bin_type", "general", "garden", "food")),
            page(
                "extras",
                {
                    "id": "extras",
                    "type": "checkboxes",
                    "label": {"en": "Extras"},
                    "options": [
                        {"value": "lid", "label": {"en": "A lid"}},
                        {"value": "wheels", "label": {"en": "Wheels"}},
                    ],
                },
            ),
        ]
    }
)


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        (Clause("bin_type", "answered"), "‘bin_type’ is answered"),
        (Clause("bin_type", "not", "garden"), "‘bin_type’ is not ‘Garden’ (or is not answered)"),
        (
            Clause("bin_type", "one_of", ("general", "garden", "food")),
            "‘bin_type’ is ‘General’, ‘Garden’ or ‘Food’",
        ),
        (Clause("extras", "equals", "lid"), "‘Extras’ includes ‘A lid’"),
        (
            Clause("extras", "one_of", ("lid", "wheels")),
            "‘Extras’ includes any of ‘A lid’ or ‘Wheels’",
        ),
        (Clause("extras", "not", "lid"), "‘Extras’ does not include ‘A lid’"),
        (
            AllOf(
                (
                    Clause("bin_type", "equals", "food"),
                    AnyOf((Clause("extras", "equals", "lid"), Clause("extras", "answered"))),
                )
            ),
            "‘bin_type’ is ‘Food’ and (‘Extras’ includes ‘A lid’ or ‘Extras’ is answered)",
        ),
    ],
)
def test_conditions_read_as_plain_english(condition, words):
    with translation.override("en"):
        assert portal_preview.describe_condition(condition, SCHEMA, "en") == words
