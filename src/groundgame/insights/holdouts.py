"""Programs and their randomized holdouts.

A program is cut from a universe within an org unit. Before it starts, staff draw its
holdout: the households of the universe's people (with an address) are put in a random order
by a generator seeded with a recorded seed, and the first ``holdout_percent`` of them are held
out, so a household is all in or all out and the same seed draws the same households again.
Every piece of the program (a mailing, a mail drop, a call list, the doors of the universe's
turf cuts) is named to the one contact rule, which keeps the held-out households out of it
on every channel (``consent.rules``, through ``held_out_households``). Once the program
starts its assignments are fixed: they are what its lift is read against.
"""

from __future__ import annotations

import math
import secrets
from typing import Any

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from groundgame.audit.services import Actor, audit_create, audit_record, audit_update, snapshot
from groundgame.audit.services import Kind as AuditKind
from groundgame.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from groundgame.core.text import text_problem
from groundgame.insights import errors
from groundgame.insights.models import HoldoutAssignment, Program, ProgramPiece
from groundgame.organizing import selectors as organizing_selectors
from groundgame.organizing.selectors import StaffScope
from groundgame.people import selectors as people_selectors

# The channels a piece may go out on, and how the contact rule names each piece.
PIECE_CHANNELS = {
    "email": "mailing",
    "sms": "mailing",
    "mail": "mail",
    "phone": "call",
    "door": "doors",
}
_BATCH = 5_000


def _staff_scope(actor: Actor) -> StaffScope:
    """A program's staff: drawing a holdout reads who lives where, so it takes a role that
    may see personal data."""
    scope = organizing_selectors.staff_scope(actor)
    if not (scope.everywhere or scope.person_paths):
        raise PermissionDenied(
            "Programs are run by staff who may see the people they reach.",
            code=errors.PROGRAM_DENIED,
        )
    return scope


def may_change(scope: StaffScope, program: Program) -> bool:
    """Whoever made the program, a national admin, or a director or admin of its unit or a
    unit above it."""
    return (
        scope.is_admin
        or (scope.user_id is not None and program.created_by_id == scope.user_id)
        or any(program.org_unit.path.startswith(p) for p in scope.manage_paths)
    )


def _program_to_change(actor: Actor, program_id: int) -> Program:
    scope = _staff_scope(actor)
    program = (
        Program.objects.select_for_update(of=("self",))
        .select_related("org_unit", "universe")
        .filter(pk=program_id)
        .first()
    )
    if program is None or not scope.covers(program.org_unit.path):
        raise NotFound("There is no such program.", code=errors.PROGRAM_NOT_FOUND)
    if not may_change(scope, program):
        raise PermissionDenied(
            "Only whoever made this program, or a director or admin of its unit, may change it.",
            code=errors.PROGRAM_DENIED,
        )
    return program


def _clean_name(name: str) -> str:
    cleaned = name.strip()
    problem = text_problem(cleaned)
    if problem:
        raise ValidationFailed(problem, code=errors.PROGRAM_INVALID, field="name")
    if not cleaned or len(cleaned) > 120:
        raise ValidationFailed(
            "Name the program (at most 120 characters).", code=errors.PROGRAM_INVALID, field="name"
        )
    return cleaned


