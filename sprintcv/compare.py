"""Reps of one session: trend across reps, drop from the best rep, the conditioning marker,
and a side-by-side of two reps.

Pure functions over loaded results (:func:`load_reps` reads them from results folders or a
batch folder). Missing metrics (``null`` in ``summary.json``: the data could not support them)
stay missing (NaN), never zero.

Drop from the best rep, in percent (positive = worse than the best):

* fly-10 time ``t``: the loss of average speed over the 10 m, ``100 * (1 - t_best / t)``
  (a 3 % speed drop is a 3.1 % longer time);
* top speed and step frequency ``v``: ``100 * (1 - v / v_best)``;
* contact time ``c`` (shorter is the sprinter's aim): ``100 * (c / c_best - 1)``.

**Conditioning marker.** Sprint coaches end speed work once speed falls off, because later
reps no longer train maximal speed; they train speed endurance ("conditioning"). The rule
used here: the first rep whose speed is more than ``drop_pct`` below the best rep *so far*
(the information a coach has on the track) marks the session as having turned into
conditioning. Speed is the fly-10 when every rep has one, else the top speed.

Default :data:`DEFAULT_DROP_PCT` = 3 %. Rationale: coaches' drop-off rules for speed work sit
at 3-5 % (Charlie Francis' "95 % of best" threshold, as used e.g. by SimpliFaster's "Real Life
Charlie Francis Speed Threshold" article, takes reps more than 5 % slower than the best as no
longer high-quality speed work; drop-off tables for rate/power work use 2-3 %). Within one
session the reference is the day's best rep rather than a lifetime best, so the tighter end of
the range fits; and 3 % stays well above this tool's fly-10 error (within 2 ms of 1.1 s,
about 0.2 %, on the synthetic accuracy set), so the marker is not triggered by measurement
noise. ``--drop-pct`` changes it.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import SprintcvError
from .roster import athlete_key

#: Speed drop (percent below the best rep so far) that marks a session as conditioning.
DEFAULT_DROP_PCT = 3.0

#: Per-rep metrics of the trend: summary key -> (label, unit, scale for display, kind).
#: kind: "time" (fly-10: speed = distance / time), "rate" (higher is better), "duration"
#: (shorter is better).
REP_METRICS: dict[str, tuple[str, str, float, str]] = {
    "fly10_s": ("fly-10", "s", 1.0, "time"),
    "speed_peak_mps": ("top speed", "m/s", 1.0, "rate"),
    "contact_s_mean": ("contact", "ms", 1000.0, "duration"),
    "step_frequency_hz": ("step frequency", "Hz", 1.0, "rate"),
}


class CompareError(SprintcvError):
    """The results given cannot be compared (none, several athletes, unknown rep...)."""


@dataclass(frozen=True)
class Rep:
    """One analysed clip as a rep of a session.

    Attributes
    ----------
    label : str
        ``"rep 3"`` (roster rep number) or the results folder's name.
    summary : dict
        ``summary.json`` content.
    steps : dict of ndarray
        The per-step table (``steps.csv``).
    results_dir : Path
    athlete, date, session : str, optional
    rep : int, optional
    recorded_at : str, optional
        ISO date-time of the recording, to order reps without a number.
    """

    label: str
    summary: Mapping[str, Any]
    steps: Mapping[str, np.ndarray] = field(default_factory=dict)
    results_dir: Path | None = None
    athlete: str | None = None
    date: str | None = None
    session: str | None = None
    rep: int | None = None
    recorded_at: str | None = None


def _value(summary: Mapping[str, Any], key: str) -> float:
    v = summary.get(key)
    if v is None or isinstance(v, bool):
        return float("nan")
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def metric_series(reps: Sequence[Rep], key: str) -> np.ndarray:
    """``summary[key]`` of each rep, NaN where missing. Shape (n_reps,)."""
    return np.array([_value(r.summary, key) for r in reps], dtype=float)


def drop_from_best(values: np.ndarray, kind: str) -> tuple[np.ndarray, int | None]:
    """Percent worse than the best rep (0 for the best; NaN where missing).

    Parameters
    ----------
    values : ndarray, shape (n,)
        The metric per rep.
    kind : {"time", "rate", "duration"}
        See the module docstring.

    Returns
    -------
    drop_pct : ndarray, shape (n,)
    best : int or None
        Index of the best rep (None when no rep has a value).
    """
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v) & (v > 0)
    drop = np.full(v.shape, np.nan)
    if not ok.any():
        return drop, None
    if kind == "rate":
        best = int(np.flatnonzero(ok)[np.argmax(v[ok])])
        drop[ok] = 100.0 * (1.0 - v[ok] / v[best])
    elif kind == "time":
        best = int(np.flatnonzero(ok)[np.argmin(v[ok])])
        drop[ok] = 100.0 * (1.0 - v[best] / v[ok])
    elif kind == "duration":
        best = int(np.flatnonzero(ok)[np.argmin(v[ok])])
        drop[ok] = 100.0 * (v[ok] / v[best] - 1.0)
    else:
        raise ValueError(f"unknown metric kind {kind!r}")
    return drop, best


def speed_drop_so_far(speed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Percent below the best speed of the reps up to and including each one.

    Parameters
    ----------
    speed : ndarray, shape (n,)
        A speed per rep (m/s, or any quantity proportional to speed); NaN = missing.

    Returns
    -------
    drop_pct : ndarray, shape (n,)
        ``100 * (1 - v_i / max(v_0..v_i))``; NaN where ``v_i`` is missing.
    best_index : ndarray of int, shape (n,)
        Index of that best-so-far rep (-1 before the first value).
    """
    v = np.asarray(speed, dtype=float)
    drop = np.full(v.shape, np.nan)
    best_idx = np.full(v.shape, -1, dtype=int)
    best = -1
    for i, x in enumerate(v):
        if np.isfinite(x) and x > 0 and (best < 0 or x > v[best]):
            best = i
        best_idx[i] = best
        if np.isfinite(x) and best >= 0:
            drop[i] = 100.0 * (1.0 - x / v[best])
    return drop, best_idx


