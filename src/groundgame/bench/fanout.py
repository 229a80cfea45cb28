"""Fanning a mailing out to a national list: audience, consent, caps, rendering and the outbox
writes for 25 million people on PostgreSQL, against the database's own scan of the same table.

``groundgame bench fanout --people 25000000`` builds a synthetic list in a database of its own
(``groundgame_bench_fanout_<people>``) with the product's tables, then, in a child process (its
peak RSS comes from ``wait4``), creates an email mailing about volunteering to a universe of
everyone and runs it exactly as the product does: ``mailing_create``, ``mailing_schedule``,
``mailing_fan_out``. In the same run it measures the baseline: a scan of ``people_person`` that
reads the columns the fan-out reads of every person (first and last name, email, household),
``SELECT sum(length(...))`` on the server, so the database does the least work that still
touches every row; a second figure streams those columns to the client through a server-side
cursor, as the fan-out reads its recipients. Progress goes to stderr; the figures are returned
for the command line to print as JSON. ``--keep`` keeps the database, and a later run with
``--keep`` reuses it (building 25 million people takes minutes): it starts again from the built
list, the previous bench mailing and its sends removed.

The list, built in SQL on the server from ``generate_series`` (each attribute a fixed hash of
the person's id, so every build is the same list):

- people live two to a household (an email list is mostly of households with two adults);
  0.3% are duplicates merged into another record (never in an audience);
- 70% have an email address and 45% a phone number: a campaign's list is built from sign-ups,
  donations and petitions (all with email) and from the voter file matched for phones;
- email subscriptions per topic, of those with an address: fundraising 80% (most of a list
  comes in through donations), voting information 65%, volunteering 55%, news 45%, events 35%;
  of each, a share has since unsubscribed from that topic only: fundraising 8% (appeals churn
  most: the 1.3 million who left in 2024), news 4%, the others 3%;
- text subscriptions, of those with a phone: 25% opted in, to volunteering and voting
  information (texting needs its own opt-in, which few give), 2% of those have left texts;
- 1% of email holders left email entirely (every topic), 0.5% of everyone asked not to be
  contacted at all (do-not-contact), 1.5% of email addresses hard-bounced and 0.05% complained
  (suppressed addresses), 3% of text subscribers' numbers replied STOP;
- three earlier fundraising mailings: two days ago to 20% of email holders (outside the cap's
  24-hour window), six hours ago to 12%, two hours ago to 3% (a subset of the 12%): that 3%
  have had the default cap of two emails in a day and are skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from groundgame.demo import names

_PREFIX = "groundgame_bench_fanout_"
_BENCH_MAILING = "Bench: volunteer this weekend"
_SUBJECT = "{{ first_name }}, can you knock doors this weekend?"
_BODY = (
    'Hi {{ first_name|default:"friend" }},\n\n'
    "We are canvassing in {{ city }} on Saturday and Sunday. Two hours with a team near "
    "{{ zip5 }} reaches about forty voters.\n\nSign up for a shift: it takes a minute.\n\n"
    "Thank you,\n{{ organization }}"
)
# The tables the build writes, with their secondary indexes dropped while it loads them and
# built again after (one sort per index instead of a random insert per row per index).
_TABLES = (
    "people_household",
    "people_person",
    "consent_subscription",
    "consent_channeloptout",
    "consent_donotcontact",
    "consent_suppressedaddress",
    "messaging_send",
    "consent_contact",
)

# A number in [0, 1) fixed by the person's id and a salt: the same list on every build.
_FUNCTIONS = """
CREATE FUNCTION pg_temp.u(i bigint, salt int) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (hashint8extended(i, salt) & 9007199254740991)::float8 / 9007199254740992 $$;
CREATE FUNCTION pg_temp.pick(i bigint, salt int, choices text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT choices[1 + floor(pg_temp.u(i, salt) * array_length(choices, 1))::int] $$;
"""
# Names from the synthetic voter file's own lists (common US first names and surnames).
_FIRST = [*names.FEMALE[:48], *names.MALE[:48]]
_LAST = list(names.SURNAMES[:96])
_PLACES = [
    "Philadelphia,PA,191",
    "Pittsburgh,PA,152",
    "Detroit,MI,482",
    "Lansing,MI,489",
    "Milwaukee,WI,532",
    "Madison,WI,537",
    "Atlanta,GA,303",
    "Savannah,GA,314",
    "Phoenix,AZ,850",
    "Tucson,AZ,857",
    "Las Vegas,NV,891",
    "Reno,NV,895",
    "Charlotte,NC,282",
    "Raleigh,NC,276",
    "Columbus,OH,432",
    "Houston,TX,770",
    "Los Angeles,CA,900",
    "New York,NY,100",
    "Miami,FL,331",
    "Denver,CO,802",
]
_STREETS = [
    "Oak",
    "Maple",
    "Cedar",
    "Elm",
    "Pine",
    "Washington",
    "Lake",
    "Hill",
    "Park",
    "Main",
    "Church",
    "Walnut",
]
_DOMAINS = [
    "gmail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "aol.com",
    "icloud.com",
    "comcast.net",
]

# topic key: (share of email holders subscribed, share of those since unsubscribed)
EMAIL_TOPICS = {
    "fundraising": (0.80, 0.08),
    "voting_info": (0.65, 0.03),
    "volunteering": (0.55, 0.03),
    "news": (0.45, 0.04),
    "events": (0.35, 0.03),
}
SMS_TOPICS = ("volunteering", "voting_info")
HAS_EMAIL, HAS_PHONE, MERGED = 0.70, 0.45, 0.003
SMS_OPT_IN, SMS_LEFT, SMS_STOPPED = 0.25, 0.02, 0.03
EMAIL_LEFT, DO_NOT_CONTACT, BOUNCED, COMPLAINED = 0.01, 0.005, 0.015, 0.0005
# (hours ago, share of email holders): the earlier mailings whose contacts the caps read.
HISTORY = ((48, 0.20), (6, 0.12), (2, 0.03))


def _text_array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]"


def _build_steps(people: int, topics: dict[str, int]) -> list[tuple[str, str]]:
    """(what, SQL) of each step that writes the list, in order."""
    places = _text_array(_PLACES)
    place = f"string_to_array(pg_temp.pick(h, 3, {places}), ',')"
    households = f"""
        INSERT INTO people_household (id, created_at, updated_at, street, unit, city, state,
            zip5, county_fips, latitude, longitude)
        SELECT h, now(), now(),
            (100 + h % 9800)::text || ' ' || pg_temp.pick(h, 4, {_text_array(_STREETS)}) || ' St',
            '', p[1], p[2], p[3] || lpad((h % 100)::text, 2, '0'), '00000', NULL, NULL
        FROM generate_series(1, {(people + 1) // 2}) h, LATERAL (SELECT {place} AS p) x"""
    first = f"pg_temp.pick(i, 11, {_text_array(_FIRST)})"
    last = f"pg_temp.pick(i, 12, {_text_array(_LAST)})"
    person = f"""
        INSERT INTO people_person (id, created_at, updated_at, first_name, middle_name,
            last_name, suffix, email, phone, birth_date, household_id, org_unit_id,
            merged_into_id)
        SELECT i, now(), now(), f, '', l, '',
            CASE WHEN pg_temp.u(i, 1) < {HAS_EMAIL}
                THEN lower(f) || '.' || lower(l) || i || '@'
                    || pg_temp.pick(i, 13, {_text_array(_DOMAINS)})
                ELSE '' END,
            CASE WHEN pg_temp.u(i, 2) < {HAS_PHONE} THEN '+1' || (2012000000 + i)::text
                ELSE '' END,
            date '1940-01-01' + floor(pg_temp.u(i, 14) * 29000)::int,
            (i + 1) / 2, NULL,
            CASE WHEN i > 1 AND pg_temp.u(i, 7) < {MERGED} THEN i - 1 END
        FROM generate_series(1, {people}) i, LATERAL (SELECT {first} AS f, {last} AS l) n"""
    email_topics = ", ".join(
        f"({topics[key]}, {share}, {left}, {20 + n})"
        for n, (key, (share, left)) in enumerate(EMAIL_TOPICS.items())
    )
    since = "now() - make_interval(days => floor(pg_temp.u(p.id, t.salt + 50) * 900)::int)"
    subscriptions = f"""
        INSERT INTO consent_subscription (person_id, channel, topic_id, status, source,
            changed_at)
        SELECT p.id, 'email', t.topic,
            CASE WHEN pg_temp.u(p.id, t.salt + 100) < t.left_share
                THEN 'unsubscribed' ELSE 'subscribed' END,
            'signup_form', {since}
        FROM people_person p, (VALUES {email_topics}) t(topic, share, left_share, salt)
        WHERE p.email <> '' AND pg_temp.u(p.id, t.salt) < t.share"""
    sms_topics = ", ".join(f"({topics[key]}, {40 + n})" for n, key in enumerate(SMS_TOPICS))
    texts = f"""
        INSERT INTO consent_subscription (person_id, channel, topic_id, status, source,
            changed_at)
        SELECT p.id, 'sms', t.topic, 'subscribed', 'signup_form', {since}
        FROM people_person p, (VALUES {sms_topics}) t(topic, salt)
        WHERE p.phone <> '' AND pg_temp.u(p.id, 5) < {SMS_OPT_IN}"""
    opt_outs = f"""
        INSERT INTO consent_channeloptout (person_id, channel, source, created_at)
        SELECT id, 'email', 'unsubscribe_page', now() - interval '30 days'
        FROM people_person WHERE email <> '' AND pg_temp.u(id, 31) < {EMAIL_LEFT}
        UNION ALL
        SELECT id, 'sms', 'sms_keyword', now() - interval '30 days'
        FROM people_person WHERE phone <> '' AND pg_temp.u(id, 5) < {SMS_OPT_IN}
            AND pg_temp.u(id, 32) < {SMS_LEFT}"""
    dnc = f"""
        INSERT INTO consent_donotcontact (person_id, reason, source, created_at)
        SELECT id, 'Asked not to be contacted', 'staff', now() - interval '60 days'
        FROM generate_series(1, {people}) id WHERE pg_temp.u(id, 33) < {DO_NOT_CONTACT}"""
    suppressed = f"""
        INSERT INTO consent_suppressedaddress (channel, address, reason, source, created_at)
        SELECT 'email', email,
            CASE WHEN pg_temp.u(id, 34) < {COMPLAINED} THEN 'complained' ELSE 'bounced' END,
            'webhook:email', now() - interval '10 days'
        FROM people_person
        WHERE email <> '' AND pg_temp.u(id, 34) < {BOUNCED + COMPLAINED}
        UNION ALL
        SELECT 'sms', phone, 'stopped', 'sms_keyword', now() - interval '10 days'
        FROM people_person WHERE phone <> '' AND pg_temp.u(id, 5) < {SMS_OPT_IN}
            AND pg_temp.u(id, 35) < {SMS_STOPPED}"""
    return [
        ("households", households),
        ("people", person),
        ("email subscriptions", subscriptions),
        ("text subscriptions", texts),
        ("channel opt-outs", opt_outs),
        ("do-not-contact", dnc),
        ("suppressed addresses", suppressed),
    ]


def _history_steps(topics: dict[str, int]) -> list[tuple[str, str]]:
    """The earlier mailings, their sends and the contacts they logged, which the caps read."""
    steps = []
    for n, (hours, share) in enumerate(HISTORY, start=1):
        at = f"now() - interval '{hours} hours'"
        steps.append(
            (
                f"earlier mailing {n} ({hours} h ago, {share:.0%} of email holders)",
                f"""
                WITH m AS (
                    INSERT INTO messaging_mailing (created_at, updated_at, name, channel,
                        topic_id, audience_spec, subject, body, status, scheduled_at,
                        audience_count, suppressed_count, capped_count, queued_count,
                        fanned_out_at, finished_at)
                    VALUES ({at}, {at}, 'Earlier appeal {n}', 'email', {topics["fundraising"]},
                        '{{}}', 'Before midnight', 'Give today', 'sent', {at}, 0, 0, 0, 0,
                        {at}, {at})
                    RETURNING id),
                s AS (
                    INSERT INTO messaging_send (mailing_id, person_id, channel, topic_id,
                        address, status, segments, attempts, claimed_by, provider_id, error,
                        queued_at, sent_at)
                    SELECT m.id, p.id, 'email', {topics["fundraising"]}, p.email, 'sent', 1, 1,
                        '', 'hist-' || m.id || '-' || p.id, '', {at}, {at}
                    FROM people_person p, m
                    WHERE p.email <> '' AND pg_temp.u(p.id, {60 + min(n, 2)}) < {share}
                    RETURNING mailing_id, person_id)
                INSERT INTO consent_contact (channel, person_id, household_id, at, source)
                SELECT 'email', s.person_id, p.household_id, {at}, 'mailing:' || s.mailing_id
                FROM s JOIN people_person p ON p.id = s.person_id""",
            )
        )
    return steps


def _log(message: str) -> None:
    print(f"bench fanout: {message}", file=sys.stderr, flush=True)


def _timed(what: str, action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    _log(f"{what}: {seconds:.1f} s")
    return seconds


class _Indexes:
    """Drop the secondary indexes and unique constraints of tables, build them again later."""

    def __init__(self, db: psycopg.Connection[Any], tables: tuple[str, ...]) -> None:
        self.db = db
        self.constraints = db.execute(
            """SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c WHERE c.contype = 'u' AND c.conrelid::regclass::text = ANY(%s)""",
            [list(tables)],
        ).fetchall()
        owned = {name for _, name, _ in self.constraints}
        self.indexes = [
            (name, sql)
            for name, sql in db.execute(
                """SELECT i.indexname, i.indexdef FROM pg_indexes i
                JOIN pg_class c ON c.relname = i.indexname
                JOIN pg_index x ON x.indexrelid = c.oid
                WHERE i.tablename = ANY(%s) AND NOT x.indisprimary""",
                [list(tables)],
            ).fetchall()
            if name not in owned
        ]

    def drop(self) -> None:
        for table, name, _ in self.constraints:
            self.db.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in self.indexes:
            self.db.execute(f'DROP INDEX "{name}"')

    def build(self) -> None:
        for table, name, definition in self.constraints:
            self.db.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for _, sql in self.indexes:
            self.db.execute(sql)


def _load(
    db: psycopg.Connection[Any], steps: list[tuple[str, str]], tables: tuple[str, ...]
) -> None:
    # The rows are consistent by construction: no foreign-key trigger per row.
    db.execute("SET session_replication_role = replica")
    db.execute("SET maintenance_work_mem = '512MB'")
    db.execute(_FUNCTIONS)
    indexes = _Indexes(db, tables)
    indexes.drop()
    for what, sql in steps:
        _timed(what, lambda sql=sql: db.execute(sql))  # type: ignore[misc]
    _timed("indexes and constraints", indexes.build)
    # Ids written explicitly: the sequences continue after them (do-not-contact has none).
    for (table,) in db.execute(
        """SELECT table_name FROM information_schema.columns
        WHERE column_name = 'id' AND table_name = ANY(%s)""",
        [list(tables)],
    ).fetchall():
        db.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
        )
    db.commit()


def _topics(db: psycopg.Connection[Any]) -> dict[str, int]:
    return dict(db.execute("SELECT key, id FROM consent_topic").fetchall())


def _build(url: str, env: dict[str, str], people: int) -> None:
    _log("creating the tables")
    subprocess.run(
        [sys.executable, "-m", "groundgame", "migrate"], env=env, check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    with psycopg.connect(url) as db:
        topics = _topics(db)
        _log(f"building {people:,} people with their consent")
        _load(db, _build_steps(people, topics), _TABLES[:-2])  # history: sends, contacts
        db.execute("CREATE TABLE bench_built (people bigint)")
        db.execute("INSERT INTO bench_built VALUES (%s)", [people])
        db.commit()


def _reset_history(url: str) -> None:
    """The sends as built: earlier mailings only (a previous run's bench mailing removed)."""
    with psycopg.connect(url) as db:
        topics = _topics(db)
        db.execute("TRUNCATE messaging_send CASCADE")
        db.execute("TRUNCATE consent_contact")
        db.execute("DELETE FROM messaging_deliveryevent")
        db.execute("DELETE FROM messaging_mailing")
        db.execute("DELETE FROM people_universe")
        db.commit()
        _load(db, _history_steps(topics), ("messaging_send", "consent_contact"))
    _log("refreshing the planner's statistics (ANALYZE)")
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("VACUUM ANALYZE")


def _built(admin_url: str, url: str, name: str) -> int | None:
    with psycopg.connect(admin_url, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if not exists:
        return None
    with psycopg.connect(url) as db:
        marker = db.execute("SELECT to_regclass('bench_built')").fetchone()
        if marker is None or marker[0] is None:
            return None
        row = db.execute("SELECT people FROM bench_built").fetchone()
        return int(row[0]) if row else None


def _baseline(url: str) -> dict[str, Any]:
    """The database's own scan of people_person, reading what the fan-out reads."""
    columns = "length(first_name) + length(last_name) + length(email) + coalesce(household_id, 0)"
    with psycopg.connect(url) as db:
        rows = db.execute("SELECT count(*) FROM people_person").fetchone()[0]  # type: ignore[index]
        db.execute(f"SELECT sum({columns}) FROM people_person")  # warm: as the fan-out found it
        started = time.perf_counter()
        db.execute(f"SELECT sum({columns}) FROM people_person").fetchone()
        server = time.perf_counter() - started
        started = time.perf_counter()
        streamed = 0
        with db.cursor(name="baseline") as cursor:
            cursor.itersize = 20_000
            cursor.execute(
                "SELECT id, first_name, last_name, email, household_id FROM people_person"
            )
            for _ in cursor:
                streamed += 1
        client = time.perf_counter() - started
    return {
        "rows": rows,
        "server_scan_seconds": round(server, 2),
        "server_scan_rows_per_second": round(rows / server),
        "client_stream_seconds": round(client, 2),
        "client_stream_rows_per_second": round(streamed / client),
    }


def _fan_out(env: dict[str, str]) -> tuple[dict[str, Any], float]:
    """The child's figures and its peak RSS (MB)."""
    with tempfile.TemporaryFile(mode="w+") as out:
        child = subprocess.Popen(
            [sys.executable, "-m", "groundgame.bench.fanout", "--child"], env=env, stdout=out
        )
        # wait4 gives this child's own resource usage: its peak RSS.
        _, status, usage = os.wait4(child.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit("the fan-out failed")
        out.seek(0)
        return json.loads(out.read()), usage.ru_maxrss / 1024  # Linux reports kilobytes


def run(args: argparse.Namespace) -> dict[str, Any]:
    server = urlsplit(args.database_url or "postgres://postgres@127.0.0.1:5432/")
    name = f"{_PREFIX}{args.people}"
    admin_url = urlunsplit(server._replace(path="/postgres"))
    url = urlunsplit(server._replace(path=f"/{name}"))
    result: dict[str, Any] = {"people": args.people, "database": name}
    with tempfile.TemporaryDirectory(prefix="groundgame-bench-fanout-") as home:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.update(DATABASE_URL=url, GROUNDGAME_HOME=home, GROUNDGAME_SECRET_KEY=uuid.uuid4().hex)
        try:
            if args.keep and _built(admin_url, url, name) == args.people:
                _log(f"reusing the list in {name}")
                result["build_seconds"] = None
            else:
                with psycopg.connect(admin_url, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    admin.execute(f'CREATE DATABASE "{name}"')
                result["build_seconds"] = round(
                    _timed("the list", lambda: _build(url, env, args.people)), 1
                )
            _timed("earlier mailings", lambda: _reset_history(url))
            _log("fanning out the mailing (mailing_create, mailing_schedule, mailing_fan_out)")
            figures, rss = _fan_out(env)
            _log("baseline: a scan of people_person reading the same columns")
            baseline = _baseline(url)
        finally:
            if not args.keep:
                with psycopg.connect(admin_url, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    seconds = figures["fan_out_seconds"]
    audience_rate = figures["audience"] / seconds
    result.update(
        fan_out=figures,
        peak_rss_mb=round(rss, 1),
        audience_per_second=round(audience_rate),
        queued_per_second=round(figures["queued"] / seconds),
        baseline=baseline,
        ratio_to_server_scan=round(audience_rate / baseline["server_scan_rows_per_second"], 3),
        ratio_to_client_stream=round(audience_rate / baseline["client_stream_rows_per_second"], 3),
        under_10_minutes=seconds < 600,
    )
    return result


def _child() -> None:
    """In the child: create and schedule the mailing, time its fan-out with its parts."""
    from groundgame import runtime

    runtime.setup_django()
    from django.db import connection

    from groundgame.messaging import fanout
    from groundgame.messaging import services as messaging
    from groundgame.people import services as people

    universe = people.universe_save(actor=None, name="Everyone", filters={})
    mailing = messaging.mailing_create(
        actor=None, name=_BENCH_MAILING, channel="email", topic_key="volunteering",
        universe_id=universe.pk, subject=_SUBJECT, body=_BODY,
    )  # fmt: skip
    messaging.mailing_schedule(actor=None, mailing_id=mailing.pk)

    # The parts, timed around the fan-out's own functions: its count queries (the database
    # cache's own counts left out), its COPY batches, and fan_out as a whole; what
    # mailing_fan_out spends after it is the commit, where PostgreSQL checks the deferred
    # foreign keys of every row written.
    parts = {"copy_writes": 0.0, "fan_out": 0.0}
    counts: list[float] = []
    write, fan_out = fanout._write, fanout.fan_out

    def timed_write(rows: list[tuple[Any, ...]]) -> None:
        started = time.perf_counter()
        write(rows)
        parts["copy_writes"] += time.perf_counter() - started

    def timed_fan_out(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fan_out(*args, **kwargs)
        finally:
            parts["fan_out"] = time.perf_counter() - started

    def timed_count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if sql.lstrip().upper().startswith("SELECT COUNT(") and "groundgame_cache" not in sql:
                counts.append(round(time.perf_counter() - started, 2))

    fanout._write, fanout.fan_out = timed_write, timed_fan_out
    started = time.perf_counter()
    with connection.execute_wrapper(timed_count):
        result = messaging.mailing_fan_out(mailing_id=mailing.pk)
    seconds = time.perf_counter() - started
    assert result is not None
    stream = parts["fan_out"] - sum(counts) - parts["copy_writes"]
    json.dump(
        {
            "fan_out_seconds": round(seconds, 2),
            "audience": result.audience,
            "suppressed": result.suppressed,
            "capped": result.capped,
            "queued": result.queued,
            # In the order the fan-out asks them: the audience, the reachable, the sends the
            # mailing has already.
            "count_query_seconds": counts,
            "stream_and_render_seconds": round(stream, 2),
            "copy_write_seconds": round(parts["copy_writes"], 2),
            "commit_seconds": round(seconds - parts["fan_out"], 2),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        _child()
