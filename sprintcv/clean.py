"""Cleaning of raw pose trajectories: masking, outliers, left/right swaps, gaps, low-pass.

Every function here works on plain arrays (time on axis 0) and returns new arrays; only
:func:`clean_trajectory` at the bottom touches the :class:`~sprintcv.trajectory.Trajectory`
container, chaining the steps in the order they must run::

    mask_low_visibility -> correct_left_right_swaps (legs, arms) -> reject_outliers
    -> fill_gaps -> lowpass

Swaps are undone *before* outliers are rejected: a leg labelled the wrong way round for a
few frames is a jump of a whole leg's length, which the outlier test would otherwise throw
away (and then interpolate over), losing good measurements; the swap correction itself is
not disturbed by isolated spikes.

Array conventions
-----------------
``xy`` arrays have shape ``(n_frames, n_joints, n_dims)`` with ``n_dims`` 2 or 3, in pixels;
a missing sample is ``NaN`` in every coordinate of that joint. ``t_s`` holds the capture time
of every frame in seconds; it may be irregular (variable-frame-rate phone video), so every
duration parameter is given in seconds and converted with the clip's own timestamps.

Coordinate frames
-----------------
Pose estimation delivers **image coordinates**: x to the right, **y pointing down**, origin at
the top-left corner (see :mod:`sprintcv.trajectory`). All cleaning steps work in that frame.
:func:`to_body_frame` is *the single place* where image coordinates become the **analysis
(body) frame**: x along the running direction (+x forward), **y up**, pixel units, origin
unchanged apart from the sign flips (``x_b = direction * x``, ``y_b = -y``; a depth
coordinate becomes ``z_b = -direction * z`` so the frame stays right-handed, +z pointing to
the runner's right). Every angle defined downstream (segment angles, trunk lean, ...) is
measured in this body frame, so a runner filmed from either side gives the same numbers.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import signal
from scipy.interpolate import CubicSpline, PchipInterpolator

from .errors import AnalysisError
from .joints import ARM, LEG, swap_pairs
from .trajectory import Trajectory

#: Default low-pass cut-off for sprint kinematics, Hz (see :func:`default_cutoff_hz`).
DEFAULT_CUTOFF_HZ = 12.0
#: The default cut-off is capped at this fraction of the Nyquist frequency.
CUTOFF_NYQUIST_CAP = 0.8
#: :func:`lowpass` leaves the data unchanged at or above this fraction of Nyquist.
PASSTHROUGH_NYQUIST_FRACTION = 0.9
#: Visibility given to samples created by :func:`fill_gaps` in :func:`clean_trajectory`.
FILLED_VISIBILITY = 0.3

#: Weight of each joint in the swap-continuity cost: distal joints separate the two limbs
#: in a side view, hips and shoulders almost coincide and carry almost no information.
LEG_WEIGHTS: dict[str, float] = {
    "hip": 0.1, "knee": 0.5, "ankle": 1.0, "heel": 1.0, "foot_index": 1.0,
}
ARM_WEIGHTS: dict[str, float] = {
    "shoulder": 0.1, "elbow": 0.5, "wrist": 1.0, "pinky": 0.5, "index": 0.5, "thumb": 0.5,
}

_MAD_TO_SIGMA = 1.4826  # MAD of a normal distribution times this gives its sigma
_MAX_RM_SAMPLES = 15    # repeated-median windows are thinned to at most this many samples
_REL_TOL = 1e-9
_MIN_SUPPORT = 2         # valid samples needed on each side before a sample is judged


# -- small helpers ---------------------------------------------------------------------------
def _as_points(xy: np.ndarray) -> np.ndarray:
    """Float copy of ``xy`` checked to be (n_frames, n_joints, n_dims)."""
    pts = np.array(xy, dtype=float)
    if pts.ndim != 3:
        raise ValueError(f"xy must have shape (frames, joints, dims), got {pts.shape}")
    return pts


def _as_times(t_s: np.ndarray, n_frames: int) -> np.ndarray:
    t = np.asarray(t_s, dtype=float)
    if t.shape != (n_frames,):
        raise ValueError(f"t_s must have shape ({n_frames},), got {t.shape}")
    if n_frames > 1 and not np.all(np.diff(t) > 0):
        raise ValueError("t_s must be strictly increasing")
    return t


def _point_valid(pts: np.ndarray) -> np.ndarray:
    """(n_frames, n_joints) mask of samples whose coordinates are all finite."""
    return np.all(np.isfinite(pts), axis=-1)


def sample_rate_hz(t_s: np.ndarray) -> float:
    """Effective sample rate (median of 1/dt) of timestamps ``t_s`` (s), Hz; NaN if < 2."""
    t = np.asarray(t_s, dtype=float)
    if t.size < 2:
        return float("nan")
    return float(1.0 / np.median(np.diff(t)))


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) index ranges of the True runs of a 1-D boolean mask."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _nanmedian_last(a: np.ndarray) -> np.ndarray:
    """Median over the last axis ignoring NaN (NaN where a row has no finite value).

    Sorting pushes NaN to the end, so the median of the ``k`` finite values of a row sits at
    positions ``(k-1)//2`` and ``k//2``; this is much faster than ``np.nanmedian`` on the
    many short rows used here.
    """
    s = np.sort(a, axis=-1)
    k = np.sum(np.isfinite(s), axis=-1)
    lo = np.clip((k - 1) // 2, 0, None)[..., None]
    hi = np.clip(k // 2, 0, a.shape[-1] - 1)[..., None]
    med = 0.5 * (np.take_along_axis(s, lo, -1) + np.take_along_axis(s, hi, -1))[..., 0]
    return np.where(k > 0, med, np.nan)


def _windows(a: np.ndarray, half: int) -> np.ndarray:
    """Centred windows of ``2*half+1`` samples over a 1-D array, NaN beyond the ends."""
    return sliding_window_view(np.pad(a, half, constant_values=np.nan), 2 * half + 1)


# -- 1. visibility ---------------------------------------------------------------------------
def mask_low_visibility(
    xy: np.ndarray, visibility: np.ndarray, min_visibility: float = 0.5
) -> np.ndarray:
    """Blank out samples the pose model is unsure of.

    Parameters
    ----------
    xy : ndarray, shape (n_frames, n_joints, n_dims)
        Joint positions, pixels.
    visibility : ndarray, shape (n_frames, n_joints)
        Per-sample confidence in [0, 1]; NaN counts as invisible.
    min_visibility : float
        Samples with ``visibility < min_visibility`` become NaN.

    Returns
    -------
    ndarray, shape (n_frames, n_joints, n_dims)
        Copy of ``xy`` with every coordinate of low-visibility samples set to NaN.
    """
    pts = _as_points(xy)
    vis = np.asarray(visibility, dtype=float)
    if vis.shape != pts.shape[:2]:
        raise ValueError(f"visibility must have shape {pts.shape[:2]}, got {vis.shape}")
    pts[~(vis >= min_visibility)] = np.nan
    return pts


# -- 2. outliers -----------------------------------------------------------------------------
def _repeated_median_line(
    x: np.ndarray, t: np.ndarray, half: int
) -> tuple[np.ndarray, np.ndarray]:
    """Level and slope (per second) at each sample of Siegel's repeated-median line.

    The repeated median has a 50 % breakdown point, so runs of outliers shorter than half
    the window cannot drag it, and unlike a running median it follows a steady trend (a
    fast-moving foot) without a residual.
    """
    step = max(1, math.ceil((2 * half + 1) / _MAX_RM_SAMPLES))
    xw = _windows(x, half)[:, ::step]
    tw = _windows(t, half)[:, ::step] - t[:, None]
    dx = xw[:, :, None] - xw[:, None, :]
    dt = tw[:, :, None] - tw[:, None, :]
    n = xw.shape[1]
    dt[:, np.arange(n), np.arange(n)] = np.nan  # no self-pairs
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = _nanmedian_last(_nanmedian_last(dx / dt))
    slope = np.where(np.isfinite(slope), slope, 0.0)
    return _nanmedian_last(xw - slope[:, None] * tw), slope


def _robust_quadratic_level(
    x: np.ndarray, t: np.ndarray, half: int, min_scale_px: float, n_iter: int = 3
) -> np.ndarray:
    """Robust local-quadratic fit (bisquare-weighted, Cleveland's robust LOESS) at each sample.

    Weights start from the residuals of the repeated-median line, so spikes get zero weight
    from the first iteration; the quadratic term then absorbs the curvature of genuine
    motion (a foot turning round at the top of its swing), which a line or a running
    median would report as a residual.
    """
    rm_level, rm_slope = _repeated_median_line(x, t, half)
    xw = _windows(x, half)
    valid = np.isfinite(xw)
    dt = _windows(t, half) - t[:, None]
    rm_fit = rm_level[:, None] + rm_slope[:, None] * dt
    step_s = np.median(np.diff(t)) if t.size > 1 else 1.0
    tau = np.where(valid, dt / (half * step_s), 0.0)  # O(1) basis: well conditioned
    xz = np.where(valid, xw, 0.0)
    basis = np.stack([np.ones_like(tau), tau, tau**2], axis=-1)
    resid = np.where(valid, xw - rm_fit, np.nan)
    level = rm_level
    for _ in range(n_iter):
        scale = 6.0 * np.maximum(_nanmedian_last(np.abs(resid)), min_scale_px)
        u = np.where(valid, np.abs(resid) / scale[:, None], 1.0)
        w = np.where(u < 1.0, (1.0 - u**2) ** 2, 0.0)
        a = np.einsum("tn,tni,tnj->tij", w, basis, basis) + 1e-9 * np.eye(3)
        b = np.einsum("tn,tni,tn->ti", w, basis, xz)
        coef = np.linalg.solve(a, b[..., None])[..., 0]
        enough = np.sum(w > 0, axis=1) >= 4  # a quadratic needs a few points to be trusted
        level = np.where(enough, coef[:, 0], rm_level)
        fit = np.einsum("tni,ti->tn", basis, coef)
        resid = np.where(valid, xw - np.where(enough[:, None], fit, rm_fit), np.nan)
    return level


def _spikes_1d(
    x: np.ndarray, t: np.ndarray, half: int, z_thresh: float, min_scale_px: float,
    n_passes: int = 3,
) -> np.ndarray:
    """Spike mask of one coordinate series (see :func:`reject_outliers` for the rule).

    Later passes fit the reference without the samples rejected so far and judge *every*
    sample again against it: the rest of a run of outliers is caught once its first members
    are out, and clean neighbours that a run had dragged the fit towards are let back in.
    """
    spikes = np.zeros(x.shape, dtype=bool)
    finite = np.isfinite(x)
    # at the ends of the clip and of every valid stretch a genuine turn and a spike look the
    # same (the fit would extrapolate): judge only samples with support on both sides
    win = _windows(finite.astype(float), half)
    judged = (
        finite
        & (np.nansum(win[:, :half], axis=1) >= _MIN_SUPPORT)
        & (np.nansum(win[:, half + 1:], axis=1) >= _MIN_SUPPORT)
    )
    for _ in range(n_passes):
        kept = np.where(spikes, np.nan, x)
        if np.sum(np.isfinite(kept)) < 7:
            break
        resid = x - _robust_quadratic_level(kept, t, half, min_scale_px)
        good = np.isfinite(resid) & ~spikes
        med = np.median(resid[good])
        sigma = max(_MAD_TO_SIGMA * np.median(np.abs(resid[good] - med)), min_scale_px)
        with np.errstate(invalid="ignore"):
            new = judged & (np.abs(resid - med) > z_thresh * sigma)
        if np.array_equal(new, spikes):
            break
        spikes = new
    return spikes


def _speed_spikes(pts: np.ndarray, t: np.ndarray, max_speed_px_s: float) -> np.ndarray:
    """(n_frames, n_joints) mask of samples reached *and* left faster than ``max_speed_px_s``."""
    out = np.zeros(pts.shape[:2], dtype=bool)
    valid = _point_valid(pts)
    for j in range(pts.shape[1]):
        idx = np.flatnonzero(valid[:, j])
        if idx.size < 3:
            continue
        p = pts[idx, j]
        speed = np.linalg.norm(np.diff(p, axis=0), axis=-1) / np.diff(t[idx])
        spike = (speed[:-1] > max_speed_px_s) & (speed[1:] > max_speed_px_s)
        out[idx[1:-1][spike], j] = True
    return out


def reject_outliers(
    xy: np.ndarray,
    t_s: np.ndarray,
    *,
    max_speed_px_s: float | None = None,
    z_thresh: float = 8.0,
    window_s: float = 0.2,
    min_scale_px: float = 2.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Reject isolated spikes (and short runs of them) without touching fast genuine motion.

    Rule, per joint and per image axis (x and y; a depth coordinate is not tested, MediaPipe's
    z is too noisy, but it is blanked with the rejected sample):

    1. Fit a robust reference through a centred window of ``window_s`` seconds (converted to
       samples with the median sample rate, at least 7 samples): a repeated-median line
       (50 % breakdown, follows steady trends) refined by a bisquare-weighted local
       quadratic (follows curvature, e.g. a foot reversing at the top of the swing).
    2. Residual ``r = x - reference``; scale ``sigma = max(1.4826 * MAD(r), min_scale_px)``
       where the MAD is taken over the whole clip for that joint and axis.
    3. Reject the sample if ``|r - median(r)| > z_thresh * sigma`` on either axis. Up to
       three passes: each refits the reference without the samples rejected so far and
       judges every sample again (catches the rest of a run, releases clean neighbours).
    4. Samples with fewer than two valid samples on either side inside the window (the first
       and last two of the clip and of every valid stretch) are not judged by this rule:
       there the fit extrapolates and a genuine turn looks like a spike.
    5. If ``max_speed_px_s`` is given, also reject a sample that is both reached from the
       previous valid sample and left towards the next one faster than ``max_speed_px_s``
       (2-D speed): a jump out and back that no body part can make.

    Because the reference follows lines and parabolas over ~0.2 s, a sprinter's foot (up to
    ~2.7x body speed in swing) leaves residuals of at most ~6.3 sigma on synthetic sprints at
    25-240 fps, hence the default ``z_thresh = 8``; tracking glitches of tens to hundreds of
    pixels stand far above that. Isolated spikes are caught at any frame rate; runs of 2-3
    frames at 60 fps and up to 5 frames at 240 fps. At 25-30 fps the window holds only 7
    samples and only isolated spikes are caught reliably.

    Parameters
    ----------
    xy : ndarray, shape (n_frames, n_joints, n_dims)
        Joint positions, pixels; NaN where missing.
    t_s : ndarray, shape (n_frames,)
        Capture times, seconds (may be irregular).
    max_speed_px_s : float, optional
        Speed, pixels per second, above which a jump out and back is physically impossible.
    z_thresh : float
        Threshold on the residual in robust standard deviations.
    window_s : float
        Length of the reference window, seconds.
    min_scale_px : float
        Floor on the residual scale, pixels (pose-model jitter), so that noise-free
        stretches do not make every tiny deviation an outlier.

    Returns
    -------
    xy : ndarray, shape (n_frames, n_joints, n_dims)
        Copy with rejected samples set to NaN.
    rejected : ndarray of bool, shape (n_frames, n_joints)
        True where a sample was rejected by this call.
    """
    pts = _as_points(xy)
    t = _as_times(t_s, pts.shape[0])
    n_frames, n_joints, n_dims = pts.shape
    rejected = np.zeros((n_frames, n_joints), dtype=bool)
    if n_frames < 7:
        return pts, rejected
    fs = sample_rate_hz(t)
    half = max(3, int(round(window_s * fs / 2.0)))
    for j in range(n_joints):
        for axis in range(min(n_dims, 2)):
            if np.sum(np.isfinite(pts[:, j, axis])) >= 7:
                rejected[:, j] |= _spikes_1d(pts[:, j, axis], t, half, z_thresh, min_scale_px)
    if max_speed_px_s is not None:
        rejected |= _speed_spikes(pts[..., :2], t, max_speed_px_s)
    rejected &= _point_valid(pts)
    pts[rejected] = np.nan
    return pts, rejected


# -- 3. gaps ---------------------------------------------------------------------------------
def fill_gaps(
    xy: np.ndarray,
    t_s: np.ndarray,
    max_gap_s: float = 0.1,
    *,
    method: Literal["pchip", "cubic"] = "pchip",
) -> tuple[np.ndarray, np.ndarray]:
    """Interpolate short interior gaps in time; leave long gaps and the ends missing.

    A gap is a run of missing samples of one joint with valid samples on both sides; its
    length is the time between those two valid samples, ``t_after - t_before`` (one missing
    frame at 30 fps is a 0.067 s gap). Gaps no longer than ``max_gap_s`` are filled with a
    piecewise-cubic curve through all valid samples of the joint, evaluated at the missing
    sample times (so irregular timestamps are honoured). Nothing is extrapolated before the
    first or after the last valid sample.

    Parameters
    ----------
    xy : ndarray, shape (n_frames, n_joints, n_dims)
        Joint positions, pixels; a sample is missing if any coordinate is NaN.
    t_s : ndarray, shape (n_frames,)
        Capture times, seconds.
    max_gap_s : float
        Longest gap to fill, seconds.
    method : {"pchip", "cubic"}
        ``"pchip"`` (default): shape-preserving, never overshoots the neighbouring samples,
        which would invent motion; ``"cubic"``: not-a-knot cubic spline, smoother through
        extrema. Both reproduce a linear motion exactly.

    Returns
    -------
    xy : ndarray, shape (n_frames, n_joints, n_dims)
        Copy with short gaps filled.
    filled : ndarray of bool, shape (n_frames, n_joints)
        True where a sample was filled by this call.
    """
    pts = _as_points(xy)
    t = _as_times(t_s, pts.shape[0])
    valid = _point_valid(pts)
    filled = np.zeros(valid.shape, dtype=bool)
    if method not in ("pchip", "cubic"):
        raise ValueError(f"method must be 'pchip' or 'cubic', not {method!r}")
    interpolator = PchipInterpolator if method == "pchip" else CubicSpline
    for j in range(pts.shape[1]):
        idx = np.flatnonzero(valid[:, j])
        if idx.size < 2:
            continue
        gap = np.flatnonzero(np.diff(idx) > 1)
        before, after = idx[gap], idx[gap + 1]
        short = (t[after] - t[before]) <= max_gap_s * (1.0 + _REL_TOL)
        if not np.any(short):
            continue
        curve = interpolator(t[idx], pts[idx, j], axis=0)
        for b, a in zip(before[short], after[short]):
            pts[b + 1:a, j] = curve(t[b + 1:a])
            filled[b + 1:a, j] = True
    return pts, filled


# -- 4. low-pass -----------------------------------------------------------------------------
def _default_padlen(sos: np.ndarray) -> int:
    """The pad length :func:`scipy.signal.sosfiltfilt` uses by default."""
    zeros = min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))
    return 3 * (2 * len(sos) + 1 - zeros)


