"""Score detected contacts against ground truth (synthetic truth JSON or hand labels).

Used by the tests and by ``benchmarks/accuracy.py``. Matching is one-to-one per foot: each
true contact takes the detected contact of the same foot whose touchdown is nearest, within
``max_offset_s``; unmatched true contacts are *missed*, unmatched complete detections whose
touchdown lies within the span the truth covers (from the first true touchdown, less
``max_offset_s``, to the last true toe-off) are *phantoms*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    td_confidence: np.ndarray = field(default_factory=lambda: np.zeros(0))
    to_confidence: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: The true foot of each matched contact (same order as the errors).
    feet: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))

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


def label_contacts(
    labels: dict[str, Any], fps: float | None = None, frame_times_s: np.ndarray | None = None,
) -> list[tuple[str, float, float]]:
    """Contacts from a hand-label file (``../shared/clips/labels/*.json``): each touchdown paired
    with the next toe-off of the same camera side.

    Frames become seconds in one of two ways:

    * ``frame_times_s`` given (the capture time of each decoded frame, shape (n_frames,)):
      a label marks the *first frame after* its event (the foot touches / the toe shows a
      gap), so the event lies between that frame and the one before, and its time is taken
      midway (error at most half a frame, none on average);
    * otherwise frame k is at k / ``fps`` (default the file's ``container_fps``): constant frame
      rate, and the times are those of the labelled frames themselves.
    """
    if frame_times_s is None:
        fps = float(fps or labels["container_fps"])

        def when(frame: int) -> float:
            return frame / fps
    else:
        times = np.asarray(frame_times_s, float)

        def when(frame: int) -> float:
            before = times[frame - 1] if frame > 0 else times[0] - (times[1] - times[0])
            return float((before + times[frame]) / 2)

    events = sorted(labels["events"], key=lambda e: e["frame"])
    out = []
    for i, ev in enumerate(events):
        if ev["kind"] != "touchdown":
            continue
        nxt = next((e for e in events[i + 1:] if e["foot"] == ev["foot"] and e["kind"] == "toeoff"), None)
        if nxt is not None:
            out.append((ev.get("side") or ev["foot"], when(ev["frame"]), when(nxt["frame"])))
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
    conf: list[tuple[float, float]] = []
    feet: list[str] = []
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
        conf.append((detected[best].touchdown_confidence, detected[best].toeoff_confidence))
        feet.append(foot)
    td_a, to_a = np.array(td, float), np.array(to, float)
    lo, hi = (min(t[1] for t in truth), max(t[2] for t in truth)) if truth else (0.0, 0.0)
    # A phantom is judged within the span the truth covers, up to its last toe-off: hand labels
    # may stop before the clip does, and the next real step is not a phantom.
    phantom = sum(
        1 for i, c in enumerate(detected)
        if i not in used and np.isfinite(c.touchdown_s) and np.isfinite(c.toeoff_s)
        and lo - max_offset_s <= c.touchdown_s <= hi
    )
    c = np.array(conf, float).reshape(-1, 2)
    return ContactScore(td_a, to_a, to_a - td_a, len(truth), missed, phantom, c[:, 0], c[:, 1],
                        np.array(feet, dtype=object))


def match_contacts(
    detected: list[Contact], truth: list[Contact], max_offset_s: float = 0.05
) -> list[tuple[int, int]]:
    """One-to-one (detected index, truth index) pairs of the same foot whose touchdowns are
    within ``max_offset_s``, each truth contact taking the nearest unused detection."""
    used: set[int] = set()
    pairs = []
    for j, c in enumerate(truth):
        best, best_d = None, max_offset_s
        for i, d in enumerate(detected):
            if i in used or d.foot != c.foot or not np.isfinite(d.touchdown_s):
                continue
            gap = abs(d.touchdown_s - c.touchdown_s)
            if gap <= best_d:
                best, best_d = i, gap
        if best is not None:
            used.add(best)
            pairs.append((best, j))
    return pairs


def step_errors(
    detected: dict[str, np.ndarray], truth: dict[str, np.ndarray], pairs: list[tuple[int, int]],
    columns: tuple[str, ...] | list[str],
) -> dict[str, np.ndarray]:
    """Per-step errors (detected - true) of each column over the matched rows ``pairs``
    (NaN rows dropped), ``{column: errors (m,)}``."""
    out = {}
    for col in columns:
        if col not in detected or col not in truth:
            continue
        e = np.array([detected[col][a] - truth[col][b] for a, b in pairs], dtype=float)
        out[col] = e[np.isfinite(e)]
    return out


def kinogram_frame_errors(
    detected: list[tuple[int, dict[str, Any]]], detected_contacts: list[Contact], frame_index: np.ndarray,
    truth: list[tuple[Contact, dict[str, Any]]], max_offset_s: float = 0.05,
) -> dict[str, np.ndarray]:
    """Frame errors (detected - true) of each kinogram position over the steps matched by
    landing foot and touchdown. ``detected``: :func:`sprintcv.metrics.kinogram.all_step_positions`
    (positions as (t, sample)); ``truth``: :func:`sprintcv.synthetic.truth.truth_kinogram_frames`."""
    errors: dict[str, list[int]] = {}
    for c, true_frames in truth:
        match = None
        for i, pos in detected:
            d = detected_contacts[i]
            if d.foot == c.foot and np.isfinite(d.touchdown_s) and abs(d.touchdown_s - c.touchdown_s) <= max_offset_s:
                match = pos
        if match is None:
            continue
        for name, true_frame in true_frames.items():
            got = match.get(name)
            if got is not None and true_frame is not None:
                errors.setdefault(name, []).append(int(frame_index[got[1]]) - int(true_frame))
    return {k: np.array(v, dtype=int) for k, v in errors.items()}
