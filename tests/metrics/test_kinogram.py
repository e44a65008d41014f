"""Kinogram positions on a constructed figure (hand-computed frames) and on the exact truth."""

from __future__ import annotations

import numpy as np
import pytest

from sprintcv.joints import MEDIAPIPE_JOINTS
from sprintcv.metrics.kinogram import POSITIONS, kinogram, step_positions
from sprintcv.metrics.mechanics import hip_midpoint
from sprintcv.synthetic.truth import truth_body, truth_contact_list, truth_kinogram_frames

from .conftest import contact, figure

NAMES = MEDIAPIPE_JOINTS
# left contact, flight, right contact (the right landing's kinogram), flight, left contact
CONTACTS = [contact("left", 0.20, 0.31), contact("right", 0.45, 0.55), contact("left", 0.70, 0.80)]


def _runner(t):
    # hips move forward at 1000 px/s; straight right leg swinging with its forward peak at 0.40 s
    return figure(t, hip_x=lambda s: 1000.0 * s, thigh={"right": lambda s: 40.0 * np.cos(2 * np.pi * (s - 0.40) / 0.5)})


def test_positions_of_a_constructed_step(times):
    pos = step_positions(_runner(times), NAMES, times, CONTACTS[0], CONTACTS[1])
    frames = {k: v[1] for k, v in pos.items()}
    assert frames["toe_off"] == 30            # last sample before the toe-off at 0.31 s
    assert frames["max_vertical_projection"] == 38  # mid-flight, (0.31 + 0.45) / 2
    assert pos["max_vertical_projection"][0] == pytest.approx(0.38)
    assert frames["strike"] == 40             # right ankle furthest ahead of the hips
    assert pos["strike"][0] == pytest.approx(0.40, abs=1e-6)
    assert frames["touchdown"] == 45          # first sample at the touchdown
    # full support: the foot centre (ankle + 5 px) passes under the hips when
    # 100 sin(theta) + 5 = 0, theta = 40 cos(2 pi (t - 0.4) / 0.5)
    theta = np.degrees(np.arcsin(-0.05))
    t_support = 0.40 + np.arccos(theta / 40.0) * 0.5 / (2 * np.pi)
    assert pos["full_support"][0] == pytest.approx(t_support, abs=2e-3)
    assert frames["full_support"] == 53


def test_kinogram_picks_a_complete_step_per_side(times):
    kino = kinogram(_runner(times), NAMES, times, CONTACTS, frame_index=np.arange(len(times)) + 1000)
    right = kino["right"]
    assert right["step"] == 2 and right["toe_off_foot"] == "left"
    assert [right["positions"][p]["frame"] for p in POSITIONS] == [1030, 1038, 1040, 1045, 1053]
    # the left leg never swings ahead of the hips here: no strike, so no left kinogram
    assert kino["left"] is None
    usable = np.ones(len(times), dtype=bool)
    usable[45] = False  # the touchdown frame with the runner partly out of view
    assert kinogram(_runner(times), NAMES, times, CONTACTS, usable=usable)["right"] is None


def test_missing_events_leave_positions_out(times):
    broken = contact("left", 0.20, np.nan)
    pos = step_positions(_runner(times), NAMES, times, broken, CONTACTS[1])
    assert pos["toe_off"] is None and pos["max_vertical_projection"] is None and pos["strike"] is None
    assert pos["touchdown"] is not None


def test_truth_mid_flight_is_the_highest_hip(sample_truth):
    """The MVP definition (mid-flight) against the exact hip height of the synthetic runner,
    and the classic order of the five positions."""
    body, names, t, _ = truth_body(sample_truth)
    hip_y = hip_midpoint(body, names)[:, 1]
    contacts = truth_contact_list(sample_truth)
    steps = truth_kinogram_frames(sample_truth)
    assert len(steps) >= 5
    for landing, frames in steps:
        before = contacts[contacts.index(landing) - 1]
        flight = (t > before.toeoff_s) & (t < landing.touchdown_s)
        highest = int(np.flatnonzero(flight)[np.argmax(hip_y[flight])])
        assert abs(frames["max_vertical_projection"] - highest) <= 1
        order = [frames[p] for p in POSITIONS]
        assert order[0] < order[1] <= order[3] and order[2] <= order[3] < order[4]