def _is_regular(t: np.ndarray, rtol: float = 0.05) -> bool:
    """True when every interval is within ``rtol`` of the median interval."""
    dt = np.diff(t)
    med = np.median(dt)
    return bool(np.all(np.abs(dt - med) <= rtol * med))


def _filtfilt_segment(x: np.ndarray, sos: np.ndarray) -> np.ndarray:
    """Zero-phase filter one contiguous valid segment (a shorter pad if the segment is short)."""
    if x.shape[0] < 3:
        return x  # nothing meaningful to filter
    padlen = min(_default_padlen(sos), x.shape[0] - 1)
    return signal.sosfiltfilt(sos, x, axis=0, padlen=padlen)


def _filter_segment(x: np.ndarray, t: np.ndarray, sos: np.ndarray, step_s: float) -> np.ndarray:
    """Filter a segment sampled at times ``t``; irregular samples go through a uniform grid."""
    if x.shape[0] < 3 or _is_regular(t):
        return _filtfilt_segment(x, sos)
    n_grid = int(math.floor((t[-1] - t[0]) / step_s * (1.0 + _REL_TOL))) + 1
    if n_grid < 3:
        return x
    grid = t[0] + step_s * np.arange(n_grid)
    on_grid = CubicSpline(t, x, axis=0)(grid)
    smooth = _filtfilt_segment(on_grid, sos)
    # the last original sample may lie up to one step past the grid: a sub-step extrapolation
    return CubicSpline(grid, smooth, axis=0)(t)


