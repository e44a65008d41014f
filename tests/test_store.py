"""The results history (SQLite) and the weekly trend, against hand-computed answers."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest
from click.testing import CliRunner

from sprintcv.cli import main
from sprintcv.errors import StoreError
from sprintcv.store import SCHEMA_VERSION, HistoryStore, default_db_path, per_date, weekly_trend, weeks_since


def summary(fly10=1.10, top=9.1, contact=0.105, **extra):
    return {"fly10_s": fly10, "speed_peak_mps": top, "contact_s_mean": contact, "contacts_reliable": True,
            "warnings": [], **extra}


@pytest.fixture
def db(tmp_path):
    return tmp_path / "h" / "history.sqlite"


def test_default_path_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SPRINTCV_HISTORY_DB", str(tmp_path / "x.sqlite"))
    assert default_db_path() == tmp_path / "x.sqlite"
    monkeypatch.delenv("SPRINTCV_HISTORY_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_db_path() == tmp_path / "data" / "sprintcv" / "history.sqlite"


def test_created_on_first_use_with_a_schema_version(db):
    with HistoryStore(db) as store:
        assert store.athletes() == []
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    con.close()


def test_record_is_an_upsert_keyed_by_athlete_date_and_clip(db):
    with HistoryStore(db) as store:
        assert store.record(athlete="Anna Smith", date="2025-03-03", clip_sha256="a" * 64, clip_path="/c/1.mp4",
                            summary=summary(fly10=1.12), rep=1) == "Anna Smith"
        # Same clip again (re-analysed): one row, updated.
        store.record(athlete="anna smith ", date="2025-03-03", clip_sha256="a" * 64, clip_path="/c/1.mp4",
                     summary=summary(fly10=1.11), rep=1)
        rows = store.results("ANNA SMITH")
        assert len(rows) == 1 and rows[0]["fly10_s"] == pytest.approx(1.11) and rows[0]["athlete"] == "Anna Smith"
        # The same clip re-dated moves; it is not counted twice.
        store.record(athlete="Anna Smith", date="2025-03-04", clip_sha256="a" * 64, clip_path="/c/1.mp4",
                     summary=summary())
        assert [r["date"] for r in store.results("Anna Smith")] == ["2025-03-04"]
        # A missing metric stays missing (NULL), never zero.
        store.record(athlete="Anna Smith", date="2025-03-10", clip_sha256="b" * 64, clip_path="/c/2.mp4",
                     summary=summary(fly10=None, contact=float("nan")))
        last = store.results("Anna Smith")[-1]
        assert last["fly10_s"] is None and last["contact_s_mean"] is None and last["speed_peak_mps"] == 9.1
        assert store.summary("Anna Smith", "2025-03-10", "b" * 64)["fly10_s"] is None
        assert store.athletes() == [{"name": "Anna Smith", "n_clips": 2, "n_dates": 2,
                                     "first_date": "2025-03-04", "last_date": "2025-03-10"}]


def test_errors_are_clear(db, tmp_path):
    with HistoryStore(db) as store:
        store.record(athlete="Ben", date="2025-01-01", clip_sha256="c" * 64, clip_path="x", summary=summary())
        with pytest.raises(StoreError, match=r"no results for 'Anna'.*athletes there: Ben"):
            store.results("Anna")
        with pytest.raises(StoreError, match="date must be YYYY-MM-DD"):
            store.record(athlete="Ben", date="01/01/2025", clip_sha256="d" * 64, clip_path="x", summary=summary())
        with pytest.raises(StoreError, match="an athlete name is needed"):
            store.record(athlete=" ", date="2025-01-01", clip_sha256="d" * 64, clip_path="x", summary=summary())
    newer = tmp_path / "newer.sqlite"
    con = sqlite3.connect(newer)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(StoreError, match="made by a newer sprintcv"):
        HistoryStore(newer)
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.close()
    with pytest.raises(StoreError, match="not a sprintcv history database"):
        HistoryStore(other)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="not a sprintcv history database"):
        HistoryStore(junk)


def test_per_date_takes_the_days_best_and_mean_contact():
    rows = [
        {"date": "2025-03-03", "fly10_s": 1.12, "speed_peak_mps": 9.0, "contact_s_mean": 0.100},
        {"date": "2025-03-03", "fly10_s": 1.10, "speed_peak_mps": 9.2, "contact_s_mean": 0.110},
        {"date": "2025-03-10", "fly10_s": None, "speed_peak_mps": None, "contact_s_mean": None},
    ]
    days = per_date(rows)
    assert list(days["date"]) == ["2025-03-03", "2025-03-10"]
    assert list(days["n_clips"]) == [2, 1]
    np.testing.assert_allclose(days["fly10_s"], [1.10, np.nan])
    np.testing.assert_allclose(days["speed_peak_mps"], [9.2, np.nan])
    np.testing.assert_allclose(days["contact_s_mean"], [0.105, np.nan])


def test_weeks_since():
    np.testing.assert_allclose(weeks_since(["2025-03-03", "2025-03-10", "2025-03-24"]), [0, 1, 3])


def test_trend_of_an_exact_line():
    weeks = np.array([0.0, 1.0, 2.0, 4.0])
    trend = weekly_trend(weeks, 1.20 - 0.01 * weeks, metric="fly10_s", unit=" s")
    assert trend.slope_per_week == pytest.approx(-0.01)
    assert trend.intercept == pytest.approx(1.20)
    assert trend.ci95[0] == pytest.approx(-0.01) and trend.ci95[1] == pytest.approx(-0.01)
    assert trend.n == 4 and trend.span_weeks == 4.0
    assert trend.verdict.startswith("getting faster: -0.010 s a week")


def test_trend_interval_by_hand():
    # x = 0,1,2,3 ; y = 0, 2, 1, 3: Sxx = 5, Sxy = 4, slope 0.8, intercept 0.3, residuals
    # (-0.3, 0.9, -0.9, 0.3), SSE 1.8, SE = sqrt(1.8 / 2 / 5) = 0.42426; t(0.975, 2) = 4.3027
    # -> CI 0.8 +/- 1.8255.
    trend = weekly_trend(np.arange(4.0), np.array([0.0, 2.0, 1.0, 3.0]))
    assert trend.slope_per_week == pytest.approx(0.8) and trend.intercept == pytest.approx(0.3)
    assert trend.ci95[0] == pytest.approx(0.8 - 1.8255, abs=1e-3)
    assert trend.ci95[1] == pytest.approx(0.8 + 1.8255, abs=1e-3)
    assert trend.verdict.startswith("no clear trend")


def test_trend_needs_three_dates_over_a_week_and_skips_missing():
    assert "not enough data" in weekly_trend(np.array([0.0, 1.0]), np.array([1.0, 2.0])).verdict
    assert "at least a week apart" in weekly_trend(np.array([0.0, 0.2, 0.5]), np.array([1.0, 2.0, 3.0])).verdict
    trend = weekly_trend(np.array([0.0, 1.0, 2.0, 3.0]), np.array([9.0, np.nan, 9.2, 9.3]), metric="speed_peak_mps")
    assert trend.n == 3 and trend.verdict.startswith("getting faster")


# ---------------------------------------------------------------------------------- CLI


def seed(db):
    with HistoryStore(db) as store:
        for week, (fly, top, contact) in enumerate([(1.15, 8.8, 0.110), (1.14, 8.9, 0.108), (1.12, 9.0, 0.107),
                                                   (1.11, 9.1, 0.104)]):
            day = f"2025-03-{3 + 7 * week:02d}"
            store.record(athlete="Anna Smith", date=day, clip_sha256=f"{week:064d}", clip_path=f"/c/{week}.mp4",
                         summary=summary(fly10=fly, top=top, contact=contact))


def test_history_command(db, tmp_path):
    seed(db)
    runner = CliRunner()
    res = runner.invoke(main, ["history", "anna smith", "--db", str(db), "--plot", str(tmp_path / "h.png")])
    assert res.exit_code == 0, res.output
    assert "Anna Smith: 4 clips on 4 dates, 2025-03-03 to 2025-03-24" in res.output
    assert "2025-03-17     1     1.120 s   9.00 m/s   107 ms" in res.output
    assert "fly-10     getting faster: -0.014 s a week" in res.output
    assert "top speed  getting faster: +0.10 m/s a week" in res.output
    assert "contact    getting shorter" in res.output
    assert (tmp_path / "h.png").stat().st_size > 1000
    listing = runner.invoke(main, ["history", "--db", str(db)])
    assert listing.exit_code == 0 and "Anna Smith" in listing.output and "2025-03-24" in listing.output


def test_history_command_errors(db):
    runner = CliRunner()
    res = runner.invoke(main, ["history", "Anna", "--db", str(db)])
    assert res.exit_code == 2 and "no history yet" in res.output
    seed(db)
    res = runner.invoke(main, ["history", "Zed", "--db", str(db)])
    assert res.exit_code == 2 and "no results for 'Zed'" in res.output and "Anna Smith" in res.output
    assert "Traceback" not in res.output


def test_analyze_store_needs_an_athlete(tmp_path, sample_clip):
    res = CliRunner().invoke(main, ["analyze", str(sample_clip), "--store", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "--store needs --athlete" in res.output
    res = CliRunner().invoke(main, ["analyze", str(sample_clip), "--store", "--athlete", "A", "--date", "3 March",
                                    "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "--date: date: must be a date YYYY-MM-DD" in res.output
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_analyze_store_records_one_clip(tmp_path, sample_clip, sample_truth, pose_cache_dir):
    db = tmp_path / "h.sqlite"
    res = CliRunner().invoke(main, ["analyze", str(sample_clip), "--out", str(tmp_path / "o"), "--no-video",
                                    "--no-report", "--quiet", "--cache-dir", str(pose_cache_dir), "--athlete",
                                    "Anna Smith", "--store", "--date", "2025-03-03", "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert f"history: recorded Anna Smith, 2025-03-03 in {db}" in res.output
    with HistoryStore(db) as store:
        (row,) = store.results("Anna Smith")
    true_fly = sample_truth["gate_crossings"][1]["t_s"] - sample_truth["gate_crossings"][0]["t_s"]
    assert row["fly10_s"] == pytest.approx(true_fly, abs=0.004)
    assert row["results_dir"] == str((tmp_path / "o").resolve())


@pytest.mark.slow
def test_history_of_a_batch(team_batch, tmp_path):
    res = CliRunner().invoke(main, ["history", "Anna Smith", "--db", str(team_batch["db"]),
                                    "--plot", str(tmp_path / "anna.png")])
    assert res.exit_code == 0, res.output
    fly = min(r["fly10_s"] for r in team_batch["report"].rows if r["athlete"] == "Anna Smith" and r["fly10_s"])
    assert "Anna Smith: 2 clips on 1 date, 2025-03-03 to 2025-03-03" in res.output
    assert f"2025-03-03     2     {fly:.3f} s" in res.output  # the day's best rep
    assert "not enough data for a trend (1 date; 3 dates needed)" in res.output
    assert (tmp_path / "anna.png").is_file()
