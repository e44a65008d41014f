"""Per-step mechanics on stick figures built from chosen angles: every value hand-computed.

Timeline of every test (100 Hz, events on samples): left contact 0.20-0.30 s, right
0.45-0.55 s, left 0.70-0.80 s (steps of 0.25 s, strides of 0.5 s).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sprintcv.calibration import from_gates
from sprintcv.joints import MEDIAPIPE_JOINTS
from sprintcv.metrics.kinematics import angle_series, shoulder_angle_deg, step_kinematics
from sprintcv.metrics.mechanics import (
    arms_summary,
    column_side,
    withhold_far_side,
    front_of_body_line,
    knee_angle_from_lengths,
    leg_segment_lengths,
    length_constrained_knee_deg,
    mechanics_summary,
    positive_time_fraction,
    rolling_percentile,
    step_mechanics,
    step_oscillation,
    window_extreme,
    window_peak_time,
)

from .conftest import FPS, LEG, SHANK, THIGH, contact, figure

NAMES = MEDIAPIPE_JOINTS
CONTACTS = [contact("left", 0.20, 0.30), contact("right", 0.45, 0.55), contact("left", 0.70, 0.80)]


def _mech(t, xy, contacts=CONTACTS, **kw):
    return step_mechanics(angle_series(xy, NAMES), xy, NAMES, t, contacts, LEG, **kw)


def _cos(peak_s, period_s, amp, mean=0.0):
    return lambda t: mean + amp * np.cos(2 * np.pi * (t - peak_s) / period_s)


# -- helpers ------------------------------------------------------------------------------------
def test_window_extreme_refines_time_and_rejects_edges():
    t = np.arange(11) / 10.0
    y = -(t - 0.42) ** 2  # peak between samples 4 and 5
    tm, value, k = window_extreme(y, t, 0.0, 1.0)
    assert k == 4 and value == pytest.approx(-(0.02 ** 2))
    assert tm == pytest.approx(0.42, abs=1e-9)  # a parabola is refined exactly
    assert np.isnan(window_extreme(t, t, 0.0, 1.0)[0])  # rising to the window's end: not seen
    assert np.isnan(window_extreme(-t, t, 0.0, 1.0, "min")[0])
    holes = y.copy()
    holes[[1, 2, 3]] = np.nan  # 3 of 11 missing: under 80 % covered
    assert np.isnan(window_extreme(holes, t, 0.0, 1.0)[0])


def test_window_peak_time_fits_the_top_of_a_broad_peak():
    fps = 240.0
    t = np.arange(121) / fps
    # a broad peak (curvature 0.08 px per frame squared, as the ankle's forward swing at
    # 240 fps), its top at 0.2521 s (sample 60.5)
    frames = t * fps - 60.5
    y = 50.0 - 0.08 * frames ** 2
    assert window_peak_time(y, t, 0.0, 0.5, top_band=4.5) == pytest.approx(0.2521, abs=1e-4)
    # 1.5 px too high 3.5 frames before the top (a landmark's error): the top sample
    # moves there, and with it the three-sample time (3.3 frames early); the band's fit 0.15 frame
    bumped = y.copy()
    bumped[57] += 1.5
    t3 = window_extreme(bumped, t, 0.0, 0.5)[0]
    assert abs(t3 * fps - 60.5) > 3.0
    assert abs(window_peak_time(bumped, t, 0.0, 0.5, top_band=4.5) * fps - 60.5) < 0.5
    # a band thinner than one sample's drop: the three samples around the top, as window_extreme
    assert window_peak_time(y, t, 0.0, 0.5, top_band=0.0) == pytest.approx(window_extreme(y, t, 0.0, 0.5)[0])
    # no interior peak: NaN, as window_extreme
    assert np.isnan(window_peak_time(t, t, 0.0, 0.5, top_band=4.5))


def test_positive_time_fraction_places_the_crossing_between_samples():
    t = np.arange(11) / 10.0
    assert positive_time_fraction(t - 0.25, t, 0.0, 1.0) == pytest.approx(0.75, abs=1e-3)
    assert np.isnan(positive_time_fraction(t - 0.25, t, 0.0, 1.2))  # beyond the data
    assert np.isnan(positive_time_fraction(t, t, np.nan, 1.0))


def test_step_oscillation_is_the_bounce_peak_to_peak():
    t = np.arange(26) / 100.0
    y = 7.0 + 3.0 * np.cos(2 * np.pi * (t - 0.05) / 0.25)
    assert step_oscillation(y, t, 0.0, 0.25) == pytest.approx(6.0, abs=1e-9)
    noisy = y + 0.5 * (-1.0) ** np.arange(26)  # frame-to-frame jitter leaves it nearly alone
    assert step_oscillation(noisy, t, 0.0, 0.25) == pytest.approx(6.0, abs=0.1)
    assert np.ptp(noisy) > 6.8  # where max - min would not


def test_front_of_body_line_follows_the_trunk():
    hip = np.zeros(2)
    assert front_of_body_line(np.array([3.0, -10.0]), hip, 0.0) == pytest.approx(3.0)
    # leaning 10 deg forward, a point straight below the hips is in front of the trunk line
    d = front_of_body_line(np.array([0.0, -10.0]), hip, 10.0)
    assert d == pytest.approx(10.0 * np.sin(np.radians(10.0)))


def test_shoulder_angle_is_relative_to_the_trunk():
    shoulder = np.array([0.0, 0.0])
    # trunk leaning 10 deg: an upper arm along the trunk line (pointing down and back) is 0
    along = np.array([-np.sin(np.radians(10)), -np.cos(np.radians(10))])
    assert shoulder_angle_deg(shoulder, along, 10.0) == pytest.approx(0.0, abs=1e-9)
    assert shoulder_angle_deg(shoulder, np.array([1.0, 0.0]), 10.0) == pytest.approx(100.0)


# -- leg ----------------------------------------------------------------------------------------
def test_knee_lift_height_and_time(times):
    xy = figure(times, thigh={"right": _cos(0.32, 0.5, 70.0)})
    m = _mech(times, xy)
    kin = step_kinematics(angle_series(xy, NAMES), xy, NAMES, times, CONTACTS, LEG)
    assert kin["thigh_front_max_deg"][0] == pytest.approx(70.0)
    assert m["knee_height_max_leg"][0] == pytest.approx(-THIGH * np.cos(np.radians(70.0)) / LEG)
    assert m["knee_lift_t_s"][0] == pytest.approx(0.32, abs=1e-9)
    assert np.isnan(m["knee_height_max_leg"][2])  # last row: no next touchdown, no step window
    assert np.isnan(kin["thigh_front_max_deg"][2])  # likewise the knee lift (not the stance's max)
    # a missed contact (the same foot twice): the window would span two steps, so no value
    missed = [CONTACTS[0], CONTACTS[2]]
    kin = step_kinematics(angle_series(xy, NAMES), xy, NAMES, times, missed, LEG)
    assert np.isnan(kin["thigh_front_max_deg"]).all()


def test_thigh_at_toe_off_and_separation_at_touchdown(times):
    # 25 deg at TD (0.20 s), most extended (-25 deg) at TO (0.30 s)
    left = lambda t: -25.0 + 5000.0 * (t - 0.30) ** 2  # noqa: E731
    xy = figure(times, thigh={"left": left, "right": _cos(0.32, 0.5, 70.0)})
    m = _mech(times, xy)
    assert m["thigh_to_deg"][0] == pytest.approx(-25.0)
    # The extreme is taken within 60 ms of toe-off: a toe-off found 30 ms early gives the same.
    early = [dataclasses.replace(c, toeoff_s=c.toeoff_s - 0.03) if i == 0 else c for i, c in enumerate(CONTACTS)]
    assert _mech(times, xy, contacts=early)["thigh_to_deg"][0] == pytest.approx(-25.0)
    # A thigh still moving at the window's ends shows no extreme: missing, not guessed.
    still_moving = figure(times, thigh={"left": lambda t: 25.0 - 500.0 * (t - 0.20), "right": 0.0})
    assert np.isnan(_mech(times, still_moving)["thigh_to_deg"][0])
    right_at_td = 70.0 * np.cos(2 * np.pi * (0.20 - 0.32) / 0.5)
    assert m["thigh_separation_td_deg"][0] == pytest.approx(25.0 - right_at_td)


def test_knee_and_shin_at_touchdown(times):
    xy = figure(times, thigh={"left": 25.0}, knee={"left": 150.0})
    kin = step_kinematics(angle_series(xy, NAMES), xy, NAMES, times, CONTACTS, LEG)
    assert kin["knee_td_deg"][0] == pytest.approx(150.0)
    assert kin["shin_td_deg"][0] == pytest.approx(25.0 - 30.0)  # thigh angle minus knee flexion


def test_touchdown_distance_in_legs_and_metres(times):
    xy = figure(times, hip_x=lambda t: 1000.0 * t, thigh={"left": 25.0}, knee={"left": 150.0})
    ankle_x = THIGH * np.sin(np.radians(25.0)) + SHANK * np.sin(np.radians(-5.0))
    expected_px = ankle_x - 5.0  # the heel is the rear-most point, 5 px behind the ankle
    kin = step_kinematics(angle_series(xy, NAMES), xy, NAMES, times, CONTACTS, LEG)
    assert kin["touchdown_distance_leg"][0] == pytest.approx(expected_px / LEG)
    # running right to left (body x = -image x), gates met at columns 1000 then 0, 10 m apart
    calib = from_gates([1000.0, 0.0], 10.0)
    m = _mech(times, xy, calibration=calib, direction=-1)
    assert m["touchdown_distance_m"][0] == pytest.approx(expected_px / 100.0)
    assert np.isnan(_mech(times, xy)["touchdown_distance_m"][0])  # no scale, no metres


def test_trunk_lean_mean_and_pelvis_oscillation(times):
    xy = figure(times, lean_deg=7.0, hip_y=_cos(0.20, 0.25, 3.0, 100.0))
    calib = from_gates([0.0, 1000.0], 10.0)  # 100 px per metre
    m = _mech(times, xy, calibration=calib)
    assert m["trunk_lean_mean_deg"][0] == pytest.approx(7.0)
    assert m["pelvis_oscillation_leg"][0] == pytest.approx(6.0 / LEG, abs=1e-9)
    assert m["pelvis_oscillation_m"][0] == pytest.approx(0.06, abs=1e-9)


def test_front_side_share_of_a_straight_leg(times):
    # straight left leg, upright trunk: the ankle is in front while the thigh angle is > 0
    xy = figure(times, thigh={"left": _cos(0.20, 0.5, 40.0, 30.0)})
    m = _mech(times, xy)
    # 30 + 40 cos(x) > 0  <=>  cos(x) > -0.75: a share acos(-0.75) / pi of the cycle
    assert m["front_side_share"][0] == pytest.approx(np.arccos(-0.75) / np.pi, abs=2e-3)
    assert np.isnan(m["front_side_share"][1])  # the right leg's next touchdown is not in the list


def test_heel_recovery(times):
    def thigh(t):
        return np.where(t < 0.4, 0.0, 60.0 * np.sin(np.pi * np.clip(t - 0.4, 0, 0.4) / 0.4))

    def knee(t):
        fold = 130.0 * np.sin(np.pi * np.clip(t - 0.3, 0, 0.2) / 0.2)
        return 180.0 - fold  # folds to 50 deg at 0.40 s, while the thigh is still vertical

    xy = figure(times, thigh={"left": thigh}, knee={"left": knee})
    m = _mech(times, xy)
    assert m["knee_swing_min_deg"][0] == pytest.approx(50.0)
    shin = np.radians(0.0 - 130.0)
    heel_x = SHANK * np.sin(shin) - 5.0
    heel_y = -THIGH + -SHANK * np.cos(shin) - 4.0
    assert m["heel_recovery_t_s"][0] == pytest.approx(0.40, abs=0.005)  # sub-frame: the thigh starts to rise
    assert m["heel_recovery_height_leg"][0] == pytest.approx(heel_y / LEG)
    assert m["heel_recovery_x_leg"][0] == pytest.approx(heel_x / LEG)


def test_rolling_percentile_pools_columns_within_the_window():
    t = np.arange(11) / 10.0
    v = np.stack([np.arange(11.0), 100.0 + np.arange(11.0)], axis=1)
    out = rolling_percentile(v, t, 0.1, 50.0, min_samples=2)
    # sample 5: values 4, 5, 6 and 104, 105, 106 -> median (6 + 104) / 2
    assert out[5] == pytest.approx(55.0)
    assert out[0] == pytest.approx((1.0 + 100.0) / 2)  # window cut at the clip's start: 0, 1, 100, 101
    assert rolling_percentile(t, t, 0.1, 100.0, min_samples=3)[5] == pytest.approx(0.6)  # max of 0.4-0.6
    assert np.isnan(rolling_percentile(t, t, 0.1, 100.0)[5])  # 3 values: fewer than 5
    gaps = np.full(11, np.nan)
    gaps[5] = 1.0
    assert np.isnan(rolling_percentile(gaps, t, 0.1, 50.0, min_samples=2)).all()


def test_knee_angle_from_lengths_is_the_law_of_cosines():
    hip = np.zeros((5, 2))
    ankle = np.array([[50.0, 0.0], [0.0, -50.0 * np.sqrt(2.0)], [0.0, -100.0], [0.0, -120.0], [np.nan, 0.0]])
    k = knee_angle_from_lengths(hip, ankle, 50.0, 50.0)
    # equilateral triangle; right isosceles; straight leg; beyond reach (straight); missing
    np.testing.assert_allclose(k[:4], [60.0, 90.0, 180.0, 180.0], atol=1e-6)
    assert np.isnan(k[4])
    # 3-4-5 triangle: the angle between the sides 3 and 4 is 90 deg
    assert knee_angle_from_lengths(np.zeros(2), np.array([5.0, 0.0]), 3.0, 4.0) == pytest.approx(90.0)


def _pulled_in_knee(times):
    """The heel-recovery figure of :func:`test_heel_recovery`, with the left knee landmark moved
    30% of the way to the hip-ankle midpoint in the 5 frames around the deepest fold (0.38-0.42
    s), as the pose model draws a deeply bent knee: hip and ankle stay where they are."""
    def thigh(t):
        return np.where(t < 0.4, 0.0, 60.0 * np.sin(np.pi * np.clip(t - 0.4, 0, 0.4) / 0.4))

    def knee(t):
        return 180.0 - 130.0 * np.sin(np.pi * np.clip(t - 0.3, 0, 0.2) / 0.2)

    xy = figure(times, thigh={"left": thigh}, knee={"left": knee})
    hip, kn, ankle = (NAMES.index(f"left_{j}") for j in ("hip", "knee", "ankle"))
    rows = slice(38, 43)
    xy[rows, kn] += 0.3 * ((xy[rows, hip] + xy[rows, ankle]) / 2 - xy[rows, kn])
    return xy


def test_segment_lengths_ignore_shortened_frames(times):
    xy = _pulled_in_knee(times)
    thigh, shank = leg_segment_lengths(xy, NAMES, times)
    # 5 of the 202 (both legs') lengths in any window are short: the 90th percentile is the
    # segments' length
    np.testing.assert_allclose(thigh, THIGH)
    np.testing.assert_allclose(shank, SHANK)


def test_heel_recovery_knee_from_the_hip_ankle_distance(times):
    xy = _pulled_in_knee(times)
    landmark = angle_series(xy, NAMES)["left_knee_deg"]
    # at 0.40 s the knee is folded to 50 deg with 50 px segments: hip and ankle are
    # 2 * 50 sin 25 = 42.3 px apart and the knee 50 cos 25 = 45.3 px off their midpoint;
    # moved to 0.7 * 45.3 = 31.7 px, the landmark angle opens to 2 atan(21.1 / 31.7) = 67.3 deg
    half = 50.0 * np.sin(np.radians(25.0))
    off = 0.7 * 50.0 * np.cos(np.radians(25.0))
    assert landmark[40] == pytest.approx(2 * np.degrees(np.arctan2(half, off)), abs=1e-6)
    assert landmark[40] == pytest.approx(67.34, abs=0.01)
    constrained = length_constrained_knee_deg(xy, NAMES, times)["left"]
    assert constrained[40] == pytest.approx(50.0, abs=1e-6)
    assert _mech(times, xy)["knee_swing_min_deg"][0] == pytest.approx(50.0, abs=1e-6)


# -- arms ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("lag_s", [0.0, 0.02])
def test_arm_extremes_and_timing(times, lag_s):
    peak = 0.32 + lag_s
    xy = figure(
        times, lean_deg=10.0, thigh={"right": _cos(0.32, 0.5, 70.0)},
        shoulder={"left": _cos(peak, 0.5, 60.0), "right": _cos(peak, 0.5, -60.0)},
        elbow={"left": _cos(peak, 0.5, -20.0, 90.0), "right": _cos(peak, 0.5, 20.0, 90.0)},
    )
    m = _mech(times, xy)
    assert m["shoulder_front_deg"][0] == pytest.approx(60.0)
    assert m["elbow_front_deg"][0] == pytest.approx(70.0)
    assert m["shoulder_back_deg"][0] == pytest.approx(-60.0)
    assert m["elbow_back_deg"][0] == pytest.approx(110.0)
    assert m["arm_timing_s"][0] == pytest.approx(lag_s, abs=1e-9)
    assert m["arm_front_t_s"][0] == pytest.approx(peak, abs=1e-9)


# -- run level ----------------------------------------------------------------------------------
def test_per_leg_summaries_belong_to_the_limb():
    steps = {
        "foot": np.array(["left", "right", "left", "right"], dtype=object),
        "thigh_front_max_deg": np.array([70.0, 60.0, 72.0, np.nan]),  # lifted by the other leg
        "touchdown_distance_leg": np.array([0.2, 0.3, 0.4, 0.5]),
        "trunk_lean_mean_deg": np.array([5.0, 6.0, 7.0, 8.0]),
        "elbow_front_deg": np.array([70.0, 80.0, 72.0, 82.0]),
        "elbow_back_deg": np.array([110.0, 100.0, 112.0, 102.0]),
        "shoulder_front_deg": np.array([60.0, 50.0, 62.0, 52.0]),
        "shoulder_back_deg": np.array([-40.0, -45.0, -42.0, -47.0]),
        "arm_timing_s": np.array([0.01, -0.01, 0.03, np.nan]),
    }
    mech = mechanics_summary(steps)
    assert mech["thigh_front_max_deg"]["right"] == pytest.approx(71.0)  # rows 1 and 3: right leg lifts
    assert mech["thigh_front_max_deg"]["left"] == pytest.approx(60.0)
    assert mech["thigh_front_max_deg"]["n"] == 3
    assert mech["touchdown_distance_leg"]["left"] == pytest.approx(0.3)
    assert mech["trunk_lean_mean_deg"]["mean"] == pytest.approx(6.5)
    assert mech["trunk_lean_mean_deg"]["sd"] == pytest.approx(np.std([5, 6, 7, 8], ddof=1))
    angles = {"left_elbow_deg": np.array([60.0, 120.0]), "right_elbow_deg": np.array([80.0, np.nan])}
    arms = arms_summary(steps, angles)
    assert arms["left"]["elbow_front_deg"] == pytest.approx(71.0)   # left rows
    assert arms["left"]["elbow_back_deg"] == pytest.approx(101.0)   # right rows: left arm behind
    assert arms["left"]["shoulder_range_deg"] == pytest.approx(61.0 - (-46.0))
    assert arms["right"]["elbow_max_deg"] == 80.0 and arms["left"]["elbow_min_deg"] == 60.0
    assert arms["arm_timing_s"]["mean"] == pytest.approx(0.01)
    assert list(column_side(["left", "right"], "elbow_back_deg")) == ["right", "left"]
    assert list(column_side(["left"], "trunk_lean_mean_deg")) == [None]
    assert list(column_side(["left"], "thigh_separation_td_deg")) == ["left"]  # at this foot's touchdown


def test_withhold_far_side_blanks_the_far_limbs_rows():
    steps = {"foot": np.array(["left", "right", "left"], dtype=object),
             "knee_td_deg": np.array([160.0, 165.0, 170.0]),          # stance leg
             "thigh_front_max_deg": np.array([70.0, 75.0, 72.0])}     # swing leg: not in the list
    out = withhold_far_side(steps, "right", columns=("knee_td_deg", "thigh_front_max_deg", "absent_deg"))
    assert set(out) == {"knee_td_deg", "thigh_front_max_deg"}
    np.testing.assert_array_equal(out["knee_td_deg"], [np.nan, 165.0, np.nan])
    # the swing leg of a left contact is the right (near) leg: kept there, blanked on right rows
    np.testing.assert_array_equal(out["thigh_front_max_deg"], [70.0, np.nan, 72.0])
    assert steps["knee_td_deg"][0] == 160.0  # not changed in place
    assert set(withhold_far_side(steps, "left")) == {"knee_td_deg"}  # default list, where present
    with pytest.raises(ValueError):
        withhold_far_side(steps, "near")


def test_no_contacts_or_no_leg_gives_nan(times):
    xy = figure(times)
    assert all(len(v) == 0 for v in _mech(times, xy, contacts=[]).values())
    out = step_mechanics(angle_series(xy, NAMES), xy, NAMES, times, CONTACTS, float("nan"))
    assert all(np.isnan(v).all() for v in out.values())


def test_missing_samples_withhold_window_values(times):
    xy = figure(times, thigh={"right": _cos(0.32, 0.5, 70.0)})
    xy[25:45] = np.nan  # most of the first step missing
    m = _mech(times, xy)
    kin = step_kinematics(angle_series(xy, NAMES), xy, NAMES, times, CONTACTS, LEG)
    assert np.isnan(m["knee_height_max_leg"][0]) and np.isnan(kin["thigh_front_max_deg"][0])
    assert FPS == 100.0