def _filter_applies(cutoff_hz: float, fs: float) -> bool:
    """Whether :func:`lowpass` filters at all: cut-off below 0.9 x Nyquist (rounding margin)."""
    limit = PASSTHROUGH_NYQUIST_FRACTION * fs / 2.0
    return bool(np.isfinite(fs) and cutoff_hz < limit * (1.0 - _REL_TOL))


def lowpass(
    xy: np.ndarray, t_s: np.ndarray, cutoff_hz: float, order: int = 2
) -> np.ndarray:
    """Zero-phase Butterworth low-pass filter with its cut-off in Hz.

    A Butterworth filter of ``order`` is run forward and backward
    (:func:`scipy.signal.sosfiltfilt`), so there is no phase lag, the effective order is
    ``2 * order`` and the gain at ``cutoff_hz`` is 0.5 (-6 dB): the usual "4th-order
    zero-lag Butterworth at f_c" of biomechanics for ``order=2``. The design uses the
    clip's median sample rate, so the same ``cutoff_hz`` gives the same response at any
    frame rate. If the timestamps are irregular (variable frame rate, dropped frames), each
    segment is resampled (cubic) onto a uniform grid at the median rate, filtered, and
    interpolated back to the original times.

    Missing samples (NaN) split every column into contiguous valid segments that are filtered
    separately; NaN stays NaN. Segments shorter than the default pad length (``3 * (2 *
    order + 1)`` samples for one section) are filtered with a shorter pad; segments of fewer
    than 3 samples are left unfiltered.

    If ``cutoff_hz >= 0.9 * Nyquist`` the filter would do next to nothing (and the design
    becomes ill-conditioned near Nyquist), so the data are **returned unchanged** (as a copy);
    pass ``cutoff_hz=math.inf`` to switch filtering off on purpose.

    Parameters
    ----------
    xy : ndarray, shape (n_frames, ...)
        Signals with time on axis 0 (e.g. (n_frames, n_joints, n_dims) pixels).
    t_s : ndarray, shape (n_frames,)
        Capture times, seconds.
    cutoff_hz : float
        Cut-off frequency, Hz (> 0).
    order : int
        Butterworth order of one pass.

    Returns
    -------
    ndarray, same shape as ``xy``
        Filtered copy.
    """
    arr = np.array(xy, dtype=float)
    t = _as_times(t_s, arr.shape[0])
    if not cutoff_hz > 0:
        raise ValueError(f"cutoff_hz must be positive, got {cutoff_hz}")
    fs = sample_rate_hz(t)
    if not _filter_applies(cutoff_hz, fs):
        return arr
    sos = signal.butter(order, cutoff_hz, btype="low", fs=fs, output="sos")
    flat = arr.reshape(arr.shape[0], -1)
    for col in range(flat.shape[1]):
        for start, stop in _runs(np.isfinite(flat[:, col])):
            flat[start:stop, col] = _filter_segment(
                flat[start:stop, col], t[start:stop], sos, 1.0 / fs
            )
    return flat.reshape(arr.shape)


