"""The benchmarks that ``groundgame bench <name>`` runs: one module per bench, each with a
``run(args) -> dict`` that prints its progress to stderr and returns the figures the command
prints as JSON. Benches measure; the tests check behaviour.

To add one: write ``groundgame/bench/<name>.py`` with its ``run`` and a docstring saying what
it measures against what, and add its parser (the options ``run`` reads from ``args``) in
``groundgame/cli/bench.py``; ``bench canvass-sync`` runs ``canvass_sync.py``. Import an
optional package (psycopg, Splink, OR-tools) in the bench that needs it, never in an app: the
command names the extra to install when one is missing. No app imports this package (an
import-linter contract).
"""
