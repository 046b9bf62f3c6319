"""The second factor at sign-in: time-based codes (TOTP) with recovery codes, through django-otp.

Who must have one: branch chiefs, the secretariat admin and whoever may open the Django
admin (staff, superusers); anyone else may turn it on from their account page. A person
who has one enters a code after their password at each sign-in, on the pages and at the API
token endpoint. A person who must have one and has none is sent to set it up after their
password and can use nothing else until they have.

The session remembers where it stands (`SESSION_KEY`): "verified" once a code was accepted
(or the second factor was just set up), "not-needed" for someone who signed in without one
and needs none. A session without either, of someone who needs a second factor, may only
reach the sign-in steps (cepa_collab.middleware).

Devices: one confirmed `TOTPDevice` (the authenticator app) and one `StaticDevice` holding
the ten recovery codes, each good once. django-otp checks codes, refuses a TOTP code used
twice and throttles repeated failures per device.
"""

from __future__ import annotations

from base64 import b32encode

from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cepa_collab.enums import Role
from cepa_collab.models import roles_for

SESSION_KEY = "cepa_second_factor"
VERIFIED = "verified"
NOT_NEEDED = "not-needed"
RECOVERY_CODE_COUNT = 10
REQUIRED_ROLES = frozenset({Role.BRANCH_CHIEF, Role.SECRETARIAT_ADMIN})
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


# --- who ---------------------------------------------------------------------------------------


def is_required(user) -> bool:
    """Branch chiefs, the secretariat admin and Django admin users must use a second factor."""
    return bool(user.is_staff or user.is_superuser or REQUIRED_ROLES & set(roles_for(user)))


def authenticator(user) -> TOTPDevice | None:
    """The person's confirmed authenticator, or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def is_enabled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_second_factor(user) -> bool:
    """Whether a sign-in of `user` takes a code: they have an authenticator, or must."""
    return is_required(user) or is_enabled(user)


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- the session -------------------------------------------------------------------------------


def session_state(request: HttpRequest) -> str | None:
    return request.session.get(SESSION_KEY)


def mark_verified(request: HttpRequest) -> None:
    """The person proved the second factor in this session (a new session key too)."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = VERIFIED


def mark_not_needed(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = NOT_NEEDED


def settle_session(request: HttpRequest, user) -> bool:
    """After the password: True when the session may go on, False when a code is due.

    Marks the session "not-needed" for someone who needs no second factor."""
    if session_state(request) == VERIFIED:
        return True
    if needs_second_factor(user):
        request.session.pop(SESSION_KEY, None)
        return False
    mark_not_needed(request)
    return True


# --- codes -------------------------------------------------------------------------------------


def _normalise(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def check_code(user, code: str, request: HttpRequest | None = None) -> bool:
    """Whether `code` is a current authenticator code or an unused recovery code of `user`
    (a recovery code is used up). A wrong code counts as a failed sign-in (django-axes)."""
    code = _normalise(code)
    accepted = False
    if code:
        with transaction.atomic():
            devices = [
                *TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True),
                *StaticDevice.objects.select_for_update().filter(user=user, confirmed=True),
            ]
            accepted = any(device.verify_token(code) for device in devices)
    if not accepted and request is not None:
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )
    return accepted


# --- setting up, recovery codes, turning off ---------------------------------------------------


def pending_authenticator(user) -> TOTPDevice:
    """The authenticator being set up (not confirmed yet): the same one until confirmed, so
    reloading the set-up page keeps the secret already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def setup_url(device: TOTPDevice) -> str:
    """The otpauth:// URL an authenticator app reads (from the QR code)."""
    return device.config_url


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing it into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def confirm_authenticator(user, device_id: int, code: str) -> list[str]:
    """Confirm the pending authenticator with a code from it; replace any earlier one and
    its recovery codes; return the new recovery codes (to be shown once).

    Raises ValidationError on the `code` field when the code is not the app's."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(pk=device_id, user=user, confirmed=False)
        .first()
    )
    if device is None or not device.verify_token(_normalise(code)):
        raise ValidationError(
            {"code": _("That code is not the one your app shows. Enter the current 6 digits.")}
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_recovery_codes(user)


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Ten new recovery codes, each good once; the earlier ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _index in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def turn_off(user) -> None:
    """Remove the authenticator and the recovery codes, where the second factor is not required."""
    if is_required(user):
        raise ValidationError(
            _("Your role requires a second factor: it cannot be turned off."), code="required"
        )
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def current_code(hex_key: str) -> str:
    """The code an authenticator app shows now for a secret given in hex (the demo's)."""
    return f"{TOTP(bytes.fromhex(hex_key)).token():06d}"