def default_cutoff_hz(fps: float) -> float:
    """Default low-pass cut-off for a clip sampled at ``fps``, Hz.

    :data:`DEFAULT_CUTOFF_HZ` (12 Hz), capped at ``0.8 * fps / 2`` so that the filter still
    acts on low-frame-rate clips (12 Hz at 30 fps, 10 Hz at 25 fps).

    12 Hz is the upper end of what residual analysis (Winter, *Biomechanics and Motor Control
    of Human Movement*) gives for running marker data (about 6-12 Hz): sprinting has more
    high-frequency content than jogging, and touchdown / toe-off, which contact detection
    needs, are blunted by lower cut-offs. With the zero-lag 4th-order response the stride
    harmonics keep > 99 % of their amplitude up to about 3.8 Hz and > 97 % at a 5 Hz step
    rate, while pose-model jitter above about 20 Hz is removed by > 87 %.
    """
    return float(min(DEFAULT_CUTOFF_HZ, CUTOFF_NYQUIST_CAP * fps / 2.0))


# -- 5. left/right swaps ---------------------------------------------------------------------
@dataclass(frozen=True)
class LimbGroup:
    """Joints that swap sides together.

    Attributes
    ----------
    name : str
        ``"legs"`` or ``"arms"``.
    pairs : tuple of (int, int)
        (left index, right index) of each joint of the limb, proximal to distal.
    weights : tuple of float
        Weight of each pair in the continuity cost (distal joints carry most information).
    """

    name: str
    pairs: tuple[tuple[int, int], ...]
    weights: tuple[float, ...]


def _limb_group(
    name: str, names: Sequence[str], joints: Sequence[str], weights: dict[str, float]
) -> list[LimbGroup]:
    pairs = swap_pairs(tuple(names))
    by_joint = {names[left][len("left_"):]: (left, right) for left, right in pairs}
    present = [j for j in joints if j in by_joint]
    if not present:
        return []
    return [LimbGroup(
        name, tuple(by_joint[j] for j in present), tuple(weights[j] for j in present)
    )]


def leg_groups(names: Sequence[str]) -> list[LimbGroup]:
    """The leg group (hip, knee, ankle, heel, foot_index on both sides) of ``names``.

    Returns an empty list when ``names`` has no left/right leg joints.
    """
    return _limb_group("legs", names, LEG, LEG_WEIGHTS)


