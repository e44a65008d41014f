"""Comparing the reps of a session: hand-computed drops, the conditioning marker, side by
side, loading from results and batch folders, the command and the DataFrames."""

from __future__ import annotations

import math

import numpy as np
import pytest
from click.testing import CliRunner

from sprintcv.batch import write_team_summary
from sprintcv.cli import main
from sprintcv.compare import (
    DEFAULT_DROP_PCT,
    CompareError,
    Rep,
    conditioning_marker,
    drop_from_best,
    filmed_from_opposite_sides,
    find_rep,
    load_reps,
    numeric_metrics,
    rep_trend,
    side_by_side,
    speed_drop_so_far,
    threshold_levels,
)
from sprintcv.io.results import table_to_csv, write_json_atomic, write_text_atomic


def rep(label, fly10=None, top=None, contact=None, freq=None, **kw):
    summary = {"fly10_s": fly10, "speed_peak_mps": top, "contact_s_mean": contact, "step_frequency_hz": freq,
               "kinematics": {"knee_td_deg_mean": kw.pop("knee", None)}, "video": {"fps": 120.0},
               "contacts_reliable": True, "warnings": []}
    return Rep(label=label, summary=summary, **kw)


# ------------------------------------------------------------------------ pure functions


def test_drop_from_best_by_kind():
    # fly-10: speed drop 100 (1 - t_best / t): 1 - 1.10/1.12 = 1.7857 %, 1 - 1.10/1.15 = 4.3478 %
    drop, best = drop_from_best(np.array([1.10, 1.12, np.nan, 1.15]), "time")
    assert best == 0
    np.testing.assert_allclose(drop, [0.0, 1.785714, np.nan, 4.347826], rtol=1e-5)
    drop, best = drop_from_best(np.array([9.0, 9.2, 8.74]), "rate")
    assert best == 1
    np.testing.assert_allclose(drop, [100 * (1 - 9.0 / 9.2), 0.0, 5.0], rtol=1e-9)
    drop, best = drop_from_best(np.array([0.110, 0.100, 0.105]), "duration")
    assert best == 1
    np.testing.assert_allclose(drop, [10.0, 0.0, 5.0], rtol=1e-9)
    drop, best = drop_from_best(np.array([np.nan, np.nan]), "rate")
    assert best is None and np.isnan(drop).all()
    with pytest.raises(ValueError):
        drop_from_best(np.array([1.0]), "volume")


def test_speed_drop_against_the_best_so_far():
    drop, best = speed_drop_so_far(np.array([9.0, 9.2, 8.9, np.nan, 9.3]))
    np.testing.assert_allclose(drop, [0.0, 0.0, 100 * (1 - 8.9 / 9.2), np.nan, 0.0])
    assert list(best) == [0, 1, 1, 1, 4]


def test_conditioning_marker_from_fly10():
    # speeds 10/t; best so far after rep 2 is 1.10 s: rep 3 1 - 1.10/1.13 = 2.65 %, rep 4 4.35 %.
    reps = [rep("rep 1", 1.12, 9.0), rep("rep 2", 1.10, 9.1), rep("rep 3", 1.13, 8.9), rep("rep 4", 1.15, 8.8)]
    m = conditioning_marker(reps)
    assert m.threshold_pct == DEFAULT_DROP_PCT == 3.0
    assert (m.index, m.best_index, m.speed_source, m.over) == (3, 1, "fly10_s", (3,))
    assert m.drop_pct == pytest.approx(100 * (1 - 1.10 / 1.15))
    assert m.message == ("rep 4: fly-10 speed 4.3% below the best so far (rep 2): speed dropped more than 3% - "
                         "the session has turned into conditioning")
    assert conditioning_marker(reps, 2.0).index == 2
    calm = conditioning_marker(reps, 5.0)
    assert calm.index is None and "stayed within 5% of the best rep so far (largest drop 4.3%)" in calm.message


