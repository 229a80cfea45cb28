"""Batch record linkage of two files of people: which rows of one are rows of the other.

The model is ``identity``'s Fellegi-Sunter model, run in DuckDB so that every step is a
vectorized SQL pass over the files:

1. normalize both files (names, dates in the usual formats, USPS street words, ZIP, email,
   the ten digits of a phone) and map nicknames to their formal name;
2. block: candidate pairs are those that agree on at least one blocking key (birth date and
   the first letter of the formal first name or the first two of the last name; ZIP and the
   first two letters of the last name; email; phone; whole name and ZIP3), so the pairs
   compared grow with the matches, not with the product of the files;
3. compare each pair field by field into ``identity``'s levels;
4. estimate ``u`` (how often different people agree) from random pairs, then ``m`` and the
   share of matches by expectation-maximisation over the counts of each comparison pattern
   (a few hundred patterns, whatever the size of the files);
5. score: the weights of the pattern, with an exact name weighted by its own frequency
   (two "Smith"s agree by chance far more often than two "Okonkwo"s), give a probability;
6. keep the pairs above the threshold, each row with its best partner only when the two are
   one another's best (two lists of distinct people link one-to-one).
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from groundgame.core.errors import ValidationFailed
from groundgame.people import errors, identity, nicknames

COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "dob",
    "street",
    "city",
    "state",
    "zip",
    "email",
    "phone",
)
DEFAULT_THRESHOLD = 0.9
# Random pairs compared to estimate u, and rounds of expectation-maximisation for m.
U_SAMPLE_PAIRS = 1_000_000
EM_ROUNDS = 25
_FIELDS = ("first_name", "last_name", "birth_date", "address", "email", "phone")
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%Y%m%d", "%m-%d-%Y", "%d.%m.%Y")
_STREET_WORDS = sorted(identity.STREET_WORDS.items())


@dataclass
class Model:
    """The fitted parameters: per field, ``m`` and ``u`` of each level, and the match share."""

    m: dict[str, list[float]] = field(default_factory=dict)
    u: dict[str, list[float]] = field(default_factory=dict)
    match_share: float = 0.0

    def weight(self, name: str, level: int) -> float:
        if level < 0:
            return 0.0
        return math.log2(self.m[name][level] / self.u[name][level])


@dataclass(frozen=True)
class LinkResult:
    pairs: list[tuple[str, str, float]]
    left_rows: int
    right_rows: int
    candidate_pairs: int
    seconds: float
    model: Model


def check_columns(path: Path) -> None:
    """Refuse a file whose header names a column we do not know, or has no ``id``."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), [])
    except OSError as exc:
        raise ValidationFailed(
            f"{path}: cannot read ({exc.strerror}).", code=errors.LINKAGE_INVALID, field="file"
        ) from None
    names = [h.strip().lower() for h in header]
    unknown = [h for h in names if h not in COLUMNS]
    if unknown:
        raise ValidationFailed(
            f"{path.name}: unknown columns {', '.join(unknown)} "
            f"(expected some of {', '.join(COLUMNS)}).",
            code=errors.LINKAGE_INVALID,
            field="columns",
        )
    if "id" not in names:
        raise ValidationFailed(
            f"{path.name}: no id column.", code=errors.LINKAGE_INVALID, field="columns"
        )


