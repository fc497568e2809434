"""Demo accounts for `make run`: a resident, a contact-centre agent and supervisor, a data
protection officer and an admin; the demo teams, and a few hundred cases for the workspace.

Every password, TOTP secret and recovery code here is public (it is printed, and it is in this
file), so the command refuses to run on a server with DEBUG off unless forced. Running it again
puts the accounts back as they were: same passwords, same roles, same TOTP secret, same teams;
the demo cases are made once (services/seed/demo_cases.py). Run it after seed_catalogue and
seed_demo_routing, or there are no routed services to make cases of (the accounts and the
teams are made anyway).
"""

from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from portal.accounts import roles
from portal.accounts.mfa import ensure_recovery_codes, set_totp_secret
from portal.accounts.models import User
from services.models import Submission, Team
from services.seed.demo_cases import (
    DEMO_DOMAIN,
    STREETS_AND_WASTE,
    seed_demo_cases,
    seed_demo_teams,
)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    full_name: str
    role: str
    superuser: bool = False
    # Staff must use a second factor, so each staff account gets a fixed, published secret.
    totp_secret: str = ""
    teams: tuple[str, ...] = ()


DEMO_ACCOUNTS = (
    DemoAccount(
        email="resident@example.com",
        password="demo-resident-password",  # noqa: S106 (published demo value)
        full_name="Robin Resident",
        role=roles.RESIDENT,
    ),
    DemoAccount(
        email="agent@example.gov.uk",
        password="demo-agent-password",  # noqa: S106 (published demo value)
        full_name="Alex Agent",
        role=roles.AGENT,
        totp_secret="DEMOAGENTTOTPSECRETDEMOAGENTTOTP",  # noqa: S106 (published demo value)
        teams=(STREETS_AND_WASTE,),
    ),
    DemoAccount(
        email="supervisor@example.gov.uk",
        password="demo-supervisor-password",  # noqa: S106 (published demo value)
        full_name="Sasha Supervisor",
        role=roles.SUPERVISOR,
        totp_secret="DEMOSUPERVISORTOTPSECRETDEMOSUPE",  # noqa: S106 (published demo value)
        teams=(STREETS_AND_WASTE,),
    ),
    DemoAccount(
        email="data.protection@example.gov.uk",
        password="demo-data-protection-password",  # noqa: S106 (published demo value)
        full_name="Dana Protection",
        role=roles.DATA_PROTECTION,
        totp_secret="DEMODATAPROTECTIONTOTPSECRETDEMO",  # noqa: S106 (published demo value)
    ),
    DemoAccount(
        email="admin@example.gov.uk",
        password="demo-admin-password",  # noqa: S106 (published demo value)
        full_name="Sam Admin",
        role=roles.SYSTEM_ADMIN,
        superuser=True,
        totp_secret="DEMOADMINTOTPSECRETDEMOADMINTOTP",  # noqa: S106 (published demo value)
    ),
)


class Command(BaseCommand):
    help = "Create or reset the demo accounts (DEMO ONLY: their secrets are public)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. Never on a server real people use.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo creates accounts with published passwords and refuses to run with "
                "DEBUG off. Use --force only on a throwaway demo server."
            )
        with transaction.atomic():
            teams = seed_demo_teams()
            seeded = [(account, *seed_account(account)) for account in DEMO_ACCOUNTS]
            # The agent first: phoned-in demo cases are theirs to have submitted.
            seed_demo_cases(staff=[user for a, user, _ in seeded if a.teams])
        cases = Submission.objects.filter(contact_email__iendswith=f"@{DEMO_DOMAIN}").count()

        write = self.stdout.write
        write(self.style.WARNING("Demo accounts (DEMO ONLY: never use these anywhere real)"))
        for account, user, recovery_codes in seeded:
            write("")
            write(f"  {account.role} (demo only)")
            write(f"    email:          {user.email}")
            write(f"    password:       {account.password}")
            if account.totp_secret:
                url = get_mfa_adapter().build_totp_url(user, account.totp_secret)
                write(f"    TOTP secret:    {account.totp_secret}")
                write(f"    otpauth URL:    {url}")
                write(f"    recovery codes: {', '.join(recovery_codes[:2])}")
            if account.teams:
                write(f"    teams:          {', '.join(account.teams)}")
        write("")
        write(f"Demo teams: {', '.join(teams)}; demo cases: {cases}")
        write("")


def seed_account(account: DemoAccount) -> tuple[User, list[str]]:
    """Make the account exist exactly as described; return it and its unused recovery codes."""
    user = User.objects.filter(email__iexact=account.email).first() or User(email=account.email)
    user.full_name = account.full_name
    user.is_active = True
    user.is_superuser = account.superuser
    user.is_staff = account.superuser  # the Django admin is for admins, not agents
    user.set_password(account.password)
    user.save()
    user.groups.set([Group.objects.get(name=account.role)])
    user.teams.set(Team.objects.filter(name__in=account.teams))

    EmailAddress.objects.filter(user=user).exclude(email__iexact=account.email).delete()
    EmailAddress.objects.update_or_create(
        user=user, email=account.email, defaults={"verified": True, "primary": True}
    )

    if not account.totp_secret:
        return user, []
    set_totp_secret(user, account.totp_secret)
    return user, ensure_recovery_codes(user).wrap().get_unused_codes()