def clean_holdout_percent(value: Any) -> int:
    """A share of households to hold out, in whole percent: 1 to 99."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value != int(value)
    ):
        raise ValidationFailed(
            "The holdout is a whole percentage between 1 and 99.",
            code=errors.HOLDOUT_SHARE_INVALID,
            field="holdout_percent",
        )
    if not 1 <= int(value) <= 99:
        raise ValidationFailed(
            "A holdout of 0% measures nothing and one of 100% contacts nobody: hold out between "
            "1% and 99% of the households.",
            code=errors.HOLDOUT_SHARE_INVALID,
            field="holdout_percent",
        )
    return int(value)


def clean_target_effect(value: Any) -> int:
    """The effect the program aims at, in hundredths of a point: 0.1 to 50 points."""
    if isinstance(value, bool) or not isinstance(value, int) or not 10 <= value <= 5_000:
        raise ValidationFailed(
            "The target effect is between 0.1 and 50 percentage points.",
            code=errors.PROGRAM_INVALID,
            field="target_effect",
        )
    return value


def program_create(
    *,
    actor: Actor,
    name: str,
    universe_id: int,
    org_unit_id: int,
    holdout_percent: int,
    target_effect_bp: int = 100,
) -> Program:
    """A program cut from a universe the staff member sees, within a unit whose people they
    may see, holding out ``holdout_percent`` of its households."""
    scope = _staff_scope(actor)
    cleaned = _clean_name(name)
    share = clean_holdout_percent(holdout_percent)
    target = clean_target_effect(target_effect_bp)
    unit = organizing_selectors.org_unit_get(org_unit_id)
    if unit is None or not scope.covers(unit.path):
        raise ValidationFailed(
            "Choose a unit whose people you may see.", code=errors.PROGRAM_INVALID, field="org_unit"
        )
    universe = people_selectors.universe_get(universe_id, scope)
    if universe is None:
        raise ValidationFailed(
            "There is no such universe.", code=errors.PROGRAM_INVALID, field="universe"
        )
    try:
        with transaction.atomic():
            program = Program.objects.create(
                name=cleaned,
                universe=universe,
                org_unit=unit,
                holdout_percent=share,
                target_effect_bp=target,
                created_by_id=scope.user_id,
            )
            audit_create(actor=actor, action="program.create", instance=program)
    except IntegrityError:
        raise ValidationFailed(
            "A program of that name exists already.", code=errors.PROGRAM_NAME_TAKEN, field="name"
        ) from None
    return program


def _check_not_started(program: Program) -> None:
    if program.status == Program.Status.RUNNING:
        raise Conflict(
            "The program has started: its holdout is fixed, so that its lift can be read.",
            code=errors.PROGRAM_STARTED,
        )


def program_holdout_set(*, actor: Actor, program_id: int, holdout_percent: int) -> Program:
    """Change the share held out, before the program starts (a drawn holdout is drawn again)."""
    share = clean_holdout_percent(holdout_percent)
    with transaction.atomic():
        program = _program_to_change(actor, program_id)
        _check_not_started(program)
        before = snapshot(program)
        program.holdout_percent = share
        program.save(update_fields=["holdout_percent", "updated_at"])
        audit_update(actor=actor, action="program.holdout_set", instance=program, before=before)
        if program.status == Program.Status.DRAWN:
            _draw(actor, program, program.seed)
    return program


def program_people(program: Program) -> QuerySet[Any]:
    """The universe's people within the program's unit who have an address."""
    people = people_selectors.universe_people(program.universe.filters).filter(
        household__isnull=False
    )
    if program.org_unit.parent_id is not None:
        people = people.filter(org_unit__path__startswith=program.org_unit.path)
    return people


def draw_households(household_ids: list[int], *, percent: int, seed: int) -> set[int]:
    """The households held out: the sorted ids put in the order a generator seeded with
    ``seed`` gives, and the first ``percent`` of them (rounded) taken."""
    ordered = np.array(sorted(household_ids), dtype=np.int64)
    order = np.random.default_rng(seed).permutation(len(ordered))
    held = round(len(ordered) * percent / 100)
    return {int(h) for h in ordered[order[:held]]}


def _draw(actor: Actor, program: Program, seed: int | None) -> None:
    seed = secrets.randbelow(2**62) if seed is None else seed
    rows = list(program_people(program).order_by().values_list("pk", "household_id"))
    households = sorted({h for _, h in rows})
    held = draw_households(households, percent=program.holdout_percent, seed=seed)
    if not held or len(held) == len(households):
        raise ValidationFailed(
            f"The universe has {len(households)} households in {program.org_unit.name}: too few "
            f"to hold out {program.holdout_percent}% and contact the rest.",
            code=errors.HOLDOUT_TOO_SMALL,
            field="holdout_percent",
        )
    HoldoutAssignment.objects.filter(program=program).delete()
    for start in range(0, len(rows), _BATCH):
        HoldoutAssignment.objects.bulk_create(
            HoldoutAssignment(program=program, person_id=p, household_id=h, held_out=h in held)
            for p, h in rows[start : start + _BATCH]
        )
    before = snapshot(program)
    program.seed = seed
    program.status = Program.Status.DRAWN
    program.drawn_at = timezone.now()
    program.households = len(households)
    program.households_held_out = len(held)
    program.save()
    audit_update(
        actor=actor,
        action="program.holdout_draw",
        instance=program,
        before=before,
        summary=f"{program.name}: {len(held)} of {len(households)} households held out "
        f"({len(rows)} people), seed {seed}",
    )


def program_holdout_draw(*, actor: Actor, program_id: int, seed: int | None = None) -> Program:
    """Draw (or draw again, before the start) which households are held out, with ``seed``
    or a fresh one, recorded on the program."""
    if seed is not None and (isinstance(seed, bool) or not 0 <= seed < 2**62):
        raise ValidationFailed(
            "The seed is a whole number from 0 to 2^62.", code=errors.PROGRAM_INVALID, field="seed"
        )
    with transaction.atomic():
        program = _program_to_change(actor, program_id)
        _check_not_started(program)
        _draw(actor, program, seed)
    return program


def program_start(*, actor: Actor, program_id: int) -> Program:
    """Start the program: from now on its assignments cannot change."""
    with transaction.atomic():
        program = _program_to_change(actor, program_id)
        _check_not_started(program)
        if program.status != Program.Status.DRAWN:
            raise Conflict(
                "Draw the holdout before the program starts.", code=errors.PROGRAM_NOT_DRAWN
            )
        before = snapshot(program)
        program.status = Program.Status.RUNNING
        program.started_at = timezone.now()
        program.save(update_fields=["status", "started_at", "updated_at"])
        audit_update(actor=actor, action="program.start", instance=program, before=before)
    return program


def piece_key(*, channel: str, name: str, universe_id: int) -> str:
    """How the contact rule names a piece: a mailing by its id, a mail drop or call list by
    the name it is logged under, the doors by the program's universe."""
    kind = PIECE_CHANNELS[channel]
    if kind == "doors":
        return f"doors:{universe_id}"
    if kind == "mailing":
        return f"mailing:{name}"
    return name if name.startswith(f"{kind}:") else f"{kind}:{name}"