@dataclass(frozen=True)
class ConditioningMarker:
    """Where a session turned into conditioning.

    Attributes
    ----------
    index : int or None
        First rep (0-based) more than ``threshold_pct`` below the best so far; None if none.
    best_index : int or None
        The best-so-far rep it is compared with.
    drop_pct : float
        Its speed drop (NaN when no marker).
    threshold_pct : float
    speed_source : str
        ``"fly10_s"`` or ``"speed_peak_mps"`` (or ``""`` when no rep has a speed).
    over : tuple of int
        Every rep over the threshold (from the best so far).
    message : str
        Plain words for the coach.
    """

    index: int | None
    best_index: int | None
    drop_pct: float
    threshold_pct: float
    speed_source: str
    over: tuple[int, ...]
    message: str


def session_speed(reps: Sequence[Rep]) -> tuple[np.ndarray, str]:
    """Speed per rep for the marker: the fly-10's mean speed (10 / t, m/s) when every rep
    has a fly-10, else the top speed; NaN where missing. Returns (speed, source key)."""
    fly = metric_series(reps, "fly10_s")
    if reps and np.isfinite(fly).all() and (fly > 0).all():
        return 10.0 / fly, "fly10_s"
    top = metric_series(reps, "speed_peak_mps")
    if np.isfinite(top).any():
        return top, "speed_peak_mps"
    return np.full(len(reps), np.nan), ""


def conditioning_marker(reps: Sequence[Rep], threshold_pct: float = DEFAULT_DROP_PCT) -> ConditioningMarker:
    """The conditioning marker of a session (see the module docstring)."""
    if not (math.isfinite(threshold_pct) and 0 < threshold_pct < 100):
        raise CompareError(f"--drop-pct must be a percentage between 0 and 100, not {threshold_pct}")
    speed, source = session_speed(reps)
    labels = [r.label for r in reps]
    what = {"fly10_s": "fly-10 speed", "speed_peak_mps": "top speed"}.get(source, "speed")
    if not source:
        return ConditioningMarker(None, None, float("nan"), threshold_pct, "", (),
                                  "no rep has a measured speed (no fly-10 or calibrated lane): no conditioning marker")
    drop, best = speed_drop_so_far(speed)
    over = tuple(int(i) for i in np.flatnonzero(np.nan_to_num(drop, nan=-1.0) > threshold_pct))
    if not over:
        worst = np.nanmax(drop) if np.isfinite(drop).any() else float("nan")
        return ConditioningMarker(None, None, float("nan"), threshold_pct, source, (),
                                  f"{what} stayed within {threshold_pct:g}% of the best rep so far "
                                  f"(largest drop {worst:.1f}%): still a speed session")
    i = over[0]
    b = int(best[i])
    message = (f"{labels[i]}: {what} {drop[i]:.1f}% below the best so far ({labels[b]}): speed dropped more "
               f"than {threshold_pct:g}% - the session has turned into conditioning")
    return ConditioningMarker(i, b, float(drop[i]), threshold_pct, source, over, message)


