"""Coach-facing flags: observations of the per-step mechanics against configurable thresholds.

A flag says what was measured, against which threshold, on which steps and frames, and where
the idea comes from. It is an observation to check on the video, never a diagnosis: the
numbers carry the pose model's error (``docs/metrics.md``, "Accuracy") and the thresholds are
defaults to adapt to the athlete and the phase of the run (acceleration or top speed).

Thresholds live in :class:`FlagThresholds`; change them from Python
(``FlagThresholds(knee_lift_min_deg=55)``) or from a TOML / JSON file
(:meth:`FlagThresholds.from_file`, ``sprintcv analyze --flags-config FILE``) whose keys are
the field names, plus an optional ``disabled`` list of flag ids.

Rules (per leg: the leg a column describes, :data:`sprintcv.metrics.mechanics.COLUMN_LEG`):

================================  =======================================  ==================
flag id                           raised when, per leg (mean of its steps) value
================================  =======================================  ==================
``foot_lands_ahead``              ``touchdown_distance_leg`` above          legs
``knee_lift_low``                 ``thigh_front_max_deg`` below (swing leg) deg
``thigh_behind_at_toe_off``       ``thigh_to_deg`` below (more negative)     deg
``heel_kicks_behind``             ``heel_recovery_x_leg`` below              legs
``front_side_share_low``          ``front_side_share`` below                 share
``elbow_open_back`` / ``_front``  ``elbow_back_deg`` / ``elbow_front_deg``   deg
                                  above (per arm)
``trunk_lean_forward`` / ``_back`` ``trunk_lean_mean_deg`` above / below      deg
                                  (whole run)
``asymmetry_<column>``            left/right difference of the per-leg       as the column
                                  means above (knee lift, thigh at toe-off,
                                  touchdown distance, front-side share,
                                  contact time in %, the last one off by
                                  default); only with a consistent contact
                                  sequence
================================  =======================================  ==================
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import SprintcvError
from .joints import SIDES
from .metrics.mechanics import column_side
from .metrics.temporal import asymmetry_pct, describe

REF_MANN = "Mann R., The Mechanics of Sprinting and Hurdling (2011): front-side vs back-side mechanics"
REF_BEZODIS = ("Bezodis N.E., Trewartha G., Salo A.I.T., Sports Biomechanics 14(2):232-245 (2015): "
               "placing the foot further ahead of the centre of mass at touchdown reduced horizontal power")
REF_SMAS = ("Bramah C. et al., The Sprint Mechanics Assessment Score, Am J Sports Med 52(6):1608-1616 "
            "(2024): screens trunk control, an excessive back-side leg cycle and overstriding")
REF_DEFAULT = "threshold: a sprintcv default, not a published cut-off; set your own with --flags-config"
NOT_DIAGNOSIS = ("Flags are observations against configurable thresholds, to check on the video; "
                 "they are not a diagnosis.")


class FlagConfigError(SprintcvError):
    """A flags configuration file that cannot be used."""


@dataclass(frozen=True)
class FlagThresholds:
    """Thresholds of the coach-facing flags (see the module docstring for the rules).

    Attributes
    ----------
    touchdown_distance_leg_max : float
        Rear of the landing foot ahead of the hip midpoint at touchdown, leg lengths.
    knee_lift_min_deg : float
        Swing thigh's largest angle in front of the vertical, degrees.
    thigh_to_min_deg : float
        Stance thigh at toe-off, degrees (negative = behind the vertical).
    heel_behind_min_leg : float
        Highest heel point in early swing, along the run relative to the hips, leg lengths
        (negative = behind).
    front_side_share_min : float
        Share of a leg cycle with the ankle in front of the body line, 0-1.
    elbow_back_max_deg, elbow_front_max_deg : float
        Elbow angle at the backward / forward extreme of the arm swing, degrees.
    trunk_lean_max_deg, trunk_lean_min_deg : float
        Mean trunk lean over the steps, degrees (+ forward).
    asymmetry_knee_lift_deg, asymmetry_thigh_to_deg : float
        Left/right difference of the per-leg means, degrees.
    asymmetry_touchdown_distance_leg, asymmetry_front_side_share : float
        Left/right difference of the per-leg means, leg lengths / share.
    asymmetry_contact_pct : float
        Left/right contact-time asymmetry, percent (only with a consistent contact sequence).
    min_steps : int
        Steps a leg needs (finite values) before its mean is judged.
    disabled : tuple of str
        Flag ids not to raise (default: the contact-time asymmetry, see below).
    """

    touchdown_distance_leg_max: float = 0.30
    knee_lift_min_deg: float = 60.0
    thigh_to_min_deg: float = -45.0
    heel_behind_min_leg: float = -0.55
    front_side_share_min: float = 0.40
    elbow_back_max_deg: float = 140.0
    elbow_front_max_deg: float = 120.0
    trunk_lean_max_deg: float = 15.0
    trunk_lean_min_deg: float = -3.0
    asymmetry_knee_lift_deg: float = 8.0
    asymmetry_thigh_to_deg: float = 8.0
    asymmetry_touchdown_distance_leg: float = 0.08
    asymmetry_front_side_share: float = 0.08
    asymmetry_contact_pct: float = 10.0
    min_steps: int = 2
    #: Off by default: on the symmetric synthetic runner the mean detected contact times of
    #: the two feet (2-3 contacts each) still differ by 1-14% at 120 fps and by up to 30% at
    #: 60 fps (contact detection's error, not the runner's).
    disabled: tuple[str, ...] = ("asymmetry_contact_s",)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], source: str = "flags configuration") -> "FlagThresholds":
        """Thresholds from a mapping of field names (unknown keys and non-numbers are errors)."""
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - set(fields))
        if unknown:
            raise FlagConfigError(f"{source}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(fields)}")
        kwargs: dict[str, Any] = {}
        for key, value in values.items():
            if key == "disabled":
                if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                    raise FlagConfigError(f"{source}: 'disabled' must be a list of flag ids")
                kwargs[key] = tuple(value)
            elif key == "min_steps":
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise FlagConfigError(f"{source}: 'min_steps' must be a whole number >= 1, not {value!r}")
                kwargs[key] = value
            else:
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                    raise FlagConfigError(f"{source}: {key!r} must be a finite number, not {value!r}")
                kwargs[key] = float(value)
        return cls(**kwargs)

    @classmethod
    def from_file(cls, path: str | Path) -> "FlagThresholds":
        """Thresholds from a ``.toml`` or ``.json`` file (keys = field names)."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise FlagConfigError(f"{path}: cannot read the flags configuration ({exc})") from None
        try:
            if path.suffix.lower() == ".json":
                values = json.loads(text)
            else:
                try:
                    import tomllib
                except ModuleNotFoundError:  # Python 3.10
                    import tomli as tomllib  # type: ignore[no-redef]
                values = tomllib.loads(text)
        except ValueError as exc:
            raise FlagConfigError(f"{path}: not valid {'JSON' if path.suffix.lower() == '.json' else 'TOML'} ({exc})") from None
        if not isinstance(values, dict):
            raise FlagConfigError(f"{path}: expected a table of settings")
        return cls.from_mapping(values, source=str(path))

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "disabled": list(self.disabled)}


