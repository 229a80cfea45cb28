"""Batch record linkage of two files of people: which rows of one are rows of the other.

The model is ``identity``'s Fellegi-Sunter model, run in DuckDB so that every step is a
vectorized SQL pass over the files:

1. normalize both files (names, dates in the usual formats, USPS street words, ZIP, email,
   the ten digits of a phone) and map nicknames to their formal name;
2. block: candidate pairs are those that agree on at least one narrow blocking key (birth
   date and the first letter of the formal first name, or the first two of the last name;
   ZIP and the first two letters of the last name, or the formal first name; email; phone),
   so the pairs compared grow with the matches, not with the product of the files;
3. compare each pair field by field into ``identity``'s levels;
4. estimate ``u`` (how often different people agree) from random pairs; then ``m`` by
   expectation-maximisation once per blocking key, on the pairs that key found and leaving
   out the fields it agrees on by construction (within "same birth date and initial", two
   different people still compare like random ones on every other field, which is what EM
   with ``u`` fixed assumes); then the chance that two random records match, as the expected
   number of matches among the candidates over the number of possible pairs. EM runs on the
   counts of each comparison pattern: a few thousand, whatever the size of the files;
5. score: the weights of the pattern, with an exact name, email or phone weighted by its own
   frequency (two "Smith"s agree by chance far more often than two "Okonkwo"s, and a shared
   family email is weaker evidence than a personal one), added to that prior, give a
   probability;
6. keep the pairs at or above the threshold one-to-one, greedily from the most probable: a
   pair is kept when each side is the other's best among the rows not yet linked (two lists
   of distinct people link one-to-one).
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
# Random pairs compared to estimate u, and rounds of expectation-maximisation for m and for
# the prior.
U_SAMPLE_PAIRS = 1_000_000
EM_ROUNDS = 25
_FIELDS = ("first_name", "last_name", "birth_date", "address", "email", "phone")
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%Y%m%d", "%m-%d-%Y", "%d.%m.%Y")
_STREET_WORDS = sorted(identity.STREET_WORDS.items())


@dataclass
class Model:
    """The fitted parameters: per field, ``m`` and ``u`` of each level, and the chance that
    two random records (one of each file) match."""

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


def load(con: duckdb.DuckDBPyConnection, left: Path, right: Path) -> tuple[int, int]:
    """The two files as tables ``l`` and ``r`` of normalized columns (``fn``, ``ln`` and
    ``fc``, the formal first name; ``dob``; ``street`` and ``hn``, its house number;
    ``city``, ``state``, ``zip``, ``email``, ``phone``), and their numbers of rows."""
    _setup(con)
    _load(con, left, "l")
    _load(con, right, "r")
    return _count(con, "l"), _count(con, "r")


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
            nullif(regexp_extract({street}, '^ *([0-9]+)', 1), '') AS hn,
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


# The blocking keys: pairs agreeing on any one of them are compared. Each names the fields
# it makes agree by construction, which its EM pass leaves out, and whether m is trained on
# its pairs. ZIP and formal first name
# catch a typo at the start of the last name; no key is a bare common value (a whole name,
# a ZIP3), whose pairs would be mostly namesakes.
_BLOCKS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("l.dob = r.dob AND l.fc[1] = r.fc[1]", ("birth_date", "first_name"), True),
    ("l.dob = r.dob AND l.ln[1:2] = r.ln[1:2]", ("birth_date", "last_name"), True),
    ("l.zip = r.zip AND l.ln[1:2] = r.ln[1:2]", ("address", "last_name"), True),
    ("l.zip = r.zip AND l.fc = r.fc", ("address", "first_name"), True),
    # Not trained on: an email is often made of the name ("mary.smith12@") and a phone is
    # shared by a household, so different people sharing one are not random on the other
    # fields, and EM would take those namesakes and relatives for matches.
    ("l.email = r.email", ("email",), False),
    ("l.phone = r.phone", ("phone",), False),
)

# The street agrees when the house numbers do and the rest is close (a spelled-out "Street",
# a typo): a neighbour a few doors down has a street as similar but another number.
_SAME_STREET = f"""(l.hn = r.hn AND jaro_winkler_similarity(l.street, r.street)
    >= {identity.STREET_CLOSE})"""
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
        WHEN {_SAME_STREET} AND (l.zip = r.zip OR (l.city = r.city AND l.state = r.state))
          THEN 0
        WHEN l.zip = r.zip THEN 1
        WHEN l.city = r.city AND l.state = r.state THEN 2 ELSE 3 END""",
    "email": """CASE WHEN l.email IS NULL OR r.email IS NULL THEN -1
        WHEN l.email = r.email THEN 0 ELSE 1 END""",
    "phone": """CASE WHEN l.phone IS NULL OR r.phone IS NULL THEN -1
        WHEN l.phone = r.phone THEN 0 ELSE 1 END""",
}
_GAMMA_SQL = ",\n".join(f"({sql}) AS g_{name}" for name, sql in _GAMMA.items())
_G = ", ".join(f"g_{name}" for name in _FIELDS)
# The fields whose exact agreement is weighted by the frequency of the value agreed on, and
# the column holding it.
_TF = {"first_name": "fn", "last_name": "ln", "email": "email", "phone": "phone"}