def threshold_levels(reps: Sequence[Rep], threshold_pct: float = DEFAULT_DROP_PCT) -> dict[str, float]:
    """The conditioning threshold as a value of each speed metric, relative to the best rep:
    the fly-10 time and top speed a rep ``threshold_pct`` slower than the best would have."""
    levels = {}
    fly = metric_series(reps, "fly10_s")
    if np.isfinite(fly).any():
        levels["fly10_s"] = float(np.nanmin(fly) / (1.0 - threshold_pct / 100.0))
    top = metric_series(reps, "speed_peak_mps")
    if np.isfinite(top).any():
        levels["speed_peak_mps"] = float(np.nanmax(top) * (1.0 - threshold_pct / 100.0))
    return levels


def rep_trend(reps: Sequence[Rep]) -> dict[str, np.ndarray]:
    """Per-rep table in rep order: ``label``, each of :data:`REP_METRICS` and its
    ``<key>_drop_pct`` from the best rep, and ``speed_drop_so_far_pct`` (the marker's)."""
    table: dict[str, np.ndarray] = {"label": np.array([r.label for r in reps], dtype=object)}
    for key, (_, _, _, kind) in REP_METRICS.items():
        values = metric_series(reps, key)
        table[key] = values
        table[f"{key}_drop_pct"] = drop_from_best(values, kind)[0]
    speed, _ = session_speed(reps)
    table["speed_drop_so_far_pct"] = speed_drop_so_far(speed)[0]
    return table


def _metres(value: Any) -> str:
    number = _value({"v": value}, "v")
    return f"{number:g}" if math.isfinite(number) else "?"


def numeric_metrics(summary: Mapping[str, Any]) -> dict[str, float]:
    """Every numeric metric of a summary, flattened (``kinematics.knee_td_deg_mean``,
    ``per_foot.left.contact_s_mean``, ``splits.0-10m.time_s`` ...); None/NaN stay NaN.

    Left out: the video, pose, cleaning and calibration blocks (facts about the clip and the
    processing, not the athlete's mechanics) and booleans.
    """
    skip = {"video", "pose", "cleaning", "calibration", "warnings", "sprintcv_version", "gate_crossings"}
    out: dict[str, float] = {}

    def add(prefix: str, value: Any) -> None:
        if isinstance(value, bool) or isinstance(value, str):
            return
        if value is None or isinstance(value, (int, float)):
            out[prefix] = _value({"v": value}, "v")
        elif isinstance(value, Mapping):
            for k, v in value.items():
                add(f"{prefix}.{k}" if prefix else str(k), v)

    for key, value in summary.items():
        if key in skip:
            continue
        if key == "splits" and isinstance(value, list):
            for split in value:
                if isinstance(split, Mapping):
                    name = f"splits.{_metres(split.get('from_m'))}-{_metres(split.get('to_m'))}m"
                    add(f"{name}.time_s", split.get("time_s"))
                    add(f"{name}.speed_mps", split.get("speed_mps"))
            continue
        add(key, value)
    return out


def side_by_side(a: Rep, b: Rep) -> dict[str, np.ndarray]:
    """Every numeric metric of two reps with the difference ``b - a`` and ``100 (b - a) / a``.

    Returns a table: ``metric`` (str), ``a``, ``b``, ``diff``, ``diff_pct`` (NaN where either
    is missing, or ``a`` is 0), in a stable order (the order of ``a``'s summary, then ``b``'s).
    """
    ma, mb = numeric_metrics(a.summary), numeric_metrics(b.summary)
    keys = list(dict.fromkeys([*ma, *mb]))
    va = np.array([ma.get(k, np.nan) for k in keys], dtype=float)
    vb = np.array([mb.get(k, np.nan) for k in keys], dtype=float)
    diff = vb - va
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(va != 0, 100.0 * diff / np.abs(va), np.nan)
    return {"metric": np.array(keys, dtype=object), "a": va, "b": vb, "diff": diff, "diff_pct": pct}


def filmed_from_opposite_sides(a: Rep, b: Rep) -> bool:
    """Whether two reps ran in opposite directions across the image: the camera then saw the
    other side of the runner, so their run-level means of the near-leg-only columns (the knee
    at touchdown, :data:`~sprintcv.metrics.mechanics.FAR_SIDE_WITHHELD`) describe different
    legs; the per-leg values (``mechanics.<column>.left`` / ``.right``) still compare."""
    da, db = a.summary.get("direction"), b.summary.get("direction")
    return bool(da and db and da != db)


# ------------------------------------------------------------------------------ loading


