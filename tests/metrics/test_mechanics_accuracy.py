"""Mechanics and kinogram accuracy end to end (real pose model) against exact synthetic truth.

Targets (issue 5): angle metrics within 5 deg mean absolute error at 60 fps and above, both
directions; kinogram frames within 1 frame of the truth's. Two clips: the bundled sample
(120 fps, left to right) and a rendered 60 fps clip running right to left. The truth of every
metric is the same function run on the exact joints at the exact events
(:func:`sprintcv.synthetic.truth.mechanics_accuracy`).

Measured with the contact detector of issue 3 and the length-constrained heel-recovery knee
(``python benchmarks/accuracy.py --render DIR``; MAE in degrees, sample / 60 fps right to left):

* within the target on every step reported: knee lift 1.6 / 3.7, thigh extension at toe-off
  1.5 / 1.7, knee angle at heel recovery 0.8 / 1.3 (from the hip-ankle distance with segments
  of constant length, ``sprintcv.metrics.mechanics.length_constrained_knee_deg``), knee at
  touchdown 2.9 / 2.8, shin at touchdown 1.7 / 1.5, trunk lean at touchdown 2.6 / 1.5 and over
  the step 1.9 / 1.4, elbow at the forward extreme 4.6 / 0.3 and at the backward one
  2.0 / 1.3, shoulder behind 2.9 / 3.8;
* not reported for the far leg (``FAR_SIDE_WITHHELD``): from one side the pose model sees the
  far knee about 10 deg straighter than it is at its touchdown (10.6 / 9.3), its heel-recovery
  knee 7.5 / 3.0 off and the thigh separation at its touchdown 7.0 / 5.5 off; those would-be
  values stay measured (``far_unreported``) and bounded, so that a better pose model shows;
* not within it on one of the two clips, bounded here so that they cannot get worse unseen:
  the shoulder in front (3.4 / 5.6: the pose model's shoulder landmark moves forward with the
  arm, as a real shoulder does, while the synthetic runner's shoulder joint is fixed on the
  trunk; ``docs/metrics.md``) and the thigh separation at the camera-side foot's touchdown
  (3.6 on the sample since its touchdowns are timed on the silhouette, 5.3 before; 1.2 on the
  60 fps clip: about 1 deg per ms of touchdown error).

The issue's target itself is held pooled per running direction over every clip the tests
render at 60 fps and above (``test_issue_target_pooled_per_direction``: the sample, 240 and
60 fps left to right; 120 and 60 fps right to left), as ``benchmarks/accuracy.py`` reports it
over 39 clips.

Kinogram (mean absolute frame error): every position within one frame on both clips (toe-off
0.4 / 0.0, max vertical projection 0.2 / 0.0, strike 0.4 / 0.0, touchdown 0.0 / 0.2, full
support 0.5 / 0.2); at 240 fps ``tests/test_contact_accuracy.py`` holds the same target
(strike 1.0 frame there, 1.5 before it was fitted to the top of the peak; docs/metrics.md).
"""

from __future__ import annotations

import numpy as np
import pytest

from sprintcv.metrics.kinogram import POSITIONS
from sprintcv.pipeline import analyze
from sprintcv.synthetic.truth import ANGLE_COLUMNS, mechanics_accuracy

pytestmark = pytest.mark.slow

#: Angle metrics within 5 deg MAE over all steps reported.
ON_TARGET = ("thigh_front_max_deg", "thigh_to_deg", "knee_swing_min_deg", "knee_td_deg", "shin_td_deg",
             "trunk_lean_td_deg", "trunk_lean_mean_deg", "elbow_front_deg", "elbow_back_deg",
             "shoulder_back_deg")
#: Within 5 deg MAE for the limbs on the camera's side.
NEAR_ON_TARGET = ("knee_td_deg", "shin_td_deg", "knee_swing_min_deg")
#: Measured gaps (see the module docstring): upper bounds a little above today's values.
BOUNDS_DEG = {"thigh_separation_td_deg": 5.0, "shoulder_front_deg": 6.5}
#: What the far leg's unreported columns would say, bounded likewise.
FAR_BOUNDS_DEG = {"knee_swing_min_deg": 8.5, "knee_td_deg": 11.5, "thigh_separation_td_deg": 11.5}


def _mae(errors) -> float:
    e = np.asarray(errors, float)
    assert len(e) >= 2, "too few scored steps"
    return float(np.mean(np.abs(e)))


@pytest.fixture(scope="module")
def sample_analysis(sample_clip, sample_truth):
    """The bundled sample analysed once for this module: ``(result, truth)``."""
    return analyze(sample_clip), sample_truth