def test_marker_falls_back_to_top_speed_and_says_when_there_is_no_speed():
    reps = [rep("a", 1.10, 9.0), rep("b", None, 9.2), rep("c", 1.20, 8.9)]
    m = conditioning_marker(reps)
    assert m.speed_source == "speed_peak_mps" and m.index == 2 and m.best_index == 1
    assert "top speed 3.3% below" in m.message
    none = conditioning_marker([rep("a"), rep("b")])
    assert none.index is None and none.speed_source == "" and "no rep has a measured speed" in none.message
    with pytest.raises(CompareError, match="--drop-pct"):
        conditioning_marker(reps, 0.0)


def test_rep_trend_keeps_missing_values_missing():
    table = rep_trend([rep("a", 1.10, 9.0, 0.100, 4.5), rep("b", None, 8.8, None, 4.4)])
    assert list(table["label"]) == ["a", "b"]
    assert math.isnan(table["fly10_s"][1]) and math.isnan(table["fly10_s_drop_pct"][1])
    assert math.isnan(table["contact_s_mean"][1])
    assert table["speed_peak_mps_drop_pct"][1] == pytest.approx(100 * (1 - 8.8 / 9.0))
    assert table["step_frequency_hz_drop_pct"][1] == pytest.approx(100 * (1 - 4.4 / 4.5))


def test_threshold_levels():
    levels = threshold_levels([rep("a", 1.10, 9.0), rep("b", 1.14, 9.2)], 3.0)
    assert levels["fly10_s"] == pytest.approx(1.10 / 0.97)
    assert levels["speed_peak_mps"] == pytest.approx(9.2 * 0.97)


def test_side_by_side_every_numeric_metric_with_differences():
    a = rep("rep 1", 1.10, 9.0, 0.100, knee=150.0)
    b = rep("rep 2", 1.21, 8.5, None, knee=145.0)
    b.summary["splits"] = [{"from_m": 0.0, "to_m": 10.0, "time_s": 1.21, "speed_mps": 8.26}]
    t = side_by_side(a, b)
    rows = {m: (t["a"][i], t["b"][i], t["diff"][i], t["diff_pct"][i]) for i, m in enumerate(t["metric"])}
    assert rows["fly10_s"][2] == pytest.approx(0.11) and rows["fly10_s"][3] == pytest.approx(10.0)
    assert rows["kinematics.knee_td_deg_mean"][2] == pytest.approx(-5.0)
    assert np.isnan(rows["contact_s_mean"][1]) and np.isnan(rows["contact_s_mean"][2])  # missing stays missing
    assert np.isnan(rows["splits.0-10m.time_s"][0]) and rows["splits.0-10m.time_s"][1] == 1.21
    assert "video.fps" not in rows and "contacts_reliable" not in rows  # clip facts and booleans left out
    assert list(t["metric"][:4]) == ["fly10_s", "speed_peak_mps", "contact_s_mean", "step_frequency_hz"]


def test_opposite_directions_are_told():
    a, b, c = rep("rep 1", 1.10), rep("rep 2", 1.12), rep("rep 3", 1.11)
    a.summary["direction"], b.summary["direction"] = "left_to_right", "right_to_left"
    c.summary["direction"] = "left_to_right"
    assert filmed_from_opposite_sides(a, b) and not filmed_from_opposite_sides(a, c)
    assert not filmed_from_opposite_sides(a, rep("rep 4", 1.0))  # unknown direction: nothing said


def test_numeric_metrics_flattens_nested_blocks():
    flat = numeric_metrics({"per_foot": {"left": {"contact_s_mean": 0.1, "n": 3}}, "direction": "left_to_right",
                            "asymmetry_pct": {"contact_s": None}, "pose": {"frames": 3}})
    assert flat["per_foot.left.contact_s_mean"] == 0.1 and flat["per_foot.left.n"] == 3.0
    assert np.isnan(flat["asymmetry_pct.contact_s"]) and "direction" not in flat and "pose.frames" not in flat


