"""Staff must protect their account with an authenticator app before doing anything else."""

from allauth.account.authentication import get_authentication_records
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode

from participants.mfa import has_totp
from participants.rules import is_staff_role

# Pages a member of staff without MFA may still open: setting MFA up, and signing out.
ALLOWED_WITHOUT_MFA = {
    "mfa_index",
    "mfa_activate_totp",
    "mfa_view_recovery_codes",
    "account_logout",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "account_reauthenticate",
}


def needs_mfa(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.is_staff or is_staff_role(user)))


def _has_mfa(request, user) -> bool:
    """A session signed in with the authenticator app has MFA set up, and says so without
    a query (allauth records how the session signed in); otherwise ask the database."""
    used = get_authentication_records(request, user)
    return any(record.get("method") == "mfa" for record in used) or has_totp(user)


class RequireStaffMfaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        # Resolving the URL is only needed for someone still without MFA, so it comes last.
        if needs_mfa(user) and not request.path.startswith("/static/") and not _has_mfa(request, user):
            try:
                name = resolve(request.path_info).url_name
            except Resolver404:
                name = None
            if name not in ALLOWED_WITHOUT_MFA:
                target = reverse("mfa_activate_totp")
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