@pytest.fixture(scope="module", params=["sample_120_l2r", "rendered_60_r2l"])
def scored(request, sample_analysis, synthetic_analysis):
    if request.param == "sample_120_l2r":
        result, truth = sample_analysis
    else:
        result, truth = synthetic_analysis("60_r2l")
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


@pytest.mark.parametrize("column", sorted(FAR_BOUNDS_DEG))
def test_far_side_columns_are_withheld_and_their_gap_bounded(scored, column):
    _, result, acc = scored
    assert len(acc["far"].get(column, [])) == 0  # nothing printed for the far leg
    far = result.steps["camera_side"] == "far"
    assert far.any() and np.isnan(np.asarray(result.steps[column], float)[far]).all()
    assert _mae(acc["far_unreported"][column]) <= FAR_BOUNDS_DEG[column]


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
    # measured 0.032 / 0.014 leg (0.011 / 0.025 at the true touchdowns)
    assert _mae(e["touchdown_distance_leg"]) <= 0.05
    assert _mae(acc["true_events"]["touchdown_distance_leg"]) <= 0.03




@pytest.mark.parametrize("position", POSITIONS)
def test_kinogram_frames(scored, position):
    name, _, acc = scored
    errors = acc["kinogram"][position]
    assert len(errors) >= 4
    assert np.mean(np.abs(errors)) <= 1.0, (name, errors)  # the target: within one frame
    assert np.max(np.abs(errors)) <= 2, (name, errors)


def test_summary_carries_the_mechanics(scored):
    _, result, _ = scored
    s = result.summary
    assert {"mechanics", "arms", "kinogram", "flags", "flag_thresholds", "flags_note"} <= set(s)
    for side in ("left", "right"):
        kino = s["kinogram"][side]
        assert kino is not None and set(kino["positions"]) == set(POSITIONS)
    assert s["mechanics"]["thigh_front_max_deg"]["n"] >= 4
    for column in ("front_side_share", "touchdown_distance_leg", "shin_td_deg"):
        assert np.isfinite(s["mechanics"][column]["left"]) and np.isfinite(s["mechanics"][column]["right"])
    far = s["far_side"]["side"]
    assert far == ("left" if s["direction"] == "left_to_right" else "right")
    for column in s["far_side"]["withheld"]:
        assert np.isnan(s["mechanics"][column][far]) and np.isfinite(s["mechanics"][column]["left" if far == "right" else "right"])
    assert any(w.startswith(f"{far} leg on the far side") for w in s["warnings"])


#: Issue 5's target pooled per running direction: every clip the tests render at 60 fps and
#: above (``conftest.SYNTHETIC_SPECS``), with the sample on the left-to-right side.
POOLED = {"left_to_right": ("240_l2r", "60_l2r"), "right_to_left": ("120_r2l", "60_r2l")}


@pytest.fixture(scope="module")
def pooled(sample_analysis, synthetic_analysis):
    """Per-step angle errors and kinogram frame errors, concatenated over each direction's clips."""
    out = {}
    for direction, names in POOLED.items():
        runs = [synthetic_analysis(n) for n in names]
        if direction == "left_to_right":
            runs.append(sample_analysis)
        assert {t["direction"] for _, t in runs} == {direction} and min(t["fps"] for _, t in runs) >= 60
        accs = [mechanics_accuracy(r, t) for r, t in runs]
        out[direction] = {
            "angles": {c: np.concatenate([a["detected_events"][c] for a in accs]) for c in ANGLE_COLUMNS},
            "kinogram": {p: np.concatenate([a["kinogram"][p] for a in accs]) for p in POSITIONS},
        }
    return out


@pytest.mark.parametrize("direction", sorted(POOLED))
@pytest.mark.parametrize("column", ANGLE_COLUMNS)
def test_issue_target_pooled_per_direction(pooled, direction, column):
    """Every angle metric within 5 deg MAE over each direction's steps (measured, l2r / r2l:
    the largest are the elbow in front 4.3 / 2.5 and the shoulder in front 4.1 / 4.6)."""
    errors = pooled[direction]["angles"][column]
    assert len(errors) >= 4, column
    assert np.mean(np.abs(errors)) <= 5.0, (direction, column, np.round(errors, 1))


@pytest.mark.parametrize("direction", sorted(POOLED))
def test_kinogram_target_pooled_per_direction(pooled, direction):
    for position, errors in pooled[direction]["kinogram"].items():
        assert len(errors) >= 8, position
        assert np.mean(np.abs(errors)) <= 1.0, (direction, position, errors)
