"""Mechanics and kinogram accuracy end to end (real pose model) against exact synthetic truth.

Targets (issue 5): angle metrics within 5 deg mean absolute error at 60 fps and above, both
directions; kinogram frames within 1 frame of the truth's. Two clips: the bundled sample
(120 fps, left to right) and a rendered 60 fps clip running right to left. The truth of every
metric is the same function run on the exact joints at the exact events
(:func:`sprintcv.synthetic.truth.mechanics_accuracy`).

Measured when written (``python benchmarks/accuracy.py --render DIR``; MAE in degrees,
sample / 60 fps right to left):

* within the target on every step: knee lift 1.6 / 3.7, trunk lean at touchdown 2.5 / 1.3 and
  over the step 1.9 / 1.4, elbow at the forward extreme 4.6 / 0.3 and at the backward one
  2.0 / 1.3, shoulder behind 2.9 / 3.8;
* within the target on the camera's side only: thigh at toe-off 0.3 / 1.6, knee at touchdown
  1.3 / 1.8, shin at touchdown 3.3 / 4.8; on the far side the pose model sees the knee about
  10 deg straighter than it is (knee at touchdown 10.2 / 7.7) and one far toe-off of the 60 fps
  clip reads the thigh 24 deg off;
* not within it, bounded here so that they cannot get worse unseen: the knee angle at heel
  recovery (11.8 / 9.4: the pose model does not fold the knee fully, 6-8 deg on the near side,
  11-18 deg on the far side), thigh separation at touchdown (11.0 / 16.0: touchdown is detected
  about 14 ms early and the two thighs move apart at about 1000 deg/s; 4-7 deg at the true
  events) and the shoulder in front (3.4 / 5.6).

Kinogram (mean absolute frame error): strike, full support and max vertical projection within
one frame on both clips; touchdown 1.8 frames on the 120 fps clip (the touchdown event's early
bias, 14 ms = 1.7 frames) and 0.8 at 60 fps; toe-off 1.2 / 1.0.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from sprintcv.metrics.kinogram import POSITIONS
from sprintcv.pipeline import analyze
from sprintcv.synthetic.render import make_clip
from sprintcv.synthetic.truth import mechanics_accuracy

pytestmark = pytest.mark.slow

#: Angle metrics within 5 deg MAE over all steps.
ON_TARGET = ("thigh_front_max_deg", "trunk_lean_td_deg", "trunk_lean_mean_deg", "elbow_front_deg",
             "elbow_back_deg", "shoulder_back_deg")
#: Within 5 deg MAE for the limbs on the camera's side.
NEAR_ON_TARGET = ("thigh_to_deg", "knee_td_deg", "shin_td_deg")
#: Measured gaps (see the module docstring): upper bounds a little above today's values.
BOUNDS_DEG = {"knee_swing_min_deg": 14.0, "thigh_separation_td_deg": 20.0, "shoulder_front_deg": 7.0,
              "knee_td_deg": 8.0, "thigh_to_deg": 8.0, "shin_td_deg": 7.0}


def _mae(errors) -> float:
    e = np.asarray(errors, float)
    assert len(e) >= 2, "too few scored steps"
    return float(np.mean(np.abs(e)))


@pytest.fixture(scope="module", params=["sample_120_l2r", "rendered_60_r2l"])
def scored(request, sample_clip, tmp_path_factory):
    if request.param == "sample_120_l2r":
        clip = sample_clip
    else:
        clip = tmp_path_factory.mktemp("mech60") / "r2l_60.mp4"
        make_clip(clip, fps=60, duration_s=1.7, direction="right_to_left", speed_mps=9.4,
                  step_frequency_hz=4.6, contact_s=0.105, phase=0.33)
    truth = json.loads(clip.with_suffix(".truth.json").read_text())
    result = analyze(clip)
    return request.param, result, mechanics_accuracy(result, truth)


@pytest.mark.parametrize("column", ON_TARGET)
def test_angle_metrics_within_5_deg(scored, column):
    _, _, acc = scored
    assert _mae(acc["detected_events"][column]) <= 5.0


@pytest.mark.parametrize("column", NEAR_ON_TARGET)
def test_near_side_angles_within_5_deg(scored, column):
    _, _, acc = scored
    assert _mae(acc["near"][column]) <= 5.0


@pytest.mark.parametrize("column", sorted(BOUNDS_DEG))
def test_known_gaps_stay_bounded(scored, column):
    _, _, acc = scored
    assert _mae(acc["detected_events"][column]) <= BOUNDS_DEG[column]


def test_thigh_separation_error_is_the_touchdown_timing(scored):
    """At the true events the pose model's thighs give the separation within 8 deg."""
    _, _, acc = scored
    assert _mae(acc["true_events"]["thigh_separation_td_deg"]) <= 8.0


def test_lengths_and_shares(scored):
    _, _, acc = scored
    e = acc["detected_events"]
    assert _mae(e["knee_height_max_leg"]) <= 0.05
    assert _mae(e["front_side_share"]) <= 0.05
    assert _mae(e["pelvis_oscillation_leg"]) <= 0.03
    assert _mae(e["arm_timing_s"]) <= 0.01
    # touchdown is found early, while the foot is still ahead: + 0.07-0.10 leg
    assert _mae(e["touchdown_distance_leg"]) <= 0.12
    assert _mae(acc["true_events"]["touchdown_distance_leg"]) <= 0.03


@pytest.mark.parametrize("position", [p for p in POSITIONS if p != "touchdown"])
def test_kinogram_within_one_frame(scored, position):
    name, _, acc = scored
    errors = acc["kinogram"][position]
    assert len(errors) >= 4
    limit = 1.25 if position == "toe_off" else 1.0  # toe-off: the event's own +/-12 ms
    assert np.mean(np.abs(errors)) <= limit, (name, errors)
    assert np.max(np.abs(errors)) <= 2, (name, errors)


def test_kinogram_touchdown(scored):
    """Within one frame at 60 fps; at 120 fps the touchdown event's early bias shows."""
    name, _, acc = scored
    errors = acc["kinogram"]["touchdown"]
    assert np.max(np.abs(errors)) <= 2
    assert np.all(errors <= 0)  # never late: the bias is the event's
    if name == "rendered_60_r2l":
        assert np.mean(np.abs(errors)) <= 1.0


def test_summary_carries_the_mechanics(scored):
    _, result, _ = scored
    s = result.summary
    assert {"mechanics", "arms", "kinogram", "flags", "flag_thresholds", "flags_note"} <= set(s)
    for side in ("left", "right"):
        kino = s["kinogram"][side]
        assert kino is not None and set(kino["positions"]) == set(POSITIONS)
    assert s["mechanics"]["thigh_front_max_deg"]["n"] >= 4
    for column in ("front_side_share", "touchdown_distance_leg", "thigh_separation_td_deg"):
        assert np.isfinite(s["mechanics"][column]["left"]) and np.isfinite(s["mechanics"][column]["right"])
