"""Quiet hours for texts: a text is handed to the provider only inside its recipient's
sending window, in the recipient's own time zone.

The window is the campaign's (``GROUNDGAME_SMS_SENDING_HOURS``, default 8:00-21:00) narrowed
by the law of the recipient's state where that is stricter. The zone is the one of the
household's ZIP code, else the main zone of its state, else the campaign's
(``GROUNDGAME_TIME_ZONE``).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings

from groundgame.core import geo


@dataclass(frozen=True)
class Window:
    """From ``opens`` (inclusive) to ``closes`` (exclusive), local time, every day."""

    opens: dt.time
    closes: dt.time

    def narrowed(self, other: Window) -> Window:
        return Window(opens=max(self.opens, other.opens), closes=min(self.closes, other.closes))


_EIGHT_PM = dt.time(20)

# States whose law allows fewer hours than the federal 8:00-21:00 (47 CFR 64.1200(c)(1)).
# These statutes speak of telephone solicitations, and most of them count texts as calls;
# a campaign's texts are held to them all the same, since a text in the wrong hour is what
# draws the complaint whatever it is about. Only the hours of the day are kept: the
# Sunday and holiday rules of some states (Alabama, Louisiana, Mississippi) are left out.
STATE_WINDOWS: dict[str, Window] = {
    # Conn. Gen. Stat. sec. 42-288a(c), as amended by Public Act 23-98: 9:00-20:00.
    "CT": Window(opens=dt.time(9), closes=_EIGHT_PM),
    # Fla. Stat. sec. 501.616(6)(a), the Florida Telemarketing Act as amended by SB 1120 (2021),
    # which moved the close from 21:00 to 20:00.
    "FL": Window(opens=dt.time(8), closes=_EIGHT_PM),
    # Md. Code, Com. Law sec. 14-4503, the Stop the Spam Calls Act (2023).
    "MD": Window(opens=dt.time(8), closes=_EIGHT_PM),
    # Okla. Stat. tit. 15, sec. 775C.4, the Oklahoma Telephone Solicitation Act (HB 3168, 2022).
    "OK": Window(opens=dt.time(8), closes=_EIGHT_PM),
    # Rev. Code Wash. sec. 19.158.040(2), commercial telephone solicitors, as amended by
    # ESHB 1497 (2022): calls received before 8:00 or after 20:00 at the recipient's local time.
    "WA": Window(opens=dt.time(8), closes=_EIGHT_PM),
}
FEDERAL_WINDOW = Window(opens=dt.time(8), closes=dt.time(21))


def campaign_window() -> Window:
    opens, closes = settings.GROUNDGAME_SMS_SENDING_HOURS
    return Window(opens=opens, closes=closes)


def state_window(state: str) -> Window:
    """The hours the law of ``state`` allows (the federal window where no state law is
    stricter)."""
    return STATE_WINDOWS.get(state.upper(), FEDERAL_WINDOW)


def recipient_window(state: str) -> Window:
    """The campaign's window within the law's. Where the two share no hour (a campaign
    sending 20:00-21:00 only, and Florida's 20:00 close) the law's window holds, so that a
    text still goes at a lawful hour rather than never."""
    legal = state_window(state)
    window = campaign_window().narrowed(legal)
    return window if window.opens < window.closes else legal


def recipient_zone(*, state: str, zip5: str) -> zoneinfo.ZoneInfo:
    name = geo.zip_timezone(zip5) or geo.state_timezone(state) or settings.GROUNDGAME_TIME_ZONE
    return zoneinfo.ZoneInfo(name)


def opening(*, now: dt.datetime, state: str, zip5: str) -> dt.datetime | None:
    """None when a text to someone at this address may go at ``now``; else the moment (UTC)
    their window opens next."""
    window = recipient_window(state)
    local = now.astimezone(recipient_zone(state=state, zip5=zip5))
    if window.opens <= local.time() < window.closes:
        return None
    day = local.date() if local.time() < window.opens else local.date() + dt.timedelta(days=1)
    opens = dt.datetime.combine(day, window.opens, tzinfo=local.tzinfo)
    return opens.astimezone(dt.UTC)
