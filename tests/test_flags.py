"""Coach-facing flags: each rule against a hand-made steps table, thresholds from files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sprintcv.errors import SprintcvError
from sprintcv.flags import FlagConfigError, FlagThresholds, evaluate_flags

T_S = np.arange(200) / 100.0  # samples every 10 ms; frame = sample + 500


def _steps(**columns):
    """Four contacts: left, right, left, right at 0.2, 0.45, 0.7, 0.95 s."""
    n = 4
    base = {
        "step": np.arange(1, n + 1),
        "foot": np.array(["left", "right", "left", "right"], dtype=object),
        "touchdown_s": np.array([0.20, 0.45, 0.70, 0.95]),
        "toeoff_s": np.array([0.30, 0.55, 0.80, 1.05]),
        "contact_s": np.full(n, 0.10),
    }
    base.update({k: np.asarray(v, float) for k, v in columns.items()})
    return base


def _flags(steps, thresholds=None, **kw):
    return evaluate_flags(steps, thresholds, t_s=T_S, frame_index=np.arange(len(T_S)) + 500, **kw)


def _ids(flags):
    return [f["id"] for f in flags]


def test_foot_landing_far_ahead_is_flagged_per_leg_with_frames():
    flags = _flags(_steps(touchdown_distance_leg=[0.20, 0.40, 0.25, 0.36]))
    # the left mean 0.225 stays under 0.30; the legs differ by 0.155 (> 0.08)
    assert _ids(flags) == ["foot_lands_ahead", "asymmetry_touchdown_distance_leg"]
    f = flags[0]
    assert f["side"] == "right" and f["value"] == pytest.approx(0.38) and f["threshold"] == 0.30
    assert f["unit"] == "leg" and f["steps"] == [2, 4]
    assert f["frames"] == [545, 595] and f["times_s"] == [0.45, 0.95]
    assert f["text"].startswith("Right foot lands 0.38 leg lengths ahead of the hips at touchdown")
    assert "flagged above 0.30" in f["text"] and "Bezodis" in f["reference"]
    for word in ("injur", "diagnos", "risk", "wrong", "bad"):
        assert word not in f["text"].lower()


def test_knee_lift_belongs_to_the_swing_leg():
    # rows on the left foot carry the right leg's knee lift
    flags = _flags(_steps(thigh_front_max_deg=[55.0, 75.0, 57.0, 74.0],
                          knee_lift_t_s=[0.32, 0.57, 0.82, np.nan]))
    assert _ids(flags) == ["knee_lift_low", "asymmetry_thigh_front_max_deg"]
    low = flags[0]
    assert low["side"] == "right" and low["value"] == pytest.approx(56.0) and low["frames"] == [532, 582]
    assert "flagged below 60 deg" in low["text"]
    asym = flags[1]
    assert asym["value"] == pytest.approx(74.5 - 56.0)
    assert "left 74 deg, right 56 deg" in asym["text"]


@pytest.mark.parametrize(
    ("column", "values", "fid", "side"),
    [
        ("thigh_to_deg", [-50.0, -30.0, -48.0, -31.0], "thigh_behind_at_toe_off", "left"),
        ("heel_recovery_x_leg", [-0.3, -0.6, -0.3, -0.7], "heel_kicks_behind", "right"),
        ("front_side_share", [0.30, 0.46, 0.35, 0.45], "front_side_share_low", "left"),
        ("elbow_back_deg", [150.0, 100.0, 145.0, 100.0], "elbow_open_back", "right"),  # left rows: right arm behind
        ("elbow_front_deg", [70.0, 125.0, 72.0, 130.0], "elbow_open_front", "right"),
    ],
)
def test_each_leg_rule(column, values, fid, side):
    flags = [f for f in _flags(_steps(**{column: values})) if not f["id"].startswith("asymmetry")]
    assert _ids(flags) == [fid] and flags[0]["side"] == side


def test_trunk_lean_is_judged_over_the_run():
    assert _ids(_flags(_steps(trunk_lean_mean_deg=[16.0, 18.0, 17.0, 14.0]))) == ["trunk_lean_forward"]
    back = _flags(_steps(trunk_lean_mean_deg=[-5.0, -4.0, -6.0, np.nan]))
    assert _ids(back) == ["trunk_lean_back"] and "5 deg backward" in back[0]["text"]
    assert _flags(_steps(trunk_lean_mean_deg=[8.0, 9.0, 7.0, 8.0])) == []


def test_thresholds_min_steps_and_disabled():
    steps = _steps(touchdown_distance_leg=[0.20, 0.40, 0.25, np.nan])
    assert _flags(steps) == []  # one right step is not enough by default
    assert _ids(_flags(steps, FlagThresholds(min_steps=1))) == ["foot_lands_ahead", "asymmetry_touchdown_distance_leg"]
    assert _flags(steps, FlagThresholds(min_steps=1, touchdown_distance_leg_max=0.5, asymmetry_touchdown_distance_leg=1.0)) == []
    assert _flags(steps, FlagThresholds(min_steps=1, disabled=("foot_lands_ahead", "asymmetry_touchdown_distance_leg"))) == []


def test_contact_time_asymmetry_is_off_by_default_and_needs_reliable_contacts():
    steps = _steps()
    steps["contact_s"] = np.array([0.10, 0.13, 0.10, 0.13])
    assert _flags(steps) == []
    on = FlagThresholds(disabled=())
    flags = _flags(steps, on)
    assert _ids(flags) == ["asymmetry_contact_s"] and flags[0]["value"] == pytest.approx(-100 * 0.03 / 0.115)
    assert _flags(steps, on, contacts_reliable=False) == []


def test_inconsistent_contacts_caveat_and_no_asymmetry():
    steps = _steps(touchdown_distance_leg=[0.20, 0.40, 0.25, 0.36])
    flags = _flags(steps, contacts_reliable=False)
    assert _ids(flags) == ["foot_lands_ahead"]
    assert "steps may be assigned to the wrong leg" in flags[0]["text"]


def test_far_side_flags_say_so():
    flags = _flags(_steps(touchdown_distance_leg=[0.20, 0.40, 0.25, 0.36]), near="left")
    assert flags[0]["far_side"] is True and "far-side limb" in flags[0]["text"]
    near = _flags(_steps(touchdown_distance_leg=[0.20, 0.40, 0.25, 0.36]), near="right")
    assert near[0]["far_side"] is False and "far-side" not in near[0]["text"]


def test_no_rows_no_flags():
    assert _flags({"foot": np.array([], dtype=object)}) == []


def test_thresholds_from_toml_and_json(tmp_path):
    toml = tmp_path / "flags.toml"
    toml.write_text('knee_lift_min_deg = 55\nmin_steps = 3\ndisabled = ["trunk_lean_back"]\n')
    th = FlagThresholds.from_file(toml)
    assert th.knee_lift_min_deg == 55.0 and th.min_steps == 3 and th.disabled == ("trunk_lean_back",)
    js = tmp_path / "flags.json"
    js.write_text(json.dumps({"touchdown_distance_leg_max": 0.4}))
    assert FlagThresholds.from_file(js).touchdown_distance_leg_max == 0.4
    assert FlagThresholds.from_mapping(th.to_dict()) == th


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("knee_lift = 55\n", "unknown setting"),
        ('knee_lift_min_deg = "high"\n', "must be a finite number"),
        ("min_steps = 0\n", "whole number"),
        ('disabled = "trunk_lean_back"\n', "list of flag ids"),
        ("knee_lift_min_deg = \n", "not valid TOML"),
    ],
)
def test_bad_threshold_files_are_one_clear_error(tmp_path, text, message):
    path = tmp_path / "flags.toml"
    path.write_text(text)
    with pytest.raises(FlagConfigError, match=message):
        FlagThresholds.from_file(path)
    assert issubclass(FlagConfigError, SprintcvError)
    with pytest.raises(FlagConfigError, match="cannot read"):
        FlagThresholds.from_file(tmp_path / "missing.toml")
