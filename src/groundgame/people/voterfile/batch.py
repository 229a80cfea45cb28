"""Writing a run's batches: each is matched against the file on record and committed with its
row errors, the run's counters and checkpoint, and one audit row.

On PostgreSQL a batch (200,000 rows) is copied into a temporary table and applied by
set-based statements: duplicates and known voters found by joins, the changed ones compared in
Python (the same comparison as SQLite's), households, people, voter records and crosswalk ids
inserted with ids drawn from their sequences, ballots matched to voters and added with one
``INSERT ... ON CONFLICT DO NOTHING`` (so a ballot is never recorded twice). On SQLite a batch
(20,000 rows) goes row by row: known voters looked up, new rows written with ``executemany``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from groundgame.audit import services as audit
from groundgame.audit.services import Actor
from groundgame.organizing import selectors as organizing
from groundgame.people.elections import PRESIDENTIAL_GENERALS, general_votes
from groundgame.people.models import (
    ExternalId,
    Household,
    Person,
    VoteHistory,
    VoterChange,
    VoterImport,
    VoterImportRowError,
    VoterRecord,
)
from groundgame.people.services import data_requests
from groundgame.people.voterfile import bulk, match, sql
from groundgame.people.voterfile.layouts import Layout
from groundgame.people.voterfile.parse import HistoryLine, Voter, duplicate, external_voter_id
from groundgame.people.voterfile.report import RAW_KEPT, RowError


def _households(
    state: str, wanted: dict[tuple[str, str, str, str], str], stamp: Any
) -> dict[tuple[str, str, str, str], int]:
    """Household id of each address (normalized) -> county FIPS: the existing household at that
    address, or a new one."""
    found: dict[tuple[str, str, str, str], int] = {}
    keys = list(wanted)
    with connection.cursor() as cursor:
        for chunk in sql.chunks(keys, 1_000):
            values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"SELECT street, unit, city, zip5, MIN(id) FROM {sql.table(Household)} "  # noqa: S608
                f"WHERE state = %s AND (zip5, street, unit, city) IN (VALUES {values}) "
                "GROUP BY street, unit, city, zip5",
                [state, *(x for s, u, c, z in chunk for x in (z, s, u, c))],
            )
            for street, unit, city, zip5, pk in cursor.fetchall():
                found[(street, unit, city, zip5)] = pk
    new = [k for k in keys if k not in found]
    ids = bulk.reserve_ids(Household, len(new))
    bulk.insert_rows(
        Household,
        ("id", "street", "unit", "city", "state", "zip5", "county_fips", "latitude", "longitude",
         "created_at", "updated_at"),
        [(i, s, u, c, state, z, wanted[(s, u, c, z)], None, None, stamp, stamp)
         for i, (s, u, c, z) in zip(ids, new, strict=True)],
    )  # fmt: skip
    found.update(zip(new, ids, strict=True))
    return found


def place_households(state: str, voters: list[Voter], problems: list[RowError], stamp: Any) -> None:
    """Give the households of a batch's voters the coordinates their lines carry (the last
    line of an address wins), after the batch has found or made them. A line without
    coordinates leaves its household where it was, as a refused or duplicate line does."""
    refused = {p.line for p in problems if p.file == "voters"}
    places = {
        v.address: (v.latitude, v.longitude)
        for v in voters
        if v.latitude is not None and v.street and v.line not in refused
    }
    rows = [(z, s, u, c, lat, lon) for (s, u, c, z), (lat, lon) in places.items()]
    h = sql.table(Household)
    with connection.cursor() as cursor:
        for chunk in sql.chunks(rows, 1_000):
            # VALUES' columns are column1.. on both PostgreSQL and SQLite.
            values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"UPDATE {h} SET latitude = c.column5, longitude = c.column6, "  # noqa: S608
                f"updated_at = %s FROM (VALUES {values}) AS c WHERE {h}.state = %s "
                f"AND {h}.zip5 = c.column1 AND {h}.street = c.column2 AND {h}.unit = c.column3 "
                f"AND {h}.city = c.column4 AND ({h}.latitude IS NULL "
                f"OR {h}.latitude <> c.column5 OR {h}.longitude <> c.column6)",
                [stamp, *(x for row in chunk for x in row), state],
            )


def insert_history(rows: list[tuple[int, dt.date, str, str]]) -> int:
    """Add ballots (voter pk, date, name, method) with ``executemany`` (the SQLite path); one
    already recorded for the voter and date is left as it is. Returns how many were added."""
    if not rows:
        return 0
    columns = "voter_id, election_date, election_name, method"
    with connection.cursor() as cursor:
        before = connection.connection.total_changes
        cursor.executemany(
            f"INSERT INTO {sql.table(VoteHistory)} ({columns}) VALUES (%s, %s, %s, %s) "  # noqa: S608
            "ON CONFLICT DO NOTHING",
            rows,
        )
        return int(connection.connection.total_changes - before)


class Batcher:
    """Writes batches of one run; keeps nothing across batches but the run and lookups."""

    def __init__(self, run: VoterImport, layout: Layout, actor: Actor) -> None:
        self.run, self.layout, self.actor = run, layout, actor
        self.coverage = organizing.coverage_map()
        self.grown = 0  # voters added since the tables' statistics were last refreshed
        # The run's staged history file (PostgreSQL, with a history file), once it exists.
        self.stage: str | None = None

    def voters(self, voters: list[Voter], problems: list[RowError], last_line: int) -> None:
        if connection.vendor == "postgresql":
            self._voters_staged(voters, problems, last_line)
            return
        run, state = self.run, self.layout.state
        rows_read = len(voters) + len(problems)
        now = timezone.now()
        stamp = connection.ops.adapt_datetimefield_value(now)
        with transaction.atomic():
            known = match.known_voters(state, [v.state_voter_id for v in voters])
            new: list[Voter] = []
            touched: list[int] = []  # voter pks seen unchanged
            changed: list[tuple[Voter, match.Known, list[match.Diff]]] = []
            history: list[tuple[int, dt.date, str, str]] = []
            for v in voters:
                k = known.get(v.state_voter_id)
                if k is None:
                    new.append(v)
                    continue
                if k.last_import_id == run.pk:
                    problems.append(duplicate(v))
                    continue
                history.extend((k.voter_pk, *b) for b in v.ballots)
                diffs = match.differences(v, k)
                # Corrections the file makes that a campaign does not track as a change (the
                # registration date) are still written.
                if diffs or v.registered_on != k.registered_on:
                    changed.append((v, k, diffs))
                else:
                    touched.append(k.voter_pk)
            wanted = {v.address: v.county_fips for v in new if v.street}
            wanted.update(match.moved_to(changed))
            households = _households(state, wanted, stamp) if wanted else {}
            self._insert_new(new, households, stamp)
            self._update(changed, households, stamp, now)
            place_households(state, voters, problems, stamp)
            with connection.cursor() as cursor:
                for chunk in sql.chunks(touched):
                    marks = ", ".join(["%s"] * len(chunk))
                    cursor.execute(
                        f"UPDATE {sql.table(VoterRecord)} SET last_import_id = %s "  # noqa: S608
                        f"WHERE id IN ({marks})",
                        [run.pk, *chunk],
                    )
            ballots = insert_history(history)
            self._catch_erased(voters)
            self._touch_rejected(problems)
            counts = {
                "rows_new": len(new),
                "rows_updated": len(changed),
                "rows_unchanged": len(touched),
            }
            self.commit(
                "voters",
                problems,
                last_line,
                rows_read=rows_read,
                history_new=ballots + sum(len(v.ballots) for v in new),
                **counts,
            )

    def _catch_erased(self, voters: list[Voter]) -> None:
        """People erased on request whom this batch brings back are not contacted."""
        data_requests.voters_erased_catch(
            state=self.layout.state,
            voters=[(v.state_voter_id, v.email, v.phone) for v in voters],
            source=f"voter import #{self.run.pk}",
        )

    def _insert_new(
        self, new: list[Voter], households: dict[tuple[str, str, str, str], int], stamp: Any
    ) -> None:
        if not new:
            return
        state, run_pk = self.layout.state, self.run.pk
        person_ids = bulk.reserve_ids(Person, len(new))
        voter_ids = bulk.reserve_ids(VoterRecord, len(new))
        coverage = self.coverage
        bulk.insert_rows(
            Person,
            ("id", "first_name", "middle_name", "last_name", "suffix", "email", "phone",
             "birth_date", "household_id", "org_unit_id", "merged_into_id", "erased_at",
             "created_at", "updated_at"),
            [(i, v.first_name, v.middle_name, v.last_name, v.suffix, v.email, v.phone,
              v.birth_date, households.get(v.address) if v.street else None,
              coverage.get(v.county_fips), None, None, stamp, stamp)
             for i, v in zip(person_ids, new, strict=True)],
        )  # fmt: skip
        bulk.insert_rows(
            VoterRecord,
            ("id", "person_id", "state", "state_voter_id", "county_fips", "party", "status",
             "registered_on", "general_votes", "last_import_id", "missing_since", "created_at",
             "updated_at"),
            [(vi, pi, state, v.state_voter_id, v.county_fips, v.party, v.status, v.registered_on,
              general_votes(b.election_date for b in v.ballots), run_pk, None, stamp, stamp)
             for vi, pi, v in zip(voter_ids, person_ids, new, strict=True)],
        )  # fmt: skip
        bulk.insert_rows(
            ExternalId,
            ("person_id", "system", "external_id", "created_at", "updated_at"),
            [(pi, ExternalId.System.STATE_VOTER, external_voter_id(state, v.state_voter_id),
              stamp, stamp) for pi, v in zip(person_ids, new, strict=True)],
        )  # fmt: skip
        bulk.insert_rows(
            VoteHistory,
            ("voter_id", "election_date", "election_name", "method"),
            [(vi, *b) for vi, v in zip(voter_ids, new, strict=True) for b in v.ballots],
        )

    def _update(
        self,
        changed: list[tuple[Voter, match.Known, list[match.Diff]]],
        households: dict[tuple[str, str, str, str], int],
        stamp: Any,
        now: dt.datetime,
    ) -> None:
        if not changed:
            return
        people: list[tuple[Any, ...]] = []
        records: list[tuple[Any, ...]] = []
        changes: list[VoterChange] = []
        for v, k, diffs in changed:
            moved = v.street and any(kind == VoterChange.Kind.MOVED for kind, _, _ in diffs)
            household = households[v.address] if moved else k.household_id
            org_unit = (
                self.coverage.get(v.county_fips, k.org_unit_id)
                if v.county_fips != k.county_fips
                else k.org_unit_id
            )
            people.append(
                (v.first_name, v.middle_name, v.last_name, v.suffix, household, org_unit, stamp,
                 k.person_pk)
            )  # fmt: skip
            records.append(
                (v.party, v.status, v.county_fips, v.registered_on, self.run.pk, stamp, k.voter_pk)
            )
            changes.extend(
                VoterChange(voter_id=k.voter_pk, run=self.run, kind=kind, before=b, after=a, at=now)
                for kind, b, a in diffs
            )
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {sql.table(Person)} SET first_name = %s, middle_name = %s, "  # noqa: S608
                "last_name = %s, suffix = %s, household_id = %s, org_unit_id = %s, "
                "updated_at = %s WHERE id = %s",
                people,
            )
            cursor.executemany(
                f"UPDATE {sql.table(VoterRecord)} SET party = %s, status = %s, county_fips = %s, "  # noqa: S608
                "registered_on = %s, missing_since = NULL, last_import_id = %s, updated_at = %s "
                "WHERE id = %s",
                records,
            )
        VoterChange.objects.bulk_create(changes, batch_size=1_000)

    def _touch_rejected(self, problems: list[RowError]) -> int:
        """A rejected row still lists its voter: keep them from being taken as missing. With
        a staged history file, such a voter on file takes their ballots from it (the batch
        took only those of the rows it loaded); returns how many were added."""
        ids = sorted({p.voter_id for p in problems if p.voter_id})
        vr = sql.table(VoterRecord)
        with connection.cursor() as cursor:
            for chunk in sql.chunks(ids):
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"UPDATE {vr} SET last_import_id = %s "  # noqa: S608
                    f"WHERE state = %s AND state_voter_id IN ({marks}) "
                    "AND (last_import_id IS NULL OR last_import_id <> %s)",
                    [self.run.pk, self.layout.state, *chunk, self.run.pk],
                )
            if self.stage is None or not ids:
                return 0
            return sql.add_ballots(
                cursor,
                "SELECT DISTINCT ON (v.id, h.election_date) v.id, h.election_date, "  # noqa: S608
                f"h.election_name, h.method FROM {self.stage} h JOIN {vr} v ON v.state = %s "
                "AND v.state_voter_id = h.state_voter_id WHERE h.state_voter_id = ANY(%s) "
                "ORDER BY v.id, h.election_date, h.line",
                [self.layout.state, ids],
                recount=True,
            )

    def _stage_ballots(self, cursor: Any) -> None:
        """The staged history's ballots of the batch's voters (the first line of each voter
        and election), and each voter's count of general elections among them."""
        assert self.stage is not None
        cursor.execute("DROP TABLE IF EXISTS pg_temp.gg_batch_ballots")
        # Looked up by the staged history's index on the voter id, a voter at a time.
        cursor.execute(
            "CREATE TEMP TABLE gg_batch_ballots AS SELECT DISTINCT ON "  # noqa: S608
            "(h.state_voter_id, h.election_date) h.state_voter_id, h.election_date, "
            f"h.election_name, h.method FROM gg_voter_stage s JOIN {self.stage} h "
            "ON h.state_voter_id = s.state_voter_id "
            "ORDER BY h.state_voter_id, h.election_date, h.line"
        )
        sql.hash_joins(cursor, "on")
        cursor.execute(
            "UPDATE gg_voter_stage s SET general_votes = g.n FROM (SELECT state_voter_id, "
            "COUNT(*) AS n FROM gg_batch_ballots WHERE election_date = ANY(%s) "
            "GROUP BY state_voter_id) AS g WHERE g.state_voter_id = s.state_voter_id",
            [list(PRESIDENTIAL_GENERALS)],
        )
        sql.hash_joins(cursor, "off")

    def _add_batch_ballots(self, cursor: Any, *, known: bool) -> int:
        """Add ``gg_batch_ballots``: a new voter's as they are (their count is written), a
        known voter's where not recorded yet, with their count brought up to date."""
        sql.hash_joins(cursor, "on")
        added = sql.add_ballots(
            cursor,
            "SELECT n.voter_id, b.election_date, b.election_name, b.method "
            "FROM gg_batch_ballots b JOIN gg_new_voters n USING (state_voter_id)",
            [],
            recount=False,
        )
        if not known:
            sql.hash_joins(cursor, "off")
            cursor.execute("DROP TABLE pg_temp.gg_batch_ballots")
            return added
        cursor.execute("DROP TABLE IF EXISTS pg_temp.gg_known_ballots")
        cursor.execute(
            "CREATE TEMP TABLE gg_known_ballots AS SELECT b.* FROM gg_batch_ballots b "
            "WHERE NOT EXISTS (SELECT 1 FROM gg_new_voters n "
            "WHERE n.state_voter_id = b.state_voter_id)"
        )
        sql.hash_joins(cursor, "off")
        added += sql.add_ballots(
            cursor,
            "SELECT v.id, b.election_date, b.election_name, b.method "  # noqa: S608
            f"FROM gg_known_ballots b JOIN {sql.table(VoterRecord)} v ON v.state = %s "
            "AND v.state_voter_id = b.state_voter_id",
            [self.layout.state],
            recount=True,
        )
        cursor.execute("DROP TABLE pg_temp.gg_batch_ballots")
        return added

    def history_stage(
        self, lines: list[HistoryLine], problems: list[RowError], last_line: int
    ) -> None:
        """A batch of the history file into the run's staged history (PostgreSQL)."""
        assert self.stage is not None
        text = "".join(
            f"{h.line}\t"
            f"{sql.copy_fields((h.state_voter_id, h.ballot.election_name, h.ballot.method))}"
            f"\t{h.ballot.election_date.isoformat()}\n"
            for h in lines
        )
        with transaction.atomic(), connection.cursor() as cursor:
            sql.synchronous_commit_off(cursor)
            # In the table's own column order (sql.HISTORY_STAGE).
            with cursor.cursor.copy(f"COPY {self.stage} FROM STDIN") as copy:
                copy.write(text)
            self.commit("staged history", problems, last_line, rows_read=0)

    def history(self, lines: list[HistoryLine], problems: list[RowError], last_line: int) -> None:
        """A batch of the history file, read after the voters file (SQLite: PostgreSQL reads
        it first, see ``history_stage``)."""
        with transaction.atomic():
            known = match.voter_pks(self.layout.state, sorted({h.state_voter_id for h in lines}))
            rows = []
            for h in lines:
                pk = known.get(h.state_voter_id)
                if pk is None:
                    problems.append(
                        RowError(
                            "history",
                            h.line,
                            self.layout.label("state_voter_id", history=True),
                            f"no voter {h.state_voter_id!r} on file",
                            "",
                        )
                    )
                else:
                    rows.append((pk, *h.ballot))
            added = insert_history(rows)
            self.commit("history", problems, last_line, history_new=added, rows_read=0)

    def _voters_staged(self, voters: list[Voter], problems: list[RowError], last_line: int) -> None:
        """The PostgreSQL batch: the same outcome as the row path, in set-based statements."""
        run, state = self.run, self.layout.state
        rows_read = len(voters) + len(problems)
        now = timezone.now()
        vr, p, h = sql.table(VoterRecord), sql.table(Person), sql.table(Household)
        coverage = self.coverage
        # v[1:6] + v[7:16]: the Voter's text fields (state voter id to status, without the
        # birth date), in the staging table's order.
        stage = "".join(
            f"{v.line}\t{sql.copy_fields(v[1:6] + v[7:16])}\t{sql.copy_date(v.birth_date)}\t"
            f"{sql.copy_date(v.registered_on)}\t"
            f"{general_votes(b.election_date for b in v.ballots) if v.ballots else 0}\t"
            f"{coverage.get(v.county_fips, sql.NULL)}\n"
            for v in voters
        )
        ballots = "".join(
            f"{v.line}\t{b.election_date.isoformat()}\t{sql.copy_fields(b[1:])}\n"
            for v in voters
            for b in v.ballots
        )
        same_voter = "v.state = %s AND v.state_voter_id = s.state_voter_id"
        with transaction.atomic(), connection.cursor() as cursor:
            self._analyze_if_grown(cursor)
            sql.index_joins(cursor)
            sql.synchronous_commit_off(cursor)
            sql.stage(cursor, "gg_voter_stage", sql.VOTER_STAGE, stage)
            # A voter an earlier batch of this run loaded: a duplicate line of the file. The
            # run is compared with IS NOT DISTINCT FROM, which no index serves: with "=" the
            # planner may start from the index on last_import_id (it believes few rows have
            # it) and scan the staged rows once for each of the run's voters.
            cursor.execute(
                f"DELETE FROM gg_voter_stage s USING {vr} v WHERE {same_voter} "  # noqa: S608
                "AND v.last_import_id IS NOT DISTINCT FROM %s RETURNING s.line, s.state_voter_id",
                [state, run.pk],
            )
            problems.extend(
                RowError("voters", line, "state_voter_id", f"duplicate voter id {vid!r}", "")
                for line, vid in cursor.fetchall()
            )
            # Known voters whose row differs in anything the record keeps: few in a newer file
            # of the same state; the row path's comparison writes them and their changes.
            cursor.execute(
                f"SELECT s.line, {match.KNOWN_COLUMNS} FROM gg_voter_stage s "  # noqa: S608
                f"JOIN {vr} v ON {same_voter} JOIN {p} p ON p.id = v.person_id "
                f"LEFT JOIN {h} h ON h.id = p.household_id "
                "WHERE v.missing_since IS NOT NULL OR v.status <> s.status OR v.party <> s.party "
                "OR p.first_name <> s.first_name OR p.middle_name <> s.middle_name "
                "OR p.last_name <> s.last_name OR p.suffix <> s.suffix "
                "OR v.registered_on IS DISTINCT FROM s.registered_on "
                "OR (s.street <> '' AND (h.id IS NULL OR h.street <> s.street "
                "OR h.unit <> s.unit OR h.city <> s.city OR h.zip5 <> s.zip5))",
                [state],
            )
            by_line = {v.line: v for v in voters}
            changed: list[tuple[Voter, match.Known, list[match.Diff]]] = []
            for row in cursor.fetchall():
                v, k = by_line[row[0]], match.as_known(row[1:])
                changed.append((v, k, match.differences(v, k)))
            moved = match.moved_to(changed)
            stamp = connection.ops.adapt_datetimefield_value(now)
            households = _households(state, moved, stamp) if moved else {}
            self._update(changed, households, stamp, now)
            # The rest of the known voters are unchanged: only seen by this run.
            cursor.execute(
                f"UPDATE {vr} v SET last_import_id = %s FROM gg_voter_stage s "  # noqa: S608
                f"WHERE {same_voter} AND v.last_import_id IS DISTINCT FROM %s",
                [run.pk, state, run.pk],
            )
            unchanged = int(cursor.rowcount)
            # The batch's ballots: from the staged history file, or the voters file's own
            # columns. A new voter's general-election count is written with it.
            # (Either way they are in gg_batch_ballots.)
            has_ballots = self.stage is not None or bool(ballots)
            if self.stage is not None:
                self._stage_ballots(cursor)
            elif ballots:
                sql.stage(cursor, "gg_ballot_stage", sql.BALLOT_STAGE, ballots)
                sql.hash_joins(cursor, "on")
                cursor.execute("DROP TABLE IF EXISTS pg_temp.gg_batch_ballots")
                cursor.execute(
                    "CREATE TEMP TABLE gg_batch_ballots AS SELECT s.state_voter_id, "
                    "b.election_date, b.election_name, b.method FROM gg_ballot_stage b "
                    "JOIN gg_voter_stage s USING (line)"
                )
                sql.hash_joins(cursor, "off")
            new = self._insert_staged(cursor, now)
            self.grown += new
            place_households(state, voters, problems, stamp)
            ballots_added = 0
            if has_ballots:
                ballots_added = self._add_batch_ballots(cursor, known=len(changed) + unchanged > 0)
            ballots_added += self._touch_rejected(problems)
            self._catch_erased(voters)
            counts = {"rows_new": new, "rows_updated": len(changed), "rows_unchanged": unchanged}
            self.commit(
                "voters",
                problems,
                last_line,
                rows_read=rows_read,
                history_new=ballots_added,
                **counts,
            )

    def _analyze_if_grown(self, cursor: Any) -> None:
        """Refresh the statistics of the tables the batch joins once they have grown by half
        since last counted (a few times in a whole state's file): believing the voter table
        near empty, the planner would scan it once per staged row instead of looking rows up
        by its index."""
        tables = [VoterRecord._meta.db_table, Household._meta.db_table]
        cursor.execute(
            "SELECT MIN(reltuples) FROM pg_class WHERE oid = ANY(%s::regclass[])", [tables]
        )
        counted = max(0.0, float(cursor.fetchone()[0]))
        if self.grown > counted / 2:
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            self.grown = 0

    def _insert_staged(self, cursor: Any, now: dt.datetime) -> int:
        """People, households, voter records and crosswalk ids for the staged voters not on
        file; returns how many."""
        state, run_pk = self.layout.state, self.run.pk
        vr, p, h = sql.table(VoterRecord), sql.table(Person), sql.table(Household)
        cursor.execute("DROP TABLE IF EXISTS pg_temp.gg_new_voters")
        # Both ids drawn from the tables' own sequences in the statement itself: safe beside
        # other writers, and nothing comes back to Python.
        cursor.execute(
            "CREATE TEMP TABLE gg_new_voters AS SELECT s.*, "  # noqa: S608
            "nextval(pg_get_serial_sequence(%s, 'id')) AS person_id, "
            "nextval(pg_get_serial_sequence(%s, 'id')) AS voter_id FROM gg_voter_stage s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {vr} v WHERE v.state = %s "
            "AND v.state_voter_id = s.state_voter_id)",
            [Person._meta.db_table, VoterRecord._meta.db_table, state],
        )
        new = int(cursor.rowcount)
        if not new:
            return 0
        at = "h.state = %s AND h.zip5 = n.zip5 AND h.street = n.street AND h.unit = n.unit " + (
            "AND h.city = n.city"
        )
        # One household per address not on file yet; its county is the last voter's there.
        columns = bulk.checked_columns(
            Household,
            ("street", "unit", "city", "state", "zip5", "county_fips", "latitude", "longitude",
             "created_at", "updated_at"),
        )  # fmt: skip
        cursor.execute(
            f"INSERT INTO {h} ({columns}) SELECT * FROM (SELECT DISTINCT ON "  # noqa: S608
            "(n.zip5, n.street, n.unit, n.city) n.street, n.unit, n.city, %s, n.zip5, "
            "n.county_fips, NULL::double precision, NULL::double precision, %s, %s "
            "FROM gg_new_voters n WHERE n.street <> '' "
            f"AND NOT EXISTS (SELECT 1 FROM {h} h WHERE {at}) "
            "ORDER BY n.zip5, n.street, n.unit, n.city, n.line DESC) AS a",
            [state, now, now, state],
        )
        columns = bulk.checked_columns(
            Person,
            ("id", "first_name", "middle_name", "last_name", "suffix", "email", "phone",
             "birth_date", "household_id", "org_unit_id", "merged_into_id", "erased_at",
             "created_at", "updated_at"),
        )  # fmt: skip
        cursor.execute(
            f"INSERT INTO {p} ({columns}) SELECT n.person_id, n.first_name, "  # noqa: S608
            "n.middle_name, n.last_name, n.suffix, n.email, n.phone, n.birth_date, "
            f"CASE WHEN n.street <> '' THEN (SELECT MIN(h.id) FROM {h} h WHERE {at}) END, "
            "n.org_unit_id, NULL, NULL, %s, %s FROM gg_new_voters n",
            [state, now, now],
        )
        columns = bulk.checked_columns(
            VoterRecord,
            ("id", "person_id", "state", "state_voter_id", "county_fips", "party", "status",
             "registered_on", "general_votes", "last_import_id", "missing_since", "created_at",
             "updated_at"),
        )  # fmt: skip
        cursor.execute(
            f"INSERT INTO {vr} ({columns}) SELECT n.voter_id, n.person_id, %s, "  # noqa: S608
            "n.state_voter_id, n.county_fips, n.party, n.status, n.registered_on, "
            "n.general_votes, %s, NULL, %s, %s FROM gg_new_voters n",
            [state, run_pk, now, now],
        )
        columns = bulk.checked_columns(
            ExternalId, ("person_id", "system", "external_id", "created_at", "updated_at")
        )
        cursor.execute(
            f"INSERT INTO {sql.table(ExternalId)} ({columns}) SELECT n.person_id, %s, "  # noqa: S608
            "%s || n.state_voter_id, %s, %s FROM gg_new_voters n",
            [ExternalId.System.STATE_VOTER, external_voter_id(state, ""), now, now],
        )
        return new

    def commit(self, file: str, problems: list[RowError], last_line: int, **counts: int) -> None:
        """Commit a batch of ``file``: "voters", "history", or "staged history" (PostgreSQL's
        history file read first), each with a checkpoint of its own."""
        VoterImportRowError.objects.bulk_create(
            [
                VoterImportRowError(
                    run=self.run,
                    file=p.file,
                    row_number=p.line,
                    field=p.field[:60],
                    reason=p.reason[:300],
                    raw=p.raw[:RAW_KEPT],
                )
                for p in problems
            ],
            batch_size=1_000,
        )
        rejected = sum(1 for p in problems if p.file == "voters") if file == "voters" else 0
        checkpoint = {"voters": "checkpoint_row", "staged history": "history_staged_row"}.get(
            file, "history_checkpoint_row"
        )
        updates: dict[str, Any] = {k: F(k) + n for k, n in counts.items() if n}
        updates["rows_rejected"] = F("rows_rejected") + rejected
        updates[checkpoint] = last_line
        VoterImport.objects.filter(pk=self.run.pk).update(**updates)
        self.run.refresh_from_db()
        audit.audit_record(
            actor=self.actor,
            kind=audit.Kind.BULK,
            action=f"voter_import.{file.replace(' ', '_')}_batch",
            entity_type="people.voterimport",
            entity_id=self.run.pk,
            summary=(
                f"{file} file up to line {last_line}: "
                + ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in counts.items())
                + f", rejected {len(problems)}"
            ),
        )
