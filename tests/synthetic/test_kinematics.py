"""Planar sprint model: planted stance foot, exact events, rigid segments, angle conventions."""

from __future__ import annotations

import numpy as np
import pytest

from sprintcv.joints import MEDIAPIPE_JOINTS
from sprintcv.synthetic.kinematics import (
    GaitParams,
    contact_events,
    gait_events,
    hip_crossing_time,
    hip_x,
    simulate,
)

PARAMS = [
    GaitParams(),
    GaitParams(speed_mps=7.5, step_frequency_hz=4.0, contact_s=0.13, body_height_m=1.70, phase=0.37),
    GaitParams(speed_mps=10.0, step_frequency_hz=4.8, contact_s=0.095, body_height_m=1.90, phase=0.8, start_x_m=-3.0),
]


def _dense(p: GaitParams, strides: float = 2.0, n: int = 6001) -> np.ndarray:
    return np.linspace(-0.3, -0.3 + strides * p.stride_period_s, n)


@pytest.mark.parametrize("p", PARAMS)
def test_all_mediapipe_joints_present(p: GaitParams) -> None:
    r = simulate(np.array([0.0, 0.1]), p)
    assert tuple(r["joints"]) == MEDIAPIPE_JOINTS
    for xy in r["joints"].values():
        assert xy.shape == (2, 2)
        assert np.all(np.isfinite(xy))


