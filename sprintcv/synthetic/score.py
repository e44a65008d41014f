"""Score detected contacts against ground truth (synthetic truth JSON or hand labels).

Used by the tests and by ``benchmarks/accuracy.py``. Matching is one-to-one per foot: each
true contact takes the detected contact of the same foot whose touchdown is nearest, within
``max_offset_s``; unmatched true contacts are *missed*, unmatched detections are *phantoms*.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..events import Contact


@dataclass
class ContactScore:
    """Errors of matched contacts (detected - true), seconds; NaN where an edge is missing."""

    td_err_s: np.ndarray
    to_err_s: np.ndarray
    contact_err_s: np.ndarray
    n_true: int
    n_missed: int
    n_phantom: int

    def stats(self, fps: float) -> dict[str, Any]:
        """Mean, mean absolute and 95% limits of agreement, in seconds and in frames."""
        out: dict[str, Any] = {"n_true": self.n_true, "n_missed": self.n_missed, "n_phantom": self.n_phantom}
        for name, err in (("td", self.td_err_s), ("to", self.to_err_s), ("contact", self.contact_err_s)):
            e = err[np.isfinite(err)]
            if len(e) == 0:
                out[name] = None
                continue
            sd = float(e.std(ddof=1)) if len(e) > 1 else 0.0
            out[name] = {
                "n": int(len(e)), "mean_s": float(e.mean()), "mae_s": float(np.abs(e).mean()),
                "loa95_s": (float(e.mean() - 1.96 * sd), float(e.mean() + 1.96 * sd)),
                "mae_frames": float(np.abs(e).mean() * fps),
            }
        return out


def truth_contacts(truth: dict[str, Any], t_first: float, t_last: float) -> list[tuple[str, float, float]]:
    """True (foot, touchdown_s, toeoff_s) whose both edges lie inside [t_first, t_last] and,
    for synthetic truth, with the whole runner in view (``in_view``)."""
    return [
        (c["foot"], float(c["touchdown_s"]), float(c["toeoff_s"]))
        for c in truth["contacts"]
        if c["touchdown_s"] > t_first and c["toeoff_s"] < t_last and c.get("in_view", True)
    ]


def label_contacts(labels: dict[str, Any], fps: float | None = None) -> list[tuple[str, float, float]]:
    """Contacts from a hand-label file (``../shared/clips/labels/*.json``): each touchdown paired
    with the next toe-off of the same camera side. Frames become seconds at ``fps`` (default
    the file's ``container_fps``; frame k is at k / fps, i.e. constant frame rate)."""
    fps = float(fps or labels["container_fps"])
    events = sorted(labels["events"], key=lambda e: e["frame"])
    out = []
    for i, ev in enumerate(events):
        if ev["kind"] != "touchdown":
            continue
        nxt = next((e for e in events[i + 1:] if e["foot"] == ev["foot"] and e["kind"] == "toeoff"), None)
        if nxt is not None:
            out.append((ev.get("side") or ev["foot"], ev["frame"] / fps, nxt["frame"] / fps))
    return out


def score_contacts(
    detected: list[Contact], truth: list[tuple[str, float, float]], max_offset_s: float = 0.05,
    ignore_foot: bool = False,
) -> ContactScore:
    """Match ``detected`` to ``truth`` (see module docstring).

    ``ignore_foot`` matches regardless of left/right (for clips whose side labels are unsure).
    """
    used: set[int] = set()
    td, to = [], []
    missed = 0
    for foot, t_td, t_to in truth:
        best, best_d = None, max_offset_s
        for i, c in enumerate(detected):
            if i in used or (not ignore_foot and c.foot != foot):
                continue
            ref = c.touchdown_s if np.isfinite(c.touchdown_s) else c.toeoff_s - (t_to - t_td)
            d = abs(ref - t_td)
            if d <= best_d:
                best, best_d = i, d
        if best is None:
            missed += 1
            continue
        used.add(best)
        td.append(detected[best].touchdown_s - t_td)
        to.append(detected[best].toeoff_s - t_to)
    td_a, to_a = np.array(td, float), np.array(to, float)
    lo, hi = (min(t[1] for t in truth), max(t[2] for t in truth)) if truth else (0.0, 0.0)
    phantom = sum(
        1 for i, c in enumerate(detected)
        if i not in used and np.isfinite(c.touchdown_s) and np.isfinite(c.toeoff_s)
        and lo - max_offset_s <= c.touchdown_s <= hi + max_offset_s
    )
    return ContactScore(td_a, to_a, to_a - td_a, len(truth), missed, phantom)
