"""Sprint mechanics a coach can act on, per step (ground contact) and per run. Pure numpy.

Every quantity is defined in ``docs/metrics.md`` ("Mechanics" and "Arms"), with its drawing,
sign, unit, the event or phase where it is taken and its reference. In short, for the contact
``i`` of foot ``f`` (the *stance* leg; the other leg ``s`` is the *swing* leg), with the step
window ``[TD_i, TD_i+1]`` (this touchdown to the other foot's next one):

=============================  ====================================================================
column                         definition
=============================  ====================================================================
``knee_height_max_leg``        highest swing-leg knee relative to the hip midpoint over the step,
                               legs; 0 = knee at hip height, negative = below (knee lift)
``thigh_to_deg``               stance thigh's extension behind at toe-off: its smallest angle
                               within 60 ms (3 frames) of toe-off; negative = knee behind the hip
``knee_swing_min_deg``         smallest knee angle of leg ``f`` in early swing (toe-off to that
                               leg's knee lift): heel recovery, small = heel folded to the hip;
                               the angle of the hip-ankle distance with segments of constant
                               length (:func:`length_constrained_knee_deg`)
``heel_recovery_height_leg``   highest heel of leg ``f`` in early swing, relative to the hip, legs
``heel_recovery_x_leg``        where that highest heel is along the run, relative to the hip,
                               legs; negative = behind the hips
``touchdown_distance_m``       ``touchdown_distance_leg`` in metres on a calibrated lane
``thigh_separation_td_deg``    stance thigh angle minus swing thigh angle at touchdown
``trunk_lean_mean_deg``        mean trunk lean over the step
``pelvis_oscillation_leg``     peak-to-peak of the hip-midpoint height's bounce over the step
                               (its step-frequency component), legs (and
                               ``pelvis_oscillation_m`` in metres on a calibrated lane)
``front_side_share``           share (0-1) of leg ``f``'s cycle (this touchdown to its next one)
                               during which its ankle is in front of the body line
``elbow_front_deg``            elbow angle of the stance-side arm at its forward extreme
``shoulder_front_deg``         that arm's shoulder angle there (upper arm in front of the trunk)
``elbow_back_deg``             elbow angle of the swing-side arm at its backward extreme
``shoulder_back_deg``          that arm's shoulder angle there (negative = behind the trunk)
``arm_timing_s``               time of the forward arm extreme minus the time of the opposite
                               (swing) leg's knee lift; + = the arm peaks after the knee
``knee_lift_t_s``              when the swing thigh is furthest forward (sub-frame), s; likewise
``heel_recovery_t_s``,         the highest heel of early swing and the forward / backward arm
``arm_front_t_s``,             extremes: the frames that show those values
``arm_back_t_s``
=============================  ====================================================================

The *body line* is the trunk line (shoulder midpoint -> hip midpoint) extended below the hips:
Mann's boundary between front-side and back-side mechanics. Lengths are divided by the
clip's leg length (hip-knee + knee-ankle, median), so they compare across camera distances.

A value is NaN where the events or the joints it needs are missing, where the window it needs
is cut by the clip's end, or where the extreme it looks for lies on the edge of its window
(then the true extreme was not seen). The pipeline also blanks the columns of
:data:`FAR_SIDE_WITHHELD` on the far leg's rows (:func:`withhold_far_side`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..calibration import LaneCalibration
from ..events import Contact
from ..joints import SIDES, other_side, side_joint
from .kinematics import covered, rear_foot_x, value_at, window_mask
from .temporal import describe

#: Half-width of the window around toe-off in which the thigh's extension behind is taken, s
#: (at least three samples).
TOE_OFF_WINDOW_S = 0.06

#: Per-step columns added by :func:`step_mechanics`, in table order.
MECHANICS_COLUMNS: tuple[str, ...] = (
    "knee_height_max_leg", "thigh_to_deg", "knee_swing_min_deg", "heel_recovery_height_leg",
    "heel_recovery_x_leg", "touchdown_distance_m", "thigh_separation_td_deg", "trunk_lean_mean_deg",
    "pelvis_oscillation_leg", "pelvis_oscillation_m", "front_side_share",
)
ARM_COLUMNS: tuple[str, ...] = (
    "elbow_front_deg", "shoulder_front_deg", "elbow_back_deg", "shoulder_back_deg", "arm_timing_s",
)
#: When the extremes behind some columns happen (s): the frames that show them.
TIME_COLUMNS: tuple[str, ...] = ("knee_lift_t_s", "heel_recovery_t_s", "arm_front_t_s", "arm_back_t_s")

#: Whose limb each per-step column describes: ``"stance"`` = the row's foot (and the arm on
#: that side), ``"swing"`` = the other leg (and its arm); columns of the whole body are absent.
COLUMN_LEG: dict[str, str] = {
    "thigh_front_max_deg": "swing", "knee_height_max_leg": "swing", "thigh_to_deg": "stance",
    "knee_swing_min_deg": "stance", "heel_recovery_height_leg": "stance", "heel_recovery_x_leg": "stance",
    "touchdown_distance_leg": "stance", "touchdown_distance_m": "stance", "knee_td_deg": "stance",
    "shin_td_deg": "stance", "front_side_share": "stance", "elbow_front_deg": "stance",
    "shoulder_front_deg": "stance", "elbow_back_deg": "swing", "shoulder_back_deg": "swing",
    "thigh_separation_td_deg": "stance",
}

#: Columns that are not reported for a limb on the far side of the runner (away from the
#: camera). From one side the pose model draws the far knee behind where it is, towards the
#: near knee; measured on the synthetic set at 60 fps and above (``docs/metrics.md``, "Accuracy
#: of the mechanics"), mean absolute error camera side / far side: knee at touchdown 2.2 / 8.7
#: deg (far up to 11 on one clip), knee at heel recovery 1.6 / 5.0 (up to 9.9), thigh separation
#: at the foot's touchdown 3.7 / 8.8. The other columns' far-side errors are within 5 deg.
FAR_SIDE_WITHHELD: tuple[str, ...] = ("knee_td_deg", "knee_swing_min_deg", "thigh_separation_td_deg")


def column_side(feet: Sequence[str], column: str) -> np.ndarray:
    """Side (``"left"``/``"right"``) of the limb that ``column`` describes on each row, from
    the rows' stance ``feet``; ``None`` for whole-body columns. Shape (n,) of object."""
    feet = np.asarray(feet, dtype=object)
    leg = COLUMN_LEG.get(column)
    if leg is None:
        return np.full(len(feet), None, dtype=object)
    if leg == "stance":
        return feet
    return np.array([other_side(str(f)) if f in SIDES else None for f in feet], dtype=object)


