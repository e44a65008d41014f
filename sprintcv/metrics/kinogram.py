"""The kinogram: five positions of one step, picked automatically. Pure numpy.

The ALTIS kinogram (McMillan & Pfaff, *The ALTIS Kinogram Method*, 2018) shows a sprint step
as five still frames. sprintcv names a kinogram after the **landing foot** ``B``; the step
starts with the toe-off of the other foot ``A`` and ends with ``B`` in full support:

1. ``toe_off``: the last frame with foot ``A`` on the ground (the sample before its toe-off).
2. ``max_vertical_projection`` (MVP): the highest point of the flight, taken as the middle of
   the flight (halfway between the toe-off of ``A`` and the touchdown of ``B``): in flight the
   centre of mass is ballistic, and with take-off and landing at the same height (steady
   running) the top of the parabola is at mid-flight. The hip landmarks cannot place it: the
   pelvis rises and falls by about 5 cm (5 px for a runner 190 px tall) while the pose model's
   hip height jitters by about 2 px, so their highest frame is off by 2-5 frames at 120 fps
   (measured on the synthetic clips).
3. ``strike``: foot ``B`` furthest in front of the hips before it lands: the maximum of
   (ankle ``B`` x - hip-midpoint x) over the flight, the vertex of a parabola fitted to the
   top of the peak: the samples within :data:`STRIKE_TOP_LEG` leg lengths of the maximum
   (:func:`~sprintcv.metrics.mechanics.window_peak_time`). After it the foot moves back
   towards the ground ("pawing"). The peak is broad: at 240 fps the ankle stays within 1 px
   of its top for 6-8 frames, so the top sample alone (with a three-sample parabola) moved
   with a pixel of pose error and put the strike 1.5-2.8 frames off on two 240 fps synthetic
   clips; the band's fit is 1.0 and 0.8 there (``benchmarks/accuracy.py``).
4. ``touchdown``: the first frame with foot ``B`` on the ground (the first sample at or after
   its touchdown).
5. ``full_support``: foot ``B`` under the hips: the first time in ``B``'s contact at which the
   hip midpoint passes the centre of the foot (mean of heel and toe x, as for step length),
   interpolated between samples; the nearest frame.

Times come from the contact events (:mod:`sprintcv.events`) and the body-frame positions
(x forward, y up). A position that the data cannot place (event missing, extreme not inside
its window) is ``None``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..events import Contact, leg_length
from ..joints import SIDES, other_side, side_joint
from .kinematics import window_mask
from .mechanics import hip_midpoint, joint_xy, window_peak_time

POSITIONS: tuple[str, ...] = ("toe_off", "max_vertical_projection", "strike", "touchdown", "full_support")
#: Depth of the top of the ankle's forward swing that shapes the strike's fit, leg lengths
#: (hip-knee-ankle, about 4.5 px for a runner 190 px tall). Pooled strike frame error on the
#: synthetic clips at 120-240 fps: 0.72 frame with the three samples at the top, 0.57 / 0.55 /
#: 0.53 with bands of 0.04 / 0.05 / 0.07, 0.69 with 0.1 (the fit then reaches the steep,
#: asymmetric sides of the peak).
STRIKE_TOP_LEG = 0.05
POSITION_LABELS: dict[str, str] = {
    "toe_off": "toe-off", "max_vertical_projection": "max vertical projection", "strike": "strike",
    "touchdown": "touchdown", "full_support": "full support",
}


def _first_at_or_after(t_s: np.ndarray, t: float) -> int | None:
    if not np.isfinite(t):
        return None
    k = int(np.searchsorted(t_s, t - 1e-9, side="left"))
    return k if k < len(t_s) else None


def _last_before(t_s: np.ndarray, t: float) -> int | None:
    if not np.isfinite(t):
        return None
    k = int(np.searchsorted(t_s, t - 1e-9, side="left")) - 1
    return k if k >= 0 else None


def _nearest(t_s: np.ndarray, t: float) -> int | None:
    if not np.isfinite(t) or t < t_s[0] or t > t_s[-1]:
        return None
    return int(np.argmin(np.abs(t_s - t)))


def hip_passes_time(foot_x: np.ndarray, hip_x: np.ndarray, t_s: np.ndarray, t0: float, t1: float) -> float:
    """First time in ``[t0, t1]`` at which ``hip_x`` reaches ``foot_x`` (the foot goes from in
    front of the hips to under or behind them), linear between samples; NaN if it does not
    happen inside the window (e.g. the foot landed behind the hips)."""
    sel = window_mask(t_s, t0, t1)
    idx = np.flatnonzero(sel)
    d = (foot_x - hip_x)[idx]
    for a, b in zip(range(len(idx) - 1), range(1, len(idx))):
        if np.isfinite(d[a]) and np.isfinite(d[b]) and d[a] > 0 >= d[b]:
            ta, tb = t_s[idx[a]], t_s[idx[b]]
            return float(ta + d[a] / (d[a] - d[b]) * (tb - ta))
    return float("nan")


def _leg_px(xy: np.ndarray, names: Sequence[str]) -> float:
    """The leg length (px), or NaN where it cannot be measured: the strike's fit then uses the
    three samples at the top."""
    try:
        return leg_length(xy, tuple(names))
    except ValueError:
        return float("nan")


def step_positions(
    xy: np.ndarray, names: Sequence[str], t_s: np.ndarray, before: Contact, landing: Contact,
    leg_px: float | None = None,
) -> dict[str, tuple[float, int] | None]:
    """The five positions of the step from ``before``'s toe-off to ``landing``'s support.

    ``leg_px`` is the leg length (hip-knee-ankle, px) that scales the strike's fit; measured
    from ``xy`` when not given. Returns ``{position: (time_s, sample) or None}`` (see the
    module docstring); ``time_s`` is the defining instant (sub-frame), ``sample`` the frame shown.
    """
    t_s = np.asarray(t_s, float)
    leg = _leg_px(xy, names) if leg_px is None else float(leg_px)
    hip = hip_midpoint(xy, names)
    foot = landing.foot
    to, td, to_b = float(before.toeoff_s), float(landing.touchdown_s), float(landing.toeoff_s)
    out: dict[str, tuple[float, int] | None] = {p: None for p in POSITIONS}
    if (k := _last_before(t_s, to)) is not None and np.isfinite(td):
        out["toe_off"] = (to, k)
    if np.isfinite(to) and np.isfinite(td) and td > to:
        apex = 0.5 * (to + td)
        if (k := _nearest(t_s, apex)) is not None:
            out["max_vertical_projection"] = (apex, k)
        ahead = joint_xy(xy, names, side_joint(foot, "ankle"))[:, 0] - hip[:, 0]
        t_strike = window_peak_time(ahead, t_s, to, td, STRIKE_TOP_LEG * leg)
        if (k := _nearest(t_s, t_strike)) is not None:
            out["strike"] = (t_strike, k)
    if (k := _first_at_or_after(t_s, td)) is not None:
        out["touchdown"] = (td, k)
    centre = 0.5 * (joint_xy(xy, names, side_joint(foot, "heel"))[:, 0]
                    + joint_xy(xy, names, side_joint(foot, "foot_index"))[:, 0])
    t_support = hip_passes_time(centre, hip[:, 0], t_s, td, to_b)
    if (k := _nearest(t_s, t_support)) is not None:
        out["full_support"] = (t_support, k)
    return out


def all_step_positions(
    xy: np.ndarray, names: Sequence[str], t_s: np.ndarray, contacts: Sequence[Contact]
) -> list[tuple[int, dict[str, tuple[float, int] | None]]]:
    """:func:`step_positions` for every contact that follows one of the other foot:
    ``[(row index of the landing contact, positions), ...]``."""
    out: list[tuple[int, dict[str, tuple[float, int] | None]]] = []
    if len(contacts) < 2:
        return out
    leg = _leg_px(xy, names)
    for i in range(1, len(contacts)):
        if contacts[i].foot != contacts[i - 1].foot:
            out.append((i, step_positions(xy, names, t_s, contacts[i - 1], contacts[i], leg_px=leg)))
    return out


def kinogram(
    xy: np.ndarray, names: Sequence[str], t_s: np.ndarray, contacts: Sequence[Contact],
    frame_index: np.ndarray | None = None, usable: np.ndarray | None = None,
) -> dict[str, dict[str, Any] | None]:
    """One kinogram per landing foot: the complete step nearest the middle of the clip.

    Parameters
    ----------
    xy, names, t_s, contacts :
        Body-frame positions (n, n_joints, >=2) px, joint names, sample times (s), contacts.
    frame_index : ndarray of int, shape (n,), optional
        Video frame of each sample (default: the sample index).
    usable : ndarray of bool, shape (n,), optional
        Samples where the whole runner is in view; a step with a position outside is skipped.

    Returns
    -------
    dict
        ``{"left": {"step": int (1-based row of the landing contact), "positions":
        {position: {"frame", "sample", "t_s"}}}, "right": ...}``; a side is None when no step
        has all five positions.
    """
    t_s = np.asarray(t_s, float)
    frames = np.arange(len(t_s)) if frame_index is None else np.asarray(frame_index)
    mid = 0.5 * (t_s[0] + t_s[-1])
    best: dict[str, tuple[float, int, dict[str, tuple[float, int]]]] = {}
    for i, pos in all_step_positions(xy, names, t_s, contacts):
        if any(p is None for p in pos.values()):
            continue
        if usable is not None and not all(bool(usable[p[1]]) for p in pos.values() if p is not None):
            continue
        side = contacts[i].foot
        score = abs(contacts[i].touchdown_s - mid)
        if side not in best or score < best[side][0]:
            best[side] = (score, i, pos)  # type: ignore[assignment]
    out: dict[str, dict[str, Any] | None] = {}
    for side in SIDES:
        if side not in best:
            out[side] = None
            continue
        _, i, pos = best[side]
        out[side] = {
            "step": i + 1,
            "toe_off_foot": other_side(side),
            "positions": {p: {"frame": int(frames[k]), "sample": int(k), "t_s": float(t)} for p, (t, k) in pos.items()},
        }
    return out