Pattern = tuple[tuple[int, ...], int]


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


def _em(
    patterns: Sequence[Pattern], u: dict[str, list[float]], fields: Sequence[str]
) -> tuple[dict[str, list[float]], float]:
    """m of ``fields``' levels by EM with u fixed, over the counts of each comparison
    pattern (of those fields only), and the expected number of matches among the pairs."""
    m = {n: [lv.m for lv in identity.LEVELS[n]] for n in fields}
    share, matches = 0.5, 0.0
    total = sum(count for _, count in patterns)
    for _ in range(EM_ROUNDS):
        expected = {n: [0.0] * len(m[n]) for n in fields}
        matches = 0.0
        prior = math.log2(share / (1 - share))
        for gammas, count in patterns:
            bits = prior + sum(
                math.log2(m[n][g] / u[n][g]) for n, g in zip(fields, gammas, strict=True) if g >= 0
            )
            p = _probability(bits) * count
            matches += p
            for n, g in zip(fields, gammas, strict=True):
                if g >= 0:
                    expected[n][g] += p
        # One pseudo-match at the prior's m: a level no match reached in these pairs gets a
        # small m, not a zero that would make it veto any pair.
        for n in fields:
            seen = sum(expected[n])
            m[n] = [
                (x + lv.m) / (seen + 1)
                for x, lv in zip(expected[n], identity.LEVELS[n], strict=True)
            ]
        share = min(max(matches / total, 1e-9), 1 - 1e-9)
    return m, matches


def _probability(bits: float) -> float:
    return 1.0 / (1.0 + math.pow(2.0, -min(max(bits, -500.0), 500.0)))


def _estimate_model(
    con: duckdb.DuckDBPyConnection, u: dict[str, list[float]], pairs: int
) -> tuple[Model, list[Pattern]]:
    """m from one EM pass per blocking key, averaged over the passes weighted by the matches
    each found; then the prior, and the comparison patterns of all the candidates."""
    sums = {n: [0.0] * len(identity.LEVELS[n]) for n in _FIELDS}
    weights = dict.fromkeys(_FIELDS, 0.0)
    for k, (_, blocked, trained) in enumerate(_BLOCKS):
        if not trained:
            continue
        fields = [n for n in _FIELDS if n not in blocked]
        rows = con.execute(
            f"""SELECT {", ".join(f"g_{n}" for n in fields)}, count(*) FROM compared
                WHERE blocks & {1 << k} <> 0 GROUP BY ALL"""
        ).fetchall()
        if not rows:
            continue
        m, matches = _em([(tuple(row[:-1]), int(row[-1])) for row in rows], u, fields)
        for n in fields:
            sums[n] = [s + matches * x for s, x in zip(sums[n], m[n], strict=True)]
            weights[n] += matches
    model = Model(
        m={
            n: [s / weights[n] for s in sums[n]]
            if weights[n] > 0
            else [lv.m for lv in identity.LEVELS[n]]
            for n in _FIELDS
        },
        u=u,
    )
    rows = con.execute(f"SELECT {_G}, count(*) FROM compared GROUP BY ALL").fetchall()
    patterns = [(tuple(int(g) for g in row[:-1]), int(row[-1])) for row in rows]
    model.match_share = _estimate_prior(model, patterns, pairs)
    return model, patterns


def _estimate_prior(model: Model, patterns: Sequence[Pattern], pairs: int) -> float:
    """The chance that two random records match: the expected number of matches among the
    candidates (the pairs outside them being almost all non-matches) over all ``pairs``, to
    a fixed point, since each candidate's probability depends on it."""
    evidence = [
        (sum(model.weight(n, g) for n, g in zip(_FIELDS, gammas, strict=True)), count)
        for gammas, count in patterns
    ]
    share = 1.0 / max(pairs, 1)
    for _ in range(EM_ROUNDS):
        prior = math.log2(share / (1 - share))
        matches = sum(_probability(prior + bits) * count for bits, count in evidence)
        share = min(max(matches / max(pairs, 1), 1e-12), 0.5)
    return share


