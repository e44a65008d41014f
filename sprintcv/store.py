"""History of results across weeks: an embedded SQLite database (no server to start).

``sprintcv batch`` (and ``sprintcv analyze --store``) record each analysed clip of a named
athlete; ``sprintcv history ATHLETE`` reads them back. The database is
``$SPRINTCV_HISTORY_DB`` if set, else ``$XDG_DATA_HOME/sprintcv/history.sqlite``, else
``~/.local/share/sprintcv/history.sqlite`` (:func:`default_db_path`), created on first use.

Rows are keyed by athlete, date and the clip's content hash: recording the same clip again
updates its row (a clip re-dated or re-assigned to another athlete moves, it is never counted
twice). Athletes are matched by :func:`sprintcv.roster.athlete_key` (case and spacing do not
matter); the spelling first recorded is the one shown.

Trends (:func:`weekly_trend`) are least-squares slopes of one value per date against time in
weeks, with a 95 % confidence interval and a plain-words verdict that says "no clear trend"
when the interval includes zero. Per date (:func:`per_date`), the best fly-10 (shortest) and
top speed (highest) of the day's clips are taken, as coaches compare a day's best reps, and
the mean of the clips' contact times.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .errors import StoreError
from .io.results import to_json
from .roster import athlete_key, clean_name

#: Version of the database layout (SQLite ``user_version``).
SCHEMA_VERSION = 1

#: Metrics kept in their own columns (the whole summary is kept as JSON too).
METRIC_COLUMNS = ("fly10_s", "speed_peak_mps", "speed_mean_mps", "contact_s_mean", "flight_s_mean",
                  "step_frequency_hz", "step_length_m_mean")

_SCHEMA = """
CREATE TABLE athletes (
    athlete_key TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE results (
    athlete_key TEXT NOT NULL REFERENCES athletes(athlete_key),
    date TEXT NOT NULL,
    clip_sha256 TEXT NOT NULL,
    clip_path TEXT NOT NULL,
    session TEXT,
    rep INTEGER,
    results_dir TEXT,
    fly10_s REAL,
    speed_peak_mps REAL,
    speed_mean_mps REAL,
    contact_s_mean REAL,
    flight_s_mean REAL,
    step_frequency_hz REAL,
    step_length_m_mean REAL,
    contacts_reliable INTEGER,
    summary_json TEXT NOT NULL,
    sprintcv_version TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (athlete_key, date, clip_sha256)
);
CREATE INDEX results_by_clip ON results (clip_sha256);
"""


def default_db_path() -> Path:
    """Where the history lives (see the module docstring)."""
    env = os.environ.get("SPRINTCV_HISTORY_DB")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "sprintcv" / "history.sqlite"


def _real(value: Any) -> float | None:
    """A finite float, else None (SQL NULL): missing metrics stay missing."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _iso_date(value: str | dt.date) -> str:
    try:
        return value.isoformat() if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise StoreError(f"date must be YYYY-MM-DD, not {value!r}") from None


class HistoryStore:
    """The results database (open with a ``with`` block, or call :meth:`close`).

    Parameters
    ----------
    path : path, optional
        Database file; default :func:`default_db_path`. Created (with its folder) if absent.

    Raises
    ------
    StoreError
        The file is not a sprintcv history, or was made by a newer sprintcv.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = Path(path).expanduser() if path is not None else default_db_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{self.path}: cannot open the history database ({exc})") from None
        self._db.row_factory = sqlite3.Row
        try:
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StoreError(f"{self.path}: not a sprintcv history database ({exc})") from None

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            self._db.close()
            raise StoreError(f"{self.path}: made by a newer sprintcv (history schema {version}, this one "
                             f"reads {SCHEMA_VERSION}); upgrade sprintcv")
        if version == 0:
            tables = self._db.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
            if tables:
                raise sqlite3.DatabaseError("it has tables but no sprintcv schema version")
            with self._db:
                self._db.executescript(f"BEGIN; {_SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
        # Later schema versions add their migrations here, one step at a time.

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def record(
        self, *, athlete: str, date: str | dt.date, clip_sha256: str, clip_path: str,
        summary: Mapping[str, Any], session: str | None = None, rep: int | None = None,
        results_dir: str | None = None,
    ) -> str:
        """Insert or update the result of one clip; returns the athlete's name as stored.

        ``summary`` is the clip's ``summary.json`` content; missing (null/NaN) metrics are
        stored as NULL.
        """
        name = clean_name(athlete)
        if not name:
            raise StoreError("an athlete name is needed to record a result")
        key = athlete_key(name)
        day = _iso_date(date)
        summary_json = to_json(summary)
        metrics = [_real(summary.get(c)) for c in METRIC_COLUMNS]
        reliable = summary.get("contacts_reliable")
        try:
            with self._db:
                self._db.execute("INSERT INTO athletes (athlete_key, name) VALUES (?, ?) "
                                 "ON CONFLICT(athlete_key) DO NOTHING", (key, name))
                # One clip is one run: re-dated or re-assigned, it moves rather than doubles.
                self._db.execute("DELETE FROM results WHERE clip_sha256 = ? AND NOT (athlete_key = ? AND date = ?)",
                                 (clip_sha256, key, day))
                self._db.execute(
                    f"""INSERT INTO results (athlete_key, date, clip_sha256, clip_path, session, rep, results_dir,
                        {', '.join(METRIC_COLUMNS)}, contacts_reliable, summary_json, sprintcv_version, recorded_at)
                        VALUES ({', '.join('?' * (11 + len(METRIC_COLUMNS)))})
                        ON CONFLICT(athlete_key, date, clip_sha256) DO UPDATE SET
                        clip_path=excluded.clip_path, session=excluded.session, rep=excluded.rep,
                        results_dir=excluded.results_dir,
                        {', '.join(f'{c}=excluded.{c}' for c in METRIC_COLUMNS)},
                        contacts_reliable=excluded.contacts_reliable, summary_json=excluded.summary_json,
                        sprintcv_version=excluded.sprintcv_version, recorded_at=excluded.recorded_at""",
                    (key, day, clip_sha256, clip_path, session, rep, results_dir, *metrics,
                     None if reliable is None else int(bool(reliable)), summary_json, __version__,
                     dt.datetime.now().astimezone().isoformat(timespec="seconds")),
                )
                stored = self._db.execute("SELECT name FROM athletes WHERE athlete_key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot record the result ({exc})") from None
        return str(stored["name"])

    def athletes(self) -> list[dict[str, Any]]:
        """Every athlete: ``name``, ``n_clips``, ``n_dates``, ``first_date``, ``last_date``."""
        rows = self._db.execute(
            """SELECT a.name, COUNT(*) AS n_clips, COUNT(DISTINCT r.date) AS n_dates,
                      MIN(r.date) AS first_date, MAX(r.date) AS last_date
               FROM athletes a JOIN results r ON r.athlete_key = a.athlete_key
               GROUP BY a.athlete_key ORDER BY a.athlete_key""").fetchall()
        return [dict(r) for r in rows]

    def results(self, athlete: str) -> list[dict[str, Any]]:
        """The athlete's results, oldest first (metric columns; None where missing).

        Raises
        ------
        StoreError
            When the history has no result of that athlete (the message lists who it has).
        """
        key = athlete_key(athlete)
        rows = self._db.execute(
            f"""SELECT a.name AS athlete, r.date, r.session, r.rep, r.clip_path, r.clip_sha256, r.results_dir,
                       {', '.join('r.' + c for c in METRIC_COLUMNS)}, r.contacts_reliable, r.recorded_at
                FROM results r JOIN athletes a ON a.athlete_key = r.athlete_key
                WHERE r.athlete_key = ? ORDER BY r.date, r.session, r.rep, r.clip_path""", (key,)).fetchall()
        if not rows:
            known = [a["name"] for a in self.athletes()]
            raise StoreError(
                f"no results for {clean_name(athlete)!r} in {self.path}"
                + (f"; athletes there: {', '.join(known)}" if known else " (the history is empty)")
            )
        return [dict(r) for r in rows]

    def summary(self, athlete: str, date: str, clip_sha256: str) -> dict[str, Any]:
        """The full stored ``summary.json`` of one result."""
        row = self._db.execute("SELECT summary_json FROM results WHERE athlete_key = ? AND date = ? AND clip_sha256 = ?",
                               (athlete_key(athlete), _iso_date(date), clip_sha256)).fetchone()
        if row is None:
            raise StoreError(f"no such result: {athlete}, {date}, {clip_sha256[:12]}")
        return json.loads(row["summary_json"])


# ------------------------------------------------------------------------------ trends


def _nan(value: Any) -> float:
    return float("nan") if value is None else float(value)


def per_date(results: Sequence[Mapping[str, Any]]) -> dict[str, np.ndarray]:
    """One row per date: ``date`` (str), ``n_clips``, ``fly10_s`` (best = shortest),
    ``speed_peak_mps`` (best = highest), ``contact_s_mean`` (mean of the clips'), each NaN
    when no clip of the day has the value.

    Parameters
    ----------
    results : sequence of mapping
        Rows of :meth:`HistoryStore.results` (``date`` plus the metric columns).
    """
    dates = sorted({r["date"] for r in results})
    out: dict[str, list[Any]] = {"date": [], "n_clips": [], "fly10_s": [], "speed_peak_mps": [], "contact_s_mean": []}
    for day in dates:
        rows = [r for r in results if r["date"] == day]
        fly = np.array([_nan(r.get("fly10_s")) for r in rows])
        top = np.array([_nan(r.get("speed_peak_mps")) for r in rows])
        contact = np.array([_nan(r.get("contact_s_mean")) for r in rows])
        out["date"].append(day)
        out["n_clips"].append(len(rows))
        out["fly10_s"].append(float(np.nanmin(fly)) if np.isfinite(fly).any() else float("nan"))
        out["speed_peak_mps"].append(float(np.nanmax(top)) if np.isfinite(top).any() else float("nan"))
        out["contact_s_mean"].append(float(np.nanmean(contact)) if np.isfinite(contact).any() else float("nan"))
    return {"date": np.array(out["date"], dtype=object), "n_clips": np.array(out["n_clips"], dtype=int),
            **{k: np.array(out[k], dtype=float) for k in ("fly10_s", "speed_peak_mps", "contact_s_mean")}}


def weeks_since(dates: Sequence[str], origin: str | None = None) -> np.ndarray:
    """ISO dates as weeks after ``origin`` (default the first date). Shape (n,), float."""
    days = [dt.date.fromisoformat(str(d)) for d in dates]
    start = dt.date.fromisoformat(origin) if origin else (min(days) if days else dt.date.today())
    return np.array([(d - start).days / 7.0 for d in days], dtype=float)


@dataclass(frozen=True)
class Trend:
    """Least-squares trend of one metric over weeks.

    Attributes
    ----------
    slope_per_week : float
        Units of the metric per week (NaN when fewer than 2 dates).
    ci95 : tuple of float
        95 % confidence interval of the slope (NaN with fewer than 3 dates).
    intercept : float
        Fitted value at week 0 (the first date).
    n : int
        Dates with a value.
    span_weeks : float
        Weeks between the first and last of them.
    verdict : str
        Plain words, e.g. ``"getting faster: -0.012 s a week (95% CI -0.020 to -0.004, 5 dates)"``.
    """

    slope_per_week: float
    ci95: tuple[float, float]
    intercept: float
    n: int
    span_weeks: float
    verdict: str


#: Words for a rising / falling metric.
_DIRECTION_WORDS = {
    "fly10_s": ("getting slower", "getting faster"),
    "speed_peak_mps": ("getting faster", "getting slower"),
    "contact_s_mean": ("getting longer", "getting shorter"),
}


def weekly_trend(weeks: np.ndarray, values: np.ndarray, *, metric: str = "", unit: str = "",
                 scale: float = 1.0, digits: int = 3) -> Trend:
    """Least-squares slope of ``values`` against ``weeks``, with its 95 % interval.

    Parameters
    ----------
    weeks : ndarray, shape (n,)
        Time of each value (weeks); NaN values are left out.
    values : ndarray, shape (n,)
        The metric (e.g. fly-10 in s).
    metric : str
        Key of :data:`_DIRECTION_WORDS` for the verdict's words (``"rising"``/``"falling"``
        otherwise).
    unit, scale, digits :
        How the verdict prints the slope (``slope * scale`` with ``digits`` decimals).

    Notes
    -----
    The interval is ``slope +/- t(0.975, n - 2) * SE`` with the ordinary least-squares
    standard error; with fewer than 3 dates there is no interval and no verdict, with a
    single week's span neither (a trend needs time).
    """
    from scipy import stats

    w = np.asarray(weeks, dtype=float)
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(w) & np.isfinite(v)
    w, v = w[ok], v[ok]
    n = int(w.size)
    span = float(w.max() - w.min()) if n else 0.0
    nan2 = (float("nan"), float("nan"))
    if n < 3 or span < 1.0:
        need = "3 dates" if n < 3 else "dates at least a week apart"
        return Trend(float("nan"), nan2, float("nan"), n, span,
                     f"not enough data for a trend ({n} date{'s' if n != 1 else ''}; {need} needed)")
    fit = stats.linregress(w, v)
    slope, se = float(fit.slope), float(fit.stderr)
    half = float(stats.t.ppf(0.975, n - 2)) * se
    ci = (slope - half, slope + half)
    up, down = _DIRECTION_WORDS.get(metric, ("rising", "falling"))

    def num(x: float) -> str:
        return f"{x * scale:+.{digits}f}"

    detail = (f"{num(slope)}{unit} a week (95% CI {num(ci[0])} to {num(ci[1])}, {n} dates over "
              f"{span:.1f} weeks)")
    if ci[0] <= 0.0 <= ci[1]:
        verdict = f"no clear trend: {detail}"
    else:
        verdict = f"{up if slope > 0 else down}: {detail}"
    return Trend(slope, ci, float(fit.intercept), n, span, verdict)
