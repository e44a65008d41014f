"""Joint and segment angles in the body frame (x forward along the run, y up), degrees.

Definitions:

* **segment angle** of proximal -> distal point (thigh: hip -> knee; shin: knee -> ankle): angle
  from the downward vertical, positive when the distal point is *ahead* (forward, +x) of the
  proximal one. A thigh angle of +60 deg is a knee lifted well in front; negative = behind.
* **joint angle** at b of a-b-c (knee: hip-knee-ankle; elbow: shoulder-elbow-wrist): the interior
  angle, 180 deg = straight limb, 90 deg = right angle (the classic elbow cue).
* **trunk lean**: angle of hip-midpoint -> shoulder-midpoint from the upward vertical, positive
  leaning forward.
* **shoulder angle** (arm swing): angle of shoulder -> elbow from the trunk line (the
  shoulder-midpoint -> hip-midpoint direction), positive with the elbow in front of the trunk
  (shoulder flexion), negative behind it (extension). With an upright trunk it is the upper
  arm's segment angle.

All functions take arrays of shape (..., 2) and broadcast; NaN in gives NaN out.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..events import Contact
from ..joints import SIDES, other_side, side_joint


def segment_angle_deg(proximal: np.ndarray, distal: np.ndarray) -> np.ndarray:
    """Angle of proximal->distal from the downward vertical, + forward, degrees, shape (...)."""
    d = np.asarray(distal, float) - np.asarray(proximal, float)
    return np.degrees(np.arctan2(d[..., 0], -d[..., 1]))


def joint_angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Interior angle a-b-c at b, degrees in [0, 180], shape (...)."""
    u = np.asarray(a, float) - np.asarray(b, float)
    v = np.asarray(c, float) - np.asarray(b, float)
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    dot = (u * v).sum(axis=-1)
    return np.degrees(np.abs(np.arctan2(cross, dot)))


def trunk_lean_deg(hip_mid: np.ndarray, shoulder_mid: np.ndarray) -> np.ndarray:
    """Trunk angle from the upward vertical, + leaning forward, degrees, shape (...)."""
    d = np.asarray(shoulder_mid, float) - np.asarray(hip_mid, float)
    return np.degrees(np.arctan2(d[..., 0], d[..., 1]))


def shoulder_angle_deg(shoulder: np.ndarray, elbow: np.ndarray, trunk_lean: np.ndarray) -> np.ndarray:
    """Upper arm (shoulder -> elbow) from the trunk line, + = elbow in front, degrees (...).

    The trunk line below the shoulder points at ``-trunk_lean`` from the downward vertical,
    so the angle is the upper arm's segment angle plus the lean, wrapped to [-180, 180).
    """
    rel = segment_angle_deg(shoulder, elbow) + np.asarray(trunk_lean, float)
    return (rel + 180.0) % 360.0 - 180.0


