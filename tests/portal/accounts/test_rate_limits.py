import pytest
from django.urls import reverse

from tests.portal.accounts.helpers import error_summary_targets, sign_in

pytestmark = pytest.mark.django_db

ALLOWED_FAILURES = 5  # ACCOUNT_RATE_LIMITS["login_failed"] in settings


def test_after_repeated_failed_sign_ins_even_the_right_password_is_refused_clearly(
    client, resident, password
):
    # Given someone who has got the password wrong as many times as allowed
    for _ in range(ALLOWED_FAILURES):
        response = sign_in(client, resident.email, "not-the-password")
        assert response.status_code == 200
        assert "Too many" not in response.content.decode()

    # When they try again, even with the right password
    response = sign_in(client, resident.email, password)

    # Then they are refused with a clear message on the sign-in page, not signed in, no 500
    assert response.status_code == 200
    error_summary_targets(response)
    assert "Too many failed" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_sign_in_limit_is_per_account_and_leaves_other_residents_alone(
    client, resident, password
):
    from tests.portal.accounts.factories import UserFactory

    neighbour = UserFactory()
    for _ in range(ALLOWED_FAILURES - 1):
        sign_in(client, resident.email, "not-the-password")

    response = sign_in(client, neighbour.email, password)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize(
    ("prefix", "heading"),
    [("", "You have tried too many times"), ("/cy", "Rydych wedi rhoi cynnig arni ormod")],
)
def test_asking_for_too_many_reset_emails_to_one_address_gets_a_clear_page(
    client, resident, mailoutbox, prefix, heading
):
    # Given five password reset e-mails sent to one address
    for _ in range(5):
        client.post(f"{prefix}/accounts/password/reset/", {"email": resident.email})
    assert len(mailoutbox) == 5

    # When a sixth is asked for
    response = client.post(f"{prefix}/accounts/password/reset/", {"email": resident.email})

    # Then a GOV.UK-styled page says so (in the page's language), and nothing is sent
    assert response.status_code == 429
    html = response.content.decode()
    assert heading in html
    assert "govuk-heading-l" in html
    assert len(mailoutbox) == 5
