"""Field's part in a person's requests about their data (see
``people.services.person_export`` and ``person_erase``): what canvassers recorded about
them at the door, their answers, and the walk lists they canvassed."""

from __future__ import annotations

from typing import Any

from groundgame.audit.services import Actor, snapshot
from groundgame.field.models import CanvassAnswer, CanvassResult, WalkList


def person_part(person_id: int) -> dict[str, Any]:
    results = CanvassResult.objects.filter(person_id=person_id).prefetch_related("answers")
    return {
        "canvass_results": [
            {
                **snapshot(r),
                "answers": [
                    snapshot(a, ["question", "option", "number", "text"]) for a in r.answers.all()
                ],
            }
            for r in results
        ],
        "walk_lists_canvassed": list(
            WalkList.objects.filter(canvasser_id=person_id).values_list("code", flat=True)
        ),
    }


def person_erase(*, actor: Actor, person_id: int) -> int:
    """Canvassers' notes and free-text answers about them go, and their name on the results
    of lists they canvassed; outcomes and chosen options stay, for the counts."""
    changed = CanvassResult.objects.filter(person_id=person_id).exclude(notes="").update(notes="")
    changed += (
        CanvassAnswer.objects.filter(result__person_id=person_id).exclude(text="").update(text="")
    )
    changed += (
        CanvassResult.objects.filter(walk_list__canvasser_id=person_id)
        .exclude(canvasser_name="")
        .update(canvasser_name="")
    )
    return changed
