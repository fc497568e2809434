import pytest
from django.contrib.auth.models import Group

from portal.accounts.roles import AGENT, RESIDENT, ROLE_PERMISSIONS, SERVICE_ADMIN, SYSTEM_ADMIN
from tests.portal.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_roles_migration_creates_the_four_groups_with_their_permissions():
    groups = {group.name: group for group in Group.objects.prefetch_related("permissions")}

    assert {RESIDENT, AGENT, SERVICE_ADMIN, SYSTEM_ADMIN} <= set(groups)
    for role, wanted in ROLE_PERMISSIONS.items():
        have = {f"{p.content_type.app_label}.{p.codename}" for p in groups[role].permissions.all()}
        assert set(wanted) <= have, role


def test_user_admin_lists_people_by_email_with_their_roles(admin_client_with_mfa):
    agent = UserFactory(email="agent@example.org", roles=[AGENT])

    response = admin_client_with_mfa.get("/admin/accounts/user/")

    assert response.status_code == 200
    page = response.content.decode()
    assert agent.email in page
    assert AGENT in page


def test_admin_can_open_a_person_and_the_add_person_form(admin_client_with_mfa):
    agent = UserFactory(roles=[AGENT])

    assert admin_client_with_mfa.get(f"/admin/accounts/user/{agent.pk}/change/").status_code == 200
    assert admin_client_with_mfa.get("/admin/accounts/user/add/").status_code == 200


def test_admin_adds_a_staff_member_by_email(admin_client_with_mfa):
    response = admin_client_with_mfa.post(
        "/admin/accounts/user/add/",
        {
            "email": "new.agent@example.org",
            "full_name": "New Agent",
            "usable_password": "true",
            "password1": "a-strong-password-for-tests",
            "password2": "a-strong-password-for-tests",
        },
    )

    assert response.status_code == 302
    from portal.accounts.models import User

    assert User.objects.filter(email="new.agent@example.org", full_name="New Agent").exists()
