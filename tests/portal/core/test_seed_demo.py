import io
import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.core.management import CommandError, call_command

from portal.accounts import roles
from portal.accounts.models import User
from tests.portal.accounts.helpers import current_totp_code

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


def printed(output: str, label: str) -> list[str]:
    return re.findall(rf"^\s+{label}:\s+(.+)$", output, flags=re.MULTILINE)


def test_creates_a_resident_an_agent_and_an_admin_with_their_roles(debug_on):
    output = seed()

    resident = User.objects.get(email="resident@example.com")
    agent = User.objects.get(email="agent@example.gov.uk")
    admin = User.objects.get(email="admin@example.gov.uk")
    assert list(resident.groups.values_list("name", flat=True)) == [roles.RESIDENT]
    assert list(agent.groups.values_list("name", flat=True)) == [roles.AGENT]
    assert list(admin.groups.values_list("name", flat=True)) == [roles.SYSTEM_ADMIN]
    assert admin.is_superuser
    assert admin.is_staff
    assert not agent.is_superuser
    assert not agent.is_staff
    assert agent.is_council_staff
    assert not resident.is_council_staff
    for user, password in zip((resident, agent, admin), printed(output, "password"), strict=True):
        assert user.check_password(password)
        assert EmailAddress.objects.get(user=user).verified
        assert EmailAddress.objects.get(user=user).primary


def test_staff_have_a_working_second_factor_and_the_resident_does_not(debug_on):
    output = seed()

    agent = User.objects.get(email="agent@example.gov.uk")
    admin = User.objects.get(email="admin@example.gov.uk")
    assert is_mfa_enabled(agent)
    assert is_mfa_enabled(admin)
    assert not is_mfa_enabled(User.objects.get(email="resident@example.com"))

    secrets = printed(output, "TOTP secret")
    urls = printed(output, "otpauth URL")
    codes = printed(output, "recovery codes")
    assert len(secrets) == len(urls) == len(codes) == 2
    for user, secret, url, code_line in zip((agent, admin), secrets, urls, codes, strict=True):
        # A code an authenticator app would show from the printed secret is accepted
        totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).wrap()
        assert totp.validate_code(current_totp_code(secret))
        assert url.startswith("otpauth://totp/")
        assert f"secret={secret}" in url
        # The printed recovery codes are real, unused ones
        unused = (
            Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
            .wrap()
            .get_unused_codes()
        )
        printed_codes = code_line.split(", ")
        assert len(printed_codes) == 2
        assert set(printed_codes) <= set(unused)
    assert "demo only" in output.lower()


def test_running_twice_changes_nothing(debug_on):
    first = seed()
    agent = User.objects.get(email="agent@example.gov.uk")
    agent.set_password("changed-by-someone")
    agent.groups.clear()
    agent.save()

    second = seed()

    assert User.objects.count() == 3
    assert EmailAddress.objects.count() == 3
    assert Authenticator.objects.count() == 4  # TOTP + recovery codes for each of two staff
    assert first == second
    agent.refresh_from_db()
    assert agent.check_password(printed(second, "password")[1])
    assert list(agent.groups.values_list("name", flat=True)) == [roles.AGENT]


def test_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG off"):
        seed()
    assert not User.objects.exists()

    seed(force=True)
    assert User.objects.count() == 3