def angle_series(xy: np.ndarray, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Per-frame angles (degrees, shape (n,) each) from body-frame positions (n, joints, 2):
    ``{side}_thigh_deg``, ``{side}_shin_deg``, ``{side}_knee_deg``, ``{side}_elbow_deg``,
    ``{side}_shoulder_deg`` and ``trunk_lean_deg``."""
    j = {n: xy[:, i, :2] for i, n in enumerate(names)}
    out = {}
    hip_mid = (j["left_hip"] + j["right_hip"]) / 2
    shoulder_mid = (j["left_shoulder"] + j["right_shoulder"]) / 2
    lean = trunk_lean_deg(hip_mid, shoulder_mid)
    for s in SIDES:
        hip, knee, ankle = j[side_joint(s, "hip")], j[side_joint(s, "knee")], j[side_joint(s, "ankle")]
        shoulder, elbow, wrist = (j[side_joint(s, k)] for k in ("shoulder", "elbow", "wrist"))
        out[f"{s}_thigh_deg"] = segment_angle_deg(hip, knee)
        out[f"{s}_shin_deg"] = segment_angle_deg(knee, ankle)
        out[f"{s}_knee_deg"] = joint_angle_deg(hip, knee, ankle)
        out[f"{s}_elbow_deg"] = joint_angle_deg(shoulder, elbow, wrist)
        out[f"{s}_shoulder_deg"] = shoulder_angle_deg(shoulder, elbow, lean)
    out["trunk_lean_deg"] = lean
    return out


def value_at(series: np.ndarray, t_s: np.ndarray, t: float) -> float:
    """Value of ``series`` (shape (n,)) at time ``t`` (s), linear interpolation between the
    finite samples around it; NaN outside ``t_s``, at a NaN time, or with < 2 finite samples."""
    if not np.isfinite(t) or t < t_s[0] or t > t_s[-1]:
        return float("nan")
    ok = np.isfinite(series)
    if ok.sum() < 2:
        return float("nan")
    return float(np.interp(t, t_s[ok], series[ok]))


def window_mask(t_s: np.ndarray, t0: float, t1: float) -> np.ndarray:
    """Samples with ``t0 <= t_s <= t1``, shape (n,) bool; all false when either end is NaN."""
    if not (np.isfinite(t0) and np.isfinite(t1)):
        return np.zeros(len(t_s), dtype=bool)
    return (t_s >= t0) & (t_s <= t1)


#: Fraction of a window's samples that must be finite for a window statistic: a window that is
#: mostly missing (runner leaving the frame) may have lost its extreme.
MIN_WINDOW_COVERAGE = 0.8


def covered(series: np.ndarray, sel: np.ndarray) -> bool:
    """Whether the samples ``sel`` (bool, (n,)) exist and are at least
    :data:`MIN_WINDOW_COVERAGE` finite in ``series``."""
    return bool(sel.any()) and float(np.isfinite(series[sel]).mean()) >= MIN_WINDOW_COVERAGE


def window_max(series: np.ndarray, t_s: np.ndarray, t0: float, t1: float) -> float:
    """Largest finite sample of ``series`` in ``[t0, t1]`` (s); NaN when the window is empty
    or not :func:`covered`."""
    sel = window_mask(t_s, t0, t1)
    if not covered(series, sel):
        return float("nan")
    return float(np.nanmax(series[sel]))


def rear_foot_x(xy: np.ndarray, names: tuple[str, ...], foot: str) -> np.ndarray:
    """Body-frame x of the rear-most point of a foot (heel or toe, whichever is further back),
    shape (n,): the point the touchdown distance is measured from."""
    heel = xy[:, names.index(side_joint(foot, "heel")), 0]
    toe = xy[:, names.index(side_joint(foot, "foot_index")), 0]
    return np.fmin(heel, toe)


def step_kinematics(
    angles: dict[str, np.ndarray],
    xy: np.ndarray,
    names: tuple[str, ...],
    t_s: np.ndarray,
    contacts: list[Contact],
    leg_px: float,
) -> dict[str, np.ndarray]:
    """Per-contact kinematic columns, aligned with :func:`~sprintcv.metrics.temporal.steps_table`.

    Columns: ``thigh_front_max_deg`` (max thigh angle of the *swing* leg from this touchdown to
    the other foot's next one: knee lift; NaN when that touchdown is not in the list, e.g. on
    the last contact, where the step and its knee lift are cut by the clip's end), ``knee_td_deg``
    and ``shin_td_deg`` (stance leg at touchdown),
    ``trunk_lean_td_deg``, ``touchdown_distance_leg`` (lowest foot point ahead of the hip
    midpoint at touchdown, in leg lengths, + = ahead), ``elbow_mean_deg`` (both arms, mean over
    the step).
    """
    j = {n: xy[:, i, :2] for i, n in enumerate(names)}
    hip_x = (j["left_hip"][:, 0] + j["right_hip"][:, 0]) / 2
    cols: dict[str, list[float]] = {k: [] for k in (
        "thigh_front_max_deg", "knee_td_deg", "shin_td_deg", "trunk_lean_td_deg",
        "touchdown_distance_leg", "elbow_mean_deg")}
    for i, c in enumerate(contacts):
        nxt = contacts[i + 1].touchdown_s if i + 1 < len(contacts) else c.toeoff_s
        swing = other_side(c.foot)
        # the step ends at the other foot's touchdown: without it the window is not a step
        step_end = (contacts[i + 1].touchdown_s if i + 1 < len(contacts) and contacts[i + 1].foot != c.foot
                    else float("nan"))
        cols["thigh_front_max_deg"].append(window_max(angles[f"{swing}_thigh_deg"], t_s, c.touchdown_s, step_end))
        cols["knee_td_deg"].append(value_at(angles[f"{c.foot}_knee_deg"], t_s, c.touchdown_s))
        cols["shin_td_deg"].append(value_at(angles[f"{c.foot}_shin_deg"], t_s, c.touchdown_s))
        cols["trunk_lean_td_deg"].append(value_at(angles["trunk_lean_deg"], t_s, c.touchdown_s))
        foot_x = rear_foot_x(xy, names, c.foot)
        dist = (value_at(foot_x, t_s, c.touchdown_s) - value_at(hip_x, t_s, c.touchdown_s)) / leg_px
        cols["touchdown_distance_leg"].append(dist)
        if np.isfinite(c.touchdown_s) and np.isfinite(nxt):
            sel = (t_s >= c.touchdown_s) & (t_s <= nxt)
            elbows = np.concatenate([angles["left_elbow_deg"][sel], angles["right_elbow_deg"][sel]])
            elbows = elbows[np.isfinite(elbows)]
            cols["elbow_mean_deg"].append(float(elbows.mean()) if len(elbows) else float("nan"))
        else:
            cols["elbow_mean_deg"].append(float("nan"))
    return {k: np.array(v, dtype=float) for k, v in cols.items()}


def kinematic_summary(angles: dict[str, np.ndarray], steps: dict[str, Any]) -> dict[str, float]:
    """Run-level angles: means of the per-step columns and of the whole-clip series."""
    def mean(v: np.ndarray) -> float:
        v = np.asarray(v, float)
        v = v[np.isfinite(v)]
        return float(v.mean()) if len(v) else float("nan")

    return {
        "thigh_front_max_deg_mean": mean(steps.get("thigh_front_max_deg", [])),
        "knee_td_deg_mean": mean(steps.get("knee_td_deg", [])),
        "touchdown_distance_leg_mean": mean(steps.get("touchdown_distance_leg", [])),
        "trunk_lean_deg_mean": mean(angles["trunk_lean_deg"]),
        "elbow_deg_mean": mean(np.concatenate([angles["left_elbow_deg"], angles["right_elbow_deg"]])),
    }
