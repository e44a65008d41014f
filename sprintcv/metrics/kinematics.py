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


#: Largest relative deviation of a leg segment's image length (hip-knee or knee-ankle) from
#: that segment's median over the clip at which the leg's pose is still used. In a side view
#: the thigh and shank lie in the plane of the picture, so their lengths barely change: at the
#: touchdowns of 29 synthetic clips (196 contacts) the pose model's stayed within 0.19 of
#: the median, and within 0.15 on the three real clips; the five touchdowns beyond 0.2 had
#: shin angles 10-79 deg off (a knee or ankle drawn on the wrong limb).
MAX_SEGMENT_DEVIATION = 0.2


def broken_leg_samples(
    xy: np.ndarray, names: tuple[str, ...], max_deviation: float = MAX_SEGMENT_DEVIATION
) -> dict[str, np.ndarray]:
    """Samples where a leg's pose cannot be right: ``{side: bool (n,)}``.

    True where the thigh (hip-knee) or the shank (knee-ankle) of that leg is more than
    ``max_deviation`` (a fraction) longer or shorter than its own median over the clip
    (:data:`MAX_SEGMENT_DEVIATION`). ``xy``: body-frame positions (n, joints, >=2), px.
    """
    j = {n: xy[:, i, :2] for i, n in enumerate(names)}
    out = {}
    for s in SIDES:
        hip, knee, ankle = (j[side_joint(s, k)] for k in ("hip", "knee", "ankle"))
        bad = np.zeros(len(xy), dtype=bool)
        for a, b in ((hip, knee), (knee, ankle)):
            length = np.linalg.norm(b - a, axis=1)
            median = np.nanmedian(length) if np.isfinite(length).any() else np.nan
            with np.errstate(invalid="ignore"):
                bad |= np.abs(length / median - 1.0) > max_deviation
        out[s] = bad
    return out


def hide_broken_legs(angles: dict[str, np.ndarray], broken: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Copy of ``angles`` (:func:`angle_series`) with each leg's thigh, shin and knee angles NaN
    at its ``broken`` samples (:func:`broken_leg_samples`): a value at an event there is then
    missing (:func:`value_at`) rather than the angle of a misplaced joint."""
    out = dict(angles)
    for side, bad in broken.items():
        for k in ("thigh", "shin", "knee"):
            out[f"{side}_{k}_deg"] = np.where(bad, np.nan, angles[f"{side}_{k}_deg"])
    return out


def value_at(series: np.ndarray, t_s: np.ndarray, t: float) -> float:
    """Value of ``series`` (shape (n,)) at time ``t`` (s), linear between the two samples around
    it (the sample itself when ``t`` is one). NaN outside ``t_s``, at a NaN time, or where one
    of those samples is NaN: a value across a gap (a pose hidden as broken or partly outside
    the frame) would be a guess from other moments of the stride."""
    if not np.isfinite(t) or t < t_s[0] or t > t_s[-1]:
        return float("nan")
    i = int(np.searchsorted(t_s, t, side="right")) - 1
    i = min(max(i, 0), len(t_s) - 1)
    if abs(t_s[i] - t) <= 1e-9 or i == len(t_s) - 1:
        return float(series[i])
    a, b = float(series[i]), float(series[i + 1])
    if not (np.isfinite(a) and np.isfinite(b)):
        return float("nan")
    return a + (b - a) * float((t - t_s[i]) / (t_s[i + 1] - t_s[i]))


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
