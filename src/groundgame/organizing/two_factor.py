"""The second factor of staff sign-in: a code from an authenticator app (TOTP) or one of ten
one-time recovery codes, each kept by a django-otp device of the staff member.

Reached through ``organizing.services``, which names these functions; the code checks here
run under the sign-in lock of ``services`` so that a code is used once, however many requests
carry it at the same moment.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import segno
from django.conf import settings
from django.contrib.auth.models import User
from django.utils.crypto import get_random_string, salted_hmac
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from groundgame.organizing.models import StaffRole

RECOVERY_CODE_COUNT = 10
# Lowercase letters and digits without the ones read as each other (0/o, 1/l/i): ten of them
# carry about 49 bits, and the code is shown as two groups of five.
_RECOVERY_CODE_LENGTH = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows: the secret as a QR code, as text and as the URI."""

    secret: str
    uri: str
    qr_svg: str


def required_for(user: User) -> bool:
    """Whether a role of this staff member asks for a second factor (the setting's roles). A
    superuser counts as an admin: they see everything and open the raw-data admin."""
    roles = settings.GROUNDGAME_TWO_FACTOR_ROLES
    if user.is_superuser and StaffRole.Role.ADMIN in roles:
        return True
    return bool(roles) and StaffRole.objects.filter(user=user, role__in=roles).exists()


def enrolment_start(user: User) -> Enrolment:
    """The secret to scan: the one not yet confirmed if there is one, so that a reload of the
    page keeps showing the QR code already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=False)
    return _enrolment(device)


def _enrolment(device: TOTPDevice) -> Enrolment:
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    uri: str = device.config_url
    return Enrolment(secret=secret, uri=uri, qr_svg=segno.make(uri, error="m").svg_inline(scale=5))


def enrolment_confirm(user: User, code: str) -> list[str] | None:
    """Confirm the new secret with a code it produced; on success it replaces the staff
    member's earlier devices and returns ten new recovery codes (shown once: only their keyed
    hashes are kept). ``None`` when the code is wrong or there is nothing to confirm."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(_digits(code)):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=user).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    recovery = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [
        get_random_string(_RECOVERY_CODE_LENGTH, _RECOVERY_ALPHABET)
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    StaticToken.objects.bulk_create(
        StaticToken(device=recovery, token=_recovery_digest(code)) for code in codes
    )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def code_check(user: User, code: str) -> str | None:
    """Which factor the code is, after using it up: "authenticator app" or "recovery code";
    ``None`` when it is neither. An authenticator code is refused when it, or a later one, has
    been used already (django-otp keeps the last time step used); a recovery code is deleted
    as it is used."""
    app = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if app is not None and app.verify_token(_digits(code)):
        return "authenticator app"
    recovery = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if recovery is not None and recovery.verify_token(_recovery_digest(code)):
        return "recovery code"
    return None


def devices_remove(user: User) -> int:
    """Remove every second factor of the staff member; returns how many devices there were."""
    apps, _ = TOTPDevice.objects.filter(user=user).delete()
    codes, _ = StaticDevice.objects.filter(user=user).delete()
    return int(apps + codes)


def _digits(code: str) -> str:
    """Authenticator codes as typed: "123 456" and "123-456" are 123456."""
    return "".join(ch for ch in code if not ch.isspace() and ch != "-")


def _recovery_digest(code: str) -> str:
    """A recovery code as stored: an HMAC under the site's secret key, 16 hex digits (the
    column's width), so that a copy of the database holds no usable code."""
    normal = _digits(code).lower()
    return salted_hmac("groundgame.recovery-code", normal).hexdigest()[:16]
