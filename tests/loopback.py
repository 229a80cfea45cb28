"""Real delivery on loopback: an SMTP server (aiosmtpd) that keeps what it receives, an SMS
provider speaking Twilio's message API over HTTP that texts back through our webhooks, and a
batch geocoder speaking the Census Bureau's ``addressbatch`` CSV.

All listen on 127.0.0.1 only. The SMS provider signs its webhooks the way Twilio documents it,
written here independently of the application's checker so that a test catches a checker
that drifted from the real scheme.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import itertools
import json
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.helpers import free_port


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    def part(self, content_type: str) -> str:
        """The body of the ``text/plain`` or ``text/html`` part, decoded."""
        for part in self.message.walk():
            if part.get_content_type() == content_type and not part.is_multipart():
                return str(part.get_content())  # type: ignore[attr-defined]
        raise AssertionError(f"no {content_type} part in {self.message['Subject']!r}")


class _Collect:
    """aiosmtpd handler: refuse the recipients it is told to, with the reply it is told,
    and parse each message it accepts with the standard library."""

    def __init__(self, inbox: list[ReceivedMail], refuse: dict[str, str]) -> None:
        self.inbox = inbox
        self.refuse = refuse

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.inbox.append(
            ReceivedMail(str(envelope.mail_from), [str(r) for r in envelope.rcpt_tos], message)
        )
        return "250 Message accepted for delivery"


class LoopbackSmtp:
    """An SMTP server on 127.0.0.1 that can be stopped (connections refused) and started
    again on the same port, as a relay that went down and came back."""

    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.inbox: list[ReceivedMail] = []
        # Recipient -> the reply that refuses it ("550 5.1.1 No such user", "450 ...").
        self.refuse: dict[str, str] = {}
        self._controller: Controller | None = None

    def start(self) -> None:
        if self._controller is None:
            handler = _Collect(self.inbox, self.refuse)
            self._controller = Controller(handler, hostname=self.host, port=self.port)
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[ReceivedMail]:
        return [m for m in self.inbox if address in m.rcpt_tos]


def twilio_signature(token: str, url: str, form: dict[str, str]) -> str:
    """Twilio's request signature: HMAC-SHA1, keyed with the auth token, of the full URL
    followed by each POST field name and value in name order, base64-encoded."""
    data = url + "".join(name + form[name] for name in sorted(form))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


@dataclass
class ProviderMessage:
    sid: str
    to: str
    from_: str
    body: str
    status_callback: str


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)

    def twiml_messages(self) -> list[str]:
        """The texts of the ``<Message>`` elements of a TwiML answer."""
        # Our own server's answer, read on loopback.
        root = ET.fromstring(self.body)  # noqa: S314
        return [m.text or "" for m in root.iter("Message")]


class LoopbackSms:
    """A provider in Twilio's message API shape on 127.0.0.1.

    ``POST /2010-04-01/Accounts/{sid}/Messages.json`` with HTTP Basic auth takes To, From,
    Body and StatusCallback and answers 201 with the message's ``sid``; bad credentials get
    401 (code 20003), a number on the carrier's blocklist (it texted STOP to the carrier)
    400 (code 21610). Messages are kept in ``messages``.
    """

    def __init__(self) -> None:
        self.account = "AC" + "0" * 32
        self.token = secrets.token_hex(16)
        self.number = "+15005550006"
        self.messages: list[ProviderMessage] = []
        self.blocklist: set[str] = set()
        self._sids = itertools.count(1)
        self._inbound = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", free_port()), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The ``SMS_URL`` that points the application at this provider."""
        host, port = self._server.server_address[:2]
        return f"http://{self.account}:{self.token}@{host}:{port}/2010-04-01"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def to(self, number: str) -> list[ProviderMessage]:
        return [m for m in self.messages if m.to == number]

    # -- what the provider sends to the application --------------------------------------

    def post_signed(
        self, url: str, form: dict[str, str], *, signature: str | None = None
    ) -> WebhookAnswer:
        """POST a form to a webhook, signed unless ``signature`` says otherwise ("" = none)."""
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        sig = twilio_signature(self.token, url, form) if signature is None else signature
        if sig:
            headers["X-Twilio-Signature"] = sig
        request = urllib.request.Request(
            url, data=urllib.parse.urlencode(form).encode(), headers=headers, method="POST"
        )
        return _exchange(request)

    def report_status(
        self, message: ProviderMessage, status: str, *, error_code: str = ""
    ) -> WebhookAnswer:
        """The status callback for a message we took (delivered, undelivered, ...)."""
        form = {
            "AccountSid": self.account,
            "MessageSid": message.sid,
            "MessageStatus": status,
            "To": message.to,
            "From": message.from_,
        }
        if error_code:
            form["ErrorCode"] = error_code
        return self.post_signed(message.status_callback, form)

    def text_in(self, url: str, *, from_: str, body: str, sid: str | None = None) -> WebhookAnswer:
        """A person texts our number; the provider hands it to the inbound webhook."""
        form = {
            "AccountSid": self.account,
            "MessageSid": sid or f"SMin{next(self._inbound):030d}",
            "From": from_,
            "To": self.number,
            "Body": body,
            "NumMedia": "0",
        }
        return self.post_signed(url, form)

    # -- the message API ---------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet test output

            def do_POST(self) -> None:
                expected = f"/2010-04-01/Accounts/{provider.account}/Messages.json"
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                if self.path != expected:
                    return self._answer(404, {"code": 20404, "message": "Not found"})
                if not self._authorized():
                    return self._answer(401, {"code": 20003, "message": "Authenticate"})
                to = form.get("To", "")
                if not to or not form.get("Body"):
                    return self._answer(400, {"code": 21602, "message": "Body is required"})
                if to in provider.blocklist:
                    return self._answer(
                        400,
                        {"code": 21610, "message": "Attempt to send to unsubscribed recipient"},
                    )
                sid = f"SM{next(provider._sids):032d}"
                provider.messages.append(
                    ProviderMessage(
                        sid=sid,
                        to=to,
                        from_=form.get("From", ""),
                        body=form["Body"],
                        status_callback=form.get("StatusCallback", ""),
                    )
                )
                return self._answer(
                    201,
                    {
                        "sid": sid,
                        "account_sid": provider.account,
                        "to": to,
                        "from": form.get("From", ""),
                        "body": form["Body"],
                        "status": "queued",
                    },
                )

            def _authorized(self) -> bool:
                scheme, _, value = self.headers.get("Authorization", "").partition(" ")
                if scheme != "Basic":
                    return False
                try:
                    user, _, password = base64.b64decode(value).decode().partition(":")
                except ValueError:
                    return False
                return user == provider.account and hmac.compare_digest(password, provider.token)

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps({**body, "status": body.get("status", status)}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _exchange(request: urllib.request.Request) -> WebhookAnswer:
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return WebhookAnswer(response.status, response.read(), dict(response.headers))
    except urllib.error.HTTPError as exc:
        return WebhookAnswer(exc.code, exc.read(), dict(exc.headers))


def http_post(url: str, body: bytes, headers: dict[str, str]) -> WebhookAnswer:
    """A plain POST, as a mail client or an email provider would make it (no cookies)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    return _exchange(request)


@dataclass(frozen=True)
class GeocodeRequest:
    benchmark: str
    rows: list[list[str]]  # id, street, city, state, ZIP


class LoopbackGeocoder:
    """A batch geocoder in the shape of the Census Bureau's on 127.0.0.1.

    ``POST /geocoder/locations/addressbatch`` takes a multipart form with ``benchmark`` and
    ``addressFile`` (a CSV of ``id, street, city, state, ZIP`` rows, at most 10,000) and answers
    a CSV with a row per address: a ``Match`` with its type, the matched address, the point as
    ``longitude,latitude``, a TIGER line id and a side, else ``No_Match``, or ``Tie`` for an
    address in ``ties``. An address is found in ``places`` by its street, city, state and ZIP,
    upper-cased and joined by ", ". ``fail_next`` requests get a 503, and so does every one
    after ``down_after`` answers; ``garble_next`` get an answer that is not the CSV;
    ``benchmarks`` are the ones it knows (else 400).
    """

    def __init__(self) -> None:
        self.places: dict[str, tuple[float, float]] = {}
        self.ties: set[str] = set()
        self.benchmarks = {"Public_AR_Current", "4"}
        self.requests: list[GeocodeRequest] = []
        self.fail_next = 0
        self.down_after: int | None = None
        self.answered = 0
        self.garble_next = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", free_port()), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/geocoder/locations/addressbatch"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @staticmethod
    def key(street: str, city: str, state: str, zip5: str) -> str:
        return ", ".join(p.strip().upper() for p in (street, city, state, zip5))

    def place(self, street: str, city: str, state: str, zip5: str, lat: float, lon: float) -> None:
        self.places[self.key(street, city, state, zip5)] = (lat, lon)

    def answer(self, rows: list[list[str]]) -> str:
        out = io.StringIO()
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
        for tiger, (row_id, *address) in enumerate(rows, start=600_000_000):
            key = self.key(*address)
            given = ", ".join(address)
            if key in self.ties:
                writer.writerow([row_id, given, "Tie"])
            elif key in self.places:
                lat, lon = self.places[key]
                writer.writerow(
                    [row_id, given, "Match", "Exact", key, f"{lon:.8f},{lat:.8f}", tiger, "L"]
                )
            else:
                writer.writerow([row_id, given, "No_Match"])
        return out.getvalue()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        geocoder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet test output

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if self.path != "/geocoder/locations/addressbatch":
                    return self._answer(404, "Not found")
                form = BytesParser(policy=policy.HTTP).parsebytes(
                    f"Content-Type: {self.headers.get('Content-Type', '')}\r\n\r\n".encode() + body
                )
                fields: dict[str, str] = {}
                for part in form.iter_parts():
                    name = part.get_param("name", header="content-disposition")
                    payload = part.get_payload(decode=True)
                    if isinstance(name, str) and isinstance(payload, bytes):
                        fields[name] = payload.decode()
                if fields.get("benchmark") not in geocoder.benchmarks:
                    return self._answer(400, "Benchmark is invalid")
                rows = [r for r in csv.reader(io.StringIO(fields.get("addressFile", ""))) if r]
                if not rows or len(rows) > 10_000:
                    return self._answer(400, "The file must hold 1 to 10,000 addresses")
                geocoder.requests.append(GeocodeRequest(fields["benchmark"], rows))
                down = geocoder.down_after is not None and geocoder.answered >= geocoder.down_after
                if geocoder.fail_next or down:
                    geocoder.fail_next = max(0, geocoder.fail_next - 1)
                    return self._answer(503, "Service Unavailable")
                if geocoder.garble_next:
                    geocoder.garble_next -= 1
                    return self._answer(200, "<html><body>Service maintenance</body></html>")
                geocoder.answered += 1
                return self._answer(200, geocoder.answer(rows))

            def _answer(self, status: int, text: str) -> None:
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/csv" if status == 200 else "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
