"""``results third-party``: third-party votes against the winning margin, per state."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from groundgame.cli.base import Commands, add_actions, boot
from groundgame.runtime import CliError


def register(commands: Commands) -> None:
    results = commands.add_parser("results", help="results analysis on the returns held")
    actions = add_actions(results, dest="results")
    third = actions.add_parser(
        "third-party", help="per state: the winner, the margin, and the third-party votes"
    )
    third.add_argument("--year", type=int, required=True)
    third.add_argument("--states", default="", help="two-letter codes, comma-separated")
    third.add_argument("--out", type=Path, required=True, metavar="OUT.csv")
    third.set_defaults(handler=cmd_third_party)


def cmd_third_party(args: argparse.Namespace) -> int:
    states = tuple(s.strip().upper() for s in args.states.split(",") if s.strip())
    boot()
    from groundgame.core.exports import Writer
    from groundgame.insights import selectors

    unknown = [s for s in states if s not in selectors.state_codes()]
    if unknown:
        raise CliError(f"--states: not a state: {', '.join(unknown)}")
    rows = selectors.third_party_margins(year=args.year, states=states)
    if not rows:
        raise CliError(
            f"--year: no state returns held for {args.year}; load them with groundgame "
            "insights load"
        )
    missing = sorted(set(states) - {r.state for r in rows})
    if missing:
        print(f"no {args.year} returns held for {', '.join(missing)}", file=sys.stderr)
    with args.out.open("w", newline="", encoding="utf-8") as out:
        writer = Writer(out)
        writer.writerow(["state", "winner", "margin", "third_party_votes", "exceeds_margin"])
        for r in rows:
            writer.writerow([r.state, r.winner, r.margin, r.third_party_votes, r.exceeds_margin])
    print(f"{len(rows)} states written to {args.out}", file=sys.stderr)
    return 0
