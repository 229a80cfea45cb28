"""From a template and a recipient to the message that goes out: subject, text and HTML
bodies with the unsubscribe footer and RFC 8058 headers for email; the body with the
organization's name and opt-out words for the first text to a number."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings

from groundgame.consent import selectors as consent_selectors
from groundgame.messaging import templating


@dataclass(frozen=True)
class Recipient:
    person_id: int
    address: str
    values: Mapping[str, str]


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)
    # The display name the email comes from (a test's variant may set it); empty: the
    # campaign's own.
    from_name: str = ""


@dataclass(frozen=True)
class OutgoingText:
    to: str
    body: str

    @property
    def segments(self) -> int:
        return templating.sms_segments(self.body)


def recipient_values(
    *, first_name: str, last_name: str, city: str = "", state: str = "", zip5: str = ""
) -> dict[str, str]:
    return {
        "first_name": first_name,
        "last_name": last_name,
        "city": city,
        "state": state,
        "zip5": zip5,
        "organization": settings.GROUNDGAME_ORGANIZATION,
    }


def _paragraphs(text: str) -> str:
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return "".join(f"<p>{b.replace(chr(10), '<br>')}</p>" for b in blocks)


def email(
    *,
    subject: templating.Template,
    body: templating.Template,
    recipient: Recipient,
    topic_key: str,
    message_id: str,
    from_name: str = "",
) -> OutgoingEmail:
    """The email to one recipient, with a footer saying why they get it and how to leave."""
    unsubscribe = consent_selectors.unsubscribe_url(
        person_id=recipient.person_id, channel="email", topic_key=topic_key
    )
    one_click = consent_selectors.one_click_url(
        person_id=recipient.person_id, channel="email", topic_key=topic_key
    )
    org = settings.GROUNDGAME_ORGANIZATION
    postal = settings.GROUNDGAME_POSTAL_ADDRESS
    footer_text = (
        f"\n\n--\n{org}, {postal}\nChoose what you hear about, or unsubscribe: {unsubscribe}\n"
    )
    footer_html = (
        f'<hr><p style="color:#555;font-size:13px">{html.escape(org)}, {html.escape(postal)}'
        f'<br><a href="{html.escape(unsubscribe)}">Choose what you hear about, or '
        "unsubscribe</a></p>"
    )
    return OutgoingEmail(
        to=recipient.address,
        subject=subject.render(recipient.values),
        text=body.render(recipient.values) + footer_text,
        html=_paragraphs(body.render_html(recipient.values)) + footer_html,
        headers={
            "List-Unsubscribe": f"<{one_click}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": message_id,
        },
        from_name=from_name,
    )


def text(*, body: templating.Template, recipient: Recipient, first_to_number: bool) -> OutgoingText:
    """The text to one number; the first one we ever send it names us and the way out."""
    rendered = body.render(recipient.values).strip()
    if first_to_number:
        org = settings.GROUNDGAME_ORGANIZATION
        if not rendered.startswith(org):
            rendered = f"{org}: {rendered}"
        rendered += " Reply STOP to opt out."
    return OutgoingText(to=recipient.address, body=rendered)
