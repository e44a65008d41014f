"""The metric definitions on the synthetic runner's exact joints reproduce the gait model's
own parameters (known exactly), and the accuracy scoring is zero on the truth itself."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sprintcv.events import ContactDetection, leg_length
from sprintcv.metrics.kinematics import angle_series
from sprintcv.synthetic.kinematics import GaitParams
from sprintcv.synthetic.truth import (
    ANGLE_COLUMNS,
    OTHER_COLUMNS,
    mechanics_accuracy,
    truth_body,
    truth_contact_list,
    truth_steps,
)


@pytest.fixture(scope="module")
def steps(sample_truth):
    cols, _ = truth_steps(sample_truth)
    complete = np.isfinite(cols["knee_height_max_leg"])  # rows whose whole step is in the clip
    return {k: v[complete] for k, v in cols.items()}


def _close(values, expected, **tol):
    """All finite values near ``expected``; a swing or an arm cycle cut by the clip's end is NaN."""
    v = np.asarray(values, float)
    assert np.isfinite(v).sum() >= 4
    np.testing.assert_allclose(v[np.isfinite(v)], expected, **tol)


def test_exact_metrics_equal_the_gait_parameters(steps, sample_truth):
    p = GaitParams()  # the sample clip uses the default gait
    assert sample_truth["trunk_lean_deg"] == p.trunk_lean_deg
    _close(steps["thigh_front_max_deg"], p.max_thigh_flexion_deg, atol=0.1)
    _close(steps["knee_swing_min_deg"], 180.0 - p.max_knee_flexion_deg, atol=0.2)  # sampled at 120 fps
    _close(steps["trunk_lean_mean_deg"], p.trunk_lean_deg, atol=0.01)
    # arms: elbow 90 -/+ 20 deg at the forward / backward extreme, upper arm +/- 55 deg from the
    # vertical, i.e. 55 + 8 in front of and 55 - 8 behind a trunk leaning 8 deg; in phase with
    # the opposite knee
    _close(steps["elbow_front_deg"], p.elbow_mean_deg - p.elbow_amplitude_deg, atol=0.1)
    _close(steps["elbow_back_deg"], p.elbow_mean_deg + p.elbow_amplitude_deg, atol=0.1)
    _close(steps["shoulder_front_deg"], p.arm_swing_amplitude_deg + p.trunk_lean_deg, atol=0.1)
    _close(steps["shoulder_back_deg"], -p.arm_swing_amplitude_deg + p.trunk_lean_deg, atol=0.1)
    _close(steps["arm_timing_s"], 0.0, atol=0.002)
    body = p.body
    leg = body.leg_m
    _close(steps["knee_height_max_leg"],
                               -body.thigh_m * np.cos(np.radians(p.max_thigh_flexion_deg)) / leg, atol=1e-3)
    # the pelvis bobs by +/- hip_bob once per step
    _close(steps["pelvis_oscillation_leg"], 2 * p.hip_bob / leg, rtol=0.01)


def test_event_angles_match_the_truth_angle_series(sample_truth):
    """At the events, the metrics equal the generator's own angle series (interpolated)."""
    cols, contacts = truth_steps(sample_truth)
    t = np.arange(sample_truth["n_frames"]) / sample_truth["fps"]
    a = {k: np.asarray(v, float) for k, v in sample_truth["angles_deg"].items()}
    assert np.isfinite(cols["thigh_to_deg"]).sum() >= len(contacts) - 2  # all but the clip's ends
    for i, c in enumerate(contacts):
        other = "right" if c.foot == "left" else "left"
        near_to = np.abs(t - c.toeoff_s) <= 0.06  # the thigh's extension peaks around toe-off
        if np.isfinite(cols["thigh_to_deg"][i]):
            assert cols["thigh_to_deg"][i] == pytest.approx(a[f"{c.foot}_thigh"][near_to].min(), abs=0.05)
        assert cols["knee_td_deg"][i] == pytest.approx(np.interp(c.touchdown_s, t, a[f"{c.foot}_knee"]), abs=0.05)
        sep = np.interp(c.touchdown_s, t, a[f"{c.foot}_thigh"]) - np.interp(c.touchdown_s, t, a[f"{other}_thigh"])
        assert cols["thigh_separation_td_deg"][i] == pytest.approx(sep, abs=0.05)


def test_scoring_the_truth_against_itself_is_exact(sample_truth):
    body, names, t, direction = truth_body(sample_truth)
    contacts = truth_contact_list(sample_truth)
    cols, _ = truth_steps(sample_truth)
    n = len(t)
    analysis = SimpleNamespace(
        contacts=ContactDetection(contacts, (0.0, 0.0), leg_length(body, names)), steps=cols,
        angles=angle_series(body, names), body_xy=body, direction=direction, summary={},
        clean=SimpleNamespace(joint_names=names, t_s=t, frame_index=np.arange(n)),
        raw=SimpleNamespace(meta={}, n_frames=n),
    )
    acc = mechanics_accuracy(analysis, sample_truth)
    for key in ("detected_events", "true_events"):
        for col in ANGLE_COLUMNS + OTHER_COLUMNS:
            if col.endswith("_m"):
                continue  # the analysis has no calibration
            assert np.all(np.abs(acc[key][col]) < 1e-9), (key, col)
    assert set(acc["kinogram"]) == {"toe_off", "max_vertical_projection", "strike", "touchdown", "full_support"}
    assert all(np.all(e == 0) for e in acc["kinogram"].values())
    assert len(acc["near"]["knee_td_deg"]) + len(acc["far"]["knee_td_deg"]) == len(acc["detected_events"]["knee_td_deg"])
    for col in ("knee_td_deg", "knee_swing_min_deg", "thigh_separation_td_deg"):  # FAR_SIDE_WITHHELD
        assert len(acc["far_unreported"][col]) and np.all(np.abs(acc["far_unreported"][col]) < 1e-9), col