def _load(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> None:
    con.execute(
        f"CREATE TABLE raw_{table} AS SELECT * FROM read_csv(?, header = true, "
        "all_varchar = true, normalize_names = true)",
        [str(path)],
    )
    present = {row[0] for row in con.execute(f"DESCRIBE raw_{table}").fetchall()}
    value = {c: (c if c in present else "NULL") for c in COLUMNS}
    dates = ", ".join(f"try_strptime({value['dob']}, '{f}')" for f in _DATE_FORMATS)
    street = f"lower({value['street']})"
    street = f"regexp_replace({street}, '[^a-z0-9]+', ' ', 'g')"
    for long, short in _STREET_WORDS:
        street = f"regexp_replace({street}, '\\b{long}\\b', '{short}', 'g')"

    def name(column: str) -> str:
        return f"nullif(regexp_replace(lower(strip_accents({column})), '[^a-z]', '', 'g'), '')"

    con.execute(
        f"""
        CREATE TABLE {table} AS
        SELECT
            trim({value["id"]}) AS id,
            {name(value["first_name"])} AS fn,
            {name(value["last_name"])} AS ln,
            CAST(coalesce({dates}) AS DATE) AS dob,
            nullif(trim(regexp_replace({street}, ' +', ' ', 'g')), '') AS street,
            {name(value["city"])} AS city,
            nullif(upper(trim({value["state"]})), '') AS state,
            nullif(left(regexp_replace({value["zip"]}, '[^0-9]', '', 'g'), 5), '') AS zip,
            nullif(lower(trim({value["email"]})), '') AS email,
            nullif(right(regexp_replace({value["phone"]}, '[^0-9]', '', 'g'), 10), '') AS phone
        FROM raw_{table}
        WHERE nullif(trim({value["id"]}), '') IS NOT NULL
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE {table} AS
        SELECT t.*, coalesce(c.formal, t.fn) AS fc
        FROM {table} t LEFT JOIN canonical c ON c.name = t.fn
        """
    )


# The blocking keys: pairs agreeing on any one of them are compared.
_BLOCKS = (
    "l.dob = r.dob AND l.fc[1] = r.fc[1]",
    "l.dob = r.dob AND l.ln[1:2] = r.ln[1:2]",
    "l.zip = r.zip AND l.ln[1:2] = r.ln[1:2]",
    "l.email = r.email",
    "l.phone = r.phone",
    "l.fc = r.fc AND l.ln = r.ln AND l.zip[1:3] = r.zip[1:3]",
)

# Each field's level as an index into ``identity.LEVELS`` (0 = the strongest agreement), or
# -1 when either side lacks the field.
_GAMMA = {
    "first_name": f"""CASE WHEN l.fn IS NULL OR r.fn IS NULL THEN -1
        WHEN l.fn = r.fn THEN 0
        WHEN l.fc = r.fc OR EXISTS (SELECT 1 FROM nick n WHERE n.a = l.fn AND n.b = r.fn) THEN 1
        WHEN jaro_winkler_similarity(l.fn, r.fn) >= {identity.NAME_CLOSE} THEN 2
        WHEN jaro_winkler_similarity(l.fn, r.fn) >= {identity.NAME_NEAR} THEN 3 ELSE 4 END""",
    "last_name": f"""CASE WHEN l.ln IS NULL OR r.ln IS NULL THEN -1
        WHEN l.ln = r.ln THEN 0
        WHEN jaro_winkler_similarity(l.ln, r.ln) >= {identity.NAME_CLOSE} THEN 1
        WHEN jaro_winkler_similarity(l.ln, r.ln) >= {identity.NAME_NEAR} THEN 2 ELSE 3 END""",
    "birth_date": """CASE WHEN l.dob IS NULL OR r.dob IS NULL THEN -1
        WHEN l.dob = r.dob THEN 0
        WHEN (year(l.dob) = year(r.dob) AND month(l.dob) = day(r.dob)
              AND day(l.dob) = month(r.dob))
          OR damerau_levenshtein(CAST(l.dob AS VARCHAR), CAST(r.dob AS VARCHAR)) <= 1 THEN 1
        WHEN year(l.dob) = year(r.dob) THEN 2 ELSE 3 END""",
    "address": f"""CASE WHEN coalesce(l.zip, l.city) IS NULL OR coalesce(r.zip, r.city) IS NULL
          THEN -1
        WHEN jaro_winkler_similarity(l.street, r.street) >= {identity.STREET_CLOSE}
          AND (l.zip = r.zip OR (l.city = r.city AND l.state = r.state)) THEN 0
        WHEN l.zip = r.zip THEN 1
        WHEN l.city = r.city AND l.state = r.state THEN 2 ELSE 3 END""",
    "email": """CASE WHEN l.email IS NULL OR r.email IS NULL THEN -1
        WHEN l.email = r.email THEN 0 ELSE 1 END""",
    "phone": """CASE WHEN l.phone IS NULL OR r.phone IS NULL THEN -1
        WHEN l.phone = r.phone THEN 0 ELSE 1 END""",
}
_GAMMA_SQL = ",\n".join(f"({sql}) AS g_{name}" for name, sql in _GAMMA.items())
_G = ", ".join(f"g_{name}" for name in _FIELDS)


def _setup(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TABLE nick (a VARCHAR, b VARCHAR)")
    con.executemany("INSERT INTO nick VALUES (?, ?)", nicknames.pairs())
    con.execute("CREATE TABLE canonical (name VARCHAR, formal VARCHAR)")
    names = {n for group in nicknames.GROUPS for n in group}
    rows = [(n, nicknames.canonical(n)) for n in sorted(names) if nicknames.canonical(n) != n]
    con.executemany("INSERT INTO canonical VALUES (?, ?)", rows)


def _estimate_u(con: duckdb.DuckDBPyConnection, left: int, right: int) -> dict[str, list[float]]:
    """u of every level: how often random pairs (almost all of two people) compare so."""
    side = max(1, math.isqrt(U_SAMPLE_PAIRS))
    con.execute(
        f"""
        CREATE TABLE u_pairs AS
        SELECT {_GAMMA_SQL}
        FROM (SELECT * FROM l ORDER BY hash(id) LIMIT {min(side, left)}) l,
             (SELECT * FROM r ORDER BY hash(id) LIMIT {min(side, right)}) r
        """
    )
    u: dict[str, list[float]] = {}
    for name in _FIELDS:
        levels = len(identity.LEVELS[name])
        counts = dict(
            con.execute(
                f"SELECT g_{name}, count(*) FROM u_pairs WHERE g_{name} >= 0 GROUP BY 1"
            ).fetchall()
        )
        total = sum(counts.values())
        # Agreement levels rarely seen by chance keep the prior's u rather than a zero.
        u[name] = [
            (counts.get(k, 0) + identity.LEVELS[name][k].u) / (total + 1) for k in range(levels)
        ]
    return u


def _estimate_m(
    patterns: Sequence[tuple[tuple[int, ...], int]], u: dict[str, list[float]]
) -> Model:
    """m of every level and the share of matches among the candidate pairs, by EM with u
    fixed, over the counts of each comparison pattern."""
    model = Model(
        m={n: [lv.m for lv in identity.LEVELS[n]] for n in _FIELDS}, u=u, match_share=0.01
    )
    total = sum(count for _, count in patterns)
    for _ in range(EM_ROUNDS):
        expected = {n: [0.0] * len(identity.LEVELS[n]) for n in _FIELDS}
        matches = 0.0
        for gammas, count in patterns:
            bits = sum(model.weight(n, g) for n, g in zip(_FIELDS, gammas, strict=True))
            prior = model.match_share / (1 - model.match_share)
            odds = prior * math.pow(2.0, min(bits, 500.0))
            p = odds / (1 + odds) * count
            matches += p
            for n, g in zip(_FIELDS, gammas, strict=True):
                if g >= 0:
                    expected[n][g] += p
        for n in _FIELDS:
            seen = sum(expected[n])
            if seen > 0:
                model.m[n] = [max(x / seen, 1e-6) for x in expected[n]]
        model.match_share = min(max(matches / total, 1e-9), 0.999) if total else 0.01
    return model


def link(
    left: Path, right: Path, *, threshold: float = DEFAULT_THRESHOLD, one_to_one: bool = True
) -> LinkResult:
    """Link two CSV files of people; see the module's docstring for how."""
    started = time.perf_counter()
    for path in (left, right):
        check_columns(path)
    con = duckdb.connect()
    try:
        _setup(con)
        _load(con, left, "l")
        _load(con, right, "r")
        left_rows = _count(con, "l")
        right_rows = _count(con, "r")
        blocked = " UNION ".join(
            f"SELECT l.id AS lid, r.id AS rid FROM l JOIN r ON {rule}" for rule in _BLOCKS
        )
        con.execute(f"CREATE TABLE candidates AS {blocked}")
        con.execute(
            f"""
            CREATE TABLE compared AS
            SELECT c.lid, c.rid, l.ln, l.fn, {_GAMMA_SQL}
            FROM candidates c JOIN l ON l.id = c.lid JOIN r ON r.id = c.rid
            """
        )
        candidate_pairs = _count(con, "compared")
        u = _estimate_u(con, left_rows, right_rows)
        rows = con.execute(f"SELECT {_G}, count(*) FROM compared GROUP BY ALL").fetchall()
        patterns = [(tuple(int(g) for g in row[:-1]), int(row[-1])) for row in rows]
        model = _estimate_m(patterns, u)
        pairs = _score(con, model, patterns, threshold=threshold, one_to_one=one_to_one)
    finally:
        con.close()
    return LinkResult(
        pairs=pairs,
        left_rows=left_rows,
        right_rows=right_rows,
        candidate_pairs=candidate_pairs,
        seconds=time.perf_counter() - started,
        model=model,
    )


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def _score(
    con: duckdb.DuckDBPyConnection,
    model: Model,
    patterns: Sequence[tuple[tuple[int, ...], int]],
    *,
    threshold: float,
    one_to_one: bool,
) -> list[tuple[str, str, float]]:
    prior_bits = math.log2(model.match_share / (1 - model.match_share))
    con.execute(
        f"CREATE TABLE weights ({', '.join(f'g_{n} INTEGER' for n in _FIELDS)}, bits DOUBLE)"
    )
    con.executemany(
        f"INSERT INTO weights VALUES ({', '.join('?' * (len(_FIELDS) + 1))})",
        [
            (*g, prior_bits + sum(model.weight(n, x) for n, x in zip(_FIELDS, g, strict=True)))
            for g, _ in patterns
        ],
    )
    # Term frequencies of names over both files: an exact name counts by its own rarity.
    for column in ("ln", "fn"):
        con.execute(
            f"""
            CREATE TABLE tf_{column} AS
            SELECT {column} AS value, count(*) / sum(count(*)) OVER () AS tf
            FROM (SELECT {column} FROM l UNION ALL SELECT {column} FROM r)
            WHERE {column} IS NOT NULL GROUP BY 1
            """
        )
    u_last, u_first = model.u["last_name"][0], model.u["first_name"][0]
    best = "WHERE rl = 1 AND rr = 1" if one_to_one else ""
    rows = con.execute(
        f"""
        WITH scored AS (
            SELECT c.lid, c.rid,
                w.bits
                + CASE WHEN c.g_last_name = 0
                       THEN log2({u_last} / greatest(tl.tf, 1e-9)) ELSE 0 END
                + CASE WHEN c.g_first_name = 0
                       THEN log2({u_first} / greatest(tf.tf, 1e-9)) ELSE 0 END AS bits
            FROM compared c
            JOIN weights w USING ({_G})
            LEFT JOIN tf_ln tl ON tl.value = c.ln
            LEFT JOIN tf_fn tf ON tf.value = c.fn
        ), kept AS (
            SELECT lid, rid, 1 / (1 + pow(2, -least(greatest(bits, -500), 500))) AS p
            FROM scored
        ), ranked AS (
            SELECT *, row_number() OVER (PARTITION BY lid ORDER BY p DESC, rid) AS rl,
                      row_number() OVER (PARTITION BY rid ORDER BY p DESC, lid) AS rr
            FROM kept WHERE p >= ?
        )
        SELECT lid, rid, p FROM ranked {best} ORDER BY lid, rid
        """,
        [threshold],
    ).fetchall()
    return [(str(a), str(b), float(p)) for a, b, p in rows]


def write_pairs(pairs: Sequence[tuple[str, str, float]], out: Path) -> None:
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["left_id", "right_id", "score"])
        writer.writerows((a, b, f"{p:.6f}") for a, b, p in pairs)
