"""Distance, split times, velocity and step length from a calibrated lane.

* The runner's position is the **hip midpoint** (the torso, as timing gates see it); its
  image column is mapped to metres along the lane by :mod:`sprintcv.calibration`.
* **Crossing rule**: a line (gate) at distance ``d`` is crossed when the hip midpoint's
  distance first reaches ``d``, linearly interpolated between the two frames around it.
  Split time = difference of crossing times; mean speed = split distance / split time.
* **Velocity**: slope of a straight line fitted to the distance over a sliding 0.3 s window
  (about a step and a half, so the within-step surge and brake is averaged; no filter
  transients at the ends of the visible stretch, where it is simply not reported).
* **Step length**: distance between the mid-stance positions of the planted foot (the mean
  of heel and toe columns over the contact) of consecutive contacts of opposite feet.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..calibration import LaneCalibration
from ..events import Contact


def hip_midpoint_x(xy_px: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """Image column of the hip midpoint, pixels, shape (n,)."""
    return (xy_px[:, names.index("left_hip"), 0] + xy_px[:, names.index("right_hip"), 0]) / 2.0


def crossing_times(distance_m: np.ndarray, t_s: np.ndarray, marks_m: np.ndarray) -> np.ndarray:
    """First time the distance reaches each mark (linear interpolation), NaN if never, (k,)."""
    out = np.full(len(marks_m), np.nan)
    ok = np.isfinite(distance_m)
    d, t = distance_m[ok], t_s[ok]
    for k, mark in enumerate(marks_m):
        after = np.flatnonzero(d >= mark)
        if len(after) == 0 or after[0] == 0:
            continue  # never reached, or already past it at the first frame seen
        i = after[0]
        out[k] = t[i - 1] + (mark - d[i - 1]) / (d[i] - d[i - 1]) * (t[i] - t[i - 1])
    return out


def split_table(crossings_s: np.ndarray, marks_m: np.ndarray) -> list[dict[str, float]]:
    """Consecutive splits ``{"from_m", "to_m", "time_s", "speed_mps"}``."""
    rows = []
    for a in range(len(marks_m) - 1):
        time = crossings_s[a + 1] - crossings_s[a]
        dist = marks_m[a + 1] - marks_m[a]
        rows.append({
            "from_m": float(marks_m[a]), "to_m": float(marks_m[a + 1]), "time_s": float(time),
            "speed_mps": float(dist / time) if np.isfinite(time) and time > 0 else float("nan"),
        })
    return rows


def velocity_profile(distance_m: np.ndarray, t_s: np.ndarray, window_s: float = 0.3) -> np.ndarray:
    """Smooth horizontal speed, m/s, shape (n,): the slope of a straight line fitted to the
    distance over a centred ``window_s`` window (about one step and a half, so the surge and
    brake within a step average out). NaN where the window is not at least 80% covered by
    known positions (the first and last half window of every visible stretch).
    """
    d = np.asarray(distance_m, float)
    t = np.asarray(t_s, float)
    v = np.full_like(d, np.nan)
    ok = np.isfinite(d)
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1.0
    k = max(1, int(round(window_s / 2.0 / dt)))  # half window in samples: symmetric windows
    for i in range(k, len(t) - k):
        sel = slice(i - k, i + k + 1)
        good = ok[sel]
        if not (good[0] and good[-1]) or good.sum() < 0.8 * (2 * k + 1):
            continue
        tt, dd = t[sel][good], d[sel][good]
        tc = tt - tt.mean()
        v[i] = float((tc * (dd - dd.mean())).sum() / (tc * tc).sum())
    return v


def contact_positions_px(xy_px: np.ndarray, names: tuple[str, ...], contacts: list[Contact]) -> np.ndarray:
    """Mid-stance column of each contact's planted foot (mean of heel and toe), pixels, (m,)."""
    out = np.full(len(contacts), np.nan)
    for i, c in enumerate(contacts):
        lo, hi = c.touchdown_sample, c.toeoff_sample
        if not (np.isfinite(c.touchdown_s) or np.isfinite(c.toeoff_s)) or hi < lo:
            continue  # no edge seen: not a contact whose place is known
        heel = xy_px[lo: hi + 1, names.index(f"{c.foot}_heel"), 0]
        toe = xy_px[lo: hi + 1, names.index(f"{c.foot}_foot_index"), 0]
        out[i] = float(np.nanmean((heel + toe) / 2.0))
    return out


def step_lengths_m(contacts: list[Contact], positions_m: np.ndarray) -> np.ndarray:
    """Distance from each contact to the next one of the other foot, metres, (m,)."""
    out = np.full(len(contacts), np.nan)
    for i in range(len(contacts) - 1):
        if contacts[i + 1].foot != contacts[i].foot:
            out[i] = positions_m[i + 1] - positions_m[i]
    return out


def speed_summary(
    calib: LaneCalibration,
    xy_px: np.ndarray,
    names: tuple[str, ...],
    t_s: np.ndarray,
    contacts: list[Contact],
    valid: np.ndarray,
    step_frequency_hz: float,
) -> tuple[dict[str, Any], dict[str, np.ndarray], np.ndarray]:
    """Splits, fly-10, peak speed and the speed ~ step length x frequency check.

    ``valid`` (n,) marks frames whose position can be trusted (whole runner in view).
    Returns (summary fields, velocity table columns, per-contact step lengths in m).
    """
    hip = np.where(valid, hip_midpoint_x(xy_px, names), np.nan)
    distance = calib.to_m(hip)
    speed = velocity_profile(distance, t_s)
    peak = float(np.nanmax(speed)) if np.isfinite(speed).any() else float("nan")
    out: dict[str, Any] = {"calibration": calib.to_dict(), "speed_peak_mps": peak}
    if calib.method == "markers":
        crossings = crossing_times(distance, t_s, calib.markers_m)
        out["gate_crossings"] = [{"at_m": float(m), "t_s": float(t)} for m, t in zip(calib.markers_m, crossings)]
        out["splits"] = split_table(crossings, calib.markers_m)
        # Fly-10: from the first gate to the gate 10 m further on, when there is one.
        ten = np.flatnonzero(np.abs(calib.markers_m - calib.markers_m[0] - 10.0) < 1e-9)
        out["fly10_s"] = float(crossings[ten[0]] - crossings[0]) if len(ten) else None
        total = crossings[-1] - crossings[0]
        out["speed_mean_mps"] = float((calib.markers_m[-1] - calib.markers_m[0]) / total) if total > 0 else float("nan")
    else:
        ok = np.isfinite(distance)
        span = t_s[ok][-1] - t_s[ok][0] if ok.sum() > 1 else 0.0
        out["speed_mean_mps"] = float((distance[ok][-1] - distance[ok][0]) / span) if span > 0 else float("nan")
    steps_m = step_lengths_m(contacts, calib.to_m(contact_positions_px(xy_px, names, contacts)))
    mean_step = float(np.nanmean(steps_m)) if np.isfinite(steps_m).any() else float("nan")
    out["step_length_m_mean"] = mean_step
    predicted = mean_step * step_frequency_hz
    out["speed_check"] = {
        "step_length_x_frequency_mps": predicted,
        "ratio_to_mean_speed": predicted / out["speed_mean_mps"] if out["speed_mean_mps"] else float("nan"),
    }
    table = {"t_s": t_s, "distance_m": distance, "speed_mps": speed}
    return out, table, steps_m
