"""Importing a state's voter file, streamed in batches, resumable and idempotent.

A run reads the voters file in batches of rows and commits each batch with its row errors, the
run's counters, its checkpoint (the last line committed) and one audit row, so a run that dies
is continued with ``--resume`` from the line after its checkpoint and loads every row once.
Then the vote-history file (if the layout has one) the same way, and last the voters' general
election count is brought up to date. On PostgreSQL the history file is read first instead,
into a table of the run's own, so that each voter's ballots and count are written with the
voter; a first load of a state there builds the secondary indexes and foreign keys after
loading (``indexes``), and is read whole in DuckDB rather than in batches when DuckDB reads its
files as the batch path would (``firstload``).

Each batch is matched against the file already loaded, by (state, state voter id):

- a new voter becomes a Person in a Household (one per normalized address: two voters at the
  same address share it, within the file and with households already on file), a VoterRecord
  and an ExternalId in the ``state_voter`` system, placed in the team covering the county;
- a known voter is updated in place, and what changed is recorded as VoterChange rows (moved,
  status, party, name, back on the file);
- a second row with an id already seen in this run is rejected as a duplicate.

After the whole voters file, voters of the state that it no longer lists get ``missing_since``
and a MISSING change; they are never deleted. A run is told whether its file is the whole
state or a part of it (``run.Scope``): a part marks nobody missing, and a file much smaller
than the state on file (under ``run.SMALL_FILE_SHARE`` of its voters on the rolls) is refused
before anything is written until told which. A dry run (``dryrun``) reads and checks the whole
file and counts what the import would do, writing nothing. Importing files whose SHA-256
fingerprint equals a completed run's is recognised and changes nothing. On both databases the
next batch is read and parsed in a thread while the database applies this one.

The modules, each using only the public names of those below it (an import-linter contract
keeps the order):

- ``run``: a run started, resumed, read phase by phase, failed or finished (the entry point,
  ``run.run_import``, reached through ``people.services.voter_file_import``);
- ``firstload``: a state's first file on PostgreSQL, read whole in DuckDB and copied in;
  ``indexes``: the secondary indexes and foreign keys a first load drops and builds again;
  ``dryrun``: the files read and matched against the voters on file with reads only;
- ``batch``: a batch written, set-based on PostgreSQL, row by row on SQLite;
  ``stream``: a file as batches of parsed rows, parsed one ahead in a thread;
- ``match``: a batch matched against the voters on file, and what changed;
- ``parse``: the row rules that make a line a voter or a ballot; ``sql``: SQL shared by the
  batch and the run;
- ``read``: a file's fingerprint, header and lines; ``report``: progress and rejected rows;
  ``bulk``: rows inserted with ids reserved (also the synthetic voter file's loader);
- ``layouts``: one description per state of its file.
"""
