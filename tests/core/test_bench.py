"""The benchmark harness: its registry, its figures, its database, and one tiny run in a
subprocess."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bench import database, registry
from bench.harness import BenchFailure, Context, Result, markdown_table, run_case

BASE_DIR = Path(__file__).resolve().parents[2]


def test_registry_lists_starting_cases_first():
    # given the case modules, when they are loaded
    modules = registry.load_cases()

    # then the two starting figures come first, the first one needing no data set
    assert modules[0] == "cases"
    names = [case.name for case in registry.benchmarks()]
    assert names[:2] == ["request_floor", "home_page"]
    assert registry.select(["home"])[0].needs == ("people",)
    assert registry.default_scale()["users"] == 10_000
    assert [ds.name for ds in registry.build_order(registry.select(["request_floor"]))] == []


def test_run_case_statistics_from_timed_iterations():
    # given a case that does nothing
    def noop(_ctx):
        return None

    case = registry.Benchmark(name="noop", description="nothing, {users} users", func=noop)

    # when it runs three times after one warm-up
    result = run_case(case, Context(scale={"users": 7}, data={}), repeat=3, warmup=1)

    # then there are three timings, no query, and a row with the filled-in title
    assert result.error is None
    assert len(result.times_ms) == 3
    assert result.queries == [0, 0, 0]
    assert result.row()[:2] == ["noop", "nothing, 7 users"]
    assert result.row()[-1] == "0"


def test_run_case_failure_reported_not_timed():
    # given a case whose request does not answer as expected
    def broken(_ctx):
        raise BenchFailure("GET / answered 302, expected 200")

    case = registry.Benchmark(name="broken", description="broken", func=broken)

    # when it runs
    result = run_case(case, Context(scale={}), repeat=2, warmup=0)

    # then it is marked failed with the reason, without timings
    assert result.times_ms == []
    assert result.error == "BenchFailure: GET / answered 302, expected 200"
    assert result.row()[2] == "failed"
    assert markdown_table([result]).splitlines()[-1] == (
        "- broken failed: BenchFailure: GET / answered 302, expected 200"
    )


def test_markdown_table_percentiles():
    # given ten timings of 1..10 ms and constant query counts
    result = Result(
        name="x", title="x", times_ms=[float(i) for i in range(1, 11)], queries=[4] * 10
    )

    # when tabulated
    table = markdown_table([result])

    # then median, p90 (inclusive), min, max, requests/s and queries are shown
    assert table.splitlines()[2] == (
        "| x         | x    |      5.50 |   9.10 |   1.00 |  10.00 |   182 |       4 |"
    )


def test_bench_command_tiny_scale_writes_results_to_var_dir(tmp_path, migrated_sqlite_database):
    # given a fresh VAR_DIR and the default (SQLite) database, which starts as a copy of the
    # migrated database of this test run when there is one (migrating it again in the
    # subprocess took most of this test's time; `migrate` still runs, with nothing to do)
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(DEBUG="1", VAR_DIR=str(tmp_path))
    template = ["--template", str(migrated_sqlite_database)] if migrated_sqlite_database else []

    # when the bench runs once per case on 50 users
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            *template,
            "--repeat",
            "1",
            "--users",
            "50",
            "--scale",
            "deliverables=40",
            "--scale",
            "assignments=100",
            "--scale",
            "feed_meetings=40",
            "--scale",
            "public_meetings=100",
            "--scale",
            "deadlines=2000",
            "--scale",
            "due=50",
            "--scale",
            "due_small=5",
            "--scale",
            "text_pages=2",
            "--scale",
            "compared_words=1000",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    # then every figure is printed and written, in the bench database only
    assert completed.returncode == 0, completed.stderr
    for name in (
        "request_floor",
        "home_page",
        "reminder_sweep_first",
        "reminder_sweep_first_small",
        "reminder_sweep_again",
    ):
        assert f"| {name} " in completed.stdout
    # the reminder sweep's queries do not grow with the reminders claimed
    assert (
        "bench: reminder sweep queries: 6 with 5 due (5 claimed, 0 escalations), "
        "6 with 50 due (56 claimed, 6 escalations): constant"
    ) in completed.stdout.splitlines()
    assert "2,000 open deadlines, 50 due a reminder" in completed.stdout
    results = (tmp_path / "bench-results.md").read_text()
    assert "| home_page " in results
    assert "50 users" in results
    assert (tmp_path / "bench.sqlite3").exists()
    assert not (tmp_path / "db.sqlite3").exists()


def test_copy_template_copies_a_migrated_sqlite_file_and_refuses_anything_else(tmp_path):
    # given a SQLite file with a table and a row, and the bench database beside it
    template = tmp_path / "migrated.sqlite3"
    with sqlite3.connect(template) as source:
        source.execute("CREATE TABLE django_migrations (name TEXT)")
        source.execute("INSERT INTO django_migrations VALUES ('0001_initial')")
    source.close()
    bench_db = database.point_at_bench_database({"VAR_DIR": str(tmp_path / "var")})

    # when the bench database is started from it
    database.copy_template(bench_db, template)

    # then the bench database holds the same rows; a missing file or PostgreSQL is refused
    copy = sqlite3.connect(bench_db.name)
    assert copy.execute("SELECT name FROM django_migrations").fetchall() == [("0001_initial",)]
    copy.close()
    with pytest.raises(database.BenchDatabaseError, match="no such file"):
        database.copy_template(bench_db, tmp_path / "missing.sqlite3")
    postgres = database.BenchDatabase(vendor="postgresql", name="cepa_bench", url="postgres://")
    with pytest.raises(database.BenchDatabaseError, match="SQLite bench database only"):
        database.copy_template(postgres, template)
