"""A stick figure built from chosen joint angles (body frame: x forward, y up, pixels), so
that every mechanics metric has a hand-computed answer.

Lengths: thigh and shank 50 px each (leg 100 px), trunk 60 px, upper arm 30 px, forearm
25 px. Feet: heel 5 px behind and 4 px below the ankle, toe 15 px ahead and 6 px below.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from sprintcv.events import Contact
from sprintcv.joints import MEDIAPIPE_JOINTS, SIDES

THIGH, SHANK, TRUNK, UPPER_ARM, FOREARM = 50.0, 50.0, 60.0, 30.0, 25.0
LEG = THIGH + SHANK
HEEL = np.array([-5.0, -4.0])
TOE = np.array([15.0, -6.0])
FPS = 100.0

Series = Callable[[np.ndarray], np.ndarray] | float


def _eval(f: Series, t: np.ndarray) -> np.ndarray:
    return np.broadcast_to(np.asarray(f(t) if callable(f) else f, float), t.shape).copy()


def _down(angle_deg: np.ndarray) -> np.ndarray:
    a = np.radians(angle_deg)
    return np.stack([np.sin(a), -np.cos(a)], axis=-1)


def figure(
    t: np.ndarray, *, hip_x: Series = 0.0, hip_y: Series = 100.0, lean_deg: Series = 0.0,
    thigh: dict[str, Series] | None = None, knee: dict[str, Series] | None = None,
    shoulder: dict[str, Series] | None = None, elbow: dict[str, Series] | None = None,
) -> np.ndarray:
    """Joints (n, 33, 2) of a figure with the given angles (degrees, conventions of
    docs/conventions.md): thigh from the downward vertical, knee and elbow interior, shoulder
    relative to the trunk line. Joints not set (face) sit at the head."""
    thigh = thigh or {}
    knee = knee or {}
    shoulder = shoulder or {}
    elbow = elbow or {}
    n = len(t)
    lean = _eval(lean_deg, t)
    hip = np.stack([_eval(hip_x, t), _eval(hip_y, t)], axis=-1)
    sh = hip + TRUNK * np.stack([np.sin(np.radians(lean)), np.cos(np.radians(lean))], axis=-1)
    j = {name: sh + np.array([0.0, 20.0]) for name in MEDIAPIPE_JOINTS}
    for s in SIDES:
        th = _eval(thigh.get(s, 0.0), t)
        kn = _eval(knee.get(s, 180.0), t)
        shin = th - (180.0 - kn)  # the shank folds back behind the thigh
        j[f"{s}_hip"], j[f"{s}_shoulder"] = hip, sh
        j[f"{s}_knee"] = hip + THIGH * _down(th)
        j[f"{s}_ankle"] = j[f"{s}_knee"] + SHANK * _down(shin)
        j[f"{s}_heel"] = j[f"{s}_ankle"] + HEEL
        j[f"{s}_foot_index"] = j[f"{s}_ankle"] + TOE
        arm = _eval(shoulder.get(s, 0.0), t) - lean  # segment angle from the downward vertical
        el = _eval(elbow.get(s, 90.0), t)
        j[f"{s}_elbow"] = sh + UPPER_ARM * _down(arm)
        j[f"{s}_wrist"] = j[f"{s}_elbow"] + FOREARM * _down(arm + 180.0 - el)  # forearm forward
        for part in ("pinky", "index", "thumb"):
            j[f"{s}_{part}"] = j[f"{s}_wrist"]
    return np.stack([j[name] for name in MEDIAPIPE_JOINTS], axis=1).reshape(n, len(MEDIAPIPE_JOINTS), 2)


def contact(foot: str, td: float, to: float) -> Contact:
    sample = [int(round(x * FPS)) if np.isfinite(x) else -1 for x in (td, to)]
    return Contact(foot, td, to, sample[0], sample[1], 1.0, 1.0)


@pytest.fixture
def times() -> np.ndarray:
    """1 s at 100 Hz: sample k at k / 100 s exactly (events below fall on samples)."""
    return np.arange(101) / FPS
