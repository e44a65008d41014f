"""Mechanics and kinogram of a synthetic clip computed from its exact truth.

The truth file (``<clip>.truth.json``, schema in :mod:`sprintcv.synthetic.render`) holds the
exact joint pixels of every frame and the exact contact events. Running sprintcv's own metric
functions on those, at the true events, gives the *true* value of every per-step metric under
the same definitions, so the benchmark and the tests can score the metrics that sprintcv
computes from the pose model's joints and its detected events.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..clean import to_body_frame
from ..events import Contact, leg_length
from ..metrics.kinematics import angle_series, step_kinematics
from ..metrics.kinogram import all_step_positions
from ..metrics.mechanics import step_mechanics


def truth_body(truth: dict[str, Any]) -> tuple[np.ndarray, tuple[str, ...], np.ndarray, int]:
    """Exact joints in the body frame: ``(xy (n, 33, 2) px, names, t_s (n,), direction)``."""
    direction = 1 if truth["direction"] == "left_to_right" else -1
    xy = np.asarray(truth["joints"]["xy_px"], dtype=float)
    body, _ = to_body_frame(xy, direction)
    t_s = np.arange(truth["n_frames"]) / float(truth["fps"])
    return body, tuple(truth["joints"]["names"]), t_s, direction


def truth_contact_list(truth: dict[str, Any]) -> list[Contact]:
    """The truth's complete contacts as :class:`~sprintcv.events.Contact` (samples = frames)."""
    fps = float(truth["fps"])
    return [
        Contact(c["foot"], float(c["touchdown_s"]), float(c["toeoff_s"]),
                int(round(c["touchdown_s"] * fps)), int(round(c["toeoff_s"] * fps)), 1.0, 1.0)
        for c in truth["contacts"]
    ]


def truth_steps(truth: dict[str, Any]) -> tuple[dict[str, np.ndarray], list[Contact]]:
    """Per-step kinematics and mechanics (the steps-table columns) from the exact joints at
    the exact events; returns the columns and the contacts (the rows)."""
    body, names, t_s, _ = truth_body(truth)
    contacts = truth_contact_list(truth)
    angles = angle_series(body, names)
    leg = leg_length(body, names)
    cols = step_kinematics(angles, body, names, t_s, contacts, leg)
    cols.update(step_mechanics(angles, body, names, t_s, contacts, leg))
    return cols, contacts


def truth_kinogram_frames(truth: dict[str, Any]) -> list[tuple[Contact, dict[str, int | None]]]:
    """True frame of each kinogram position for every step of the clip:
    ``[(landing contact, {position: frame or None}), ...]``."""
    body, names, t_s, _ = truth_body(truth)
    contacts = truth_contact_list(truth)
    out = []
    for i, pos in all_step_positions(body, names, t_s, contacts):
        out.append((contacts[i], {p: (v[1] if v is not None else None) for p, v in pos.items()}))
    return out