@dataclass(frozen=True)
class _Rule:
    id: str
    column: str
    above: bool       # True: flag when the mean is above the threshold
    threshold_field: str
    unit: str
    text: str         # str.format with side, value, threshold, abs_value, abs_threshold, n
    time_column: str
    reference: str


_RULES: tuple[_Rule, ...] = (
    _Rule("foot_lands_ahead", "touchdown_distance_leg", True, "touchdown_distance_leg_max", "leg",
          "{Side} foot lands {value:.2f} leg lengths ahead of the hips at touchdown (mean of {n} steps; "
          "flagged above {threshold:.2f})", "touchdown_s", REF_BEZODIS + "; " + REF_SMAS),
    _Rule("knee_lift_low", "thigh_front_max_deg", False, "knee_lift_min_deg", "deg",
          "{Side} knee lift reaches a thigh angle of {value:.0f} deg in front of the vertical (mean of {n} "
          "steps; flagged below {threshold:.0f} deg)", "knee_lift_t_s", REF_MANN),
    _Rule("thigh_behind_at_toe_off", "thigh_to_deg", False, "thigh_to_min_deg", "deg",
          "{Side} thigh is {abs_value:.0f} deg behind the vertical at toe-off (mean of {n} steps; flagged "
          "beyond {abs_threshold:.0f} deg)", "toeoff_s", REF_MANN + "; " + REF_SMAS),
    _Rule("heel_kicks_behind", "heel_recovery_x_leg", False, "heel_behind_min_leg", "leg",
          "{Side} heel is at its highest {abs_value:.2f} leg lengths behind the hips in early swing (mean "
          "of {n} steps; flagged beyond {abs_threshold:.2f})", "heel_recovery_t_s", REF_MANN + "; " + REF_SMAS),
    _Rule("front_side_share_low", "front_side_share", False, "front_side_share_min", "share",
          "{Side} ankle is in front of the body line for {pct_value:.0f}% of the leg cycle (mean of {n} "
          "cycles; flagged below {pct_threshold:.0f}%)", "touchdown_s", REF_MANN),
    _Rule("elbow_open_back", "elbow_back_deg", True, "elbow_back_max_deg", "deg",
          "{Side} elbow opens to {value:.0f} deg at the back of the arm swing (mean of {n} swings; flagged "
          "above {threshold:.0f} deg)", "arm_back_t_s", "coaching cue: elbows near 90 deg"),
    _Rule("elbow_open_front", "elbow_front_deg", True, "elbow_front_max_deg", "deg",
          "{Side} elbow is at {value:.0f} deg at the front of the arm swing (mean of {n} swings; flagged "
          "above {threshold:.0f} deg)", "arm_front_t_s", "coaching cue: elbows near 90 deg"),
)

