from typing import Any

from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from allauth.usersessions.admin import UserSessionAdmin as AllauthUserSessionAdmin
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User
from portal.accounts.roles import ADMIN_ROLES
from services.audit import record_access


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_address(self) -> Any:
        # A cleared box is no address ({}), not NULL, which the column refuses.
        return self.cleaned_data.get("address") or {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        # Service and system admins do their work in this admin site, which lets in only staff;
        # a role that could not be used would look granted and do nothing.
        needs_admin = sorted(
            group.name for group in cleaned.get("groups") or () if group.name in ADMIN_ROLES
        )
        if needs_admin and not cleaned.get("is_staff"):
            self.add_error(
                "is_staff",
                _("%(roles)s work in this admin site: tick staff status as well.")
                % {"roles": ", ".join(needs_admin)},
            )
        return cleaned


class RecordsWhoLooks(admin.ModelAdmin):
    """A page about one person (their account, address, e-mail addresses, authenticators,
    sessions with their IP address): opening it is recorded in the access log."""

    audit_where: str

    def person_of(self, obj: Any) -> Any:
        return obj.user

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "GET":
            obj = self.get_object(request, object_id)
            if obj is not None and self.has_view_permission(request, obj):
                record_access(request.user, where=self.audit_where, subject=self.person_of(obj))
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(User)
class UserAdmin(RecordsWhoLooks, DjangoUserAdmin):
    """People are found and named by e-mail address; what they may do comes from their groups."""

    form = UserEditForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "full_name", "roles", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "full_name")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal details"), {"fields": ("full_name", "phone", "address", "language")}),
        (
            _("Roles and permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )

    audit_where = "admin:user"

    def person_of(self, obj: Any) -> Any:
        return obj

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("Roles"))
    def roles(self, obj: User) -> str:
        return ", ".join(group.name for group in obj.groups.all()) or "—"


# allauth's own admins of a person's e-mail addresses, authenticators and sessions, registered
# again to record who opens them. (allauth is earlier in INSTALLED_APPS, so they are registered
# by the time this module is imported.)
for model in (EmailAddress, Authenticator, UserSession):
    admin.site.unregister(model)


@admin.register(EmailAddress)
class EmailAddressAdmin(RecordsWhoLooks, AllauthEmailAddressAdmin):
    audit_where = "admin:emailaddress"


@admin.register(Authenticator)
class AuthenticatorAdmin(RecordsWhoLooks, AllauthAuthenticatorAdmin):
    """Whose authenticator, what kind, when used: enough to remove a lost one. Never its data
    (the TOTP secret, the recovery-code seed, the passkey): anyone who reads a secret can make
    that person's codes. Nothing is edited or added here; people set up their own."""

    audit_where = "admin:authenticator"
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(UserSession)
class UserSessionAdmin(RecordsWhoLooks, AllauthUserSessionAdmin):
    audit_where = "admin:usersession"
    # allauth searches by user__username, which this User model does not have (a 500).
    search_fields = ("user__email", "ip")