def arm_groups(names: Sequence[str]) -> list[LimbGroup]:
    """The arm group (shoulder, elbow, wrist and hand points on both sides) of ``names``."""
    return _limb_group("arms", names, ARM, ARM_WEIGHTS)


def apply_swaps(
    values: np.ndarray, pairs: Sequence[tuple[int, int]], swapped_frames: np.ndarray
) -> np.ndarray:
    """Exchange the left and right columns of ``pairs`` in the frames flagged as swapped.

    Parameters
    ----------
    values : ndarray, shape (n_frames, n_joints, ...)
        Positions or per-joint values (e.g. visibility, shape (n_frames, n_joints)).
    pairs : sequence of (int, int)
        (left, right) joint indices that exchange together.
    swapped_frames : ndarray of bool, shape (n_frames,)

    Returns
    -------
    ndarray
        Copy of ``values`` with the pairs exchanged in the flagged frames.
    """
    out = np.array(values, copy=True)
    frames = np.flatnonzero(np.asarray(swapped_frames, dtype=bool))
    if frames.size and len(pairs):
        left = np.array([p[0] for p in pairs])
        right = np.array([p[1] for p in pairs])
        lr = out[frames][:, left].copy()
        out[frames[:, None], left[None, :]] = out[frames][:, right]
        out[frames[:, None], right[None, :]] = lr
    return out


def _group_scale(pos: np.ndarray) -> float:
    """Typical size of the limb group (proximal-to-distal length), pixels; 1 if unknown.

    ``pos`` has shape (n_frames, n_pairs, 2 sides, 2); dividing costs by this length makes
    ``swap_cost`` and ``switch_cost`` independent of the image resolution.
    """
    if pos.shape[1] >= 2:
        lengths = np.linalg.norm(pos[:, -1] - pos[:, 0], axis=-1)
    else:
        lengths = np.linalg.norm(pos[:, 0, 0] - pos[:, 0, 1], axis=-1)
    lengths = lengths[np.isfinite(lengths) & (lengths > 0)]
    return float(np.median(lengths)) if lengths.size else 1.0


def _transition_costs(
    pos: np.ndarray, vis: np.ndarray, w: np.ndarray, t: np.ndarray,
    obs: np.ndarray, max_gap_frames: int,
) -> np.ndarray:
    """Continuity cost of every observed frame under every (h_a, h_b, h_c) hypothesis triple.

    For observed frame ``c`` with the two previous observed frames ``b`` and ``a`` (used only
    if no more than ``max_gap_frames`` frames are missing between them), each joint slot is
    predicted at constant velocity from ``a`` and ``b`` (time-scaled, so irregular
    timestamps and skipped frames are fine), or held at the last known position when only one
    of them has it. The cost is the weighted distance from the prediction to the position the
    hypothesis puts in that slot; ``h = 1`` means "this frame's limbs are swapped".

    Returns
    -------
    ndarray, shape (n_obs, 2, 2, 2)
        ``cost[i, h_a, h_b, h_c]``, in units of the group scale.
    """
    n = obs.size
    hyp = np.stack([pos, pos[:, :, ::-1]], axis=1)   # (T, 2 hyp, K, 2 sides, 2)
    vhyp = np.stack([vis, vis[:, :, ::-1]], axis=1)  # (T, 2 hyp, K, 2 sides)
    prev_ok = np.zeros(n, dtype=bool)
    prev_ok[1:] = np.diff(obs) - 1 <= max_gap_frames
    has_b = prev_ok
    has_a = np.zeros(n, dtype=bool)
    has_a[2:] = prev_ok[2:] & prev_ok[1:-1]
    ib = np.where(has_b, np.roll(obs, 1), obs)
    ia = np.where(has_a, np.roll(obs, 2), obs)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(has_a, (t[obs] - t[ib]) / (t[ib] - t[ia]), 0.0)
    scale = _group_scale(pos)
    cost = np.zeros((n, 2, 2, 2))
    for ha in (0, 1):
        a = np.where(has_a[:, None, None, None], hyp[ia, ha], np.nan)
        for hb in (0, 1):
            b = np.where(has_b[:, None, None, None], hyp[ib, hb], np.nan)
            velocity_pred = b + (b - a) * ratio[:, None, None, None]
            pred = np.where(np.isfinite(velocity_pred), velocity_pred,
                            np.where(np.isfinite(b), b, a))
            for hc in (0, 1):
                dist = np.linalg.norm(hyp[obs, hc] - pred, axis=-1)  # (n, K, 2 sides)
                term = w[None, :, None] * vhyp[obs, hc] * dist
                cost[:, ha, hb, hc] = np.nansum(term, axis=(1, 2)) / scale
    return cost


def _viterbi(cost: np.ndarray, swap_cost: float, switch_cost: float) -> np.ndarray:
    """Cheapest swap labelling for second-order costs ``cost[i, h_a, h_b, h_c]``.

    State at step ``i`` is ``(h_{i-1}, h_i)``. Every swapped frame pays ``swap_cost`` (the
    raw labels are right most of the time, and it fixes which leg is "left"), every change
    of hypothesis between consecutive frames pays ``switch_cost``.
    """
    n = cost.shape[0]
    inf = np.inf
    # frame 0 has no predecessor: only states (0, 0) and (1, 1) with the prior on h_0
    d = np.array([[0.0, inf], [inf, swap_cost]])  # d[h_prev, h_cur]
    back = np.zeros((n, 2, 2), dtype=np.int8)
    prior = np.array([0.0, swap_cost])
    switch = np.array([[0.0, switch_cost], [switch_cost, 0.0]])
    for i in range(1, n):
        # total[ha, hb, hc] = d[ha, hb] + cost + prior[hc] + switch[hb, hc]
        total = d[:, :, None] + cost[i] + prior[None, None, :] + switch[None, :, :]
        back[i] = np.argmin(total, axis=0)
        d = np.min(total, axis=0)
    labels = np.zeros(n, dtype=np.int8)
    hb, hc = np.unravel_index(int(np.argmin(d)), d.shape)
    labels[-1] = hc
    if n > 1:
        labels[-2] = hb
    for i in range(n - 1, 1, -1):
        ha = back[i, labels[i - 1], labels[i]]
        labels[i - 2] = ha
    return labels


