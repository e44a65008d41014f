"""Step frequency from the periodic bounce of the pelvis, independent of contact detection.

The hip midpoint rises and falls once per step (lowest in mid-stance), whichever leg is on the
ground, so its vertical position oscillates at the step frequency even where feet are hidden or
the two legs are confused. The frequency is the peak of the windowed, zero-padded spectrum in
the running band, refined by parabolic interpolation. It needs a few steps of data: the
spectral resolution is about 1 / duration, so clips shorter than ``min_cycles`` steps give NaN.
"""

from __future__ import annotations

import numpy as np


def dominant_frequency_hz(
    values: np.ndarray,
    t_s: np.ndarray,
    band_hz: tuple[float, float] = (1.5, 6.5),
    min_cycles: float = 4.0,
    pad_factor: int = 16,
) -> tuple[float, float]:
    """Frequency of the strongest oscillation of ``values`` within ``band_hz``.

    Parameters
    ----------
    values : ndarray, shape (n,)
        Signal (NaN allowed; interpolated over before the transform).
    t_s : ndarray, shape (n,)
        Sample times, seconds (irregular allowed; resampled to the median rate).
    band_hz : (float, float)
        Search band in Hz.
    min_cycles : float
        Fewer cycles of the found frequency within the clip than this gives NaN.
    pad_factor : int
        Zero padding (interpolates the spectrum; does not add resolution).

    Returns
    -------
    (frequency_hz, prominence) : the peak frequency and its share of the band's power (0-1).
    """
    values = np.asarray(values, float)
    t_s = np.asarray(t_s, float)
    ok = np.isfinite(values)
    if ok.sum() < 16:
        return float("nan"), 0.0
    dt = float(np.median(np.diff(t_s)))
    grid = np.arange(t_s[ok][0], t_s[ok][-1], dt)
    x = np.interp(grid, t_s[ok], values[ok])
    # Remove slow drift (camera tilt, the runner approaching) with a straight-line fit.
    x = x - np.polyval(np.polyfit(grid - grid[0], x, 1), grid - grid[0])
    x = x * np.hanning(len(x))
    n_fft = int(2 ** np.ceil(np.log2(len(x) * pad_factor)))
    power = np.abs(np.fft.rfft(x, n_fft)) ** 2
    freq = np.fft.rfftfreq(n_fft, dt)
    band = (freq >= band_hz[0]) & (freq <= band_hz[1])
    if not band.any() or power[band].sum() == 0:
        return float("nan"), 0.0
    k = int(np.flatnonzero(band)[np.argmax(power[band])])
    f = freq[k]
    if 0 < k < len(power) - 1:
        a, b, c = np.log(power[k - 1: k + 2] + 1e-300)
        denom = a - 2 * b + c
        if denom < 0:
            f = freq[k] + 0.5 * (a - c) / denom * (freq[1] - freq[0])
    duration = grid[-1] - grid[0]
    if f * duration < min_cycles:
        return float("nan"), 0.0
    width = max(2, int(round(pad_factor)))
    prominence = float(power[max(0, k - width): k + width + 1].sum() / power[band].sum())
    return float(f), min(1.0, prominence)


def pelvis_step_frequency_hz(body_xy: np.ndarray, t_s: np.ndarray, names: tuple[str, ...]) -> tuple[float, float]:
    """Step frequency from the hip midpoint's vertical oscillation (body frame), Hz."""
    left = body_xy[:, names.index("left_hip"), 1]
    right = body_xy[:, names.index("right_hip"), 1]
    # Average where both hips are known, else take the one that is.
    mid = np.where(np.isfinite(left) & np.isfinite(right), (left + right) / 2, np.fmax(left, right))
    return dominant_frequency_hz(mid, t_s)
