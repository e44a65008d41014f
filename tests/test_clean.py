"""Trajectory cleaning on analytic data: masking, outliers, gaps, low-pass, swaps, body frame."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from sprintcv import clean
from sprintcv.clean import (
    CleanReport,
    apply_swaps,
    arm_groups,
    clean_trajectory,
    correct_left_right_swaps,
    default_cutoff_hz,
    direction_name,
    estimate_direction,
    fill_gaps,
    leg_groups,
    lowpass,
    mask_low_visibility,
    reject_outliers,
    to_body_frame,
)
from sprintcv.errors import AnalysisError
from sprintcv.joints import MEDIAPIPE_JOINTS
from sprintcv.trajectory import Trajectory

NAMES = MEDIAPIPE_JOINTS
IDX = {n: i for i, n in enumerate(NAMES)}
LEGS = leg_groups(NAMES)[0]


# -- analytic generators ---------------------------------------------------------------------
def sprint_foot(fps: float, duration_s: float = 4.0, noise_px: float = 0.0, seed: int = 0):
    """Image-plane foot of a runner at 9 m/s (200 px/m), stance 0.1 s, swing 0.35 s.

    In stance the foot is still; in swing it covers two steps with a bell-shaped velocity
    profile, peaking at ~4800 px/s (about 2.7x body speed) and rising 0.6 m with an
    asymmetric (kinked at toe-off) profile.
    """
    t = np.arange(0.0, duration_s, 1.0 / fps)
    stance, swing, speed, px_m = 0.1, 0.35, 9.0, 200.0
    cycle = stance + swing
    phase, k = t % cycle, np.floor(t / cycle)
    s = np.clip((phase - stance) / swing, 0.0, 1.0)
    in_swing = phase >= stance
    profile = s - np.sin(2 * np.pi * s) / (2 * np.pi)
    x = (k * speed * cycle + np.where(in_swing, speed * cycle * profile, 0.0)) * px_m
    lift = np.sin(np.pi * s) ** 2 * (1 + 0.5 * np.sin(np.pi * s - 0.3))
    y = 500.0 - np.where(in_swing, 0.6 * lift, 0.0) * px_m
    xy = np.stack([x, y], axis=-1)
    if noise_px:
        xy = xy + noise_px * np.random.default_rng(seed).standard_normal(xy.shape)
    return t, xy


def two_legs(fps: float, *, kind: str = "angles", duration_s: float = 4.0, noise_px: float = 0.0,
             seed: int = 0, stride_hz: float = 2.2, speed_px_s: float = 600.0):
    """All 33 joints, legs in antiphase, runner moving left to right (image y down).

    ``kind="angles"``: thigh and shank rotate (feet at different heights at the crossing);
    ``kind="sine"``: the brief's x_foot = x_hip +/- A sin(wt) with equal heights, so the legs
    really coincide at the crossings.
    """
    t = np.arange(0.0, duration_s, 1.0 / fps)
    w = 2 * np.pi * stride_hz
    xy = np.full((t.size, len(NAMES), 2), np.nan)
    hip = np.stack([100.0 + speed_px_s * t, 300.0 + 5.0 * np.sin(2 * w * t)], axis=-1)
    for side, phase, dx in (("left", 0.0, -3.0), ("right", np.pi, 3.0)):
        h = hip + [dx, 0.0]
        if kind == "angles":
            thigh = 0.7 * np.sin(w * t + phase)
            flexion = 0.9 * (1 + np.sin(w * t + phase - np.pi / 2)) / 2 + 0.1
            knee = h + 90.0 * np.stack([np.sin(thigh), np.cos(thigh)], axis=-1)
            shank = thigh - 1.6 * flexion
            ankle = knee + 90.0 * np.stack([np.sin(shank), np.cos(shank)], axis=-1)
        else:
            s = np.sin(w * t + phase)
            knee = h + np.stack([40.0 * s, np.full_like(s, 90.0)], axis=-1)
            ankle = h + np.stack([80.0 * s, np.full_like(s, 180.0)], axis=-1)
        parts = {"hip": h, "knee": knee, "ankle": ankle, "heel": ankle + [-10.0, 5.0],
                 "foot_index": ankle + [20.0, 8.0]}
        for joint, p in parts.items():
            xy[:, IDX[f"{side}_{joint}"]] = p
        arm = 0.6 * np.sin(w * t + phase + np.pi)  # arms swing against the same-side leg
        shoulder = hip + [20.0 + dx, -150.0]
        elbow = shoulder + 60.0 * np.stack([np.sin(arm), np.cos(arm)], axis=-1)
        wrist = elbow + 55.0 * np.stack([np.sin(arm + 1.2), np.cos(arm + 1.2)], axis=-1)
        for joint, p in (("shoulder", shoulder), ("elbow", elbow), ("wrist", wrist),
                         ("pinky", wrist + [4.0, 6.0]), ("index", wrist + [6.0, 4.0]),
                         ("thumb", wrist + [5.0, 0.0])):
            xy[:, IDX[f"{side}_{joint}"]] = p
    for name in NAMES:  # head points: face forward, right of the ears
        if np.isnan(xy[0, IDX[name], 0]):
            ahead = 40.0 if name == "nose" or "eye" in name or "mouth" in name else 25.0
            xy[:, IDX[name]] = hip + [ahead, -205.0]
    truth = xy.copy()
    if noise_px:
        xy = xy + noise_px * np.random.default_rng(seed).standard_normal(xy.shape)
    return t, xy, truth


def inject_swaps(xy, pairs, *, fraction=0.15, max_run=5, seed=0):
    """Swap isolated frames and short runs (1..max_run frames) until ``fraction`` is reached.

    MediaPipe's side-view swaps last about 1-6 frames at 120 fps (measured on the synthetic
    sample clip: runs of at most ~0.05 s), so the tests scale ``max_run`` with the frame rate.
    """
    rng = np.random.default_rng(seed)
    n = xy.shape[0]
    swapped = np.zeros(n, dtype=bool)
    while swapped.mean() < fraction:
        length = int(rng.integers(1, max_run + 1))
        start = int(rng.integers(2, n - length - 2))
        if swapped[max(0, start - 3):start + length + 3].any():
            continue  # keep the runs apart so each one is a separate event
        swapped[start:start + length] = True
    return apply_swaps(xy, pairs, swapped), swapped


def run_frames(fps):
    """Longest injected swap run: 0.05 s of frames, at least 2 (see inject_swaps)."""
    return max(2, int(round(0.05 * fps)))


def group_restored(out, truth, pairs, tol_px):
    """Per frame: every joint of the group within ``tol_px`` of the truth (or missing)."""
    cols = [i for p in pairs for i in p]
    err = np.linalg.norm(out[:, cols, :2] - truth[:, cols, :2], axis=-1)
    return ~np.any(err > tol_px, axis=1)


def sine_fit(t, x, freq_hz):
    """Least-squares amplitude and phase of a sine of known frequency (plus offset)."""
    a = np.stack([np.sin(2 * np.pi * freq_hz * t), np.cos(2 * np.pi * freq_hz * t),
                  np.ones_like(t)], axis=-1)
    (s, c, _), *_ = np.linalg.lstsq(a, x, rcond=None)
    return math.hypot(s, c), math.atan2(c, s)


# -- 1. visibility ---------------------------------------------------------------------------
def test_mask_low_visibility_blanks_exactly_the_unsure_samples():
    xy = np.arange(4 * 3 * 2, dtype=float).reshape(4, 3, 2)
    vis = np.array([[0.9, 0.49, 0.5], [0.1, np.nan, 1.0], [1, 1, 1], [0.0, 0.7, 0.2]])
    out = mask_low_visibility(xy, vis, min_visibility=0.5)
    expect_nan = np.array([[0, 1, 0], [1, 1, 0], [0, 0, 0], [1, 0, 1]], dtype=bool)
    assert np.array_equal(np.isnan(out).all(axis=-1), expect_nan)
    assert np.array_equal(out[~expect_nan], xy[~expect_nan])
    assert not np.isnan(xy).any()  # input untouched
    with pytest.raises(ValueError, match="visibility"):
        mask_low_visibility(xy, vis[:, :2])


# -- 2. outliers -----------------------------------------------------------------------------
@pytest.mark.parametrize("fps", [30, 60, 240])
def test_reject_outliers_removes_spikes_and_nothing_else_on_a_sinusoid(fps):
    t = np.arange(0.0, 4.0, 1.0 / fps)
    rng = np.random.default_rng(fps)
    hip = np.stack([300 * t + 100, 300 + 5 * np.sin(2 * np.pi * 4.4 * t)], axis=-1)
    # a foot: forward sweep at up to ~2x body speed around the hip, 2.2 Hz stride
    w = 2 * np.pi * 2.2
    foot = hip + np.stack([150 * np.sin(w * t), 180 + 40 * np.cos(w * t)], axis=-1)
    xy = np.stack([hip, foot], axis=1) + 0.5 * rng.standard_normal((t.size, 2, 2))
    truth = np.zeros((t.size, 2), dtype=bool)
    frames = rng.choice(np.arange(3, t.size - 3, 5), size=t.size // 25, replace=False)
    for k, f in enumerate(frames):
        joint, axis = k % 2, (k // 2) % 2
        xy[f, joint, axis] += rng.choice([-1, 1]) * rng.uniform(30, 200)
        truth[f, joint] = True
    out, rejected = reject_outliers(xy, t)
    assert np.array_equal(rejected, truth)
    assert np.array_equal(np.isnan(out).all(axis=-1), truth)
    assert np.array_equal(out[~truth], xy[~truth])


@pytest.mark.parametrize("fps", [25, 30, 60, 120, 240])
@pytest.mark.parametrize("noise_px", [0.0, 2.0])
def test_reject_outliers_keeps_fast_genuine_foot_motion(fps, noise_px):
    t, foot = sprint_foot(fps, noise_px=noise_px)
    _, rejected = reject_outliers(foot[:, None, :], t)
    assert not rejected.any()


def test_reject_outliers_catches_short_runs_at_60fps_and_skips_nan():
    t, foot = sprint_foot(60, noise_px=1.0)
    xy = foot[:, None, :].copy()
    xy[50:52, 0, 0] += 80.0   # two-frame glitch
    xy[120, 0, 1] -= 60.0
    xy[200:205] = np.nan      # missing data is neither touched nor reported
    out, rejected = reject_outliers(xy, t)
    assert np.array_equal(np.flatnonzero(rejected[:, 0]), [50, 51, 120])
    assert np.isnan(out[200:205]).all()


def test_reject_outliers_speed_rule_and_irregular_time():
    rng = np.random.default_rng(1)
    t = np.cumsum(rng.uniform(0.8, 1.2, 300)) / 60.0  # VFR around 60 fps
    xy = np.stack([1000 * t, 200 + 0 * t], axis=-1)[:, None, :]  # 1000 px/s steady run
    xy[100, 0, 0] += 150.0
    # statistical rule switched off: only the 3000 px/s jump out and back is caught
    _, rejected = reject_outliers(xy, t, z_thresh=1e9, max_speed_px_s=3000.0)
    assert np.array_equal(np.flatnonzero(rejected[:, 0]), [100])
    _, rejected = reject_outliers(xy, t)
    assert np.array_equal(np.flatnonzero(rejected[:, 0]), [100])


def test_reject_outliers_blanks_depth_with_the_sample():
    t = np.arange(100) / 30.0
    xyz = np.stack([10 * np.arange(100.0), np.full(100, 5.0), np.full(100, -3.0)], -1)[:, None]
    xyz[40, 0, 1] = 500.0
    out, rejected = reject_outliers(xyz, t)
    assert np.flatnonzero(rejected[:, 0]).tolist() == [40]
    assert np.isnan(out[40, 0]).all()


# -- 3. gaps ---------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["pchip", "cubic"])
def test_fill_gaps_is_exact_on_a_linear_signal_with_irregular_time(method):
    rng = np.random.default_rng(2)
    t = np.cumsum(rng.uniform(0.5, 1.5, 60)) / 60.0
    truth = np.stack([3.0 + 250.0 * t, 7.0 - 40.0 * t], axis=-1)[:, None, :]
    xy = truth.copy()
    xy[[10, 11, 30]] = np.nan
    out, filled = fill_gaps(xy, t, max_gap_s=0.2, method=method)
    assert np.allclose(out, truth, atol=1e-9)
    assert np.flatnonzero(filled[:, 0]).tolist() == [10, 11, 30]


def test_fill_gaps_cubic_reproduces_a_cubic():
    t = np.arange(40) / 30.0
    truth = (2 + t - 3 * t**2 + 0.5 * t**3)[:, None, None] * np.ones((1, 1, 2))
    xy = truth.copy()
    xy[17:19] = np.nan
    out, _ = fill_gaps(xy, t, max_gap_s=0.1, method="cubic")
    assert np.allclose(out, truth, atol=1e-9)


def test_fill_gaps_leaves_long_gaps_and_ends_missing():
    t = np.arange(30) / 30.0  # gap length = time between the bounding valid samples
    xy = np.stack([t, t], axis=-1)[:, None, :].copy()
    xy[:2] = np.nan           # leading: never extrapolated
    xy[5:7] = np.nan          # 2 missing frames: 0.1 s gap -> filled
    xy[10:13] = np.nan        # 3 missing frames: 0.133 s gap -> stays
    xy[-2:] = np.nan          # trailing
    out, filled = fill_gaps(xy, t, max_gap_s=0.1)
    assert np.flatnonzero(filled[:, 0]).tolist() == [5, 6]
    assert np.allclose(out[5:7, 0, 0], t[5:7])
    for rows in (slice(0, 2), slice(10, 13), slice(28, 30)):
        assert np.isnan(out[rows]).all()


def test_fill_gaps_treats_a_joint_as_missing_if_any_coordinate_is():
    t = np.arange(10) / 10.0
    xy = np.stack([t, 2 * t, 3 * t], axis=-1)[:, None, :].copy()
    xy[4, 0, 2] = np.nan
    out, filled = fill_gaps(xy, t, max_gap_s=0.25)
    assert filled[4, 0]
    assert np.allclose(out[4, 0], [0.4, 0.8, 1.2])


# -- 4. low-pass -----------------------------------------------------------------------------
FPS = [30, 60, 120, 240]


@pytest.mark.parametrize("fps", FPS)
def test_lowpass_passes_a_slow_sine_without_lag(fps):
    t = np.arange(0.0, 4.0, 1.0 / fps)
    x = 50.0 * np.sin(2 * np.pi * 2.0 * t + 0.3)
    y = lowpass(x, t, cutoff_hz=10.0)
    mid = (t > 0.5) & (t < 3.5)  # away from the edge transients
    amp, phase = sine_fit(t[mid], y[mid], 2.0)
    assert abs(amp / 50.0 - 1.0) < 0.01
    lag_samples = abs(phase - 0.3) / (2 * np.pi * 2.0) * fps
    assert lag_samples < 0.01
    peaks = lambda s: np.flatnonzero((s[1:-1] > s[:-2]) & (s[1:-1] >= s[2:]))  # noqa: E731
    assert np.array_equal(peaks(y[mid]), peaks(x[mid]))


@pytest.mark.parametrize("fps", FPS)
def test_lowpass_same_cutoff_same_response_at_every_frame_rate(fps):
    t = np.arange(0.0, 6.0, 1.0 / fps)
    cutoff = 4.0
    gains = {}
    for f in (1.0, cutoff, 12.0):  # 12 Hz is below Nyquist even at 30 fps
        y = lowpass(np.sin(2 * np.pi * f * t), t, cutoff)
        mid = (t > 1.5) & (t < 4.5)
        gains[f] = sine_fit(t[mid], y[mid], f)[0]
    assert gains[1.0] > 0.99
    assert abs(gains[cutoff] - 0.5) < 0.01  # -6 dB at the cut-off: two passes of -3 dB
    assert gains[12.0] < 0.1                # attenuated > 90 %


def test_lowpass_attenuates_well_above_cutoff():
    t = np.arange(0.0, 3.0, 1.0 / 240)
    slow, fast = np.sin(2 * np.pi * 1.5 * t), np.sin(2 * np.pi * 40.0 * t)
    y = lowpass(slow + fast, t, cutoff_hz=8.0)
    mid = (t > 0.5) & (t < 2.5)
    assert sine_fit(t[mid], y[mid], 40.0)[0] < 0.01
    assert abs(sine_fit(t[mid], y[mid], 1.5)[0] - 1.0) < 0.01


def test_lowpass_resamples_irregular_timestamps():
    rng = np.random.default_rng(3)
    t = np.cumsum(rng.uniform(0.7, 1.3, 480)) / 120.0  # VFR around 120 fps
    x = np.sin(2 * np.pi * 2.0 * t) + 0.5 * np.sin(2 * np.pi * 30.0 * t)
    y = lowpass(x, t, cutoff_hz=8.0)
    mid = (t > 0.5) & (t < t[-1] - 0.5)
    assert abs(sine_fit(t[mid], y[mid], 2.0)[0] - 1.0) < 0.01
    assert sine_fit(t[mid], y[mid], 30.0)[0] < 0.05  # from 0.5: > 90 % gone
    # a 2 Hz sine alone comes back on the original (irregular) times
    y2 = lowpass(np.sin(2 * np.pi * 2.0 * t), t, cutoff_hz=8.0)
    assert np.max(np.abs(y2[mid] - np.sin(2 * np.pi * 2.0 * t[mid]))) < 0.01


def test_lowpass_keeps_nan_and_filters_segments_separately():
    t = np.arange(0.0, 3.0, 1.0 / 60)
    rng = np.random.default_rng(4)
    x = np.sin(2 * np.pi * 1.0 * t)[:, None, None] + 0.2 * rng.standard_normal((t.size, 2, 2))
    x[60:70, 0] = np.nan           # joint 0 split in two
    x[100:103, 1, :] = np.nan      # joint 1 split, leaving a 5-sample segment next
    x[108:170, 1, :] = np.nan
    y = lowpass(x, t, cutoff_hz=6.0)
    assert np.array_equal(np.isnan(y), np.isnan(x))
    seg = lowpass(x[:60, 0, 0], t[:60], cutoff_hz=6.0)
    assert np.allclose(y[:60, 0, 0], seg)  # first segment: as if filtered on its own
    assert np.isfinite(y[103:108, 1]).all()  # the short segment still gets a finite result
    assert np.std(np.diff(y[:60, 0, 0])) < np.std(np.diff(x[:60, 0, 0]))


def test_lowpass_short_segments_and_shapes():
    t = np.arange(10) / 30.0
    x = np.array([1.0, np.nan, 2.0, 3.0, np.nan, 4.0, 5.0, 6.0, 7.0, np.nan])
    y = lowpass(x, t, cutoff_hz=3.0)
    assert y[0] == 1.0 and y[2] == 2.0 and y[3] == 3.0  # segments of < 3 samples untouched
    assert np.isfinite(y[5:9]).all()


@pytest.mark.parametrize("fps, cutoff", [(30, 13.5), (30, 20.0), (60, 27.0)])
def test_lowpass_returns_input_at_or_above_0p9_nyquist(fps, cutoff):
    t = np.arange(50) / fps
    x = np.random.default_rng(5).standard_normal((50, 3, 2))
    y = lowpass(x, t, cutoff_hz=cutoff)
    assert np.array_equal(y, x)
    assert y is not x


def test_lowpass_rejects_nonpositive_cutoff():
    with pytest.raises(ValueError):
        lowpass(np.zeros(10), np.arange(10.0), 0.0)


def test_default_cutoff_is_12hz_capped_below_nyquist():
    assert default_cutoff_hz(240.0) == 12.0
    assert default_cutoff_hz(30.0) == pytest.approx(12.0)
    assert default_cutoff_hz(25.0) == pytest.approx(10.0)
    assert default_cutoff_hz(25.0) < 0.9 * 25.0 / 2


# -- 5. left/right swaps ---------------------------------------------------------------------
def test_limb_groups_use_joint_names():
    legs, arms = leg_groups(NAMES), arm_groups(NAMES)
    assert [g.name for g in legs] == ["legs"] and [g.name for g in arms] == ["arms"]
    assert legs[0].pairs[0] == (IDX["left_hip"], IDX["right_hip"])
    assert legs[0].pairs[-1] == (IDX["left_foot_index"], IDX["right_foot_index"])
    assert len(legs[0].pairs) == 5 and len(arms[0].pairs) == 6
    assert legs[0].weights[0] < legs[0].weights[2]  # hips carry little, ankles most
    partial = ("left_knee", "right_knee", "nose")
    assert leg_groups(partial)[0].pairs == ((0, 1),)
    assert leg_groups(("nose",)) == [] and arm_groups(("nose",)) == []


def test_apply_swaps_exchanges_whole_group_in_flagged_frames():
    vis = np.arange(3 * 4, dtype=float).reshape(3, 4)
    out = apply_swaps(vis, [(0, 1), (2, 3)], np.array([False, True, False]))
    assert out[1].tolist() == [5.0, 4.0, 7.0, 6.0]
    assert np.array_equal(out[[0, 2]], vis[[0, 2]])


@pytest.mark.parametrize("fps", [30, 60, 120])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_swap_correction_restores_injected_swaps(fps, seed):
    t, xy, truth = two_legs(fps, noise_px=2.0, seed=seed)
    bad, injected = inject_swaps(xy, LEGS.pairs, seed=seed, max_run=run_frames(fps))
    assert 0.15 <= injected.mean() < 0.2
    out, swapped = correct_left_right_swaps(bad, LEGS.pairs, weights=LEGS.weights, t_s=t)
    assert np.mean(swapped == injected) >= 0.98
    assert np.mean(group_restored(out, truth, LEGS.pairs, tol_px=15.0)) >= 0.98
    others = [j for j in range(len(NAMES)) if j not in {i for p in LEGS.pairs for i in p}]
    assert np.array_equal(out[:, others], bad[:, others])


@pytest.mark.parametrize("fps", [30, 60, 120])
def test_swap_correction_on_antiphase_sines_with_ambiguous_crossings(fps):
    # x_foot = x_hip +/- A sin(wt), equal heights: at the crossings the labels are ambiguous,
    # so success is judged on positions (a "wrong" label where the legs coincide is harmless)
    t, xy, truth = two_legs(fps, kind="sine", noise_px=2.0, seed=fps)
    bad, _ = inject_swaps(xy, LEGS.pairs, seed=fps, max_run=run_frames(fps))
    out, _ = correct_left_right_swaps(bad, LEGS.pairs, weights=LEGS.weights, t_s=t)
    assert np.mean(group_restored(out, truth, LEGS.pairs, tol_px=15.0)) >= 0.98


@pytest.mark.parametrize("kind", ["angles", "sine"])
def test_swap_correction_leaves_clean_data_alone(kind):
    for fps in (30, 60, 240):
        t, xy, _ = two_legs(fps, kind=kind, noise_px=3.0, seed=7)
        for group in (LEGS, arm_groups(NAMES)[0]):
            out, swapped = correct_left_right_swaps(xy, group.pairs, weights=group.weights, t_s=t)
            assert not swapped.any()
            assert np.array_equal(out, xy, equal_nan=True)


def test_swap_correction_handles_missing_frames_and_joints():
    t, xy, truth = two_legs(60, noise_px=2.0, seed=11)
    bad, _ = inject_swaps(xy, LEGS.pairs, seed=11)
    rng = np.random.default_rng(11)
    bad[rng.random(t.size) < 0.05] = np.nan            # whole frames lost
    bad[rng.random(bad.shape[:2]) < 0.05] = np.nan     # single joints lost
    bad[100:104] = np.nan                              # a 4-frame hole resets the prediction
    out, swapped = correct_left_right_swaps(bad, LEGS.pairs, weights=LEGS.weights, t_s=t)
    ok = group_restored(out, truth, LEGS.pairs, tol_px=15.0)
    assert np.mean(ok) >= 0.98
    assert not swapped[np.isnan(bad[:, [i for p in LEGS.pairs for i in p]]).all(axis=(1, 2))].any()
    assert np.array_equal(np.isnan(out).sum(), np.isnan(bad).sum())


def test_swap_correction_arms_and_depth_and_visibility():
    t, xy, truth = two_legs(60, noise_px=1.0, seed=5)
    arms = arm_groups(NAMES)[0]
    depth = np.where(np.array(["left" in n for n in NAMES]), 10.0, -10.0)
    xyz = np.concatenate([xy, np.broadcast_to(depth[None, :, None], xy.shape[:2] + (1,))], -1)
    bad, injected = inject_swaps(xyz, arms.pairs, seed=5)
    vis = np.broadcast_to(np.linspace(0.6, 1.0, len(NAMES)), xy.shape[:2])
    seen_vis = apply_swaps(vis, arms.pairs, injected)
    out, swapped = correct_left_right_swaps(bad, arms.pairs, weights=arms.weights,
                                            visibility=seen_vis, t_s=t)
    assert np.mean(swapped == injected) >= 0.98
    assert np.mean(out[:, IDX["left_wrist"], 2] == 10.0) >= 0.98  # depth travels with the joint


def test_swap_correction_trivial_inputs():
    xy = np.zeros((1, 4, 2))
    out, swapped = correct_left_right_swaps(xy, [(0, 1)])
    assert swapped.tolist() == [False]
    out, swapped = correct_left_right_swaps(np.zeros((5, 4, 2)), [])
    assert not swapped.any()
    with pytest.raises(ValueError, match="weights"):
        correct_left_right_swaps(np.zeros((5, 4, 2)), [(0, 1)], weights=[1.0, 2.0])


# -- 6. body frame ---------------------------------------------------------------------------
def test_to_body_frame_flips_signs_only():
    xy = np.array([[[10.0, 20.0], [-5.0, 7.0]]])
    body, d = to_body_frame(xy, +1)
    assert d == 1 and np.array_equal(body, [[[10.0, -20.0], [-5.0, -7.0]]])
    body, d = to_body_frame(xy, "right_to_left")
    assert d == -1 and np.array_equal(body, [[[-10.0, -20.0], [5.0, -7.0]]])
    xyz = np.array([[1.0, 2.0, 3.0]])
    assert np.array_equal(to_body_frame(xyz, 1)[0], [[1.0, -2.0, -3.0]])
    assert np.array_equal(to_body_frame(xyz, -1)[0], [[-1.0, -2.0, 3.0]])
    # a proper rotation in both cases (det +1): the body frame stays right-handed
    for d in (1, -1):
        assert np.linalg.det(to_body_frame(np.eye(3), d)[0]) == pytest.approx(1.0)


def test_to_body_frame_forward_and_up():
    t, xy, _ = two_legs(60)
    for flip in (1, -1):
        img = xy * [flip, 1.0]  # a mirrored clip runs right to left
        body, d = to_body_frame(img, joint_names=NAMES)
        assert d == flip
        hip = body[:, IDX["left_hip"]]
        assert hip[-1, 0] > hip[0, 0]                                  # forward is +x
        assert np.all(body[:, IDX["nose"], 1] > body[:, IDX["left_ankle"], 1])  # head up


def test_direction_from_travel_and_from_face_on_a_treadmill():
    t, xy, _ = two_legs(60, speed_px_s=0.0)   # treadmill: no travel
    assert estimate_direction(xy, NAMES) == 1  # nose ahead of the ears
    assert estimate_direction(xy * [-1.0, 1.0], NAMES) == -1
    t, xy, _ = two_legs(60)
    assert estimate_direction(xy) == 1         # no names: mean of all joints
    moving_back = xy.copy()
    moving_back[..., 0] = 2000 - xy[..., 0]
    assert estimate_direction(moving_back) == -1


def test_direction_undecidable_raises():
    xy = np.zeros((10, 2, 2))
    xy[:, 1, 1] = 100.0
    with pytest.raises(AnalysisError):
        estimate_direction(xy)
    with pytest.raises(AnalysisError):
        to_body_frame(xy)


def test_direction_names():
    assert direction_name(1) == "left_to_right" and direction_name(-1) == "right_to_left"
    with pytest.raises(ValueError):
        direction_name(0)
    with pytest.raises(ValueError):
        to_body_frame(np.zeros((1, 1, 2)), "up")


# -- 7. the chain ----------------------------------------------------------------------------
def _traj(fps=60, **kw):
    t, xy, truth = two_legs(fps, noise_px=1.0, seed=3, **kw)
    vis = np.full(xy.shape[:2], 0.9)
    return t, xy, truth, vis


def test_clean_trajectory_end_to_end():
    t, xy, truth, vis = _traj()
    bad, injected = inject_swaps(xy, LEGS.pairs, seed=3, fraction=0.1)
    vis = apply_swaps(vis, LEGS.pairs, injected)
    knee = IDX["right_knee"]
    # low visibility -> masked, then filled (in frames the swap correction leaves alone)
    k = next(k for k in range(30, t.size) if not injected[k - 2:k + 5].any())
    vis[k:k + 3, knee] = 0.2
    bad[150, IDX["nose"], 1] += 120.0       # a spike -> rejected, then filled
    bad[180:200, IDX["left_wrist"]] = np.nan  # long gap -> stays missing
    traj = Trajectory(coords=bad, visibility=vis, t_s=t, joint_names=NAMES,
                      frame_index=np.arange(t.size), meta={"source": "synthetic"})
    out, report = clean_trajectory(traj)

    assert isinstance(report, CleanReport)
    assert report.n_low_visibility == 3
    assert report.n_outliers >= 1
    assert report.swapped_frames["legs"] >= int(0.98 * injected.sum())
    assert report.swapped_frames["arms"] == 0
    assert report.cutoff_hz == 12.0 and report.filter_order == 2
    assert report.direction == 1 and report.direction_name == "left_to_right"
    assert report.n_missing == 20
    json.dumps(report.to_dict())  # serialisable

    assert out.meta == traj.meta and out.joint_names == NAMES
    assert np.isnan(out.coords[180:200, IDX["left_wrist"]]).all()
    assert np.all(out.visibility[180:200, IDX["left_wrist"]] == 0.0)
    assert np.all(out.visibility[k:k + 3, knee] == clean.FILLED_VISIBILITY)
    assert out.visibility[150, IDX["nose"]] == clean.FILLED_VISIBILITY
    assert np.all(out.visibility[60, :] == 0.9)
    restored = group_restored(out.coords, truth, LEGS.pairs, tol_px=15.0)
    assert np.mean(restored) >= 0.98
    assert abs(out.coords[150, IDX["nose"], 1] - truth[150, IDX["nose"], 1]) < 5.0


def test_clean_trajectory_cutoff_and_switches():
    t, xy, _, vis = _traj(fps=30)
    traj = Trajectory(coords=xy, visibility=vis, t_s=t, joint_names=NAMES,
                      frame_index=np.arange(t.size))
    out, report = clean_trajectory(traj, cutoff_hz=math.inf, correct_swaps=False,
                                   direction="right_to_left")
    assert report.cutoff_hz is None and report.notes
    assert report.swapped_frames == {}
    assert report.direction == -1
    assert np.allclose(out.coords, xy)  # nothing to mask, reject, fill or filter
    _, report = clean_trajectory(traj)
    assert report.cutoff_hz == pytest.approx(12.0)  # 0.8 x Nyquist at 30 fps
