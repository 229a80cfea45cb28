"""``turnout project``: the early-vote projection of a file of counties' early ballots."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from groundgame.cli.base import Commands, add_actions, boot
from groundgame.runtime import CliError


def register(commands: Commands) -> None:
    turnout = commands.add_parser("turnout", help="turnout projections from early ballots")
    actions = add_actions(turnout, dest="turnout")
    project = actions.add_parser(
        "project",
        help="project each county's final total with an 80%% interval from its early ballots "
        "and the history the app holds",
    )
    project.add_argument(
        "--early", type=Path, required=True, metavar="EARLY.csv",
        help="county_fips, early_ballots: ballots cast before election day",
    )  # fmt: skip
    project.add_argument("--out", type=Path, required=True, metavar="OUT.csv")
    project.add_argument(
        "--year", type=int, help="the presidential election (default: this year's or next)"
    )
    project.set_defaults(handler=cmd_project)


def read_text(path: Path, flag: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"{flag}: cannot read {path} ({exc.__class__.__name__})") from None


def cmd_project(args: argparse.Namespace) -> int:
    text = read_text(args.early, "--early")
    if args.year is not None and (args.year % 4 or not 2000 < args.year < 2100):
        raise CliError(f"--year: {args.year} is not a presidential election year")
    boot()
    from groundgame.core.exports import Writer
    from groundgame.insights import selectors

    year = args.year or selectors.election_year()
    result = selectors.early_votes_project(text=text, year=year)
    if result.refusals:
        for refusal in result.refusals:
            print(f"{args.early} line {refusal.line}: {refusal.reason}", file=sys.stderr)
        raise CliError(
            f"--early: {len(result.refusals)} row(s) refused (listed above); nothing written"
        )
    if not result.counties:
        raise CliError(
            "--early: no county to project; load the history first (groundgame insights load)"
        )
    with args.out.open("w", newline="", encoding="utf-8") as out:
        writer = Writer(out)
        writer.writerow(["county_fips", "projected_total", "lo80", "hi80"])
        for county in result.counties:
            p = county.projection
            writer.writerow([p.county_fips, p.projected_total, p.lo80, p.hi80])
    print(
        f"{len(result.counties):,} counties projected for {year} into {args.out}", file=sys.stderr
    )
    return 0
