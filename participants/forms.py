"""allauth's forms with plainer labels."""

from allauth.mfa.base.forms import AuthenticateForm as BaseAuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as BaseReauthenticateForm

CODE_LABEL = "Code from your authenticator app"
CODE_HELP = "The 6-digit code your authenticator app shows for Confer, or one of your recovery codes."


class AuthenticateForm(BaseAuthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].label = CODE_LABEL
        self.fields["code"].help_text = CODE_HELP


class ReauthenticateForm(BaseReauthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].label = CODE_LABEL
        self.fields["code"].help_text = CODE_HELP