def _viterbi_swaps(
    xy: np.ndarray,
    pairs: Sequence[tuple[int, int]],
    *,
    visibility: np.ndarray | None = None,
    weights: Sequence[float] | None = None,
    t_s: np.ndarray | None = None,
    swap_cost: float = 0.05,
    switch_cost: float = 0.05,
    max_gap_frames: int = 3,
) -> tuple[np.ndarray, np.ndarray]:
    """Second pass of :func:`correct_left_right_swaps`: exact dynamic programming over "as
    labelled" / "swapped" per frame (Viterbi over the pairs ``(h_{t-1}, h_t)``).

    Cost: distance of each joint to its constant-velocity prediction from the two previous
    observed frames (weighted, divided by the group's typical length), plus ``swap_cost`` per
    swapped frame and ``switch_cost`` per change of hypothesis. After more than
    ``max_gap_frames`` missing frames the prediction restarts. Arguments and returns as for
    :func:`correct_left_right_swaps`.
    """
    pts = _as_points(xy)
    n_frames = pts.shape[0]
    swapped = np.zeros(n_frames, dtype=bool)
    if not len(pairs):
        return pts, swapped
    t = np.arange(n_frames, dtype=float) if t_s is None else _as_times(t_s, n_frames)
    idx = np.asarray(pairs, dtype=int)                     # (K, 2)
    pos = pts[:, idx, :2]                                   # (T, K, 2 sides, 2)
    w = np.ones(len(idx)) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (len(idx),):
        raise ValueError("weights must have one entry per pair")
    w = w / w.sum()
    vis = np.ones(pos.shape[:3]) if visibility is None else np.asarray(visibility, float)[:, idx]
    vis = np.where(np.isfinite(vis), vis, 0.0)
    obs = np.flatnonzero(np.any(np.isfinite(pos), axis=(1, 2, 3)))
    if obs.size < 2:
        return pts, swapped
    cost = _transition_costs(pos, vis, w, t, obs, max_gap_frames)
    swapped[obs] = _viterbi(cost, swap_cost, switch_cost).astype(bool)
    return apply_swaps(pts, [tuple(p) for p in idx.tolist()], swapped), swapped


