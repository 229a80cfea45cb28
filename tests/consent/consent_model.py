"""An independent model of consent for the property tests: the history of events, replayed in
plain Python, and the contact rule read from it.

It is written from what the product promises (the rule's order in ``consent.rules`` and the
meaning of each service), not from the queries that implement it, so that a test comparing
the two catches either drifting.
"""

from __future__ import annotations

from dataclasses import dataclass, field

EMAIL, SMS, PHONE, MAIL, DOOR = "email", "sms", "phone", "mail", "door"
CHANNELS = (EMAIL, SMS, PHONE, MAIL, DOOR)
OPT_IN = frozenset({EMAIL, SMS})


@dataclass(frozen=True)
class Someone:
    """A person as the model knows them: the addresses each channel reaches."""

    email: str
    phone: str
    household: bool

    def address(self, channel: str) -> str:
        if channel == EMAIL:
            return self.email
        if channel in (SMS, PHONE):
            return self.phone
        return "household" if self.household else ""


@dataclass
class ConsentModel:
    people: dict[int, Someone]
    transactional: frozenset[str]
    do_not_contact: set[int] = field(default_factory=set)
    left_channel: set[tuple[int, str]] = field(default_factory=set)
    # (person, channel, topic) -> "subscribed" | "unsubscribed"; absent: never chose.
    choice: dict[tuple[int, str, str], str] = field(default_factory=dict)
    # (channel, address) -> why: the first reason sticks ("stopped", "bounced", ...).
    suppressed: dict[tuple[str, str], str] = field(default_factory=dict)

    # -- events ------------------------------------------------------------------------

    def join(self, person: int, channel: str, topics: list[str]) -> None:
        # A yes to a topic is newer than having left the channel: it brings them back.
        self.left_channel.discard((person, channel))
        for topic in topics:
            self.choice[(person, channel, topic)] = "subscribed"

    def leave(self, person: int, channel: str, topics: list[str]) -> None:
        for topic in topics:
            self.choice[(person, channel, topic)] = "unsubscribed"

    def leave_channel(self, person: int, channel: str) -> None:
        self.left_channel.add((person, channel))

    def dnc_set(self, person: int) -> None:
        self.do_not_contact.add(person)

    def dnc_clear(self, person: int) -> None:
        self.do_not_contact.discard(person)

    def suppress(self, channel: str, address: str, reason: str) -> None:
        self.suppressed.setdefault((channel, address), reason)

    def start(self, phone: str) -> None:
        # START lifts a STOP, and nothing else (a number the carrier reported stays out).
        if self.suppressed.get((SMS, phone)) == "stopped":
            del self.suppressed[(SMS, phone)]

    # -- the rule ----------------------------------------------------------------------

    def blocked_by(self, person: int, channel: str, topic: str) -> str:
        """The first reason this person may not be contacted, or "" when they may."""
        someone = self.people[person]
        address = someone.address(channel)
        choice = self.choice.get((person, channel, topic))
        if person in self.do_not_contact:
            return "do_not_contact"
        if not address:
            return "no_address"
        if (channel, address) in self.suppressed:
            return "address_suppressed"
        if (person, channel) in self.left_channel:
            return "channel_left"
        if choice == "unsubscribed":
            return "topic_left"
        if channel in OPT_IN and topic not in self.transactional and choice != "subscribed":
            return "not_subscribed"
        return ""

    def allowed(self, person: int, channel: str, topic: str) -> bool:
        return not self.blocked_by(person, channel, topic)
