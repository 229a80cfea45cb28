"""Small election files in the shapes of the public ones, for the three counties of the test
campaign (Durham, Wake and Guilford, North Carolina). The counts are made up."""

from __future__ import annotations

from pathlib import Path

# (fips, name): presidential totals 2012-2024 and (all, early) EAVS ballots 2016-2020.
COUNTIES = {
    ("37063", "Durham"): (
        (140_000, 150_000, 180_000, 178_000),
        ((152_000, 90_000), (120_000, 60_000), (182_000, 160_000)),
    ),
    ("37183", "Wake"): (
        (480_000, 520_000, 620_000, 630_000),
        ((525_000, 330_000), (410_000, 200_000), (625_000, 560_000)),
    ),
    ("37081", "Guilford"): (
        (250_000, 255_000, 290_000, 292_000),
        ((258_000, 150_000), (200_000, 90_000), (292_000, 250_000)),
    ),
}


def write_files(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    medsl = [
        "year,state,state_po,county,FIPS,office,candidate,party,candidatevotes,totalvotes,version"
    ]
    returns = ["year,fips,state,county,votes_dem,votes_gop,votes_other,total_votes,source"]
    for (fips, name), (totals, ballots) in COUNTIES.items():
        total = totals[0]
        where = f"2012,North Carolina,NC,{name},{fips},President"
        medsl += [
            f"{where},Barack Obama,democrat,{total // 2},{total},1",
            f"{where},Mitt Romney,republican,{total // 3},{total},1",
        ]
        for year, t in zip((2016, 2020, 2024), totals[1:], strict=True):
            returns.append(
                f"{year},{fips},NC,{name},{t // 2},{t // 3},{t - t // 2 - t // 3},{t},test"
            )
        for year, (all_ballots, early) in zip((2016, 2018, 2020), ballots, strict=True):
            eavs = folder / f"eavs_county_ballots_by_method_{year}.csv"
            if not eavs.exists():
                eavs.write_text(
                    "fips,election_year,state,county,state_abbr,county_name,total_part,"
                    "election_day_part,absentee_uovaca_part,mail_part,in_person_early_part,"
                    "vbm_part,other_part\n"
                )
            with eavs.open("a") as out:
                out.write(
                    f"{int(fips)},{year},37,1,NC,{name} County,{all_ballots},"
                    f"{all_ballots - early},0,{early // 4},{early - early // 4},0,0\n"
                )
    (folder / "county_president_2000_2016_medsl.csv").write_text("\n".join(medsl) + "\n")
    (folder / "county_president_2016_2020_2024.csv").write_text("\n".join(returns) + "\n")
    (folder / "state_president_2024_medsl.csv").write_text(
        '"year","state","state_po","candidate","party_simplified","mode","votes"\n'
        '2024,"NORTH CAROLINA","NC","TRUMP, DONALD J.","REPUBLICAN","TOTAL",2898423\n'
        '2024,"NORTH CAROLINA","NC","HARRIS, KAMALA D.","DEMOCRAT","TOTAL",2715375\n'
        '2024,"NORTH CAROLINA","NC","OLIVER, CHASE","LIBERTARIAN","TOTAL",22125\n'
        '2024,"NORTH CAROLINA","NC","STEIN, JILL","OTHER","TOTAL",24762\n'
        '2024,"MICHIGAN","MI","TRUMP, DONALD J.","REPUBLICAN","TOTAL",2816636\n'
        '2024,"MICHIGAN","MI","HARRIS, KAMALA D.","DEMOCRAT","TOTAL",2736533\n'
        '2024,"MICHIGAN","MI","STEIN, JILL","OTHER","TOTAL",44607\n'
        '2024,"MICHIGAN","MI","KENNEDY, ROBERT F. JR","OTHER","TOTAL",26785\n'
        '2024,"MICHIGAN","MI","OLIVER, CHASE","LIBERTARIAN","TOTAL",22440\n'
        '2024,"MICHIGAN","MI","WEST, CORNEL","OTHER","TOTAL",9185\n'
    )
    return folder
