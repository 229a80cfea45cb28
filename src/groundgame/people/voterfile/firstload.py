"""A state's first voter file on PostgreSQL: read and checked whole in DuckDB, then copied into
the tables.

A first load writes millions of new people and nothing else: no voter of the state is on file
to match, update or mark missing. Read line by line in Python, a North Carolina file of eight
million voters and thirty million ballots costs about a minute of parsing per million lines;
here DuckDB splits the files (in C++, on every core), the row rules of ``VoterParser`` and
``HistoryParser`` run once per distinct value (a file has far fewer names, dates, codes and
addresses than lines) and are joined back, and the households, people, voter records,
crosswalk ids and ballots reach PostgreSQL as five ``COPY`` streams in one transaction. The
result is the batch path's, row for row and problem for problem (the tests compare the two).

The batch path stays the only one for everything else, and takes over here (before anything
is written) when DuckDB cannot read a file exactly as the batch path splits it: a line with
another number of fields, a blank line, a truncated last line, bytes that are not UTF-8, a
quoted line with an unquoted field, or a voter id that is not ASCII; and for a layout that
carries coordinates, which the batch path gives each household.

Killed part-way, the transaction leaves nothing; ``--resume`` runs the load again.
"""

# The statements are built from this module's own table and column names, and values quoted
# by _literal: nothing a file holds reaches SQL but through a table.
# ruff: noqa: S608

from __future__ import annotations

import csv
import multiprocessing
import os
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Sequence
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from typing import Any

import duckdb
from django.db import connection, transaction
from django.utils import timezone

from groundgame.audit import services as audit
from groundgame.people.elections import PRESIDENTIAL_GENERALS
from groundgame.people.models import (
    ExternalId,
    Household,
    Person,
    VoteHistory,
    VoterImport,
    VoterRecord,
)
from groundgame.people.voterfile import layouts
from groundgame.people.voterfile.batch import Batcher
from groundgame.people.voterfile.bulk import checked_columns
from groundgame.people.voterfile.parse import (
    HistoryParser,
    VoterParser,
    clean_name,
    clean_phone,
    external_voter_id,
)
from groundgame.people.voterfile.read import (
    RowProblem,
    data_lines,
    decode,
    file_has_control_characters,
)
from groundgame.people.voterfile.report import RAW_KEPT, Progress, RowError

# DuckDB's share of the machine: the database server works on the same cores, and the
# process must stay under a gigabyte (DuckDB spills to its temporary directory past this).
_MEMORY = "512MB"
_FETCH = 50_000  # distinct values handed to Python at a time
# From this many distinct values a rule runs in worker processes, one per core: while Python
# applies the rules, DuckDB and PostgreSQL are idle. Below it, forking costs more than it saves.
_PARALLEL_FROM = 4 * _FETCH
_CORES = os.cpu_count() or 1
_BLOCK = 1 << 25  # bytes of a stream copied by one COPY statement


# The characters str.strip() removes, for DuckDB's trim: a value the batch path strips to
# nothing is missing here too.
_WHITESPACE = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
_WS = "'" + _WHITESPACE + "'"


class Unreadable(Exception):
    """DuckDB does not read the file line for line as the batch path would."""


Rule = Callable[..., tuple[str, ...]]

# The rules of the load under way, by name. The worker processes are forked once they are all
# here, and find them here: a rule is a closure over the load's parsers, which cannot be
# pickled over to a process started afresh.
_RULES: dict[str, Rule] = {}


def _apply(rule_name: str, width: int, out: Path, rows: Sequence[Sequence[Any]]) -> Path:
    """Rule ``rule_name`` over ``rows`` (a number ``k``, then the rule's arguments), written to
    ``out``: ``k``, the rule's ``width`` results, and the field and reason when it refused."""
    rule = _RULES[rule_name]
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter="\t", quoting=csv.QUOTE_ALL, lineterminator="\n")
        for k, *values in rows:
            try:
                writer.writerow((k, *rule(*values), "", ""))
            except RowProblem as problem:
                writer.writerow((k, *([""] * width), problem.field, problem.reason))
    return out


