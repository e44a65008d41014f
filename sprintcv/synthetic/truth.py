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
from ..joints import other_side
from ..metrics.mechanics import FAR_SIDE_WITHHELD, column_side, step_mechanics


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


#: Per-step columns scored against the truth (angles in degrees, the rest in their units).
ANGLE_COLUMNS: tuple[str, ...] = (
    "thigh_front_max_deg", "thigh_to_deg", "knee_swing_min_deg", "knee_td_deg", "shin_td_deg",
    "thigh_separation_td_deg", "trunk_lean_td_deg", "trunk_lean_mean_deg", "elbow_front_deg",
    "elbow_back_deg", "shoulder_front_deg", "shoulder_back_deg",
)
OTHER_COLUMNS: tuple[str, ...] = (
    "knee_height_max_leg", "heel_recovery_height_leg", "heel_recovery_x_leg", "touchdown_distance_leg",
    "touchdown_distance_m", "pelvis_oscillation_leg", "pelvis_oscillation_m", "front_side_share", "arm_timing_s",
)


def _metres(truth: dict[str, Any], steps: dict[str, np.ndarray]) -> None:
    """Add the ``_m`` truth columns: the renderer's camera is orthographic (``px_per_m``)
    unless the clip has perspective, where the metre columns have no single scale and stay NaN."""
    scale = float("nan") if truth.get("perspective") else float(truth["px_per_m"])
    leg_px = float(truth["runner_height_px"]) * 0.491  # thigh 0.245 H + shank 0.246 H
    for col in ("touchdown_distance", "pelvis_oscillation"):
        steps[f"{col}_m"] = steps[f"{col}_leg"] * leg_px / scale


def mechanics_accuracy(analysis: Any, truth: dict[str, Any]) -> dict[str, dict[str, np.ndarray]]:
    """Errors of the per-step mechanics and of the kinogram frames of one analysed synthetic clip.

    Returns
    -------
    dict
        ``"detected_events"``: ``{column: errors}`` of the steps table as analysed (pose model
        and detected contacts), detected - true, over the contacts matched to true contacts
        with the whole runner in view; ``"true_events"``: the same metric functions run on
        the pose model's joints at the *true* events (the pose model's share of the error);
        ``"kinogram"``: ``{position: frame errors}``; ``"near"`` and ``"far"``: the
        ``detected_events`` errors of the limbs on the camera's side and on the other side
        (whole-body columns in neither); ``"far_unreported"``: for the columns the pipeline
        does not report on the far side (:data:`~sprintcv.metrics.mechanics.FAR_SIDE_WITHHELD`),
        the errors the far side's values would have had.
    """
    from ..calibration import LaneCalibration
    from ..coaching import hide_unusable
    from ..metrics.kinogram import all_step_positions
    from ..pipeline import partly_outside
    from .score import kinogram_frame_errors, match_contacts, step_errors

    columns = ANGLE_COLUMNS + OTHER_COLUMNS
    true_steps, true_contacts = truth_steps(truth)
    _metres(truth, true_steps)
    in_view = [bool(c.get("in_view", True)) for c in truth["contacts"]]
    pairs = [(a, b) for a, b in match_contacts(analysis.contacts.contacts, true_contacts) if in_view[b]]
    clean = analysis.clean
    # the pose model's joints, as the pipeline's mechanics stage sees them, at the true events
    angles, body = hide_unusable(analysis.angles, analysis.body_xy, ~partly_outside(analysis.raw))
    leg = analysis.contacts.leg_length_px
    at_true = step_kinematics(angles, body, clean.joint_names, clean.t_s, true_contacts, leg)
    calib = analysis.summary.get("calibration")
    at_true.update(step_mechanics(angles, body, clean.joint_names, clean.t_s, true_contacts, leg,
                                  direction=analysis.direction,
                                  calibration=LaneCalibration.from_dict(calib) if calib else None))
    same = [(b, b) for _, b in pairs]  # the rows scored as analysed, so both tables compare
    true_kino = [(c, f) for c, f in truth_kinogram_frames(truth)
                 if in_view[true_contacts.index(c)] and in_view[max(0, true_contacts.index(c) - 1)]]
    detected_kino = all_step_positions(analysis.body_xy, clean.joint_names, clean.t_s, analysis.contacts.contacts)
    feet = [c.foot for c in true_contacts]
    by_side: dict[str, dict[str, np.ndarray]] = {"near": {}, "far": {}, "far_unreported": {}}
    # What the far side's withheld columns would have said: the same functions on the same
    # joints at the detected contacts, before the pipeline blanks them.
    detected = list(analysis.contacts.contacts)
    unreported = step_kinematics(angles, body, clean.joint_names, clean.t_s, detected, leg)
    unreported.update(step_mechanics(angles, body, clean.joint_names, clean.t_s, detected, leg,
                                     direction=analysis.direction))
    far = other_side(truth["near_side"])
    for col in columns:
        limb = column_side(feet, col)
        for key, want in (("near", truth["near_side"]), ("far", far)):
            rows = [(a, b) for a, b in pairs if limb[b] == want]
            by_side[key].update(step_errors(analysis.steps, true_steps, rows, [col]) if rows else {})
        rows = [(a, b) for a, b in pairs if limb[b] == far]
        if col in FAR_SIDE_WITHHELD and rows:
            by_side["far_unreported"].update(step_errors(unreported, true_steps, rows, [col]))
    return {
        **by_side,
        "detected_events": step_errors(analysis.steps, true_steps, pairs, columns),
        "true_events": step_errors(at_true, true_steps, same, columns),
        "kinogram": kinogram_frame_errors(detected_kino, analysis.contacts.contacts, clean.frame_index, true_kino),
    }
