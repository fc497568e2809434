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


def user_form_data(user, **changes):
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "phone": "",
        "address": "",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("role", [SERVICE_ADMIN, SYSTEM_ADMIN])
def test_an_admin_role_without_staff_status_is_refused_with_a_message(admin_client_with_mfa, role):
    person = UserFactory()
    group = Group.objects.get(name=role)

    response = admin_client_with_mfa.post(
        f"/admin/accounts/user/{person.pk}/change/", user_form_data(person, groups=[group.pk])
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["is_staff"]
    assert errors == [f"{role} work in this admin site: tick staff status as well."]
    assert not person.groups.exists()


def test_an_admin_role_with_staff_status_and_an_agent_without_it_are_saved(
    admin_client_with_mfa,
):
    admin_person, agent = UserFactory(), UserFactory()
    for person, changes in (
        (admin_person, {"groups": [Group.objects.get(name=SERVICE_ADMIN).pk], "is_staff": "on"}),
        (agent, {"groups": [Group.objects.get(name=AGENT).pk]}),
    ):
        response = admin_client_with_mfa.post(
            f"/admin/accounts/user/{person.pk}/change/", user_form_data(person, **changes)
        )
        assert response.status_code == 302, response.context["adminform"].form.errors

    assert admin_person.groups.get().name == SERVICE_ADMIN
    assert agent.groups.get().name == AGENT
    agent.refresh_from_db()
    assert agent.address == {}  # the box was left empty