# ------------------------------------------------------------------------------ folders


STEPS = {"step": [1, 2], "foot": ["left", "right"], "contact_s": [0.10, float("nan")], "flight_s": [0.11, 0.12]}


def results_folder(path, fly10, top, contact, meta=None):
    summary = {"fly10_s": fly10, "speed_peak_mps": top, "contact_s_mean": contact, "step_frequency_hz": 4.5,
               "kinematics": {"knee_td_deg_mean": 150.0}, "warnings": []}
    write_json_atomic(path / "summary.json", summary)
    write_text_atomic(path / "steps.csv", table_to_csv(STEPS))
    if meta is not None:
        write_json_atomic(path / "batch_job.json", meta)
    return path


@pytest.fixture
def batch_folder(tmp_path):
    """A batch output folder: Anna's four reps on one day (given out of order) and Ben's rep."""
    out = tmp_path / "batch"
    data = [("anna_r3", "Anna Smith", 3, 1.13, 8.9), ("anna_r1", "Anna Smith", 1, 1.12, 9.0),
            ("anna_r2", "Anna Smith", 2, 1.10, 9.1), ("anna_r4", "Anna Smith", 4, 1.15, 8.8),
            ("ben_r1", "Ben Okoro", 1, 1.20, 8.4)]
    rows = []
    for name, who, n, fly, top in data:
        results_folder(out / name, fly, top, 0.100 + 0.002 * n)
        rows.append({"athlete": who, "date": "2025-03-03", "session": "speed", "rep": n, "clip": f"/c/{name}.mp4",
                     "status": "done", "results_dir": name, "recorded_at": None})
    rows.append({"athlete": "Anna Smith", "date": "2025-03-03", "session": "speed", "rep": 5, "clip": "/c/x.mp4",
                 "status": "failed", "results_dir": "x", "reason": "not a video"})
    write_team_summary(out, rows, {"complete": True})
    return out


def test_load_reps_from_a_batch_folder(batch_folder):
    reps = load_reps([batch_folder], athlete="anna smith")
    assert [r.label for r in reps] == ["rep 1", "rep 2", "rep 3", "rep 4"]  # by rep number; failed left out
    assert reps[0].summary["fly10_s"] == 1.12 and reps[0].athlete == "Anna Smith"
    assert np.isnan(reps[0].steps["contact_s"][1])
    with pytest.raises(CompareError, match=r"2 athletes \(Anna Smith, Ben Okoro\): pick one with --athlete"):
        load_reps([batch_folder])
    with pytest.raises(CompareError, match="match the --athlete"):
        load_reps([batch_folder], athlete="Cara")
    assert find_rep(reps, "3") == 2 and find_rep(reps, "rep 4") == 3
    assert find_rep(reps, "best") == 1 and find_rep(reps, "last") == 3
    with pytest.raises(CompareError, match="no rep '9'; the reps are: rep 1, rep 2"):
        find_rep(reps, "9")


def test_load_reps_from_results_folders_and_sessions(tmp_path):
    a = results_folder(tmp_path / "monday_a", 1.10, 9.0, 0.1)
    b = results_folder(tmp_path / "monday_b", 1.12, 8.9, 0.1)
    assert [r.label for r in load_reps([b, a])] == ["monday_b", "monday_a"]  # no numbers: as given
    c = results_folder(tmp_path / "tuesday", 1.1, 9.0, 0.1, meta={"athlete": "A", "date": "2025-03-04", "rep": 1})
    d = results_folder(tmp_path / "monday", 1.1, 9.0, 0.1, meta={"athlete": "A", "date": "2025-03-03", "rep": 1})
    with pytest.raises(CompareError, match=r"2 sessions \(2025-03-03, 2025-03-04\): pick one with --date"):
        load_reps([c, d])
    assert [r.results_dir.name for r in load_reps([c, d], date="2025-03-04")] == ["tuesday"]
    with pytest.raises(CompareError, match="not a sprintcv results folder"):
        load_reps([tmp_path])


