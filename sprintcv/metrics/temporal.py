"""Temporal metrics: the per-step table and its summary, all differences of contact events.

Definitions (times in seconds of capture time):

* ``contact_s`` = toe-off - touchdown of the same contact;
* ``flight_s`` = next contact's touchdown - this toe-off (the flight *after* this contact);
* ``step_s`` = next contact's touchdown - this touchdown; ``step_frequency_hz`` = 1 / step_s
  (per step; the run's is 1 / the mean step time from touchdowns and toe-offs together,
  :func:`event_step_frequency`);
* left/right asymmetry of a quantity = 100 * (left - right) / mean(left, right), in percent.

A value is NaN where an event it needs is missing or where the next contact is not the other
foot's (a contact was missed in between, so the difference would span two steps).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..events import Contact


def steps_table(contacts: list[Contact], fps: float) -> dict[str, np.ndarray]:
    """One row per ground contact (tidy; ``pandas.DataFrame(steps_table(...))`` works).

    Parameters
    ----------
    contacts : list of Contact
        Contacts of both feet sorted by time.
    fps : float
        Effective sample rate, Hz; gives the ``resolution_s`` column (1/fps).
    """
    n = len(contacts)
    cols: dict[str, Any] = {
        "step": np.arange(1, n + 1),
        "foot": np.array([c.foot for c in contacts], dtype=object),
        "touchdown_s": np.array([c.touchdown_s for c in contacts], dtype=float),
        "toeoff_s": np.array([c.toeoff_s for c in contacts], dtype=float),
    }
    cols["contact_s"] = cols["toeoff_s"] - cols["touchdown_s"]
    flight = np.full(n, np.nan)
    step = np.full(n, np.nan)
    for i in range(n - 1):
        if contacts[i + 1].foot != contacts[i].foot:
            flight[i] = contacts[i + 1].touchdown_s - contacts[i].toeoff_s
            step[i] = contacts[i + 1].touchdown_s - contacts[i].touchdown_s
    cols["flight_s"] = flight
    cols["step_s"] = step
    with np.errstate(divide="ignore", invalid="ignore"):
        cols["step_frequency_hz"] = 1.0 / step
    cols["touchdown_confidence"] = np.array([c.touchdown_confidence for c in contacts], dtype=float)
    cols["toeoff_confidence"] = np.array([c.toeoff_confidence for c in contacts], dtype=float)
    cols["resolution_s"] = np.full(n, 1.0 / fps)
    return cols


def describe(values: np.ndarray) -> dict[str, float | int]:
    """``mean``, ``sd`` (ddof 1; 0 for one value) and ``n`` of the finite values."""
    v = values[np.isfinite(values)]
    if len(v) == 0:
        return {"mean": float("nan"), "sd": float("nan"), "n": 0}
    return {"mean": float(v.mean()), "sd": float(v.std(ddof=1)) if len(v) > 1 else 0.0, "n": int(len(v))}


def asymmetry_pct(left: float, right: float) -> float:
    """100 * (left - right) / mean(left, right); NaN when either is missing."""
    if not (np.isfinite(left) and np.isfinite(right)) or left + right == 0:
        return float("nan")
    return float(100.0 * (left - right) / ((left + right) / 2.0))


def stride_frequency(contacts: list[Contact]) -> float:
    """Step frequency from same-foot intervals (strides) of touchdowns and of toe-offs, Hz;
    robust to missed contacts of the other foot. NaN with fewer than one stride."""
    strides = []
    for foot in ("left", "right"):
        for edge in ("touchdown_s", "toeoff_s"):
            t = np.array([getattr(c, edge) for c in contacts if c.foot == foot and np.isfinite(getattr(c, edge))])
            if len(t) >= 2:
                d = np.diff(t)
                med = np.median(d)
                strides.extend(d[(d > 0.6 * med) & (d < 1.4 * med)])
    return float(2.0 / np.mean(strides)) if strides else float("nan")


def event_step_frequency(contacts: list[Contact]) -> tuple[float, int]:
    """Step frequency (Hz) from the intervals between consecutive contacts of alternating feet,
    touchdown to touchdown and toe-off to toe-off, and the number of steps it rests on.

    Both edges mark the same step, so each interval is the step time; pooling the two halves
    an edge's timing error, and where one edge of a short clip is poorly timed (a
    low-confidence touchdown) the other carries the estimate.
    """
    intervals, steps = [], 0
    for a, b in zip(contacts[:-1], contacts[1:]):
        if a.foot == b.foot:
            continue
        d = [getattr(b, e) - getattr(a, e) for e in ("touchdown_s", "toeoff_s")]
        d = [x for x in d if np.isfinite(x) and x > 0]
        intervals += d
        steps += bool(d)
    return (float(1.0 / np.mean(intervals)) if intervals else float("nan")), steps


def temporal_summary(steps: dict[str, np.ndarray], contacts: list[Contact]) -> dict[str, Any]:
    """Per-run means with spread, per-foot means and asymmetry."""
    out: dict[str, Any] = {}
    for key in ("contact_s", "flight_s", "step_s"):
        s = describe(steps[key])
        out[f"{key}_mean"] = s["mean"]
        out[f"{key}_sd"] = s["sd"]
        out[f"{key}_n"] = s["n"]
    step_f, n_steps = event_step_frequency(contacts)
    stride_f = stride_frequency(contacts)
    # Prefer consecutive steps; fall back to strides when the other foot's contacts were missed.
    out["step_frequency_hz"] = step_f if n_steps >= 2 else stride_f
    out["step_frequency_from_strides_hz"] = stride_f
    out["cadence_spm"] = 60.0 * out["step_frequency_hz"] if np.isfinite(out["step_frequency_hz"]) else float("nan")
    per_foot: dict[str, dict[str, float]] = {}
    for foot in ("left", "right"):
        sel = steps["foot"] == foot
        per_foot[foot] = {
            "contact_s_mean": describe(steps["contact_s"][sel])["mean"],
            "flight_s_mean": describe(steps["flight_s"][sel])["mean"],
            "n_contacts": int(sel.sum()),
        }
    out["per_foot"] = per_foot
    out["asymmetry_pct"] = {
        "contact_s": asymmetry_pct(per_foot["left"]["contact_s_mean"], per_foot["right"]["contact_s_mean"]),
        "flight_s": asymmetry_pct(per_foot["left"]["flight_s_mean"], per_foot["right"]["flight_s_mean"]),
    }
    return out
