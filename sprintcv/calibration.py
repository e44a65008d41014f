"""Lane calibration: image columns to metres along the lane.

Two ways, in order of preference:

* **Markers** (``from_gates``): the pixel columns of two or more markers (cones, lines) the
  runner passes, in the order met, and their spacing along the lane. Two markers give a linear
  map. Three or more give a quadratic least-squares fit of metres against column, which
  absorbs the perspective of a camera that is not square to the lane and mild lens
  distortion along it; the fit residuals are reported.
* **Athlete height** (``from_leg_length``): the runner's leg length in pixels against the
  anthropometric leg length of a person of the given height (hip-knee 0.245 H + knee-ankle
  0.246 H, Winter). One scale for the whole frame, no perspective: labelled *approximate*.

Distances grow in the running direction; 0 m is the first marker (or the clip's first hip
position when calibrated by height).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import CalibrationError

#: Thigh + shank length as a fraction of standing height (Winter's anthropometric table).
LEG_FRACTION_OF_HEIGHT = 0.245 + 0.246


@dataclass(frozen=True)
class LaneCalibration:
    """Map from image column (pixels, upright frame) to distance along the lane (m).

    Attributes
    ----------
    method : {"markers", "height"}
    coeffs : ndarray
        Polynomial coefficients of metres as a function of column (highest power first).
    markers_px, markers_m : ndarray, shape (k,)
        Marker columns and their distances (empty for "height").
    approximate : bool
        True when no markers were used.
    residual_m : float
        RMS residual of the fit at the markers (0 with two markers).
    """

    method: str
    coeffs: np.ndarray
    markers_px: np.ndarray = field(default_factory=lambda: np.zeros(0))
    markers_m: np.ndarray = field(default_factory=lambda: np.zeros(0))
    approximate: bool = False
    residual_m: float = 0.0
    source: str = ""

    def to_m(self, x_px: np.ndarray | float) -> np.ndarray:
        """Distance along the lane, metres, of image column(s) ``x_px``."""
        return np.polyval(self.coeffs, np.asarray(x_px, dtype=float))

    def px_per_m(self, x_px: float) -> float:
        """Local scale at column ``x_px`` (pixels per metre)."""
        slope = np.polyval(np.polyder(self.coeffs), x_px)
        return float(abs(1.0 / slope)) if slope else float("nan")

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "source": self.source,
            "approximate": self.approximate,
            "markers_px": self.markers_px.tolist(),
            "markers_m": self.markers_m.tolist(),
            "fit_degree": len(self.coeffs) - 1,
            "residual_m": self.residual_m,
            "coeffs": self.coeffs.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "LaneCalibration":
        """Inverse of :meth:`to_dict` (``summary.json``'s ``calibration``)."""
        try:
            return cls(
                method=str(data["method"]), coeffs=np.asarray(data["coeffs"], dtype=float),
                markers_px=np.asarray(data.get("markers_px", []), dtype=float),
                markers_m=np.asarray(data.get("markers_m", []), dtype=float),
                approximate=bool(data.get("approximate", False)), residual_m=float(data.get("residual_m", 0.0)),
                source=str(data.get("source", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CalibrationError(f"calibration record is incomplete ({exc})") from None


def parse_gates(text: str) -> list[float]:
    """``"412,1630"`` -> ``[412.0, 1630.0]``; a clear error for anything else."""
    try:
        values = [float(v) for v in text.replace(" ", "").split(",") if v != ""]
    except ValueError:
        raise CalibrationError(f"--gates must be pixel columns separated by commas, not {text!r}") from None
    if not all(np.isfinite(values)):
        raise CalibrationError(f"--gates must be finite numbers, not {text!r}")
    return values


def from_gates(
    gates_px: Sequence[float],
    gate_distance_m: float = 10.0,
    *,
    frame_width: int | None = None,
    gates_m: Sequence[float] | None = None,
    source: str = "user",
) -> LaneCalibration:
    """Calibration from marker columns met in this order, ``gate_distance_m`` apart.

    Parameters
    ----------
    gates_px : sequence of float, length k >= 2
        Pixel columns of the markers in the order the runner meets them.
    gate_distance_m : float
        Spacing between consecutive markers, metres (ignored when ``gates_m`` is given).
    frame_width : int, optional
        Width of the upright frame; markers outside it are an error.
    gates_m : sequence of float, optional
        Distances of the markers along the lane, when not evenly spaced.

    Raises
    ------
    CalibrationError
        Fewer than two markers, markers outside the frame, repeated or out-of-order columns,
        a non-positive spacing.
    """
    px = np.asarray(gates_px, dtype=float)
    if px.ndim != 1 or len(px) < 2:
        raise CalibrationError("need at least two gates (pixel columns) to calibrate distance")
    if frame_width is not None and (np.any(px < 0) or np.any(px >= frame_width)):
        raise CalibrationError(f"gates {px.tolist()} lie outside the frame (0-{frame_width - 1} px)")
    steps = np.diff(px)
    if np.any(np.abs(steps) < 1.0):
        raise CalibrationError(f"gates {px.tolist()} repeat a position: markers must be apart")
    if not (np.all(steps > 0) or np.all(steps < 0)):
        raise CalibrationError(f"gates {px.tolist()} must be listed in the order the runner meets them")
    if gates_m is None:
        if not (np.isfinite(gate_distance_m) and gate_distance_m > 0):
            raise CalibrationError(f"--gate-distance must be a positive number of metres, not {gate_distance_m}")
        m = np.arange(len(px)) * float(gate_distance_m)
    else:
        m = np.asarray(gates_m, dtype=float)
        if m.shape != px.shape or np.any(np.diff(m) <= 0):
            raise CalibrationError("gate distances must increase, one per gate")
    degree = 1 if len(px) == 2 else 2
    coeffs = np.polyfit(px, m, degree)
    residual = float(np.sqrt(np.mean((np.polyval(coeffs, px) - m) ** 2))) if len(px) > 3 else 0.0
    slope = np.polyval(np.polyder(coeffs), np.linspace(px.min(), px.max(), 50))
    if np.any(slope * slope[0] <= 0):
        raise CalibrationError(f"gates {px.tolist()} with spacing {m.tolist()} m do not give a monotonic lane scale")
    return LaneCalibration("markers", coeffs, px, m, approximate=False, residual_m=residual, source=source)


def from_leg_length(leg_px: float, height_m: float, direction: int, x0_px: float) -> LaneCalibration:
    """Approximate calibration from the runner's leg length in pixels and standing height.

    Parameters
    ----------
    leg_px : float
        Median hip-knee + knee-ankle length in the clip, pixels.
    height_m : float
        The athlete's standing height, metres.
    direction : int
        +1 running toward image +x, -1 toward -x.
    x0_px : float
        Column taken as 0 m.
    """
    if not (np.isfinite(height_m) and 1.0 <= height_m <= 2.5):
        raise CalibrationError(f"--height must be the athlete's height in metres (1.0-2.5), not {height_m}")
    if not (np.isfinite(leg_px) and leg_px > 0):
        raise CalibrationError("the runner's leg length could not be measured for a height-based scale")
    px_per_m = leg_px / (LEG_FRACTION_OF_HEIGHT * height_m)
    coeffs = np.array([direction / px_per_m, -direction * x0_px / px_per_m])
    return LaneCalibration("height", coeffs, approximate=True, source=f"athlete height {height_m:.2f} m")