def program_piece_add(*, actor: Actor, program_id: int, channel: str, name: str = "") -> Any:
    """Make a mailing (by id), a mail drop or call list (by name), or the doors of the
    universe's turf cuts a piece of the program, which the holdout then keeps to."""
    if channel not in PIECE_CHANNELS:
        raise ValidationFailed(
            f"{channel!r} is not a channel: email, sms, mail, phone or door.",
            code=errors.PIECE_INVALID,
            field="channel",
        )
    cleaned = name.strip()
    kind = PIECE_CHANNELS[channel]
    if kind == "mailing" and not cleaned.isdigit():
        raise ValidationFailed(
            "Give the mailing's number.", code=errors.PIECE_INVALID, field="name"
        )
    if kind in ("mail", "call") and (not cleaned or text_problem(cleaned) or len(cleaned) > 100):
        raise ValidationFailed(
            "Name the mail drop or call list as it is logged.",
            code=errors.PIECE_INVALID,
            field="name",
        )
    with transaction.atomic():
        program = _program_to_change(actor, program_id)
        key = piece_key(channel=channel, name=cleaned, universe_id=program.universe_id)
        if ProgramPiece.objects.filter(key=key).exists():
            raise ValidationFailed(
                f"{key} is a piece of a program already.", code=errors.PIECE_TAKEN, field="name"
            )
        piece = ProgramPiece.objects.create(program=program, key=key, channel=channel)
        audit_create(actor=actor, action="program.piece_add", instance=piece)
    return piece


def held_out_households(piece: str) -> QuerySet[Any] | None:
    """The households a piece holds out (for the one contact rule), or None when it is no
    piece of a program with a holdout drawn."""
    program_id = ProgramPiece.objects.filter(key=piece).values_list("program_id", flat=True).first()
    if program_id is None:
        return None
    return HoldoutAssignment.objects.filter(program_id=program_id, held_out=True).values(
        "household_id"
    )


def assignments_read(*, actor: Actor, program: Program, count: int) -> None:
    """The audit row of an export of a program's assignments (who was held out is personal)."""
    audit_record(
        actor=actor,
        kind=AuditKind.READ,
        action="insights.holdoutassignment.list",
        entity_type="insights.holdoutassignment",
        entity_id=program.pk,
        summary=f"{program.name}: {count} assignments exported",
    )
