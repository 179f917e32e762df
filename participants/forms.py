"""allauth's forms with plainer labels."""

from allauth.mfa.base.forms import AuthenticateForm as BaseAuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as BaseReauthenticateForm
from django import forms

from core.forms import BoundedForm
from participants.enums import StaffRole

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


class StaffAccountForm(BoundedForm):
    full_name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(label="Work email address", help_text="They will sign in with this.")
    role = forms.ChoiceField(label="Role", choices=StaffRole.choices, widget=forms.RadioSelect)
    job_title = forms.CharField(label="Job title", required=False, max_length=120)