def load(
    batcher: Batcher,
    voters: Path,
    voter_header: Sequence[str],
    history: Path | None,
    history_header: Sequence[str],
    progress: Progress | None,
) -> bool:
    """Load the files; False (nothing written) when the batch path must do it instead."""
    with tempfile.TemporaryDirectory(prefix="groundgame-first-load-") as tmp:
        # A database file rather than memory: its tables are stored compressed, and a state's
        # files outgrow the memory given to DuckDB.
        settings = {"memory_limit": _MEMORY, "temp_directory": tmp}
        con = duckdb.connect(
            str(Path(tmp) / "load.duckdb"), config={**settings, "preserve_insertion_order": True}
        )
        try:
            work = _FirstLoad(batcher, con, Path(tmp), progress)
            try:
                work.read(voters, voter_header, history, history_header)
            except Unreadable:
                return False
            try:
                work.check()
            finally:
                work.stop_workers()
            work.write(voters, history)
        finally:
            con.close()
    return True


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class _FirstLoad:
    def __init__(
        self,
        batcher: Batcher,
        con: duckdb.DuckDBPyConnection,
        tmp: Path,
        progress: Progress | None,
    ) -> None:
        self.batcher, self.con, self.tmp, self.progress = batcher, con, tmp, progress
        self.layout = batcher.layout
        self.voter_parser: VoterParser | None = None
        self.history_parser: HistoryParser | None = None
        self.problems: list[RowError] = []
        # Lines refused by a rule: the report keeps their text, as the batch path's does.
        self.refused: list[RowError] = []
        self.voters_last_line = 0
        # Rules applied to distinct values so far, and in all (the progress report).
        self.mapped = self.maps = 0
        self.history_last_line = 0
        self.pool: Pool | None = None

    def _step(self, what: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(what, done, total)

    # -- reading ---------------------------------------------------------------------------

    def _read_file(
        self, table: str, path: Path, header: Sequence[str], wanted: dict[str, str]
    ) -> int:
        """``table`` (line, then the ``wanted`` fields as ``alias: column``, '' for empty), the
        file's lines in order, split as ``read.Lines`` splits them. Returns the last line's
        number."""
        delimiter = self.layout.shape("voters" if table == "v" else "history").delimiter
        if delimiter != "\t":
            raise Unreadable("only tab-delimited files are read whole")
        if file_has_control_characters(path):
            raise Unreadable("lines with a control character are refused one by one")
        # Each line whole (no field holds the control character 0x01; a line that does has two
        # columns, is rejected, and the file goes to the batch path), split below as
        # ``read.Lines`` splits it: a line quoted at both ends on the quoted delimiter, any other
        # on the delimiter. A field is found by its position; the fields are counted from the
        # delimiters a line holds.
        reader = (
            f"read_csv({_literal(str(path))}, columns={{'l': 'VARCHAR'}}, delim='\x01', "
            "quote='', escape='', header=true, new_line='\\n', auto_detect=false, "
            f"strict_mode=true, store_rejects=true, rejects_table={_literal(table + '_rejects')}, "
            f"rejects_scan={_literal(table + '_scan')})"
        )
        position = {c: i + 1 for i, c in enumerate(header)}
        selected = ", ".join(f"parts[{position[c]}] AS {alias}" for alias, c in wanted.items())
        quoted = "starts_with(l, '\"') AND ends_with(l, '\"')"
        try:
            # In the file's order (insertion order is kept): a row's line is its position.
            self.con.execute(
                f"CREATE TABLE {table}_read AS SELECT {selected}, len(parts) AS fields "
                "FROM (SELECT string_split(CASE WHEN quoted THEN l[2:-2] ELSE l END, "
                "CASE WHEN quoted THEN '\"\t\"' ELSE '\t' END) AS parts "
                f"FROM (SELECT l, {quoted} AS quoted FROM (SELECT rtrim(coalesce(l, ''), '\r') "
                f"AS l FROM {reader})))"
            )
            self.con.execute(
                f"CREATE TABLE {table} AS SELECT rowid + 2 AS line, * FROM {table}_read"
            )
            self.con.execute(f"DROP TABLE {table}_read")
        except duckdb.Error as exc:
            raise Unreadable(str(exc)) from exc
        rejected = self._one(f"SELECT count(*) FROM {table}_rejects")
        misfit = self._one(f"SELECT count(*) FROM {table} WHERE fields <> {len(header)}")
        rows = self._one(f"SELECT count(*) FROM {table}")
        lines = data_lines(path)
        if rejected or misfit or rows != lines:
            raise Unreadable(f"{path.name}: {rejected} rejected, {misfit} of another width")
        return lines + 1

    def _one(self, sql: str) -> Any:
        row = self.con.execute(sql).fetchone()
        assert row is not None
        return row[0]

    def read(
        self,
        voters: Path,
        voter_header: Sequence[str],
        history: Path | None,
        history_header: Sequence[str],
    ) -> None:
        layout = self.layout
        if layout.history_column is not None:
            raise Unreadable("vote history in the voters file is read by the batch path")
        if not _whole(layout):
            raise Unreadable(
                "files without a header or of fixed width, fields of several columns or within "
                "a column, history lines that record no ballot and padded voter ids are read by "
                "the batch path"
            )
        if "latitude" in layout.fields:
            raise Unreadable("coordinates are placed by the batch path")
        self._step("reading", 0, 2)
        wanted = {f: layout.label(f) for f in layouts.VOTER_FIELDS if f in layout.fields}
        self.voters_last_line = self._read_file("v", voters, voter_header, wanted)
        self.wanted = wanted
        self._step("reading", 1, 2)
        if history is not None:
            hist = layout.history_fields
            columns = {f: layout.label(f, history=True) for f in ("state_voter_id",
                       "election_date", "election_name", "method") if f in hist}  # fmt: skip
            self.history_last_line = self._read_file("h", history, history_header, columns)
        ids = "SELECT count(*) FROM {} WHERE strlen(state_voter_id) <> length(state_voter_id)"
        if self._one(ids.format("v")) or (history is not None and self._one(ids.format("h"))):
            raise Unreadable("voter ids that are not ASCII")
        self._step("reading", 2, 2)
        self.voter_parser = VoterParser(layout, voter_header)
        if history is not None:
            self.history_parser = HistoryParser(layout, history_header)

    # -- the row rules, once per distinct value --------------------------------------------

    def _map(
        self, name: str, keys: Sequence[str], source: str, rule: str, results: Sequence[str]
    ) -> None:
        """Table ``name``: each distinct ``keys`` tuple of ``source`` and what rule ``rule``
        makes of it (the text ``results``), plus ``problem_field`` and ``problem_reason`` when
        the rule refused it."""
        con = self.con
        key_list = ", ".join(keys)
        con.execute(
            f"CREATE TABLE {name}_keys AS SELECT row_number() OVER () AS k, * FROM "
            f"(SELECT DISTINCT {key_list} FROM {source})"
        )
        distinct = self._one(f"SELECT count(*) FROM {name}_keys")
        pool = self._workers() if distinct >= _PARALLEL_FROM else None
        cursor = con.cursor()
        cursor.execute(f"SELECT k, {key_list} FROM {name}_keys")
        parts: list[Path] = []
        # Chunks go out as they are fetched; a few wait at most, so memory stays flat.
        pending: deque[AsyncResult[Path]] = deque()
        chunks = iter(lambda: cursor.fetchmany(_FETCH), [])
        for chunk, rows in enumerate(chunks):
            task = (rule, len(results), self.tmp / f"{name}-{chunk}.tsv", rows)
            if pool is None:
                parts.append(_apply(*task))
                continue
            pending.append(pool.apply_async(_apply, task))
            if len(pending) > 2 * _CORES:
                parts.append(pending.popleft().get())
        parts += [result.get() for result in pending]
        cursor.close()
        if not parts:  # no values at all: read_csv still wants a file
            parts.append(_apply(rule, len(results), self.tmp / f"{name}-0.tsv", []))
        columns = ["k", *results, "problem_field", "problem_reason"]
        spec = (
            "{"
            + ", ".join(f"'{c}': '{'BIGINT' if c == 'k' else 'VARCHAR'}'" for c in columns)
            + "}"
        )
        files = "[" + ", ".join(_literal(str(p)) for p in parts) + "]"
        con.execute(
            f"CREATE TABLE {name} AS SELECT m.*, "
            + ", ".join(f"r.{c}" for c in columns[1:])
            + f" FROM {name}_keys m JOIN read_csv({files}, delim='\\t', quote='\"', "
            f"escape='\"', header=false, columns={spec}, auto_detect=false, "
            "allow_quoted_nulls=false) r USING (k)"
        )
        con.execute(f"DROP TABLE {name}_keys")
        for part in parts:
            part.unlink()
        self.mapped += 1
        self._step("checking", self.mapped, self.maps)

    def _workers(self) -> Pool | None:
        """The worker processes, forked when first needed (every rule is in ``_RULES`` by
        then); None where they cannot be: one core, no fork, or a daemon process."""
        if self.pool is None:
            if (
                _CORES < 2
                or "fork" not in multiprocessing.get_all_start_methods()
                or multiprocessing.current_process().daemon
            ):
                return None
            self.pool = multiprocessing.get_context("fork").Pool(_CORES)
        return self.pool

    def stop_workers(self) -> None:
        """End the worker processes, if any, and forget the load's rules (``check`` sets
        them): the next load's parsers are others."""
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None
        _RULES.clear()

    def check(self) -> None:
        """The voters that load, the ballots that load, and every refused line's problem."""
        parser = self.voter_parser
        assert parser is not None
        con = self.con
        column = parser.column

        def name(value: str) -> tuple[str]:
            return (clean_name(value.strip())[:100],)

        def one(rule: Callable[[str], str]) -> Callable[[str], tuple[str]]:
            return lambda value: (rule(value.strip()),)

        def day(field: str) -> Callable[[str], tuple[str]]:
            def rule(value: str) -> tuple[str]:
                parsed = parser.date(value.strip(), field)
                return (parsed.isoformat() if parsed else "",)

            return rule

        def phone(value: str) -> tuple[str]:
            value = value.strip()
            return (clean_phone(value) if value else "",)

        def address(street: str, unit: str, city: str, zip5: str) -> tuple[str, ...]:
            return parser.address(street.strip(), unit.strip(), city.strip(), zip5)

        # Each field's rule, over the distinct values of its column (or columns).
        fields = self.wanted
        maps: dict[str, Rule] = {
            "county": one(parser.county),
            "party": one(parser.party),
            "status": one(parser.status),
            "zip5": one(parser.zip5),
            "birth_date": day("birth_date"),
            "registered_on": day("registered_on"),
            "suffix": one(parser.suffix),
            "phone": phone,
            "email": one(parser.email),
        }
        # Names, the fields the layout has, addresses, and ballots (for the progress report).
        mapped = [f for f in maps if f in fields]
        self.maps = 2 + len(mapped) + (self.history_parser is not None)
        _RULES.update(maps, name=name, address=address)
        if self.history_parser is not None:
            _RULES["ballot"] = self._ballot_rule(self.history_parser)
        con.execute(
            "CREATE TABLE names_src AS SELECT first_name AS value FROM v "
            "UNION SELECT middle_name FROM v UNION SELECT last_name FROM v"
            if "middle_name" in self.wanted
            else "CREATE TABLE names_src AS SELECT first_name AS value FROM v "
            "UNION SELECT last_name FROM v"
        )
        self._map("m_name", ["value"], "names_src", "name", ["name"])
        for field_name in mapped:
            self._map(f"m_{field_name}", [field_name], "v", field_name, ["value"])
        # The address is keyed on its ZIP code as the ZIP rule leaves it.
        zip5 = "coalesce(m_zip5.value, '')" if "zip5" in fields else "''"
        text = {f: (f"v.{f}" if f in fields else "''") for f in layouts.VOTER_FIELDS}
        con.execute(
            "CREATE TABLE v_addr AS SELECT v.line, "
            f"{text['street']} AS street, {text['unit']} AS unit, {text['city']} AS city, "
            f"{zip5} AS zip5 FROM v"
            + (" LEFT JOIN m_zip5 ON m_zip5.zip5 = v.zip5" if "zip5" in fields else "")
        )
        self._map("m_address", ["street", "unit", "city", "zip5"], "v_addr", "address",
                  ["n_street", "n_unit", "n_city", "n_zip5"])  # fmt: skip

        # The first rule a line fails, in the order ``VoterParser.parse`` applies them.
        required = list(parser.layout.required)
        missing = " ".join(
            f"WHEN trim({text[f]}, {_WS}) = '' THEN {_literal(column[f])}" for f in required
        )
        checks = [f"CASE {missing} END"] if missing else []
        reasons = ["'missing'"] if missing else []
        joins = []
        # The voter id's rule (VoterParser.voter_id) is written here in SQL: every line has
        # another id, and ids are ASCII (``read`` hands other files to the batch path), where
        # DuckDB's upper and length are Python's.
        voter_id = f"upper(trim(v.state_voter_id, {_WS}))"
        for f in ("county", "party", "status", "zip5", "state_voter_id", "birth_date",
                  "registered_on"):  # fmt: skip
            if f == "state_voter_id":
                checks.append(f"CASE WHEN length({voter_id}) > 40 THEN {_literal(column[f])} END")
                reasons.append("'longer than 40 characters'")
                continue
            if f not in fields:
                continue
            joins.append(f"LEFT JOIN m_{f} ON m_{f}.{f} = v.{f}")
            checks.append(f"nullif(m_{f}.problem_field, '')")
            reasons.append(f"nullif(m_{f}.problem_reason, '')")
        for f in ("suffix", "phone", "email"):
            if f in fields:
                joins.append(f"LEFT JOIN m_{f} ON m_{f}.{f} = v.{f}")

        def value(f: str) -> str:
            return f"m_{f}.value" if f in fields else "''"

        first_problem = (
            "CASE " + " ".join(f"WHEN {c} IS NOT NULL THEN {c}" for c in checks) + " END"
        )
        first_reason = (
            "CASE "
            + " ".join(
                f"WHEN {c} IS NOT NULL THEN {r}" for c, r in zip(checks, reasons, strict=True)
            )
            + " END"
        )
        names = {
            f: (f"(SELECT name FROM m_name WHERE m_name.value = v.{f})" if f in fields else "''")
            for f in ("first_name", "middle_name", "last_name")
        }
        con.execute(
            "CREATE TABLE checked AS SELECT v.line, "
            f"{first_problem} AS problem_field, {first_reason} AS problem_reason, "
            f"{voter_id} AS state_voter_id, "
            f"{names['first_name']} AS first_name, {names['middle_name']} AS middle_name, "
            f"{names['last_name']} AS last_name, {value('suffix')} AS suffix, "
            f"nullif({value('birth_date')}, '')::DATE AS birth_date, "
            f"{value('phone')} AS phone, {value('email')} AS email, "
            "a.n_street AS street, a.n_unit AS unit, a.n_city AS city, a.n_zip5 AS zip5, "
            f"{value('county')} AS county_fips, {value('party')} AS party, "
            f"{value('status')} AS status, "
            f"nullif({value('registered_on')}, '')::DATE AS registered_on, "
            "FROM v "
            + " ".join(joins)
            + " JOIN v_addr va ON va.line = v.line LEFT JOIN m_address a "
            "ON a.street = va.street AND a.unit = va.unit AND a.city = va.city "
            "AND a.zip5 = va.zip5"
        )
        # The first line of each voter id loads; the later ones are duplicates.
        con.execute(
            "CREATE TABLE first_lines AS SELECT min(line) AS line FROM checked "
            "WHERE problem_field IS NULL GROUP BY state_voter_id"
        )
        self.problems += self._line_problems("voters", "checked")
        for line, voter_id in con.execute(
            "SELECT line, state_voter_id FROM checked c WHERE problem_field IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM first_lines f WHERE f.line = c.line) ORDER BY line"
        ).fetchall():
            self.problems.append(
                RowError("voters", line, "state_voter_id", f"duplicate voter id {voter_id!r}", "")
            )
        # In the file's order, which its rows keep (the people's ids follow it).
        con.execute(
            "CREATE TABLE ok AS SELECT c.* FROM checked c WHERE EXISTS "
            "(SELECT 1 FROM first_lines f WHERE f.line = c.line) ORDER BY c.line"
        )
        con.execute("DROP TABLE first_lines")
        if self.history_parser is not None:
            self._check_history()

    @staticmethod
    def _ballot_rule(parser: HistoryParser) -> Rule:
        def ballot(day_value: str, name_value: str, method_value: str) -> tuple[str, ...]:
            b = parser.ballot(day_value, name_value, method_value)
            assert b is not None  # a layout whose codes record no ballot is not read whole
            return (b.election_date.isoformat(), b.election_name, b.method)

        return ballot

    def _check_history(self) -> None:
        con = self.con
        column = self.layout.history_fields
        has_name = "election_name" in column
        name = "h.election_name" if has_name else "''"
        con.execute(
            f"CREATE TABLE h_keys AS SELECT election_date, {name} AS election_name, method FROM h"
        )
        self._map("m_ballot", ["election_date", "election_name", "method"], "h_keys", "ballot",
                  ["n_date", "n_name", "n_method"])  # fmt: skip
        con.execute("DROP TABLE h_keys")
        voter_column = _literal(self.layout.label("state_voter_id", history=True))
        # A missing voter id is the first problem, then the ballot's (HistoryParser.parse).
        con.execute(
            "CREATE TABLE h_checked AS SELECT h.line, "
            f"CASE WHEN trim(h.state_voter_id, {_WS}) = '' THEN {voter_column} "
            "ELSE nullif(b.problem_field, '') END AS problem_field, "
            f"CASE WHEN trim(h.state_voter_id, {_WS}) = '' THEN 'missing' "
            "ELSE nullif(b.problem_reason, '') END AS problem_reason, "
            f"upper(trim(h.state_voter_id, {_WS})) AS state_voter_id, "
            # A refused ballot has no date to cast.
            "TRY_CAST(nullif(b.n_date, '') AS DATE) AS election_date, "
            "b.n_name AS election_name, b.n_method AS method "
            f"FROM h JOIN m_ballot b ON b.election_date = h.election_date "
            f"AND b.election_name = {name} AND b.method = h.method"
        )
        self.problems += self._line_problems("history", "h_checked")
        # The first line of each voter and election; the ballots of voters not loaded are
        # reported (the batch path's last step does the same).
        con.execute(
            "CREATE TABLE ballots AS SELECT state_voter_id, election_date, min(line) AS line, "
            "arg_min(election_name, line) AS election_name, arg_min(method, line) AS method "
            "FROM h_checked WHERE problem_field IS NULL GROUP BY state_voter_id, election_date"
        )
        voter_column_name = self.layout.label("state_voter_id", history=True)
        for line, voter_id in con.execute(
            "SELECT line, state_voter_id FROM ballots b WHERE NOT EXISTS "
            "(SELECT 1 FROM ok WHERE ok.state_voter_id = b.state_voter_id) ORDER BY line"
        ).fetchall():
            self.problems.append(
                RowError("history", line, voter_column_name, f"no voter {voter_id!r} on file", "")
            )

    def _line_problems(self, file: str, table: str) -> list[RowError]:
        rows = self.con.execute(
            f"SELECT line, problem_field, problem_reason FROM {table} "
            "WHERE problem_field IS NOT NULL ORDER BY line"
        ).fetchall()
        refused = [RowError(file, line, field, reason, "") for line, field, reason in rows]
        self.refused += refused
        return refused

    # -- writing ---------------------------------------------------------------------------

    def write(self, voters: Path, history: Path | None) -> None:
        batcher, con = self.batcher, self.con
        run, state = batcher.run, self.layout.state
        now = timezone.now()
        stamp = now.isoformat()
        # Households, ids, teams and counts, set-based: a minute of a state's file, reported
        # in steps so that the progress does not seem to stall.
        self._step("preparing", 0, 4)
        _raw_lines(voters, history, self.refused)
        con.execute("CREATE TABLE coverage (county_fips VARCHAR, org_unit_id BIGINT)")
        if batcher.coverage:
            con.executemany("INSERT INTO coverage VALUES (?, ?)", list(batcher.coverage.items()))
        has_history = self.history_parser is not None
        con.execute("CREATE TABLE generals (election_date DATE)")
        con.executemany("INSERT INTO generals VALUES (?)", [(d,) for d in PRESIDENTIAL_GENERALS])
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            # Households of the state on file already (people who signed up there) are used.
            cursor.execute(
                f"SELECT id, zip5, street, unit, city FROM {Household._meta.db_table} "
                "WHERE state = %s",
                [state],
            )
            con.execute(
                "CREATE TABLE known_households (id BIGINT, zip5 VARCHAR, street VARCHAR, "
                "unit VARCHAR, city VARCHAR)"
            )
            known = cursor.fetchall()
            if known:
                con.executemany("INSERT INTO known_households VALUES (?, ?, ?, ?, ?)", known)
            # One household per address not on file yet; its county is the last voter's there.
            con.execute(
                "CREATE TABLE new_households AS SELECT row_number() OVER "
                "(ORDER BY min(line)) AS n, zip5, street, unit, city, "
                "arg_max(county_fips, line) AS county_fips FROM ok WHERE street <> '' "
                "AND NOT EXISTS (SELECT 1 FROM known_households k WHERE k.zip5 = ok.zip5 "
                "AND k.street = ok.street AND k.unit = ok.unit AND k.city = ok.city) "
                "GROUP BY zip5, street, unit, city"
            )
            households = self._one("SELECT count(*) FROM new_households")
            voters_new = self._one("SELECT count(*) FROM ok")
            household_base = _reserve(cursor, Household, households)
            person_base = _reserve(cursor, Person, voters_new)
            voter_base = _reserve(cursor, VoterRecord, voters_new)
            self._step("preparing", 1, 4)
            # Each address's household: one on file, else the new one.
            con.execute(
                "CREATE TABLE addresses AS SELECT min(id) AS id, zip5, street, unit, city "
                "FROM known_households GROUP BY zip5, street, unit, city UNION ALL "
                f"SELECT {household_base} + n - 1, zip5, street, unit, city FROM new_households"
            )
            if has_history:
                votes_of = (
                    "LEFT JOIN (SELECT state_voter_id, count(*) AS n FROM ballots "
                    "JOIN generals USING (election_date) GROUP BY state_voter_id) g "
                    "USING (state_voter_id)"
                )
                votes = "coalesce(g.n, 0)"
            else:
                votes_of, votes = "", "0"
            self._step("preparing", 2, 4)
            # Ids in the file's order (ok's rows are); so are the rows, for the COPY streams.
            con.execute(
                "CREATE TABLE loaded AS SELECT ok.*, "
                f"{person_base} + ok.rowid AS person_id, {voter_base} + ok.rowid AS voter_pk, "
                "CASE WHEN ok.street <> '' THEN a.id END AS household_id, c.org_unit_id, "
                f"{votes} AS general_votes FROM ok LEFT JOIN addresses a ON a.zip5 = ok.zip5 "
                "AND a.street = ok.street AND a.unit = ok.unit AND a.city = ok.city "
                f"LEFT JOIN coverage c USING (county_fips) {votes_of} ORDER BY ok.line"
            )
            self._step("preparing", 3, 4)
            if has_history:
                con.execute(
                    "CREATE TABLE loaded_ballots AS SELECT l.voter_pk, b.election_date, "
                    "b.election_name, b.method FROM ballots b JOIN loaded l "
                    "USING (state_voter_id)"
                )
            ts = _literal(stamp)
            streams: list[tuple[type[Any], tuple[str, ...], str]] = [
                (Household,
                 ("id", "street", "unit", "city", "state", "zip5", "county_fips", "latitude",
                  "longitude", "created_at", "updated_at"),
                 f"SELECT {household_base} + n - 1, street, unit, city, {_literal(state)}, zip5, "
                 f"county_fips, NULL, NULL, {ts}, {ts} FROM new_households ORDER BY n"),
                (Person,
                 ("id", "first_name", "middle_name", "last_name", "suffix", "email", "phone",
                  "birth_date", "household_id", "org_unit_id", "merged_into_id", "erased_at",
                  "created_at", "updated_at"),
                 "SELECT person_id, first_name, middle_name, last_name, suffix, email, phone, "
                 f"birth_date, household_id, org_unit_id, NULL, NULL, {ts}, {ts} FROM loaded"),
                (VoterRecord,
                 ("id", "person_id", "state", "state_voter_id", "county_fips", "party", "status",
                  "registered_on", "general_votes", "last_import_id", "missing_since",
                  "created_at", "updated_at"),
                 f"SELECT voter_pk, person_id, {_literal(state)}, state_voter_id, county_fips, "
                 f"party, status, registered_on, general_votes, {run.pk}, NULL, {ts}, {ts} "
                 "FROM loaded"),
                (ExternalId,
                 ("person_id", "system", "external_id", "created_at", "updated_at"),
                 f"SELECT person_id, {_literal(ExternalId.System.STATE_VOTER)}, "
                 f"{_literal(external_voter_id(state, ''))} || state_voter_id, {ts}, {ts} "
                 "FROM loaded"),
            ]  # fmt: skip
            if has_history:
                streams.append(
                    (VoteHistory, ("voter_id", "election_date", "election_name", "method"),
                     "SELECT voter_pk, election_date, election_name, method FROM loaded_ballots "
                     "ORDER BY voter_pk, election_date")
                )  # fmt: skip
            ballots = self._one("SELECT count(*) FROM loaded_ballots") if has_history else 0
            self._step("preparing", 4, 4)
            total = households + 3 * voters_new + ballots
            self._copy(cursor, streams, total)
            history_problems = [p for p in self.problems if p.file == "history"]
            voter_problems = len(self.problems) - len(history_problems)
            batcher.commit(
                "voters",
                self.problems,
                self.voters_last_line,
                rows_read=voters_new + voter_problems,
                rows_new=voters_new,
                history_new=ballots,
            )
            VoterImport.objects.filter(pk=run.pk).update(
                history_checkpoint_row=max(self.history_last_line, 2),
                history_staged_row=self.history_last_line,
            )
            run.refresh_from_db()
            audit.audit_record(
                actor=batcher.actor,
                kind=audit.Kind.BULK,
                action="voter_import.first_load",
                entity_type="people.voterimport",
                entity_id=run.pk,
                summary=(
                    f"first load of {state}: {households} households, {voters_new} voters, "
                    f"{ballots} ballots"
                ),
            )

    def _copy(
        self, cursor: Any, streams: list[tuple[type[Any], tuple[str, ...], str]], total: int
    ) -> None:
        """Each stream as a file DuckDB writes (in a thread, while PostgreSQL reads the one
        before it) and ``COPY`` reads."""
        files: list[Path] = []
        ready = [threading.Event() for _ in streams]
        failure: list[BaseException] = []

        def produce() -> None:
            try:
                for i, (_, _, sql) in enumerate(streams):
                    path = self.tmp / f"stream{i}.tsv"
                    writer = self.con.cursor()
                    writer.execute(
                        f"COPY ({sql}) TO {_literal(str(path))} (FORMAT csv, DELIMITER '\\t', "
                        "HEADER false, QUOTE '\"')"
                    )
                    writer.close()
                    files.append(path)
                    ready[i].set()
            except BaseException as exc:  # handed to the copying thread
                failure.append(exc)
                for event in ready:
                    event.set()

        producer = threading.Thread(target=produce, name="first-load-writer", daemon=True)
        producer.start()
        done = 0
        self._step("copying", done, total)
        try:
            for i, (model, attnames, _) in enumerate(streams):
                ready[i].wait()
                if failure:
                    raise failure[0]
                columns = checked_columns(model, attnames)
                table = connection.ops.quote_name(model._meta.db_table)
                sql = f"COPY {table} ({columns}) FROM STDIN (FORMAT csv, DELIMITER E'\\t')"
                # A COPY a block of whole lines at a time: between two, the progress report
                # may look at the database (a connection inside COPY cannot be asked).
                with files[i].open("rb") as f:
                    rest = b""
                    while data := rest + (chunk := f.read(_BLOCK)):
                        # Whole lines only (the end of the file ends the last one).
                        cut = data.rfind(b"\n") + 1 if chunk else len(data)
                        block, rest = data[:cut], data[cut:]
                        if not block:
                            continue
                        with cursor.cursor.copy(sql) as copy:
                            copy.write(block)
                        done += block.count(b"\n")
                        self._step("copying", done, total)
                files[i].unlink()
        finally:
            producer.join()


def _whole(layout: layouts.Layout) -> bool:
    """Whether DuckDB reads the layout's files as ``_read_file`` does: a header row, columns
    split on a delimiter, one column per field taken whole, a ballot on every good history
    line, and voter ids as they are (its SQL reads them so)."""
    shapes = (layout.shape("voters"), layout.shape("history"))
    fields = (*layout.fields.values(), *layout.history_fields.values())
    return (
        all(s.header and not s.widths for s in shapes)
        and all(isinstance(c, str) for c in fields)
        and not layout.field_values
        and "" not in layout.method_codes.values()
        and not layout.id_width
    )


def _reserve(cursor: Any, model: type[Any], count: int) -> int:
    """The first of ``count`` consecutive ids of ``model`` nobody else will use: the sequence
    jumps by ``count`` once (ALTER SEQUENCE holds other callers of nextval meanwhile)."""
    if count == 0:
        return 0
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
    sequence = cursor.fetchone()[0]
    cursor.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY {int(count)}")
    cursor.execute("SELECT nextval(%s)", [sequence])
    last = int(cursor.fetchone()[0])
    cursor.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY 1")
    return last - count + 1


def _raw_lines(voters: Path, history: Path | None, refused: list[RowError]) -> None:
    """Fill in the text of each line a rule refused, read once more from its file."""
    for file, path in (("voters", voters), ("history", history)):
        wanted = {p.line: p for p in refused if p.file == file}
        if path is None or not wanted:
            continue
        last = max(wanted)
        with path.open("rb") as f:
            for number, raw in enumerate(f, start=1):
                if number in wanted:
                    wanted[number].raw = decode(raw)[0].rstrip("\r\n")[:RAW_KEPT]
                if number >= last:
                    break
