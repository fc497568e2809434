from allauth.account.adapter import get_adapter
from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm


class RequestLoginCodeForm(AllauthRequestLoginCodeForm):
    """allauth's form, with the same address checks as sign-up (length) before a code is sent."""

    def clean_email(self) -> str:
        email = self.cleaned_data.get("email")
        if email:
            self.cleaned_data["email"] = get_adapter().clean_email(email)
        return str(super().clean_email())