def test_compare_command(batch_folder, tmp_path):
    runner = CliRunner()
    res = runner.invoke(main, ["compare", str(batch_folder), "--athlete", "Anna Smith", "--plot",
                               str(tmp_path / "reps.png")])
    assert res.exit_code == 0, res.output
    out = res.output
    assert "Anna Smith, 2025-03-03, speed: 4 reps" in out
    assert "rep 4             1.150 s       4.3%" in out and "<- conditioning" in out
    assert "rep 4: fly-10 speed 4.3% below the best so far (rep 2)" in out
    assert "side by side: rep 2 vs rep 4" in out  # default: best and last
    assert "opposite directions" not in out  # the reps say no direction
    assert "fly10_s" in out and "+0.05" in out
    assert (tmp_path / "reps.png").stat().st_size > 1000
    res = runner.invoke(main, ["compare", str(batch_folder), "--athlete", "Anna Smith", "--pair", "1", "3",
                               "--drop-pct", "5"])
    assert res.exit_code == 0 and "side by side: rep 1 vs rep 3" in res.output and "still a speed session" in res.output
    res = runner.invoke(main, ["compare", str(batch_folder)])
    assert res.exit_code == 2 and "pick one with --athlete" in res.output and "Traceback" not in res.output
    res = runner.invoke(main, ["compare", str(batch_folder), "--athlete", "Ben Okoro", "--drop-pct", "-1"])
    assert res.exit_code == 2 and "--drop-pct must be a percentage" in res.output


def test_dataframes(batch_folder):
    pytest.importorskip("pandas")
    from sprintcv.tables import rep_trend_frame, results_frame, side_by_side_frame, steps_frame

    runs = results_frame([batch_folder])
    assert len(runs) == 5 and set(runs["athlete"]) == {"Anna Smith", "Ben Okoro"}
    assert runs.loc[runs["label"] == "rep 2", "fly10_s"].iloc[0] == 1.10
    steps = steps_frame([batch_folder])
    assert len(steps) == 10 and list(steps.columns[:6]) == ["label", "athlete", "date", "session", "rep", "results_dir"]
    assert steps["contact_s"].isna().sum() == 5
    reps = load_reps([batch_folder], athlete="Anna Smith")
    assert list(rep_trend_frame(reps)["label"]) == ["rep 1", "rep 2", "rep 3", "rep 4"]
    sbs = side_by_side_frame(reps[0], reps[1])
    assert sbs.loc["fly10_s", "rep 1"] == 1.12 and sbs.loc["fly10_s", "diff"] == pytest.approx(-0.02)


@pytest.mark.slow
def test_compare_the_reps_of_a_real_batch(team_batch):
    """Rep 2 is 8.0 m/s against the sample's 9.0 m/s: an 11 % speed drop, conditioning."""
    reps = load_reps([team_batch["out"]], athlete="Anna Smith")
    assert [r.label for r in reps] == ["rep 1", "rep 2"]
    marker = conditioning_marker(reps)
    assert marker.index == 1 and marker.speed_source == "fly10_s"
    assert marker.drop_pct == pytest.approx(100 * (1 - 8.0 / 9.0), abs=0.5)
    res = CliRunner().invoke(main, ["compare", str(team_batch["out"]), "--athlete", "Anna Smith"])
    assert res.exit_code == 0, res.output
    assert "the session has turned into conditioning" in res.output and "side by side: rep 1 vs rep 2" in res.output
    # Ben's clip has no fly-10: the marker uses top speed; a single rep has nothing to set beside it.
    res = CliRunner().invoke(main, ["compare", str(team_batch["out"]), "--athlete", "Ben Okoro"])
    assert res.exit_code == 0, res.output
    assert "1 rep" in res.output and "side by side" not in res.output and " n/a " in res.output
