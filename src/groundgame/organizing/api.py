from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from groundgame.organizing import selectors

router = Router(tags=["organizing"])


class OrgUnitOut(Schema):
    id: int
    name: str
    kind: str
    state: str
    parent_id: int | None
    volunteers: int
    staff: int


@router.get("/units", response=list[OrgUnitOut])
def unit_list(request: HttpRequest) -> list[OrgUnitOut]:
    """The hierarchy with volunteer and staff counts: aggregates, visible to all staff."""
    out: list[OrgUnitOut] = []

    def walk(nodes: list[selectors.OrgTreeNode]) -> None:
        for node in nodes:
            u = node.unit
            out.append(
                OrgUnitOut(
                    id=u.pk,
                    name=u.name,
                    kind=u.kind,
                    state=u.state,
                    parent_id=u.parent_id,
                    volunteers=node.volunteers,
                    staff=node.staff,
                )
            )
            walk(node.children)

    walk(selectors.org_unit_tree())
    return out