@pytest.mark.parametrize("p", PARAMS)
def test_stance_toe_is_planted_on_the_ground(p: GaitParams) -> None:
    for c in contact_events(p, 0.0, 1.5):
        t = np.linspace(c["touchdown_s"], c["toeoff_s"], 301)[:-1]  # toe-off itself is swing
        r = simulate(t, p)
        toe = r["joints"][f"{c['foot']}_foot_index"]
        assert np.all(r["stance"][c["foot"]])
        assert np.ptp(toe[:, 0]) < 1e-9
        assert np.max(np.abs(toe[:, 1])) < 1e-12
        assert toe[0, 0] == pytest.approx(c["touchdown_x_m"], abs=1e-9)
        # forefoot strike: heel off the ground at touchdown, rising before toe-off
        heel_y = r["joints"][f"{c['foot']}_heel"][:, 1]
        assert np.all(heel_y > 0)
        assert heel_y[-1] > heel_y[len(heel_y) // 2] + 0.1


@pytest.mark.parametrize("p", PARAMS)
def test_touchdown_ahead_of_hip(p: GaitParams) -> None:
    for c in contact_events(p, 0.0, 1.5):
        ahead = c["touchdown_x_m"] - float(hip_x(c["touchdown_s"], p))
        assert ahead == pytest.approx(p.touchdown_ahead)
        assert 0.2 < ahead < 0.5


@pytest.mark.parametrize("p", PARAMS)
def test_swing_foot_above_ground(p: GaitParams) -> None:
    t = _dense(p)
    r = simulate(t, p)
    for side in ("left", "right"):
        swing = ~r["stance"][side]
        toe_y = r["joints"][f"{side}_foot_index"][swing, 1]
        heel_y = r["joints"][f"{side}_heel"][swing, 1]
        assert np.all(toe_y >= -1e-12)  # 0 only at the toe-off instant (round-off)
        assert np.all(heel_y > 0)
        # strictly above the ground except at the toe-off instant itself
        toeoff = np.isclose(toe_y, 0, atol=1e-12)
        assert toeoff.sum() <= 4
        assert np.max(r["joints"][f"{side}_heel"][:, 1]) > 0.3 * p.body_height_m  # heel recovery
        # nothing ever goes below the ground
        for part in ("ankle", "heel", "foot_index", "knee"):
            assert np.min(r["joints"][f"{side}_{part}"][:, 1]) > -1e-12


@pytest.mark.parametrize("p", PARAMS)
def test_segment_lengths_constant(p: GaitParams) -> None:
    r = simulate(_dense(p), p)
    j = r["joints"]
    b = p.body
    for side in ("left", "right"):
        pairs = {
            ("hip", "knee"): b.thigh_m,
            ("knee", "ankle"): b.shank_m,
            ("shoulder", "elbow"): b.upper_arm_m,
            ("elbow", "wrist"): b.forearm_m,
        }
        for (a, c), length in pairs.items():
            d = np.hypot(*(j[f"{side}_{a}"] - j[f"{side}_{c}"]).T)
            np.testing.assert_allclose(d, length, atol=1e-9)
        for a, c in (("heel", "foot_index"), ("ankle", "foot_index"), ("ankle", "heel")):
            d = np.hypot(*(j[f"{side}_{a}"] - j[f"{side}_{c}"]).T)
            assert np.ptp(d) < 1e-9
    shoulder_mid = (j["left_shoulder"] + j["right_shoulder"]) / 2
    trunk = np.hypot(*(shoulder_mid - j["left_hip"]).T)
    np.testing.assert_allclose(trunk, b.trunk_m, atol=1e-9)


@pytest.mark.parametrize("p", PARAMS)
def test_events_alternate_with_exact_durations(p: GaitParams) -> None:
    contacts = contact_events(p, 0.0, 3.0)
    assert len(contacts) >= 12
    for a, b in zip(contacts, contacts[1:]):
        assert a["foot"] != b["foot"]
        assert b["touchdown_s"] - a["toeoff_s"] == pytest.approx(p.flight_s, abs=1e-12)
        assert b["touchdown_s"] - a["touchdown_s"] == pytest.approx(p.step_period_s, abs=1e-12)
        assert b["touchdown_x_m"] - a["touchdown_x_m"] == pytest.approx(p.step_length_m, abs=1e-9)
    for c in contacts:
        assert c["toeoff_s"] - c["touchdown_s"] == pytest.approx(p.contact_s, abs=1e-12)
        assert 0.0 <= c["touchdown_s"] and c["toeoff_s"] <= 3.0
    assert p.flight_s == pytest.approx(1 / p.step_frequency_hz - p.contact_s)


@pytest.mark.parametrize("p", PARAMS)
def test_stance_flags_match_events(p: GaitParams) -> None:
    fps = 240.0
    t = np.arange(int(1.5 * fps)) / fps
    r = simulate(t, p)
    for side in ("left", "right"):
        expect = np.zeros(t.size, bool)
        for c in contact_events(p, -1.0, 3.0):
            if c["foot"] == side:
                # an event time equal to a frame time up to round-off counts as reached
                expect |= (t >= c["touchdown_s"] - 1e-9) & (t < c["toeoff_s"] - 1e-9)
        np.testing.assert_array_equal(r["stance"][side], expect)
    # at most one foot down at a time (there is a flight phase)
    assert not np.any(r["stance"]["left"] & r["stance"]["right"])


def test_event_boundaries_sub_frame() -> None:
    p = GaitParams(phase=0.123)
    for c in contact_events(p, 0.0, 2.0):
        eps = 1e-7
        r = simulate(np.array([c["touchdown_s"] - eps, c["touchdown_s"] + eps, c["toeoff_s"] - eps, c["toeoff_s"] + eps]), p)
        assert list(r["stance"][c["foot"]]) == [False, True, True, False]


def test_gait_events_sorted_and_partial_contacts() -> None:
    p = GaitParams(phase=0.1)
    ev = gait_events(p, 0.0, 1.0)
    times = [e["t_s"] for e in ev]
    assert times == sorted(times)
    assert all(0.0 <= t <= 1.0 for t in times)
    kinds = [e["kind"] for e in ev]
    # touchdown and toe-off alternate in time (one foot down at a time)
    assert all(a != b for a, b in zip(kinds, kinds[1:]))
    complete = contact_events(p, 0.0, 1.0)
    overlapping = contact_events(p, 0.0, 1.0, complete_only=False)
    assert len(overlapping) >= len(complete)
    assert sum(e["kind"] == "touchdown" for e in ev) >= len(complete)


def test_phase_zero_left_touchdown_at_zero() -> None:
    p = GaitParams(phase=0.0)
    first = contact_events(p, 0.0, 1.0)[0]
    assert first["foot"] == "left" and first["touchdown_s"] == pytest.approx(0.0, abs=1e-12)
    q = GaitParams(phase=0.25)
    assert contact_events(q, 0.0, 1.0)[0]["touchdown_s"] == pytest.approx(0.25 * q.stride_period_s, abs=1e-12)
    assert contact_events(q, 0.0, 1.0)[0]["foot"] == "right"


@pytest.mark.parametrize("p", PARAMS)
def test_hip_moves_at_constant_speed_and_is_lowest_mid_stance(p: GaitParams) -> None:
    t = _dense(p, n=4001)
    r = simulate(t, p)
    hip = r["joints"]["left_hip"]
    np.testing.assert_allclose(np.diff(hip[:, 0]) / np.diff(t), p.speed_mps, rtol=1e-9)
    np.testing.assert_array_equal(hip, r["joints"]["right_hip"])
    assert hip_crossing_time(float(hip[100, 0]), p) == pytest.approx(t[100])
    c = contact_events(p, 0.0, 1.0)[0]
    mid = 0.5 * (c["touchdown_s"] + c["toeoff_s"])
    tt = np.linspace(c["touchdown_s"], c["touchdown_s"] + p.step_period_s, 2001)
    y = simulate(tt, p)["joints"]["left_hip"][:, 1]
    assert tt[np.argmin(y)] == pytest.approx(mid, abs=1e-3)
    assert 0.0 < np.ptp(y) < 0.1


@pytest.mark.parametrize("p", PARAMS)
def test_angle_definitions_match_positions(p: GaitParams) -> None:
    r = simulate(_dense(p, n=1501), p)
    j, a = r["joints"], r["angles_deg"]

    def ang(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        cos = np.sum(u * v, axis=1) / np.linalg.norm(u, axis=1) / np.linalg.norm(v, axis=1)
        return np.degrees(np.arccos(np.clip(cos, -1, 1)))

    for side in ("left", "right"):
        thigh = j[f"{side}_knee"] - j[f"{side}_hip"]
        shank = j[f"{side}_ankle"] - j[f"{side}_knee"]
        np.testing.assert_allclose(a[f"{side}_thigh"], np.degrees(np.arctan2(thigh[:, 0], -thigh[:, 1])), atol=1e-6)
        np.testing.assert_allclose(a[f"{side}_knee"], ang(-thigh, shank), atol=1e-6)
        # knee bends forward: the knee lies in front of the hip-ankle line
        ha = j[f"{side}_ankle"] - j[f"{side}_hip"]
        cross = ha[:, 0] * thigh[:, 1] - ha[:, 1] * thigh[:, 0]
        assert np.all(cross >= -1e-12)
        upper = j[f"{side}_elbow"] - j[f"{side}_shoulder"]
        fore = j[f"{side}_wrist"] - j[f"{side}_elbow"]
        np.testing.assert_allclose(a[f"{side}_elbow"], ang(-upper, fore), atol=1e-6)
        np.testing.assert_allclose(a[f"{side}_shoulder"], np.degrees(np.arctan2(upper[:, 0], -upper[:, 1])), atol=1e-6)
        assert 65 <= a[f"{side}_elbow"].min() and a[f"{side}_elbow"].max() <= 115
        assert a[f"{side}_knee"].max() <= 180
        assert 40 <= a[f"{side}_knee"].min() <= 70  # heel recovery
        assert 60 <= a[f"{side}_thigh"].max() <= 80  # knee lift
        assert -45 <= a[f"{side}_thigh"].min() <= -20  # hip extension at toe-off
    trunk = (j["left_shoulder"] + j["right_shoulder"]) / 2 - j["left_hip"]
    np.testing.assert_allclose(a["trunk_lean"], np.degrees(np.arctan2(trunk[:, 0], trunk[:, 1])), atol=1e-9)


@pytest.mark.parametrize("rotation_deg", [0.0, 10.0, 20.0])
def test_shoulders_move_with_the_upper_trunk_rotation(rotation_deg: float) -> None:
    p = GaitParams(shoulder_rotation_deg=rotation_deg, trunk_lean_deg=12.0)
    t = _dense(p, strides=1.0, n=4001)
    r = simulate(t, p)
    j, a = r["joints"], r["angles_deg"]
    still = simulate(t, p.with_(shoulder_rotation_deg=0.0))["joints"]
    # the midpoint, and so the trunk line, does not move with the rotation
    np.testing.assert_allclose((j["left_shoulder"] + j["right_shoulder"]) / 2, still["left_shoulder"], atol=1e-12)
    lean = np.radians(p.trunk_lean_deg)
    forward = np.array([np.cos(lean), -np.sin(lean)])  # the trunk's forward normal
    reach = p.body.shoulder_half_width_m * np.sin(np.radians(rotation_deg))
    for side in ("left", "right"):
        off = j[f"{side}_shoulder"] - still["left_shoulder"]
        along = off @ forward
        np.testing.assert_allclose(off - along[:, None] * forward, 0.0, atol=1e-12)  # only forward/back
        assert along.max() == pytest.approx(reach, abs=1e-6)
        assert along.min() == pytest.approx(-reach, abs=1e-6)
        if rotation_deg:
            # furthest forward when its own arm is (4001 samples a stride: within 2 samples)
            k = np.argmax(a[f"{side}_shoulder"])
            assert abs(along[k] - reach) < 1e-5
    # 0.1295 H * sin(10 deg) = 4.0 cm for the default 1.80 m runner
    if rotation_deg == 10.0:
        assert reach == pytest.approx(0.0405, abs=5e-4)


@pytest.mark.parametrize("p", PARAMS)
def test_arms_swing_opposite_to_legs(p: GaitParams) -> None:
    t = _dense(p, strides=1.0, n=4001)
    a = simulate(t, p)["angles_deg"]
    # the left arm is furthest forward close to when the right knee is highest
    dt = abs(t[np.argmax(a["left_shoulder"])] - t[np.argmax(a["right_thigh"])])
    dt = min(dt, p.stride_period_s - dt)
    assert dt < 0.05 * p.stride_period_s
    # arms in anti-phase
    assert np.corrcoef(a["left_shoulder"], a["right_shoulder"])[0, 1] < -0.99


@pytest.mark.parametrize("p", PARAMS)
def test_motion_is_continuous(p: GaitParams) -> None:
    t = _dense(p, n=12001)
    r = simulate(t, p)
    dt = t[1] - t[0]
    for name, xy in r["joints"].items():
        step = np.hypot(*np.diff(xy, axis=0).T)
        # no joint moves faster than 30 m/s (feet in swing peak near 2-3x running speed)
        assert step.max() < 30 * dt, name


def test_periodic_in_the_runner_frame() -> None:
    p = GaitParams(phase=0.3)
    t = np.linspace(0, 0.5, 101)
    a = simulate(t, p)["joints"]
    b = simulate(t + p.stride_period_s, p)["joints"]
    shift = np.array([p.speed_mps * p.stride_period_s, 0.0])
    for name in a:
        np.testing.assert_allclose(b[name], a[name] + shift, atol=1e-9)


def test_left_right_are_half_a_stride_apart() -> None:
    p = GaitParams()
    t = np.linspace(0, 0.5, 101)
    a = simulate(t, p)["joints"]
    b = simulate(t + p.step_period_s, p)["joints"]
    shift = np.array([p.step_length_m, 0.0])
    for part in ("knee", "ankle", "heel", "foot_index", "elbow", "wrist"):
        np.testing.assert_allclose(b[f"right_{part}"], a[f"left_{part}"] + shift, atol=1e-9)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"contact_s": 0.3},
        {"contact_s": 0.0},
        {"speed_mps": -1.0},
        {"step_frequency_hz": 0.0},
    ],
)
def test_invalid_parameters(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        GaitParams(**kwargs)


def test_infeasible_gait_raises() -> None:
    p = GaitParams(speed_mps=12.0, contact_s=0.14, body_height_m=1.6)
    with pytest.raises(ValueError, match="infeasible"):
        simulate(np.array([0.0, 0.1]), p)