def link(
    left: Path, right: Path, *, threshold: float = DEFAULT_THRESHOLD, one_to_one: bool = True
) -> LinkResult:
    """Link two CSV files of people; see the module's docstring for how."""
    started = time.perf_counter()
    for path in (left, right):
        check_columns(path)
    con = duckdb.connect()
    try:
        left_rows, right_rows = load(con, left, right)
        blocked = " UNION ALL ".join(
            f"SELECT l.id AS lid, r.id AS rid, {1 << k} AS block FROM l JOIN r ON {rule}"
            for k, (rule, _, _) in enumerate(_BLOCKS)
        )
        con.execute(
            f"CREATE TABLE candidates AS SELECT lid, rid, bit_or(block) AS blocks "
            f"FROM ({blocked}) GROUP BY lid, rid"
        )
        tf_columns = ", ".join(f"l.{c}" for c in _TF.values())
        con.execute(
            f"""
            CREATE TABLE compared AS
            SELECT c.lid, c.rid, c.blocks, {tf_columns}, {_GAMMA_SQL}
            FROM candidates c JOIN l ON l.id = c.lid JOIN r ON r.id = c.rid
            """
        )
        candidate_pairs = _count(con, "compared")
        u = _estimate_u(con, left_rows, right_rows)
        model, patterns = _estimate_model(con, u, left_rows * right_rows)
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
    patterns: Sequence[Pattern],
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
    # Term frequencies over both files: an exact agreement counts by the rarity of the value
    # agreed on, in place of the average rarity (u) of the level.
    adjust, joins = [], []
    for name, column in _TF.items():
        con.execute(
            f"""
            CREATE TABLE tf_{column} AS
            SELECT {column} AS value, count(*) / sum(count(*)) OVER () AS tf
            FROM (SELECT {column} FROM l UNION ALL SELECT {column} FROM r)
            WHERE {column} IS NOT NULL GROUP BY 1
            """
        )
        adjust.append(
            f"CASE WHEN c.g_{name} = 0 THEN log2({model.u[name][0]} "
            f"/ greatest(tf_{column}.tf, 1e-9)) ELSE 0 END"
        )
        joins.append(f"LEFT JOIN tf_{column} ON tf_{column}.value = c.{column}")
    con.execute(
        f"""
        CREATE TABLE kept AS
        SELECT lid, rid, 1 / (1 + pow(2, -least(greatest(bits, -500), 500))) AS p
        FROM (
            SELECT c.lid, c.rid, w.bits + {" + ".join(adjust)} AS bits
            FROM compared c JOIN weights w USING ({_G}) {" ".join(joins)}
        )
        WHERE 1 / (1 + pow(2, -least(greatest(bits, -500), 500))) >= ?
        """,
        [threshold],
    )
    if not one_to_one:
        rows = con.execute("SELECT lid, rid, p FROM kept ORDER BY lid, rid").fetchall()
        return [(str(a), str(b), float(p)) for a, b, p in rows]
    # Greedy one-to-one: each round links the pairs that are one another's best among the
    # rows still free, then frees nothing else; a row whose best went to another row gets
    # its next best in a later round.
    con.execute("CREATE TABLE linked (lid VARCHAR, rid VARCHAR, p DOUBLE)")
    while True:
        added = con.execute(
            """
            INSERT INTO linked
            SELECT lid, rid, p FROM (
                SELECT *, row_number() OVER (PARTITION BY lid ORDER BY p DESC, rid) AS rl,
                          row_number() OVER (PARTITION BY rid ORDER BY p DESC, lid) AS rr
                FROM kept
            ) WHERE rl = 1 AND rr = 1
            """
        ).fetchone()
        if not added or not added[0]:
            break
        con.execute(
            """DELETE FROM kept WHERE lid IN (SELECT lid FROM linked)
               OR rid IN (SELECT rid FROM linked)"""
        )
    rows = con.execute("SELECT lid, rid, p FROM linked ORDER BY lid, rid").fetchall()
    return [(str(a), str(b), float(p)) for a, b, p in rows]


def write_pairs(pairs: Sequence[tuple[str, str, float]], out: Path) -> None:
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["left_id", "right_id", "score"])
        writer.writerows((a, b, f"{p:.6f}") for a, b, p in pairs)