def withhold_far_side(
    steps: dict[str, Any], near: str, columns: Sequence[str] = FAR_SIDE_WITHHELD
) -> dict[str, np.ndarray]:
    """The ``columns`` of ``steps`` with NaN on the rows whose limb (:func:`column_side`) is
    on the far side, the one opposite ``near`` (the camera's side, ``"left"`` or ``"right"``);
    columns absent from ``steps`` are skipped.

    Returns
    -------
    dict of ndarray, shape (n,)
        New arrays (``steps`` is not changed), float.
    """
    if near not in SIDES:
        raise ValueError(f"near must be 'left' or 'right', not {near!r}")
    out = {}
    for col in columns:
        if col in steps:
            far = column_side(steps["foot"], col) == other_side(near)
            out[col] = np.where(far, np.nan, np.asarray(steps[col], float))
    return out


# -- geometry ---------------------------------------------------------------------------------
def joint_xy(xy: np.ndarray, names: Sequence[str], name: str) -> np.ndarray:
    """Positions of one joint, shape (n, 2), from (n, n_joints, >=2)."""
    return np.asarray(xy)[:, list(names).index(name), :2]


def hip_midpoint(xy: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Midpoint of the two hip landmarks, shape (n, 2)."""
    return (joint_xy(xy, names, "left_hip") + joint_xy(xy, names, "right_hip")) / 2.0


def shoulder_midpoint(xy: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Midpoint of the two shoulder landmarks, shape (n, 2)."""
    return (joint_xy(xy, names, "left_shoulder") + joint_xy(xy, names, "right_shoulder")) / 2.0


def front_of_body_line(point: np.ndarray, hip_mid: np.ndarray, trunk_lean_deg: np.ndarray) -> np.ndarray:
    """Signed distance of ``point`` in front of the body line, same units as the input, (n,).

    The body line passes through the hip midpoint along the trunk (leaning ``trunk_lean_deg``
    forward from the vertical, body frame x forward, y up). Its forward normal is
    ``(cos lean, -sin lean)``: with an upright trunk the distance is ``x - hip_x``; with a
    forward lean, a foot straight below the hips is slightly in front of the line.
    """
    lean = np.radians(np.asarray(trunk_lean_deg, float))
    d = np.asarray(point, float) - np.asarray(hip_mid, float)
    return d[..., 0] * np.cos(lean) - d[..., 1] * np.sin(lean)


# -- segment lengths ------------------------------------------------------------------------
#: Half-width of the window over which the thigh and shank lengths are estimated, s: about two
#: strides, so that the window always holds frames with the leg nearly straight, and short
#: enough to follow a runner whose distance from the camera changes.
SEGMENT_WINDOW_S = 0.5

#: Percentile of the projected segment lengths in that window taken as the segment's length.
#: A segment's 2D projection is never longer than the segment, and the pose model shortens
#: segments at deep flexion: the length is near the top of what is seen; the top 10 % is left
#: to landmark noise.
SEGMENT_LENGTH_PERCENTILE = 90.0


def rolling_percentile(
    values: np.ndarray, t_s: np.ndarray, half_window_s: float, percentile: float, min_samples: int = 5
) -> np.ndarray:
    """Percentile of the finite ``values`` within ``half_window_s`` of each sample, (n,).

    Parameters
    ----------
    values : ndarray, shape (n,) or (n, k)
        Samples; with ``k`` columns (e.g. the left and right leg) all of them are pooled.
    t_s : ndarray, shape (n,)
        Sample times, s.
    half_window_s : float
        Half-width of the window, s (the window is cut at the clip's ends).
    percentile : float
        Percentile, 0-100.
    min_samples : int
        Fewest finite values a window needs; NaN otherwise.

    Returns
    -------
    ndarray, shape (n,)
        Same unit as ``values``.
    """
    t_s = np.asarray(t_s, float)
    v = np.asarray(values, float).reshape(len(t_s), -1)
    lo = np.searchsorted(t_s, t_s - half_window_s, side="left")
    hi = np.searchsorted(t_s, t_s + half_window_s, side="right")
    out = np.full(len(t_s), np.nan)
    for i, (a, b) in enumerate(zip(lo, hi)):
        w = v[a:b].ravel()
        w = w[np.isfinite(w)]
        if len(w) >= min_samples:
            out[i] = float(np.percentile(w, percentile))
    return out


def leg_segment_lengths(
    xy: np.ndarray, names: Sequence[str], t_s: np.ndarray, *,
    half_window_s: float = SEGMENT_WINDOW_S, percentile: float = SEGMENT_LENGTH_PERCENTILE,
) -> tuple[np.ndarray, np.ndarray]:
    """Thigh (hip-knee) and shank (knee-ankle) lengths around each sample, pixels, (n,) each.

    The high ``percentile`` of the projected lengths of both legs (pooled: the legs are equally
    long and about equally far from a side-on camera) within ``half_window_s`` of the sample
    (:func:`rolling_percentile`), so that a runner coming closer to the camera is followed.
    """
    thigh, shank = [], []
    for s in SIDES:
        hip, knee, ankle = (joint_xy(xy, names, side_joint(s, k)) for k in ("hip", "knee", "ankle"))
        thigh.append(np.linalg.norm(knee - hip, axis=-1))
        shank.append(np.linalg.norm(ankle - knee, axis=-1))
    return (rolling_percentile(np.stack(thigh, axis=1), t_s, half_window_s, percentile),
            rolling_percentile(np.stack(shank, axis=1), t_s, half_window_s, percentile))


def knee_angle_from_lengths(
    hip: np.ndarray, ankle: np.ndarray, thigh_px: np.ndarray | float, shank_px: np.ndarray | float
) -> np.ndarray:
    """Knee angle (interior, 180 = straight) from the hip-ankle distance, degrees, (...).

    Law of cosines in the triangle hip-knee-ankle with sides ``thigh_px``, ``shank_px`` and
    ``|ankle - hip|``: ``cos k = (a^2 + b^2 - d^2) / (2 a b)``. The knee landmark is not used:
    this is the angle of a two-link leg of those lengths whose hip and ankle are where the
    landmarks are. A distance beyond ``a + b`` gives 180, below ``|a - b|`` gives 0.
    """
    a = np.asarray(thigh_px, float)
    b = np.asarray(shank_px, float)
    d = np.linalg.norm(np.asarray(ankle, float) - np.asarray(hip, float), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos_k = (a * a + b * b - d * d) / (2.0 * a * b)
    return np.degrees(np.arccos(np.clip(cos_k, -1.0, 1.0)))


def length_constrained_knee_deg(
    xy: np.ndarray, names: Sequence[str], t_s: np.ndarray, *,
    half_window_s: float = SEGMENT_WINDOW_S, percentile: float = SEGMENT_LENGTH_PERCENTILE,
) -> dict[str, np.ndarray]:
    """Knee angle of each leg from its hip-ankle distance and the segment lengths
    (:func:`leg_segment_lengths`, :func:`knee_angle_from_lengths`), degrees, ``{side: (n,)}``.

    At deep flexion the pose model places the knee landmark too close to the hip-ankle line
    (thigh and shank come out shorter than elsewhere in the clip), which opens the landmark
    angle hip-knee-ankle; the hip and ankle landmarks, with segments of constant length, fix
    the knee angle without it. Well conditioned when the knee is bent (heel recovery), not
    near full extension, where a small error in the distance moves the angle a lot: used for
    :func:`step_mechanics`' ``knee_swing_min_deg`` only.
    """
    thigh, shank = leg_segment_lengths(xy, names, t_s, half_window_s=half_window_s, percentile=percentile)
    return {s: knee_angle_from_lengths(joint_xy(xy, names, side_joint(s, "hip")),
                                       joint_xy(xy, names, side_joint(s, "ankle")), thigh, shank)
            for s in SIDES}


# -- windows ----------------------------------------------------------------------------------
def window_extreme(
    series: np.ndarray, t_s: np.ndarray, t0: float, t1: float, kind: str = "max"
) -> tuple[float, float, int]:
    """Interior extreme of ``series`` over ``[t0, t1]``: (time s, value, sample index).

    The sample extreme is accepted only when it is not the first or last sample of the window
    (otherwise the true extreme may lie outside it) and the window is at least
    :data:`sprintcv.metrics.kinematics.MIN_WINDOW_COVERAGE` finite. Its time is refined by a parabola through the three
    samples around it (sub-frame); the value is the sample's. ``(nan, nan, -1)`` otherwise.
    """
    nan = (float("nan"), float("nan"), -1)
    sel = window_mask(t_s, t0, t1)
    if not covered(series, sel):
        return nan
    idx = np.flatnonzero(sel)
    vals = np.where(np.isfinite(series[idx]), series[idx], -np.inf if kind == "max" else np.inf)
    k = int(np.argmax(vals) if kind == "max" else np.argmin(vals))
    if k == 0 or k == len(idx) - 1:
        return nan
    i = int(idx[k])
    y0, y1, y2 = series[i - 1], series[i], series[i + 1]
    t = float(t_s[i])
    denom = y0 - 2 * y1 + y2
    if np.isfinite(denom) and denom != 0:
        # vertex of the parabola through the three samples, for (near-)uniform sampling
        off = 0.5 * (y0 - y2) / denom
        if abs(off) <= 1:
            dt = 0.5 * (t_s[i + 1] - t_s[i - 1])
            t += float(off) * dt
    return t, float(y1), i


def window_peak_time(series: np.ndarray, t_s: np.ndarray, t0: float, t1: float, top_band: float) -> float:
    """Time of the interior maximum of ``series`` over ``[t0, t1]``, from the whole top of the peak.

    A least-squares parabola through the contiguous finite samples around the sample maximum
    whose values are within ``top_band`` (the series' units) of it, at least the three around
    it; its vertex is the peak time (s). A broad peak is flat over many samples at a high frame
    rate (a forward swing of the ankle at 240 fps stays within 1 px of its top for 6-8 frames),
    so a pixel of landmark error moves the top sample, and the three-sample vertex of
    :func:`window_extreme`, by several frames; the band spreads the fit over the curvature
    that the pose model's error cannot reshape. Where the band's fit is not a peak inside its
    samples, the three-sample time of :func:`window_extreme`; NaN where that is NaN.

    Parameters
    ----------
    series : ndarray, shape (n,)
        The signal (NaN where unknown).
    t_s : ndarray, shape (n,)
        Sample times, s, increasing.
    t0, t1 : float
        The window, s.
    top_band : float
        How far below the top a sample may be and still shape the fit, in the series' units.
    """
    t3, _, i = window_extreme(series, t_s, t0, t1)
    if i < 0:
        return t3
    sel = window_mask(t_s, t0, t1) & np.isfinite(series)
    lo = hi = i
    while lo - 1 >= 0 and sel[lo - 1] and series[lo - 1] >= series[i] - top_band:
        lo -= 1
    while hi + 1 < len(series) and sel[hi + 1] and series[hi + 1] >= series[i] - top_band:
        hi += 1
    lo, hi = min(lo, i - 1), max(hi, i + 1)
    x = t_s[lo:hi + 1] - t_s[i]
    y = series[lo:hi + 1]
    if not np.all(np.isfinite(y)):
        return t3
    a, b, _ = np.polyfit(x, y, 2)
    if not a < 0:
        return t3
    vertex = -b / (2 * a)
    return float(t_s[i] + vertex) if x[0] <= vertex <= x[-1] else t3


def window_mean(series: np.ndarray, t_s: np.ndarray, t0: float, t1: float) -> float:
    """Mean of the finite samples in ``[t0, t1]``; NaN when under-covered."""
    sel = window_mask(t_s, t0, t1)
    if not covered(series, sel):
        return float("nan")
    return float(np.nanmean(series[sel]))


def step_oscillation(series: np.ndarray, t_s: np.ndarray, t0: float, t1: float) -> float:
    """Peak-to-peak of the component of ``series`` that repeats once in ``[t0, t1]``.

    A least-squares fit ``a + b cos(w t) + c sin(w t)`` with ``w = 2 pi / (t1 - t0)`` over the
    window's finite samples; returns ``2 sqrt(b^2 + c^2)``. For the pelvis over one step this
    is the bounce at the step frequency: landmark jitter of a frame or two, which max - min
    would add in full, mostly averages out. NaN when under-covered (fewer than 5 samples).
    """
    sel = window_mask(t_s, t0, t1)
    if not covered(series, sel):
        return float("nan")
    sel &= np.isfinite(series)
    if sel.sum() < 5:
        return float("nan")
    w = 2.0 * np.pi / (t1 - t0)
    t = t_s[sel] - t0
    design = np.stack([np.ones_like(t), np.cos(w * t), np.sin(w * t)], axis=1)
    coef, *_ = np.linalg.lstsq(design, series[sel], rcond=None)
    return float(2.0 * np.hypot(coef[1], coef[2]))


def positive_time_fraction(values: np.ndarray, t_s: np.ndarray, t0: float, t1: float,
                           grid_s: float = 5e-4) -> float:
    """Fraction of the time in ``[t0, t1]`` during which ``values`` is > 0.

    ``values`` (n,) is taken as linear between samples (so a sign change is placed between
    frames, not on one); the window is resampled every ``grid_s`` seconds. NaN when the window
    is empty, not covered by samples or under-covered by finite values.
    """
    if not (np.isfinite(t0) and np.isfinite(t1)) or t1 <= t0 or t0 < t_s[0] or t1 > t_s[-1]:
        return float("nan")
    sel = window_mask(t_s, t0, t1)
    if not covered(values, sel):
        return float("nan")
    ok = np.isfinite(values)
    grid = np.linspace(t0, t1, max(3, int(np.ceil((t1 - t0) / grid_s)) + 1))
    return float(np.mean(np.interp(grid, t_s[ok], values[ok]) > 0))


# -- contacts ---------------------------------------------------------------------------------
def next_other_touchdown(contacts: Sequence[Contact], i: int) -> float:
    """Touchdown of the next contact when it is the other foot's (one step later), else NaN."""
    if i + 1 < len(contacts) and contacts[i + 1].foot != contacts[i].foot:
        return float(contacts[i + 1].touchdown_s)
    return float("nan")


def next_same_touchdown(contacts: Sequence[Contact], i: int) -> float:
    """Touchdown of the same foot's next contact when exactly one contact of the other foot
    lies between (one stride later, none missed), else NaN."""
    if (i + 2 < len(contacts) and contacts[i + 2].foot == contacts[i].foot
            and contacts[i + 1].foot != contacts[i].foot):
        return float(contacts[i + 2].touchdown_s)
    return float("nan")


def _swing_end(contacts: Sequence[Contact], i: int, t_last: float) -> float:
    """End of the swing after contact ``i``: that foot's next touchdown, else the clip's end."""
    for c in contacts[i + 1:]:
        if c.foot == contacts[i].foot:
            return float(c.touchdown_s) if np.isfinite(c.touchdown_s) else float("nan")
    return float(t_last)


# -- per step ---------------------------------------------------------------------------------
def step_mechanics(
    angles: dict[str, np.ndarray],
    xy: np.ndarray,
    names: Sequence[str],
    t_s: np.ndarray,
    contacts: Sequence[Contact],
    leg_px: float,
    *,
    calibration: LaneCalibration | None = None,
    direction: int = 1,
) -> dict[str, np.ndarray]:
    """Per-contact mechanics, arm and time columns (:data:`MECHANICS_COLUMNS`,
    :data:`ARM_COLUMNS`, :data:`TIME_COLUMNS`).

    Parameters
    ----------
    angles : dict of ndarray, shape (n,)
        :func:`sprintcv.metrics.kinematics.angle_series` of ``xy``, degrees.
    xy : ndarray, shape (n, n_joints, >=2)
        Body-frame positions (x forward, y up), pixels.
    names : sequence of str
        Joint names of ``xy``'s second axis.
    t_s : ndarray, shape (n,)
        Sample times, s.
    contacts : sequence of Contact
        Ground contacts of both feet, sorted by time (the rows of the steps table).
    leg_px : float
        Leg length (hip-knee + knee-ankle), pixels: the unit of the ``_leg`` columns.
    calibration : LaneCalibration, optional
        Lane calibration (image column -> metres); gives the ``_m`` columns (NaN without).
    direction : int
        +1 / -1: running direction in the image (body x = direction * image x).

    Returns
    -------
    dict of ndarray, shape (len(contacts),)
    """
    t_s = np.asarray(t_s, float)
    n = len(contacts)
    out = {k: np.full(n, np.nan) for k in MECHANICS_COLUMNS + ARM_COLUMNS + TIME_COLUMNS}
    if n == 0 or not (np.isfinite(leg_px) and leg_px > 0):
        return out
    hip = hip_midpoint(xy, names)
    lean = angles["trunk_lean_deg"]
    knee_lc = length_constrained_knee_deg(xy, names, t_s)
    j = {nm: joint_xy(xy, names, nm) for nm in names if nm.split("_", 1)[0] in SIDES}
    for i, c in enumerate(contacts):
        f, s = c.foot, other_side(c.foot)
        td, to = float(c.touchdown_s), float(c.toeoff_s)
        t_next = next_other_touchdown(contacts, i)
        # knee lift: the swing knee's highest point over the step
        knee_h = (j[side_joint(s, "knee")][:, 1] - hip[:, 1]) / leg_px
        sel = window_mask(t_s, td, t_next)
        if covered(knee_h, sel):
            out["knee_height_max_leg"][i] = float(np.nanmax(knee_h[sel]))
        # Hip extension peaks at about toe-off; taken as the extreme within TOE_OFF_WINDOW_S of
        # the event, so that the event's timing error (the thigh turns at ~600 deg/s there)
        # does not become the metric's.
        half = max(TOE_OFF_WINDOW_S, 3.0 * float(np.median(np.diff(t_s))))
        out["thigh_to_deg"][i] = window_extreme(angles[f"{f}_thigh_deg"], t_s, to - half, to + half, "min")[1]
        # heel recovery: early swing of this foot, from toe-off to its own knee lift
        t_lift, _, _ = window_extreme(angles[f"{f}_thigh_deg"], t_s, to, _swing_end(contacts, i, t_s[-1]))
        _, knee_min, _ = window_extreme(knee_lc[f], t_s, to, t_lift, "min")
        out["knee_swing_min_deg"][i] = knee_min
        heel = j[side_joint(f, "heel")]
        heel_h = (heel[:, 1] - hip[:, 1]) / leg_px
        t_heel, h_max, k = window_extreme(heel_h, t_s, to, t_lift, "max")
        if k >= 0:
            out["heel_recovery_t_s"][i] = t_heel
            out["heel_recovery_height_leg"][i] = h_max
            out["heel_recovery_x_leg"][i] = (heel[k, 0] - hip[k, 0]) / leg_px
        # touchdown distance in metres: the rear-most foot point, as touchdown_distance_leg
        if calibration is not None:
            fx, hx = value_at(rear_foot_x(xy, tuple(names), f), t_s, td), value_at(hip[:, 0], t_s, td)
            out["touchdown_distance_m"][i] = float(calibration.to_m(direction * fx) - calibration.to_m(direction * hx))
        out["thigh_separation_td_deg"][i] = (value_at(angles[f"{f}_thigh_deg"], t_s, td)
                                             - value_at(angles[f"{s}_thigh_deg"], t_s, td))
        out["trunk_lean_mean_deg"][i] = window_mean(lean, t_s, td, t_next)
        osc_px = step_oscillation(hip[:, 1], t_s, td, t_next)
        out["pelvis_oscillation_leg"][i] = osc_px / leg_px
        if calibration is not None and np.isfinite(osc_px):
            x_mid = value_at(hip[:, 0], t_s, 0.5 * (td + t_next))
            out["pelvis_oscillation_m"][i] = osc_px / calibration.px_per_m(direction * x_mid)
        # front-side share of this leg's cycle
        ankle_front = front_of_body_line(j[side_joint(f, "ankle")], hip, lean)
        out["front_side_share"][i] = positive_time_fraction(ankle_front, t_s, td, next_same_touchdown(contacts, i))
        # arms: the swing leg's knee lift, the opposite (stance-side) arm forward, the other back
        t_knee, _, _ = window_extreme(angles[f"{s}_thigh_deg"], t_s, td, t_next)
        step = t_next - td  # +/- one step around the knee lift: arm extremes are a stride apart
        t_fwd, sh_fwd, _ = window_extreme(angles[f"{f}_shoulder_deg"], t_s, t_knee - step, t_knee + step)
        t_back, sh_back, _ = window_extreme(angles[f"{s}_shoulder_deg"], t_s, t_knee - step, t_knee + step, "min")
        out["shoulder_front_deg"][i] = sh_fwd
        out["elbow_front_deg"][i] = value_at(angles[f"{f}_elbow_deg"], t_s, t_fwd)
        out["shoulder_back_deg"][i] = sh_back
        out["elbow_back_deg"][i] = value_at(angles[f"{s}_elbow_deg"], t_s, t_back)
        out["arm_timing_s"][i] = t_fwd - t_knee
        out["knee_lift_t_s"][i] = t_knee
        out["arm_front_t_s"][i] = t_fwd
        out["arm_back_t_s"][i] = t_back
    return out


# -- per run ----------------------------------------------------------------------------------
def per_leg_stats(steps: dict[str, Any], column: str) -> dict[str, Any]:
    """Mean, sd and n of a per-step column over the run, and its mean per limb: ``left`` /
    ``right`` = the left / right leg (or arm) that the column describes
    (:data:`COLUMN_LEG`); for whole-body columns, the steps on the left / right foot."""
    values = np.asarray(steps[column], float)
    side = column_side(steps["foot"], column)
    if column not in COLUMN_LEG:
        side = np.asarray(steps["foot"], dtype=object)
    out: dict[str, Any] = describe(values)
    for s in SIDES:
        out[s] = describe(values[side == s])["mean"]
    return out


#: Per-step columns summarised per run in ``summary["mechanics"]``.
SUMMARISED = (
    "thigh_front_max_deg", "knee_height_max_leg", "thigh_to_deg", "knee_swing_min_deg",
    "heel_recovery_height_leg", "heel_recovery_x_leg", "touchdown_distance_leg", "touchdown_distance_m",
    "shin_td_deg", "knee_td_deg", "thigh_separation_td_deg", "trunk_lean_td_deg", "trunk_lean_mean_deg",
    "pelvis_oscillation_leg", "pelvis_oscillation_m", "front_side_share",
)


def mechanics_summary(steps: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``summary["mechanics"]``: for each column of :data:`SUMMARISED`, ``mean``, ``sd``,
    ``n`` over the run and the mean per leg (:func:`per_leg_stats`)."""
    return {k: per_leg_stats(steps, k) for k in SUMMARISED if k in steps}


def arms_summary(steps: dict[str, Any], angles: dict[str, np.ndarray]) -> dict[str, Any]:
    """``summary["arms"]``: per arm, the means of its forward and backward extremes (elbow and
    shoulder angle), its shoulder swing range (forward minus backward extreme), and the whole
    clip's elbow angle range; plus ``arm_timing_s`` statistics.

    The forward extreme of the left arm is in the rows of left contacts (the arm opposite the
    swinging right leg), its backward extreme in the rows of right contacts.
    """
    out: dict[str, Any] = {}
    means = {c: per_leg_stats(steps, c) for c in ("elbow_front_deg", "elbow_back_deg",
                                                  "shoulder_front_deg", "shoulder_back_deg")}
    for arm in SIDES:
        elbow = np.asarray(angles[f"{arm}_elbow_deg"], float)
        elbow = elbow[np.isfinite(elbow)]
        out[arm] = {c: means[c][arm] for c in means}
        out[arm]["shoulder_range_deg"] = means["shoulder_front_deg"][arm] - means["shoulder_back_deg"][arm]
        out[arm]["elbow_min_deg"] = float(elbow.min()) if len(elbow) else float("nan")
        out[arm]["elbow_max_deg"] = float(elbow.max()) if len(elbow) else float("nan")
    out["arm_timing_s"] = describe(steps["arm_timing_s"])
    return out