def _running_nanmedian(values: np.ndarray, half: int) -> np.ndarray:
    """Centred running median over ``2 * half + 1`` samples along axis 0, ignoring NaN."""
    n = values.shape[0]
    pad = np.full((half,) + values.shape[1:], np.nan)
    padded = np.concatenate([pad, values, pad])
    stack = np.stack([padded[k: k + n] for k in range(2 * half + 1)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows give NaN, as wanted
        return np.nanmedian(stack, axis=0)


def correct_left_right_swaps(
    xy: np.ndarray,
    pairs: Sequence[tuple[int, int]],
    *,
    visibility: np.ndarray | None = None,
    weights: Sequence[float] | None = None,
    t_s: np.ndarray | None = None,
    window_s: float = 0.15,
    margin: float = 0.7,
    n_iter: int = 3,
    viterbi: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Undo frames where the pose model exchanged the left and right limb of one group.

    From the side the two legs (and arms) look alike, and MediaPipe labels them the wrong
    way round in roughly 5-19 % of frames, in runs of a few frames. Each frame is compared
    with a **running median** of the labelled positions over ``window_s`` (centred): the
    median of a joint moving steadily is its centre sample, so it follows fast limbs without
    lag, while short runs of swapped labels (shorter than half the window) do not move it.
    A frame whose swapped assignment lies closer to that reference than ``margin`` times the
    labelled one is swapped; this is repeated ``n_iter`` times so longer runs are peeled off
    from their edges. The distance is summed over the group's joints with ``weights``
    (distal joints high, hips and shoulders near zero) times visibility.

    The whole group is exchanged consistently. Missing joints add no cost. Near the crossing
    points, where the two limbs nearly coincide, both assignments cost about the same and the
    labels are kept: there the choice is harmless. Runs longer than half the window are then
    looked for by a dynamic-programming pass (``viterbi``) over the mostly corrected labels.

    Parameters
    ----------
    xy : ndarray, shape (n_frames, n_joints, n_dims)
        Joint positions, pixels (the cost uses x and y; all coordinates are exchanged).
    pairs : sequence of (int, int)
        (left, right) joint indices of one limb group, e.g. ``leg_groups(names)[0].pairs``.
    visibility : ndarray, shape (n_frames, n_joints), optional
        Weights each sample's contribution; it is *not* exchanged here (use
        :func:`apply_swaps` with the returned frames).
    weights : sequence of float, optional
        One weight per pair; default: all equal.
    t_s : ndarray, shape (n_frames,), optional
        Capture times, seconds (sets the window length in samples); default: 120 fps.
    window_s : float
        Length of the running-median window, seconds (at least 5 samples).
    margin : float
        A frame is swapped only where the swapped cost is below ``margin`` x the labelled one.
    n_iter : int
        Passes of re-estimating the reference after swapping.

    Returns
    -------
    xy : ndarray, shape (n_frames, n_joints, n_dims)
        Copy with the group's left and right joints exchanged in the swapped frames.
    swapped_frames : ndarray of bool, shape (n_frames,)
        True where the group was exchanged.
    """
    pts = _as_points(xy)
    n_frames = pts.shape[0]
    swapped = np.zeros(n_frames, dtype=bool)
    if not len(pairs):
        return pts, swapped
    idx = np.asarray(pairs, dtype=int)                     # (K, 2)
    w = np.ones(len(idx)) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (len(idx),):
        raise ValueError("weights must have one entry per pair")
    w = w / w.sum()
    fps = sample_rate_hz(_as_times(t_s, n_frames)) if t_s is not None and n_frames > 1 else 120.0
    half = max(2, int(round(window_s * fps / 2.0)))
    vis = np.ones(idx.shape) if visibility is None else None
    out = pts
    for _ in range(n_iter):
        pos = out[:, idx, :2]                               # (T, K, 2 sides, 2)
        if visibility is not None:
            v = apply_swaps(np.asarray(visibility, float), [tuple(p) for p in idx.tolist()], swapped)[:, idx]
            v = np.where(np.isfinite(v), v, 0.0)
        else:
            v = np.broadcast_to(vis, pos.shape[:3])
        ref = _running_nanmedian(pos, half)
        keep = np.nansum(w[None, :, None] * v * np.linalg.norm(pos - ref, axis=-1), axis=(1, 2))
        flip = np.nansum(w[None, :, None] * v[:, :, ::-1] * np.linalg.norm(pos[:, :, ::-1] - ref, axis=-1),
                         axis=(1, 2))
        change = flip < margin * keep
        if not change.any():
            break
        out = apply_swaps(out, [tuple(p) for p in idx.tolist()], change)
        swapped ^= change
    if viterbi:
        # Swap runs longer than half the median window survive the median pass; a Viterbi
        # pass over the now mostly consistent labels picks them up. Its per-frame swap cost
        # is high (0.3 limb lengths) because its input is already mostly right: chosen on five
        # synthetic clips (both directions, 60-240 fps), where this chain left 18 of 668
        # frames with swapped legs against 27 for the median alone and 157 for Viterbi alone.
        pair_list = [tuple(p) for p in idx.tolist()]
        v_in = None if visibility is None else apply_swaps(np.asarray(visibility, float), pair_list, swapped)
        out, more = _viterbi_swaps(out, pairs, visibility=v_in, weights=weights, t_s=t_s, swap_cost=0.3)
        swapped = swapped ^ more
    return out, swapped


# -- 6. body frame ---------------------------------------------------------------------------
_DIRECTION_NAMES = {1: "left_to_right", -1: "right_to_left"}


def direction_name(direction: int) -> str:
    """``"left_to_right"`` for +1 (runner moves towards image +x), ``"right_to_left"`` for -1."""
    if isinstance(direction, (int, float, np.integer, np.floating)) and direction in (1, -1):
        return _DIRECTION_NAMES[int(direction)]
    raise ValueError(f"direction must be +1 or -1, not {direction!r}")


def _parse_direction(direction: int | str) -> int:
    if isinstance(direction, str):
        for value, name in _DIRECTION_NAMES.items():
            if direction == name:
                return value
        raise ValueError(f"direction must be 'left_to_right' or 'right_to_left', not {direction!r}")
    direction_name(direction)  # validates
    return int(direction)


def _mean_x(
    pts: np.ndarray, names: Sequence[str] | None, joints: Sequence[str]
) -> np.ndarray | None:
    """Per-frame mean image x of ``joints`` (NaN-aware); None if none of them is named."""
    if names is None:
        return None
    cols = [i for i, n in enumerate(names) if n in joints]
    return _mean_x_cols(pts, cols) if cols else None


def _mean_x_cols(pts: np.ndarray, cols: Sequence[int]) -> np.ndarray:
    """Per-frame mean image x over joint columns ``cols``, NaN where all are missing."""
    x = pts[:, list(cols), 0]
    counts = np.sum(np.isfinite(x), axis=1)
    total = np.sum(np.where(np.isfinite(x), x, 0.0), axis=1)
    return np.where(counts > 0, total / np.maximum(counts, 1), np.nan)


def estimate_direction(
    xy: np.ndarray,
    joint_names: Sequence[str] | None = None,
    *,
    min_travel_body_heights: float = 0.5,
) -> int:
    """Running direction in the image: +1 (towards image +x) or -1.

    1. Net horizontal travel of the hip midpoint (of all joints when ``joint_names`` is not
       given): median x of the last quarter of valid frames minus that of the first quarter.
       It decides if it exceeds ``min_travel_body_heights`` times the runner's image height
       (median per-frame vertical extent of the joints).
    2. Otherwise (treadmill, or a camera panning with the runner) the face decides: the
       runner faces the running direction, so the sign of nose x minus the ears' midpoint x
       (shoulders' midpoint if the ears are missing), median over frames.
    3. If the face is not available either, any non-zero travel decides.

    Parameters
    ----------
    xy : ndarray, shape (n_frames, n_joints, n_dims)
        Image coordinates, pixels (x right, y down).
    joint_names : sequence of str, optional
        Names of the joints (needed for the hip and face cues).
    min_travel_body_heights : float
        Travel, in body heights, that counts as real displacement.

    Raises
    ------
    AnalysisError
        If no cue gives a direction (pass it explicitly).
    """
    pts = _as_points(xy)
    hips = _mean_x(pts, joint_names, ("left_hip", "right_hip"))
    if hips is None or not np.any(np.isfinite(hips)):
        hips = _mean_x_cols(pts, range(pts.shape[1]))
    travel = 0.0
    x = hips[np.isfinite(hips)]
    if x.size >= 2:
        quarter = max(1, x.size // 4)
        travel = float(np.median(x[-quarter:]) - np.median(x[:quarter]))
    # fmax/fmin skip NaN without warning on all-missing frames
    extent = np.fmax.reduce(pts[..., 1], axis=1) - np.fmin.reduce(pts[..., 1], axis=1)
    extent = extent[np.isfinite(extent)]
    height = float(np.median(extent)) if extent.size else 0.0
    if travel != 0.0 and abs(travel) >= min_travel_body_heights * height:
        return 1 if travel > 0 else -1
    nose = _mean_x(pts, joint_names, ("nose",))
    head = _mean_x(pts, joint_names, ("left_ear", "right_ear"))
    if head is None or not np.any(np.isfinite(head)):
        head = _mean_x(pts, joint_names, ("left_shoulder", "right_shoulder"))
    if nose is not None and head is not None:
        facing = nose - head
        facing = facing[np.isfinite(facing)]
        if facing.size and np.median(facing) != 0:
            return 1 if np.median(facing) > 0 else -1
    if travel != 0.0:
        return 1 if travel > 0 else -1
    raise AnalysisError("cannot tell the running direction from the video; give it explicitly")


def to_body_frame(
    xy: np.ndarray,
    direction: int | str | None = None,
    *,
    joint_names: Sequence[str] | None = None,
) -> tuple[np.ndarray, int]:
    """Convert image coordinates to the analysis (body) frame: +x forward, y up.

    This is the only image-to-body conversion in sprintcv (see the module docstring):
    ``x_b = direction * x``, ``y_b = -y``, and a third (depth) coordinate
    ``z_b = -direction * z`` so that the frame stays right-handed. Pixel units and the
    origin are kept.

    Parameters
    ----------
    xy : ndarray, shape (..., n_dims)
        Image coordinates, pixels (x right, y down), ``n_dims`` 2 or 3; to estimate the
        direction the shape must be (n_frames, n_joints, n_dims).
    direction : {+1, -1, "left_to_right", "right_to_left"}, optional
        Running direction in the image; estimated with :func:`estimate_direction` if None.
    joint_names : sequence of str, optional
        Joint names, used only to estimate the direction.

    Returns
    -------
    xy_body : ndarray, same shape as ``xy``
        Body-frame coordinates, pixels.
    direction : int
        +1 or -1, as used.
    """
    arr = np.array(xy, dtype=float)
    if arr.shape[-1] not in (2, 3):
        raise ValueError(f"last axis must hold 2 or 3 coordinates, got {arr.shape}")
    d = estimate_direction(arr, joint_names) if direction is None else _parse_direction(direction)
    sign = np.array([d, -1.0, -d][: arr.shape[-1]])
    return arr * sign, d


# -- 7. the chain ----------------------------------------------------------------------------
@dataclass(frozen=True)
class CleanReport:
    """What :func:`clean_trajectory` did; sample counts are (frame, joint) samples.

    Attributes
    ----------
    n_frames : int
    fps : float
        Median sample rate, Hz.
    min_visibility : float
    n_low_visibility : int
        Samples blanked because their visibility was below ``min_visibility``.
    n_outliers : int
        Samples rejected as spikes.
    swapped_frames : dict of str to int
        Frames whose left/right limbs were exchanged, per limb group.
    n_filled : int
        Samples interpolated across short gaps.
    n_missing : int
        Samples still missing after cleaning.
    max_gap_s : float
    cutoff_hz : float or None
        Low-pass cut-off actually applied, Hz; None when the data were left unfiltered.
    filter_order : int
        Butterworth order of one pass (zero-phase, so the effective order is twice this).
    direction : int or None
        +1 / -1 running direction in the image; None if it could not be told.
    direction_name : str or None
    notes : tuple of str
    """

    n_frames: int
    fps: float
    min_visibility: float
    n_low_visibility: int
    n_outliers: int
    swapped_frames: dict[str, int]
    n_filled: int
    n_missing: int
    max_gap_s: float
    cutoff_hz: float | None
    filter_order: int
    direction: int | None
    direction_name: str | None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict."""
        out = asdict(self)
        out["swapped_frames"] = dict(self.swapped_frames)
        out["notes"] = list(self.notes)
        return out


def clean_trajectory(
    traj: Trajectory,
    *,
    min_visibility: float = 0.5,
    max_gap_s: float = 0.1,
    cutoff_hz: float | None = None,
    filter_order: int = 2,
    outlier_z: float = 8.0,
    outlier_window_s: float = 0.2,
    max_speed_px_s: float | None = None,
    correct_swaps: bool = True,
    direction: int | str | None = None,
) -> tuple[Trajectory, CleanReport]:
    """Run the cleaning chain on a trajectory (still in image coordinates).

    Order: :func:`mask_low_visibility` -> :func:`correct_left_right_swaps` (legs, then
    arms) -> :func:`reject_outliers` -> :func:`fill_gaps` -> :func:`lowpass`; then the
    running direction is estimated (or checked) for the report. Swaps go before outliers
    because a swapped leg looks like a spike of a leg's length: rejected first, it would be
    lost and interpolated instead of put back (on a synthetic sprint with 15 % swapped leg
    frames, 10 % swapped arm frames and 1 % spikes at 30 fps, 88 % of limb samples end
    within 12 px of the truth the other way round, 99.8 % this way).
    The returned coordinates stay in image pixels, y down; convert with
    :func:`to_body_frame`.

    Visibility of the result: exchanged with the limbs in swapped frames; 0 where a sample
    is missing (masked, rejected, or in a gap too long to fill); ``FILLED_VISIBILITY`` (0.3)
    for filled samples -- below the default ``min_visibility`` on purpose, so that a second
    pass, or any consumer that gates on visibility, can tell interpolated from measured.

    Parameters
    ----------
    traj : Trajectory
    min_visibility : float
        Visibility threshold of :func:`mask_low_visibility`.
    max_gap_s : float
        Longest gap filled, seconds.
    cutoff_hz : float, optional
        Low-pass cut-off, Hz; default :func:`default_cutoff_hz` of the clip's rate (12 Hz,
        capped at 0.8 x Nyquist); ``math.inf`` switches the filter off.
    filter_order : int
        Butterworth order of one pass.
    outlier_z, outlier_window_s, max_speed_px_s :
        ``z_thresh``, ``window_s`` and ``max_speed_px_s`` of :func:`reject_outliers`.
    correct_swaps : bool
        Run the left/right swap correction.
    direction : {+1, -1, "left_to_right", "right_to_left"}, optional
        Running direction, recorded in the report; estimated if None.

    Returns
    -------
    Trajectory
        Cleaned copy (``traj.replace(coords=..., visibility=...)``).
    CleanReport
    """
    t = traj.t_s
    fps = traj.fps
    notes: list[str] = []
    raw_valid = _point_valid(traj.coords)
    xy = mask_low_visibility(traj.coords, traj.visibility, min_visibility)
    n_low = int(np.sum(raw_valid & ~_point_valid(xy)))
    vis = np.array(traj.visibility, dtype=float)
    swapped_counts: dict[str, int] = {}
    if correct_swaps:
        for group in leg_groups(traj.joint_names) + arm_groups(traj.joint_names):
            xy, swapped = correct_left_right_swaps(
                xy, group.pairs, visibility=vis, weights=group.weights, t_s=t,
            )
            vis = apply_swaps(vis, group.pairs, swapped)
            swapped_counts[group.name] = int(swapped.sum())
    xy, rejected = reject_outliers(
        xy, t, max_speed_px_s=max_speed_px_s, z_thresh=outlier_z, window_s=outlier_window_s
    )
    xy, filled = fill_gaps(xy, t, max_gap_s)
    cutoff = default_cutoff_hz(fps) if cutoff_hz is None else float(cutoff_hz)
    applied: float | None = None
    if _filter_applies(cutoff, fps):
        xy = lowpass(xy, t, cutoff, filter_order)
        applied = cutoff
    else:
        notes.append(
            f"low-pass skipped: cut-off {cutoff} Hz not below 0.9 x Nyquist at {fps:.3g} fps"
        )
    valid = _point_valid(xy)
    vis = np.where(valid, vis, 0.0)
    vis = np.where(filled, FILLED_VISIBILITY, vis)
    try:
        d: int | None = (
            estimate_direction(xy, traj.joint_names) if direction is None
            else _parse_direction(direction)
        )
    except AnalysisError as exc:
        d = None
        notes.append(str(exc))
    report = CleanReport(
        n_frames=traj.n_frames,
        fps=float(fps),
        min_visibility=float(min_visibility),
        n_low_visibility=n_low,
        n_outliers=int(rejected.sum()),
        swapped_frames=swapped_counts,
        n_filled=int(filled.sum()),
        n_missing=int(np.sum(~valid)),
        max_gap_s=float(max_gap_s),
        cutoff_hz=applied,
        filter_order=int(filter_order),
        direction=d,
        direction_name=None if d is None else direction_name(d),
        notes=tuple(notes),
    )
    return traj.replace(coords=xy, visibility=vis), report