_ASYMMETRY: tuple[tuple[str, str, str, str], ...] = (
    # column, threshold field, label, unit
    ("thigh_front_max_deg", "asymmetry_knee_lift_deg", "knee lift (thigh angle)", "deg"),
    ("thigh_to_deg", "asymmetry_thigh_to_deg", "thigh angle at toe-off", "deg"),
    ("touchdown_distance_leg", "asymmetry_touchdown_distance_leg", "touchdown distance", "leg"),
    ("front_side_share", "asymmetry_front_side_share", "front-side share", "share"),
)


def _frames(times: Sequence[float], t_s: np.ndarray, frame_index: np.ndarray) -> list[int]:
    out = []
    for t in times:
        if np.isfinite(t) and len(t_s):
            out.append(int(frame_index[int(np.argmin(np.abs(t_s - t)))]))
    return out


def _fmt(value: float, unit: str) -> str:
    if unit == "share":
        return f"{100 * value:.0f}%"
    return f"{value:.2f} {unit}" if unit == "leg" else f"{value:.0f} {unit}"


def evaluate_flags(
    steps: Mapping[str, Any],
    thresholds: FlagThresholds | None = None,
    *,
    t_s: np.ndarray,
    frame_index: np.ndarray | None = None,
    contacts_reliable: bool = True,
    near: str | None = None,
) -> list[dict[str, Any]]:
    """Flags raised by the per-step table.

    Parameters
    ----------
    steps : mapping of str to ndarray
        The steps table (``foot``, the mechanics columns and their ``*_t_s`` time columns).
    thresholds : FlagThresholds, optional
        Default: ``FlagThresholds()``.
    t_s : ndarray, shape (n_samples,)
        Sample times (s), to turn a step's time into a frame.
    frame_index : ndarray of int, shape (n_samples,), optional
        Video frame of each sample (default: the sample index).
    contacts_reliable : bool
        Whether the contact sequence holds together. Without it a step may be attributed to
        the wrong leg: left/right asymmetry flags are not raised and the others say so.
    near : {"left", "right"}, optional
        The side facing the camera; a flag about the other side's limb says that the pose
        model measures it less accurately (partly hidden), with a ``far_side`` entry.

    Returns
    -------
    list of dict
        ``{"id", "text", "side", "far_side", "value", "threshold", "unit", "steps", "frames",
        "times_s", "reference"}``; ``steps`` are 1-based rows of the steps table, ``frames``
        the video frames that show them.
    """
    th = thresholds or FlagThresholds()
    t_s = np.asarray(t_s, float)
    frames_of = np.arange(len(t_s)) if frame_index is None else np.asarray(frame_index)
    n_rows = len(steps.get("foot", []))
    step_no = np.asarray(steps.get("step", np.arange(1, n_rows + 1)))
    flags: list[dict[str, Any]] = []
    if n_rows == 0:
        return flags

    def add(fid: str, text: str, side: str | None, value: float, threshold: float, unit: str,
            rows: np.ndarray, time_column: str, reference: str) -> None:
        if fid in th.disabled:
            return
        times = [float(steps[time_column][r]) for r in rows] if time_column in steps else []
        far = near is not None and side is not None and side != near
        if far:
            text += "; far-side limb, measured less accurately (partly hidden): check the video"
        if not contacts_reliable and side is not None:
            text += "; the contacts found are inconsistent, so steps may be assigned to the wrong leg"
        flags.append({
            "id": fid, "text": text, "side": side, "far_side": far, "value": float(value), "threshold": float(threshold),
            "unit": unit, "steps": [int(step_no[r]) for r in rows], "frames": _frames(times, t_s, frames_of),
            "times_s": [t for t in times if np.isfinite(t)], "reference": reference,
        })

    for rule in _RULES:
        if rule.column not in steps:
            continue
        values = np.asarray(steps[rule.column], float)
        owner = column_side(steps["foot"], rule.column)
        limit = float(getattr(th, rule.threshold_field))
        for side in SIDES:
            rows = np.flatnonzero((owner == side) & np.isfinite(values))
            if len(rows) < th.min_steps:
                continue
            mean = float(values[rows].mean())
            if (mean > limit) if rule.above else (mean < limit):
                beyond = rows[(values[rows] > limit) if rule.above else (values[rows] < limit)]
                text = rule.text.format(Side=side.capitalize(), value=mean, threshold=limit, abs_value=abs(mean),
                                        abs_threshold=abs(limit), n=len(rows), pct_value=100 * mean,
                                        pct_threshold=100 * limit)
                add(rule.id, text, side, mean, limit, rule.unit, beyond, rule.time_column,
                    rule.reference + "; " + REF_DEFAULT)

    if "trunk_lean_mean_deg" in steps:
        lean = np.asarray(steps["trunk_lean_mean_deg"], float)
        rows = np.flatnonzero(np.isfinite(lean))
        if len(rows) >= th.min_steps:
            mean = float(lean[rows].mean())
            for fid, above, limit, word in (("trunk_lean_forward", True, th.trunk_lean_max_deg, "forward"),
                                            ("trunk_lean_back", False, th.trunk_lean_min_deg, "backward")):
                if (mean > limit) if above else (mean < limit):
                    beyond = rows[(lean[rows] > limit) if above else (lean[rows] < limit)]
                    text = (f"Trunk leans {abs(mean):.0f} deg {word} on average over {len(rows)} steps "
                            f"(flagged {'above' if above else 'below'} {limit:.0f} deg)")
                    add(fid, text, None, mean, limit, "deg", beyond, "touchdown_s",
                        REF_SMAS + "; " + REF_DEFAULT)

    for column, field_name, label, unit in _ASYMMETRY:
        if column not in steps or not contacts_reliable:
            continue
        values = np.asarray(steps[column], float)
        owner = column_side(steps["foot"], column)
        means = {}
        for side in SIDES:
            sel = (owner == side) & np.isfinite(values)
            means[side] = float(values[sel].mean()) if sel.sum() >= th.min_steps else float("nan")
        diff = means["left"] - means["right"]
        limit = float(getattr(th, field_name))
        if np.isfinite(diff) and abs(diff) > limit:
            rows = np.flatnonzero(np.isfinite(values))
            text = (f"Left/right difference in {label}: {_fmt(abs(diff), unit)} (left {_fmt(means['left'], unit)}, "
                    f"right {_fmt(means['right'], unit)}; flagged above {_fmt(limit, unit)})")
            time_col = "knee_lift_t_s" if column == "thigh_front_max_deg" else (
                "toeoff_s" if column == "thigh_to_deg" else "touchdown_s")
            add(f"asymmetry_{column}", text, None, diff, limit, unit, rows, time_col,
                "left/right comparison; " + REF_DEFAULT)

    if contacts_reliable and "contact_s" in steps:
        contact = np.asarray(steps["contact_s"], float)
        foot = np.asarray(steps["foot"], dtype=object)
        per = {s: describe(contact[foot == s]) for s in SIDES}
        if all(per[s]["n"] >= th.min_steps for s in SIDES):
            pct = asymmetry_pct(per["left"]["mean"], per["right"]["mean"])
            if np.isfinite(pct) and abs(pct) > th.asymmetry_contact_pct:
                rows = np.flatnonzero(np.isfinite(contact))
                text = (f"Left/right difference in contact time: {abs(pct):.0f}% (left "
                        f"{1000 * per['left']['mean']:.0f} ms, right {1000 * per['right']['mean']:.0f} ms; "
                        f"flagged above {th.asymmetry_contact_pct:.0f}%)")
                add("asymmetry_contact_s", text, None, pct, th.asymmetry_contact_pct, "%", rows, "touchdown_s",
                    "left/right comparison; " + REF_DEFAULT)
    return flags
