"""The mechanics stage of the pipeline: per-step mechanics and arm columns, per-run summaries,
the kinogram and the coach-facing flags, from the angles, the body-frame joints and the
contacts. One call from :func:`sprintcv.pipeline.analyze`; computation only (no files).

Definitions: :mod:`sprintcv.metrics.mechanics`, :mod:`sprintcv.metrics.kinogram`,
:mod:`sprintcv.flags` and ``docs/metrics.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .calibration import LaneCalibration
from .events import Contact
from .flags import NOT_DIAGNOSIS, FlagThresholds, evaluate_flags
from .joints import near_side, other_side
from .metrics.kinogram import kinogram
from .metrics.mechanics import (
    arms_summary,
    mechanics_summary,
    step_mechanics,
    withhold_far_side,
)


def hide_unusable(
    angles: dict[str, np.ndarray], body_xy: np.ndarray, usable: np.ndarray | None
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Copies of ``angles`` and ``body_xy`` with NaN where ``usable`` (n,) is false: where part
    of the runner is outside the frame the landmarks there are guesses, so a window that needs
    those samples yields no value rather than a wrong one."""
    if usable is None:
        return angles, body_xy
    hide = ~np.asarray(usable, dtype=bool)
    return ({k: np.where(hide, np.nan, v) for k, v in angles.items()},
            np.where(hide[:, None, None], np.nan, body_xy))


def _far_side_sentence(far: str) -> str:
    return (f"{far} leg on the far side: its knee at touchdown, knee at heel recovery and thigh "
            "separation at touchdown are not reported (from one side the pose model misplaces the far "
            f"knee, by 4-11 deg on test clips); film a run the other way to measure the {far} leg")


def mechanics_stage(
    steps: dict[str, np.ndarray],
    angles: dict[str, np.ndarray],
    body_xy: np.ndarray,
    names: Sequence[str],
    t_s: np.ndarray,
    frame_index: np.ndarray,
    contacts: Sequence[Contact],
    leg_px: float,
    *,
    direction: int,
    calibration: dict[str, Any] | None = None,
    usable: np.ndarray | None = None,
    contacts_reliable: bool = True,
    thresholds: FlagThresholds | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, Any], list[str]]:
    """Mechanics columns for the steps table, the summary fields they feed, and warnings.

    Parameters
    ----------
    steps : dict of ndarray
        The steps table so far (temporal and kinematic columns), one row per contact.
    angles : dict of ndarray, shape (n,)
        Per-sample angle series, degrees.
    body_xy : ndarray, shape (n, n_joints, >=2)
        Body-frame joints (x forward, y up), pixels.
    names : sequence of str
    t_s : ndarray, shape (n,)
        Sample times, s.
    frame_index : ndarray of int, shape (n,)
        Video frame of each sample.
    contacts : sequence of Contact
        The rows of ``steps``.
    leg_px : float
        Leg length, pixels.
    direction : int
        +1 / -1, running direction in the image.
    calibration : dict, optional
        ``summary["calibration"]`` when the lane is calibrated (metres columns).
    usable : ndarray of bool, shape (n,), optional
        Samples with the whole runner in view; the others are left out of every window
        (:func:`hide_unusable`).
    contacts_reliable : bool
        Whether the contact sequence holds together (contact-time asymmetry flag).
    thresholds : FlagThresholds, optional
        Flag thresholds (default ``FlagThresholds()``).

    Returns
    -------
    columns : dict of ndarray
        New per-step columns.
    fields : dict
        ``mechanics``, ``arms``, ``kinogram``, ``flags``, ``far_side`` (the far side and the
        columns not reported for its limbs, :func:`~sprintcv.metrics.mechanics.withhold_far_side`),
        ``flag_thresholds`` and ``flags_note`` for the summary.
    warnings : list of str
        Sentences on what could not be computed (e.g. no kinogram for a side).
    """
    thresholds = thresholds or FlagThresholds()
    calib = LaneCalibration.from_dict(calibration) if calibration else None
    angles, body_xy = hide_unusable(angles, body_xy, usable)
    columns = step_mechanics(angles, body_xy, names, t_s, contacts, leg_px, calibration=calib, direction=direction)
    near = near_side(direction)
    far = other_side(near)
    table = {**steps, **columns}
    # Replaces columns of ``steps`` too (the knee at touchdown), hence returned with the new ones.
    withheld = withhold_far_side(table, near)
    columns.update(withheld)
    table.update(withheld)
    fields = {
        "mechanics": mechanics_summary(table),
        "arms": arms_summary(table, angles),
        "kinogram": kinogram(body_xy, names, t_s, contacts, frame_index=frame_index, usable=usable),
        "flags": evaluate_flags(table, thresholds, t_s=t_s, frame_index=frame_index,
                                contacts_reliable=contacts_reliable, near=near),
        "far_side": {"side": far, "withheld": sorted(withheld)},
        "flag_thresholds": thresholds.to_dict(),
        "flags_note": NOT_DIAGNOSIS,
    }
    warnings = [
        f"no kinogram of a {side} landing: no step from toe-off to full support with the runner in view"
        for side, kino in fields["kinogram"].items() if kino is None and len(contacts)
    ]
    if any(str(foot) == far for foot in steps.get("foot", [])):
        warnings.append(_far_side_sentence(far))
    if contacts and not contacts_reliable:
        warnings.append("the per-step mechanics are taken at the contacts found, which are inconsistent: "
                        "a step's values may belong to the other leg, so no left/right asymmetry is flagged")
    return columns, fields, warnings
