"""Small helpers around allauth's TOTP: activating one as the set-up page would, and codes."""

import time

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value


def activate_totp(user, secret: str) -> None:
    """Give ``user`` a TOTP authenticator with this secret, and recovery codes, as the
    set-up page would."""
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)


def current_code(secret: str, at: float | None = None) -> str:
    counter = int(at if at is not None else time.time()) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
