"""The pose-backend interface: one image in, named landmarks in that image's pixels out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np


@dataclass(frozen=True)
class PoseResult:
    """Landmarks of one person in one image.

    Attributes
    ----------
    coords : ndarray, shape (n_joints, 3)
        x, y in pixels of the image given to the backend (y down); z is the model's relative
        depth in the same pixel scale (smaller = closer to the camera).
    visibility : ndarray, shape (n_joints,)
        Model confidence that the landmark is visible, in [0, 1].
    """

    coords: np.ndarray
    visibility: np.ndarray


class PoseBackend(Protocol):
    """What sprintcv needs from a pose estimator.

    A backend is stateful (it may track the person between calls): call :meth:`reset` before a
    new clip and feed frames in time order.
    """

    #: Name recorded in results and in the cache key.
    name: str
    #: Landmark names, in the order of ``PoseResult.coords`` rows.
    joint_names: tuple[str, ...]

    def settings(self) -> dict[str, Any]:
        """Everything that changes the output (model file, thresholds): part of the cache key."""
        ...

    def reset(self) -> None:
        """Forget any tracking state."""
        ...

    def process(self, rgb: np.ndarray, t_s: float) -> PoseResult | None:
        """Landmarks of the person in ``rgb`` (H, W, 3 uint8) at time ``t_s``, or None."""
        ...

    def close(self) -> None:
        """Release the model."""
        ...
