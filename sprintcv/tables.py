"""Saved results as pandas DataFrames, for notebooks (needs ``pandas``: ``pip install 'sprintcv[pandas]'``).

>>> from sprintcv.tables import results_frame, steps_frame    # doctest: +SKIP
>>> runs = results_frame(["monday_results"])      # one row per clip, every numeric metric
>>> steps = steps_frame(["monday_results"])       # one row per ground contact, all clips
>>> steps.groupby(["athlete", "foot"])["contact_s"].mean()

Paths are results folders (``sprintcv analyze --out``) or batch folders (``sprintcv batch
--out``). Missing values are NaN.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from .compare import Rep, collect_results, numeric_metrics, rep_trend, side_by_side

_ID_COLUMNS = ("label", "athlete", "date", "session", "rep", "results_dir")


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError:
        from .errors import SprintcvError

        raise SprintcvError("DataFrames need pandas: pip install 'sprintcv[pandas]'") from None
    return pd


def _ids(rep: Rep) -> dict[str, Any]:
    return {"label": rep.label, "athlete": rep.athlete, "date": rep.date, "session": rep.session,
            "rep": rep.rep, "results_dir": str(rep.results_dir) if rep.results_dir else None}


def results_frame(paths: Sequence[str | os.PathLike[str]] | Sequence[Rep]) -> Any:
    """One row per result: who/when columns, then every numeric summary metric
    (:func:`sprintcv.compare.numeric_metrics`, dotted names for nested ones)."""
    pd = _pandas()
    reps = _reps(paths)
    rows = [{**_ids(r), **numeric_metrics(r.summary)} for r in reps]
    return pd.DataFrame(rows)


def steps_frame(paths: Sequence[str | os.PathLike[str]] | Sequence[Rep]) -> Any:
    """Every result's per-step table (``steps.csv``) stacked, with the who/when columns."""
    pd = _pandas()
    frames = []
    for r in _reps(paths):
        table = pd.DataFrame({k: list(v) for k, v in r.steps.items()})
        for col, value in reversed(list(_ids(r).items())):
            table.insert(0, col, value)
        frames.append(table)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(_ID_COLUMNS))


def rep_trend_frame(reps: Sequence[Rep]) -> Any:
    """:func:`sprintcv.compare.rep_trend` as a DataFrame (one row per rep)."""
    return _pandas().DataFrame(rep_trend(reps))


def side_by_side_frame(a: Rep, b: Rep) -> Any:
    """:func:`sprintcv.compare.side_by_side` as a DataFrame indexed by metric, the columns
    named after the two reps."""
    table = side_by_side(a, b)
    frame = _pandas().DataFrame(table).set_index("metric")
    return frame.rename(columns={"a": a.label, "b": b.label})


def _reps(paths: Sequence[Any]) -> list[Rep]:
    if paths and all(isinstance(p, Rep) for p in paths):
        return list(paths)
    return collect_results(paths)
