"""How allauth behaves for Confer."""

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter

from participants.middleware import needs_mfa


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """Nobody signs up: staff accounts are made by administrators, and family members
        and professionals get theirs when they are invited to a meeting."""
        return False

    def get_reauthentication_methods(self, user) -> list[dict]:
        """Before a sensitive account change (email address, password, authenticator),
        staff confirm who they are with their password or their authenticator, never with a
        code emailed to them: a code proves only access to the mailbox, which would let
        someone who has that and a signed-in session switch the authenticator off. Family
        members and professionals, who sign in with an emailed code and may have no
        password, may confirm with one too."""
        methods = super().get_reauthentication_methods(user)
        if needs_mfa(user):
            methods = [method for method in methods if method["id"] != "reauthenticate_by_code"]
        return methods

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's emails in Confer's words (``templates/account/email/``): they say how
        long a code lasts, and never offer to sign up."""
        context = {**context, "code_minutes": allauth_settings.LOGIN_BY_CODE_TIMEOUT // 60}
        super().send_mail(template_prefix, email, context)
