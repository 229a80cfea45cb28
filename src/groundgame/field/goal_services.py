"""Contact goals per org unit and materials (yard signs, literature) from request to
delivery. Managers of a unit (its admins and directors, or those above) set its goals and
order its materials; organizers request materials for their units."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from groundgame.audit.services import Actor, audit_create, audit_update, snapshot
from groundgame.core.errors import NotFound, PermissionDenied, ValidationFailed
from groundgame.field.models import ContactGoal, MaterialRequest
from groundgame.organizing import selectors as organizing

GOAL_NOT_IN_SCOPE = "goal_not_in_scope"
MATERIAL_NOT_FOUND = "material_request_not_found"
MATERIAL_STATUS = "material_request_status"


def _unit_path(org_unit_id: int) -> str:
    unit = organizing.org_unit_get(org_unit_id)
    if unit is None:
        raise ValidationFailed("No such unit.", field="org_unit")
    return unit.path


def _require_manager(actor: Actor, path: str) -> None:
    scope = organizing.staff_scope(actor)
    if not (scope.is_superuser or any(path.startswith(p) for p in scope.manage_paths)):
        raise PermissionDenied(
            "Only the unit's admins and directors (or those above) may do this.",
            code=GOAL_NOT_IN_SCOPE,
        )


def _require_member(actor: Actor, path: str) -> None:
    if not organizing.staff_scope(actor).covers(path):
        raise PermissionDenied("That unit is outside your units.", code=GOAL_NOT_IN_SCOPE)


def contact_goal_set(
    *,
    actor: Actor,
    org_unit_id: int,
    measure: str,
    target: int,
    starts_on: dt.date,
    due_on: dt.date,
) -> ContactGoal:
    """Set (or change) a unit's goal of doors or conversations by a date."""
    if measure not in ContactGoal.Measure.values:
        raise ValidationFailed(f"Unknown measure {measure!r}.", field="measure")
    if target < 1:
        raise ValidationFailed("A goal is at least 1.", field="target")
    if due_on <= starts_on:
        raise ValidationFailed("The due date comes after the start.", field="due_on")
    _require_manager(actor, _unit_path(org_unit_id))
    with transaction.atomic():
        goal = ContactGoal.objects.filter(
            org_unit_id=org_unit_id, measure=measure, due_on=due_on
        ).first()
        if goal is None:
            goal = ContactGoal.objects.create(
                org_unit_id=org_unit_id,
                measure=measure,
                target=target,
                starts_on=starts_on,
                due_on=due_on,
            )
            audit_create(actor=actor, action="field.goal_set", instance=goal)
            return goal
        before = snapshot(goal)
        goal.target, goal.starts_on = target, starts_on
        goal.save(update_fields=["target", "starts_on", "updated_at"])
        audit_update(actor=actor, action="field.goal_set", instance=goal, before=before)
    return goal


def material_request_create(
    *,
    actor: Actor,
    org_unit_id: int,
    kind: str,
    quantity_needed: int,
    needed_by: dt.date,
    lead_time_days: int = 10,
    item_id: int | None = None,
) -> MaterialRequest:
    """Ask for signs or literature; the order-by date is the need date less the lead time."""
    if kind not in MaterialRequest.Kind.values:
        raise ValidationFailed(f"Unknown material {kind!r}.", field="kind")
    if quantity_needed < 1:
        raise ValidationFailed("Ask for at least one.", field="quantity_needed")
    if not 0 <= lead_time_days <= 120:
        raise ValidationFailed("A lead time of 0 to 120 days.", field="lead_time_days")
    if needed_by < timezone.localdate():
        raise ValidationFailed("That date has passed.", field="needed_by")
    _require_member(actor, _unit_path(org_unit_id))
    with transaction.atomic():
        request = MaterialRequest.objects.create(
            org_unit_id=org_unit_id,
            kind=kind,
            item_id=item_id,
            quantity_needed=quantity_needed,
            needed_by=needed_by,
            lead_time_days=lead_time_days,
            requested_by=actor if isinstance(actor, User) else None,
        )
        audit_create(actor=actor, action="field.material_request", instance=request)
    return request


def _request_for_update(request_id: int) -> MaterialRequest:
    request = (
        MaterialRequest.objects.select_for_update(of=("self",))
        .select_related("org_unit")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotFound("No such request.", code=MATERIAL_NOT_FOUND)
    return request


def material_order(
    *, actor: Actor, request_id: int, quantity: int, on: dt.date | None = None
) -> MaterialRequest:
    """Record that the request was ordered from the printer, how many."""
    if quantity < 1:
        raise ValidationFailed("Order at least one.", field="quantity")
    with transaction.atomic():
        request = _request_for_update(request_id)
        _require_manager(actor, request.org_unit.path)
        if request.status != MaterialRequest.Status.REQUESTED:
            raise ValidationFailed(
                f"This request is {request.get_status_display().lower()}.", code=MATERIAL_STATUS
            )
        before = snapshot(request)
        request.status = MaterialRequest.Status.ORDERED
        request.quantity_ordered = quantity
        request.ordered_on = on or timezone.localdate()
        request.save()
        audit_update(actor=actor, action="field.material_order", instance=request, before=before)
    return request


def material_deliver(
    *, actor: Actor, request_id: int, quantity: int, on: dt.date | None = None
) -> MaterialRequest:
    """Count what arrived (it may be short of what was ordered)."""
    if quantity < 0:
        raise ValidationFailed("A count of zero or more.", field="quantity")
    with transaction.atomic():
        request = _request_for_update(request_id)
        _require_member(actor, request.org_unit.path)
        if request.status != MaterialRequest.Status.ORDERED:
            raise ValidationFailed(
                f"This request is {request.get_status_display().lower()}, not ordered.",
                code=MATERIAL_STATUS,
            )
        before = snapshot(request)
        request.status = MaterialRequest.Status.DELIVERED
        request.quantity_delivered = quantity
        request.delivered_on = on or timezone.localdate()
        request.save()
        audit_update(actor=actor, action="field.material_deliver", instance=request, before=before)
    return request
