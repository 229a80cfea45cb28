"""A mailing's variants: what a valid set is, and which one each recipient is drawn to get.

The draw is a hash of the mailing's recorded seed and the person's id, read as a number in
[0, 100) and placed on the variants' shares laid end to end. It is random across people (the
seed is drawn when the variants are set) and the same on every run: a fan-out run again
after a failure, or an analyst checking the assignment later, gets the same variant for the
same person, and nothing but the seed needs to be stored to show how people were split.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from groundgame.core.errors import ValidationFailed
from groundgame.messaging import errors, templating
from groundgame.messaging.models import MessageChannel

MIN_VARIANTS = 2
MAX_VARIANTS = 4


@dataclass(frozen=True)
class VariantSpec:
    label: str
    body: str
    share: int
    subject: str = ""
    sender_name: str = ""


def draw(seed: int, person_id: int, shares: Sequence[int]) -> int:
    """The index of the variant a person gets."""
    digest = hashlib.blake2b(f"{seed}:{person_id}".encode(), digest_size=8).digest()
    point = int.from_bytes(digest, "big") % 10_000 / 100
    edge = 0
    for index, share in enumerate(shares):
        edge += share
        if point < edge:
            return index
    return len(shares) - 1


def _problem(index: int, attr: str, message: str, code: str = errors.VARIANT_INVALID) -> Exception:
    return ValidationFailed(
        f"Variant {index + 1}, {attr}: {message}", code=code, field=f"variants[{index}].{attr}"
    )


def variants_clean(channel: str, specs: Sequence[VariantSpec]) -> list[VariantSpec]:
    """The variants trimmed, or ``ValidationFailed`` naming the variant and field: two to
    four, labels unique, shares whole percents summing to 100, templates that compile, an
    email's subject written."""
    if not MIN_VARIANTS <= len(specs) <= MAX_VARIANTS:
        raise ValidationFailed(
            f"A test has {MIN_VARIANTS} to {MAX_VARIANTS} variants, not {len(specs)}.",
            code=errors.VARIANT_INVALID,
            field="variants",
        )
    cleaned: list[VariantSpec] = []
    for index, spec in enumerate(specs):
        label = spec.label.strip()
        if not label or len(label) > 20:
            raise _problem(index, "label", "give a label of at most 20 characters.")
        if label in {c.label for c in cleaned}:
            raise _problem(index, "label", f"{label!r} names another variant too.")
        if not 1 <= spec.share <= 99:
            raise _problem(
                index, "share", "a share is a whole percent from 1 to 99.", errors.VARIANT_SHARES
            )
        subject = spec.subject.strip()[:200] if channel == MessageChannel.EMAIL else ""
        if channel == MessageChannel.EMAIL and not subject:
            raise _problem(index, "subject", "an email needs a subject.")
        if not spec.body.strip():
            raise _problem(index, "body", "write the message.")
        for attr, source in (("subject", subject), ("body", spec.body)):
            try:
                templating.compile_template(source, field=attr)
            except templating.TemplateProblem as problem:
                raise _problem(index, attr, problem.message, errors.TEMPLATE_INVALID) from None
        sender = spec.sender_name.strip()[:80] if channel == MessageChannel.EMAIL else ""
        cleaned.append(VariantSpec(label, spec.body, spec.share, subject, sender))
    total = sum(spec.share for spec in cleaned)
    if total != 100:
        raise ValidationFailed(
            f"The variants' shares add up to {total}%; they must add up to 100%.",
            code=errors.VARIANT_SHARES,
            field="variants",
        )
    return cleaned
