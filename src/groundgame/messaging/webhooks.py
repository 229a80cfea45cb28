"""Checking who sent a webhook: Twilio's ``X-Twilio-Signature`` for the SMS provider (HMAC-SHA1
with the auth token over the URL and the sorted form fields, base64) and an HMAC-SHA256 of
the body in ``X-Groundgame-Signature`` for email provider events."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping


def twilio_signature(token: str, url: str, form: Mapping[str, str]) -> str:
    payload = url + "".join(f"{key}{form[key]}" for key in sorted(form))
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_valid(token: str, url: str, form: Mapping[str, str], signature: str) -> bool:
    return bool(token) and hmac.compare_digest(twilio_signature(token, url, form), signature)


def body_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def body_valid(secret: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(body_signature(secret, body), signature)