def _rep_from_folder(folder: Path, meta: Mapping[str, Any] | None = None) -> Rep:
    from .batch import read_manifest
    from .pipeline import load_results

    saved = load_results(folder)
    meta = dict(meta or read_manifest(folder) or {})
    rep = meta.get("rep")
    return Rep(
        label=f"rep {rep}" if isinstance(rep, int) else folder.name, summary=saved["summary"],
        steps=saved["steps"], results_dir=folder, athlete=meta.get("athlete"), date=meta.get("date"),
        session=meta.get("session"), rep=rep if isinstance(rep, int) else None, recorded_at=meta.get("recorded_at"),
    )


def collect_results(paths: Sequence[str | os.PathLike[str]]) -> list[Rep]:
    """Every result in results folders (``sprintcv analyze --out``) and batch folders
    (``sprintcv batch --out``: its done clips), in the order given (a batch in its team
    summary's order).

    Raises
    ------
    CompareError
        A path that is neither kind of folder.
    """
    from .batch import TEAM_JSON, read_team_summary

    reps: list[Rep] = []
    for p in paths:
        folder = Path(p)
        if (folder / "summary.json").is_file():
            reps.append(_rep_from_folder(folder))
        elif (folder / TEAM_JSON).is_file():
            team = read_team_summary(folder)
            for row in team["clips"]:
                if row.get("status") == "done" and row.get("results_dir"):
                    reps.append(_rep_from_folder(folder / row["results_dir"], meta=row))
        else:
            raise CompareError(f"{folder}: not a sprintcv results folder (no summary.json) or batch folder "
                               f"(no {TEAM_JSON})")
    return reps


def load_reps(
    paths: Sequence[str | os.PathLike[str]], *, athlete: str | None = None, date: str | None = None,
    session: str | None = None,
) -> list[Rep]:
    """The reps of one session, from results and batch folders (:func:`collect_results`),
    filtered by athlete/date/session.

    Order: by rep number when every rep has one, else by recording time when every rep has
    one, else as given. Labels are made unique.

    Raises
    ------
    CompareError
        No results, or results of several athletes or sessions (the message lists them and
        says which option picks one).
    """
    reps = collect_results(paths)
    if athlete is not None:
        reps = [r for r in reps if r.athlete and athlete_key(r.athlete) == athlete_key(athlete)]
    if date is not None:
        reps = [r for r in reps if r.date == date]
    if session is not None:
        reps = [r for r in reps if (r.session or "").casefold() == session.casefold()]
    if not reps:
        raise CompareError("no results to compare" + (" match the --athlete/--date/--session given"
                                                       if athlete or date or session else ""))
    athletes = sorted({r.athlete for r in reps if r.athlete})
    if len(athletes) > 1:
        raise CompareError(f"these results are of {len(athletes)} athletes ({', '.join(athletes)}): "
                           "pick one with --athlete")
    sessions = sorted({(r.date or "?", r.session or "") for r in reps})
    if len(sessions) > 1:
        listed = ", ".join(f"{d} {s}".strip() for d, s in sessions)
        raise CompareError(f"these results are from {len(sessions)} sessions ({listed}): "
                           "pick one with --date (and --session)")
    if all(r.rep is not None for r in reps):
        reps.sort(key=lambda r: (r.rep, r.recorded_at or ""))
    elif all(r.recorded_at for r in reps):
        reps.sort(key=lambda r: r.recorded_at)
    seen: dict[str, int] = {}
    for r in reps:
        seen[r.label] = seen.get(r.label, 0) + 1
    unique = []
    for r in reps:
        label = r.label if seen[r.label] == 1 else f"{r.label} ({r.results_dir.name if r.results_dir else '?'})"
        unique.append(dataclasses.replace(r, label=label))
    return unique


def find_rep(reps: Sequence[Rep], which: str) -> int:
    """Index of the rep named ``which``: a label (``"rep 3"``, a folder name) or a rep
    number (``"3"``); ``"best"`` (best speed) and ``"last"`` too."""
    text = str(which).strip()
    if text == "last":
        return len(reps) - 1
    if text == "best":
        speed, _ = session_speed(reps)
        if not np.isfinite(speed).any():
            raise CompareError("no rep has a measured speed, so there is no best rep: name two reps")
        return int(np.nanargmax(speed))
    for i, r in enumerate(reps):
        if r.label == text or (r.results_dir is not None and r.results_dir.name == text):
            return i
    if text.isdigit():
        for i, r in enumerate(reps):
            if r.rep == int(text):
                return i
    raise CompareError(f"no rep {text!r}; the reps are: {', '.join(r.label for r in reps)}")
