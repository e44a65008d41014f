"""Temporal metrics: the per-step table and its summary, all differences of contact events.

Definitions (times in seconds of capture time):

* ``contact_s`` = toe-off - touchdown of the same contact;
* ``flight_s`` = next contact's touchdown - this toe-off (the flight *after* this contact);
* ``step_s`` = next contact's touchdown - this touchdown; ``step_frequency_hz`` = 1 / step_s;
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
    """Step frequency from same-foot touchdown intervals (strides), Hz; robust to missed
    contacts of the other foot. NaN with fewer than one stride."""
    strides = []
    for foot in ("left", "right"):
        td = np.array([c.touchdown_s for c in contacts if c.foot == foot and np.isfinite(c.touchdown_s)])
        if len(td) >= 2:
            d = np.diff(td)
            med = np.median(d)
            strides.extend(d[(d > 0.6 * med) & (d < 1.4 * med)])
    return float(2.0 / np.mean(strides)) if strides else float("nan")


def temporal_summary(steps: dict[str, np.ndarray], contacts: list[Contact]) -> dict[str, Any]:
    """Per-run means with spread, per-foot means and asymmetry."""
    out: dict[str, Any] = {}
    for key in ("contact_s", "flight_s", "step_s"):
        s = describe(steps[key])
        out[f"{key}_mean"] = s["mean"]
        out[f"{key}_sd"] = s["sd"]
        out[f"{key}_n"] = s["n"]
    step_f = 1.0 / out["step_s_mean"] if np.isfinite(out["step_s_mean"]) and out["step_s_mean"] > 0 else float("nan")
    stride_f = stride_frequency(contacts)
    # Prefer consecutive steps; fall back to strides when the other foot's contacts were missed.
    out["step_frequency_hz"] = step_f if out["step_s_n"] >= 2 else stride_f
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
