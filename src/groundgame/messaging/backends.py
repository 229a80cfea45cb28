"""Delivery backends: SMTP (any relay Django's mail can reach) or the file outbox for email;
an HTTP provider in Twilio's message API shape, or the file outbox, for texts.

A backend raises ``DeliveryError`` saying whether the message certainly did not leave (the
sender may try again) or may have left (it must not: never twice).
"""

from __future__ import annotations

import base64
import contextlib
import json
import smtplib
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from groundgame.messaging.compose import OutgoingEmail, OutgoingText


class DeliveryError(Exception):
    def __init__(self, message: str, *, retry: bool, permanent_address: bool = False) -> None:
        super().__init__(message)
        self.message = message
        # True: the provider certainly did not take the message; try again later.
        # False: it may have (a timeout after the request went out) or never will.
        self.retry = retry
        # The address itself is bad (unknown mailbox, a number that opted out at the carrier).
        self.permanent_address = permanent_address


class EmailSender(Protocol):
    def send(self, message: OutgoingEmail) -> str: ...
    def close(self) -> None: ...


class TextSender(Protocol):
    def send(self, message: OutgoingText, *, status_callback: str) -> str: ...


def _from_address(name: str) -> str:
    """The campaign's sending address, under a variant's sender name when it has one."""
    if not name:
        return settings.DEFAULT_FROM_EMAIL
    _default_name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((name, address))


class DjangoEmail:
    """Through Django's configured mail backend (SMTP, or the file outbox), one connection
    kept open for a batch of messages."""

    def __init__(self) -> None:
        self._connection: BaseEmailBackend | None = None

    def send(self, message: OutgoingEmail) -> str:
        if self._connection is None:
            self._connection = get_connection(fail_silently=False)
        mail = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=_from_address(message.from_name),
            to=[message.to],
            headers=message.headers,
        )
        mail.attach_alternative(message.html, "text/html")
        try:
            sent = self._connection.send_messages([mail])
        except smtplib.SMTPRecipientsRefused as exc:
            if any(code < 500 for code, _ in exc.recipients.values()):
                # 4xx: not now (greylisting, a full mailbox, a busy relay), not never.
                raise DeliveryError(f"The mail server deferred it: {exc}", retry=True) from exc
            raise DeliveryError(
                f"Refused by the mail server: {exc}", retry=False, permanent_address=True
            ) from exc
        except (smtplib.SMTPConnectError, ConnectionRefusedError) as exc:
            self.close()
            raise DeliveryError(f"Mail server unreachable: {exc}", retry=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            # The connection broke somewhere in the conversation: the message may have been
            # accepted, so it is not sent again.
            self.close()
            raise DeliveryError(f"Mail server stopped answering: {exc}", retry=False) from exc
        if not sent:
            raise DeliveryError("The mail backend sent nothing.", retry=False)
        return message.headers.get("Message-ID", "")

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._connection.close()
            self._connection = None


@dataclass(frozen=True)
class SmsOutbox:
    """The demo's texts: one JSON file per message in the data directory."""

    directory: Path

    def send(self, message: OutgoingText, *, status_callback: str) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        sid = "SM" + uuid.uuid4().hex
        record = {
            "sid": sid,
            "to": message.to,
            "from": settings.GROUNDGAME_SMS_FROM,
            "body": message.body,
            "segments": message.segments,
        }
        (self.directory / f"{sid}.json").write_text(json.dumps(record, indent=1))
        return sid


class TwilioShapedSms:
    """``POST {base}/Accounts/{sid}/Messages.json`` with To, From, Body and StatusCallback,
    HTTP Basic auth with the account sid and auth token; the answer's ``sid`` is the id."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        parts = urllib.parse.urlsplit(url)
        if not parts.username or not parts.password:
            raise ValueError(
                "SMS_URL needs the account sid and auth token: https://SID:TOKEN@host/..."
            )
        self.account = urllib.parse.unquote(parts.username)
        self.token = urllib.parse.unquote(parts.password)
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        base = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
        self.endpoint = f"{base}/Accounts/{self.account}/Messages.json"
        credentials = base64.b64encode(f"{self.account}:{self.token}".encode()).decode()
        self._authorization = f"Basic {credentials}"
        self.timeout = timeout

    def send(self, message: OutgoingText, *, status_callback: str) -> str:
        form = {"To": message.to, "From": settings.GROUNDGAME_SMS_FROM, "Body": message.body}
        if status_callback:
            form["StatusCallback"] = status_callback
        request = urllib.request.Request(  # noqa: S310 - the configured provider's address
            self.endpoint,
            data=urllib.parse.urlencode(form).encode(),
            headers={
                "Authorization": self._authorization,
                "Content-Type": "application/x-www-form-urlencoded",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise _http_error(exc) from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, ConnectionRefusedError):
                raise DeliveryError("SMS provider unreachable.", retry=True) from exc
            raise DeliveryError(f"SMS provider: {exc.reason}", retry=False) from exc
        except TimeoutError as exc:
            raise DeliveryError("SMS provider timed out after the request.", retry=False) from exc
        sid = str(answer.get("sid") or "")
        if not sid:
            raise DeliveryError("SMS provider answered without a message sid.", retry=False)
        return sid


# The provider's error codes that mean the number itself will never take our texts:
# 21610 the recipient replied STOP at the carrier, 21211/21614 not a valid mobile number.
_ADDRESS_ERRORS = {21610, 21211, 21614}


def _http_error(exc: urllib.error.HTTPError) -> DeliveryError:
    try:
        body = json.loads(exc.read() or b"{}")
    except ValueError:
        body = {}
    code = body.get("code")
    text = f"SMS provider {exc.code}: {body.get('message') or exc.reason}"
    if exc.code == 429:
        return DeliveryError(text, retry=True)
    if exc.code >= 500:
        # It may or may not have queued the message: not again.
        return DeliveryError(text, retry=False)
    return DeliveryError(text, retry=False, permanent_address=code in _ADDRESS_ERRORS)


def email_sender() -> EmailSender:
    return DjangoEmail()


def text_sender() -> TextSender:
    if settings.GROUNDGAME_SMS_URL:
        return TwilioShapedSms(settings.GROUNDGAME_SMS_URL)
    return SmsOutbox(Path(settings.GROUNDGAME_SMS_OUTBOX))


@dataclass(frozen=True)
class LocalOutboxes:
    """The folders messages are written to instead of being sent, where no provider is set
    (``EMAIL_URL``, ``SMS_URL``): the demo's. None for a channel that really sends."""

    email: Path | None
    sms: Path | None


def local_outboxes() -> LocalOutboxes:
    email = None
    if settings.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":
        # Set by the settings only with this backend, so django-stubs does not know it.
        email = Path(getattr(settings, "EMAIL_FILE_PATH"))  # noqa: B009
    sms = None if settings.GROUNDGAME_SMS_URL else Path(settings.GROUNDGAME_SMS_OUTBOX)
    return LocalOutboxes(email=email, sms=sms)
