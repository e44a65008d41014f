"""Find the runner by motion before pose estimation, and plan a crop that follows them.

MediaPipe's full-frame person detector works on a ~224 px copy of the whole frame, so a runner
narrower than about a fifth of the frame width (typical of fly-10 framing, where the camera
must see 10 m of lane) is missed. sprintcv therefore localises the runner first, from motion
against the static background, and runs pose on a square crop that follows them.

Method (on small grey thumbnails, so this pass costs little next to pose inference):

1. Camera motion: global shift between consecutive thumbnails by phase correlation. A camera
   that pans invalidates a static background; the plan then falls back to full frames and
   says so. A hand-held camera that only shakes (its offset from a reference picture spreads
   over more than a thumbnail pixel) has its thumbnails aligned before the next steps, when
   that brings the background noise below 0.7 of its unaligned value (:func:`_shake`; a
   still clip is never aligned), and the runner's boxes are moved back to each frame's pixels.
2. Background: per-pixel temporal median of up to 61 evenly spaced thumbnails (a runner who
   crosses the frame covers each pixel in few of them).
3. Foreground: absolute difference above a noise-adaptive threshold, closed with a small
   kernel, split into connected blobs.
4. Runner: per frame the blob scoring highest on area, discounted by distance from the
   runner's previous position (continuity). Frames where another blob of at least
   ``other_person_ratio`` of the runner's area moves at the same time count as "several people".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from scipy.ndimage import median_filter, uniform_filter1d

#: Bumped when the localisation (and so the crops given to the pose model) changes; part of
#: the pose cache key. 2: frames of a shaking hand-held camera are aligned.
LOCALISATION_VERSION = 2


@dataclass
class Localisation:
    """Where the runner is in each kept frame.

    Attributes
    ----------
    frame_index : ndarray of int, shape (n,)
    box : ndarray, shape (n, 4)
        Runner bounding box (x0, y0, x1, y1) in frame pixels, NaN where no runner was found.
    shift_px : ndarray, shape (n,)
        Global image shift from the previous frame (camera motion), frame pixels.
    camera_moving : bool
    several_people_frames : int
        Frames with another large moving blob besides the runner.
    """

    frame_index: np.ndarray
    box: np.ndarray
    shift_px: np.ndarray
    camera_moving: bool
    several_people_frames: int
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        found = np.isfinite(self.box[:, 0])
        return {
            "frames_with_runner": int(found.sum()),
            "camera_moving": bool(self.camera_moving),
            "camera_shift_px_median": float(np.median(self.shift_px)) if self.shift_px.size else 0.0,
            "several_people_frames": int(self.several_people_frames),
        }


def thumbnail(rgb: np.ndarray, width: int = 256) -> tuple[np.ndarray, float]:
    """Grey, slightly blurred thumbnail ``width`` pixels wide, and the frame/thumbnail scale."""
    h, w = rgb.shape[:2]
    scale = w / float(width)
    small = cv2.resize(rgb, (width, max(1, int(round(h / scale)))), interpolation=cv2.INTER_AREA)
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    return cv2.GaussianBlur(grey, (3, 3), 0), scale


def camera_motion(thumbs: np.ndarray) -> np.ndarray:
    """Global shift (dx, dy) of each thumbnail from the previous one, thumbnail pixels,
    shape (n, 2) (the first row 0): the picture content of frame ``i`` sits ``+shift`` from
    where it was in frame ``i - 1``."""
    n = len(thumbs)
    out = np.zeros((n, 2))
    if n < 2:
        return out
    window = cv2.createHanningWindow(thumbs.shape[1:][::-1], cv2.CV_64F)
    prev = thumbs[0].astype(np.float64)
    for i in range(1, n):
        cur = thumbs[i].astype(np.float64)
        (dx, dy), _ = cv2.phaseCorrelate(prev, cur, window)
        out[i] = (dx, dy)
        prev = cur
    return out


def _picks(n: int, most: int = 61) -> np.ndarray:
    return np.unique(np.linspace(0, n - 1, min(n, most)).round().astype(int))


def median_background(thumbs: np.ndarray) -> np.ndarray:
    """Per-pixel median of up to 61 evenly spaced thumbnails, uint8 (h, w)."""
    return np.median(thumbs[_picks(len(thumbs))], axis=0).astype(np.uint8)


def background_noise(thumbs: np.ndarray, clip_grey: float = 30.0) -> float:
    """Mean absolute difference of the thumbnails from their median background, each pixel's
    capped at ``clip_grey`` (so the runner weighs little): low for a still background, high
    when its texture moves."""
    picks = thumbs[_picks(len(thumbs))].astype(np.int16)
    d = np.abs(picks - median_background(thumbs).astype(np.int16))
    return float(np.minimum(d, clip_grey).mean())


def scene_offsets(thumbs: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Global shift (dx, dy) of each thumbnail's content from ``reference`` (h, w), shape
    (n, 2), thumbnail pixels, by phase correlation against that one picture (not frame to
    frame, where each step's error from the moving runner would add up)."""
    out = np.zeros((len(thumbs), 2))
    window = cv2.createHanningWindow(thumbs.shape[1:][::-1], cv2.CV_64F)
    ref = reference.astype(np.float64)
    for i, img in enumerate(thumbs):
        out[i] = cv2.phaseCorrelate(ref, img.astype(np.float64), window)[0]
    return out


def align(thumbs: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """Thumbnails moved back by their camera ``offset`` (n, 2) so that the scene stays put
    (bilinear, edges replicated)."""
    h, w = thumbs.shape[1:]
    out = np.empty_like(thumbs)
    for i, (img, (dx, dy)) in enumerate(zip(thumbs, offset)):
        m = np.array([[1.0, 0.0, -dx], [0.0, 1.0, -dy]])
        out[i] = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out


def _blobs(mask: np.ndarray, min_area: int) -> np.ndarray:
    """Connected blobs as rows (x0, y0, x1, y1, area) in thumbnail pixels."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    rows = [
        (x, y, x + w, y + h, a)
        for x, y, w, h, a in stats[1:n]
        if a >= min_area
    ]
    return np.array(rows, dtype=float).reshape(-1, 5)


def foreground_blobs(thumbs: np.ndarray, min_area_frac: float = 2e-4, margin_px: int = 0) -> list[np.ndarray]:
    """Moving blobs of each thumbnail against the clip's median background (none within
    ``margin_px`` of the edges, where aligned thumbnails repeat their border)."""
    pick = _picks(len(thumbs))
    background = median_background(thumbs).astype(np.int16)
    diffs = np.abs(thumbs.astype(np.int16) - background)
    if margin_px > 0:
        diffs[:, :margin_px] = diffs[:, -margin_px:] = 0
        diffs[:, :, :margin_px] = diffs[:, :, -margin_px:] = 0
    # Most pixels are background: their spread sets the noise floor of the threshold.
    noise = 1.4826 * float(np.median(diffs[pick]))
    threshold = max(12.0, 5.0 * noise)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    min_area = max(6, int(min_area_frac * thumbs.shape[1] * thumbs.shape[2]))
    blobs = []
    for d in diffs:
        mask = (d > threshold).astype(np.uint8)
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)
        blobs.append(_blobs(mask, min_area))
    return blobs


def select_runner(
    blobs: list[np.ndarray], other_person_ratio: float = 0.35
) -> tuple[np.ndarray, int]:
    """Pick the runner's blob in each frame: large and continuous with the previous pick.

    Returns
    -------
    box : ndarray, shape (n, 4)
        (x0, y0, x1, y1) in thumbnail pixels, NaN where no blob.
    several : int
        Frames where a second blob is at least ``other_person_ratio`` of the runner's area.
    """
    n = len(blobs)
    box = np.full((n, 4), np.nan)
    prev: np.ndarray | None = None
    several = 0
    for i, b in enumerate(blobs):
        if len(b) == 0:
            continue
        centres = np.column_stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2])
        score = b[:, 4].copy()
        if prev is not None:
            size = max(prev[3] - prev[1], 8.0)
            dist = np.hypot(*(centres - [(prev[0] + prev[2]) / 2, (prev[1] + prev[3]) / 2]).T)
            score = score / (1.0 + (dist / size) ** 2)
        k = int(np.argmax(score))
        box[i] = b[k, :4]
        prev = b[k, :4]
        others = np.delete(b, k, axis=0)
        if len(others) and others[:, 4].max() >= other_person_ratio * b[k, 4]:
            several += 1
    return box, several


def _shake(thumbs: np.ndarray, shake_px: float, max_frac: float = 0.05,
           better: float = 0.7) -> np.ndarray | None:
    """Offsets (n, 2) that align a shaking camera's thumbnails, or None to leave them as they
    are: when they spread by less than ``shake_px``, reach beyond ``max_frac`` of the width
    (not a shake, or a failed correlation), or do not bring the background noise below
    ``better`` times its unaligned value (so a still clip is never disturbed)."""
    if len(thumbs) < 3:
        return None
    # Decided on the background frames only (a still clip pays little); the winner is then
    # measured on every frame. Two references: the first frame is sharp, the median
    # background has no runner in it (but is blurred by the shake); the one that leaves the
    # less background noise wins.
    sub = thumbs[_picks(len(thumbs))]
    best, best_noise = None, better * background_noise(sub)
    for reference in (thumbs[0], median_background(thumbs)):
        offset = scene_offsets(sub, reference)
        offset -= np.median(offset, axis=0)
        if np.ptp(offset, axis=0).max() <= shake_px or np.abs(offset).max() > max_frac * thumbs.shape[2]:
            continue
        noise = background_noise(align(sub, offset))
        if noise < best_noise:
            best, best_noise = reference, noise
    if best is None:
        return None
    offset = scene_offsets(thumbs, best)
    return offset - np.median(offset, axis=0)


def localise(
    frame_index: np.ndarray,
    thumbs: np.ndarray,
    scale: float,
    *,
    moving_shift_frac: float = 0.002,
    shake_px: float = 1.0,
) -> Localisation:
    """Localise the runner in every thumbnail (see module docstring).

    Parameters
    ----------
    frame_index : ndarray of int, shape (n,)
    thumbs : ndarray of uint8, shape (n, h, w)
    scale : float
        Frame pixels per thumbnail pixel.
    moving_shift_frac : float
        Median per-frame global shift, as a fraction of the frame width, above which the camera
        counts as moving (0.002 = 2.6 px per frame at 1280 px; a hand-held phone drifts less).
    shake_px : float
        Spread of the camera's cumulative shift (thumbnail pixels) above which a still-held
        camera's frames are aligned before the background is taken.
    """
    motion = camera_motion(thumbs)
    shifts = np.hypot(*motion.T) * scale
    width_px = thumbs.shape[2] * scale
    moving = bool(len(shifts) > 2 and np.median(shifts[1:]) > moving_shift_frac * width_px)
    notes = []
    if moving:
        notes.append(
            f"the camera moves (median {np.median(shifts[1:]):.1f} px per frame): "
            "runner localisation by motion is off, pose runs on full frames"
        )
        box = np.full((len(thumbs), 4), np.nan)
        several = 0
    else:
        offset = _shake(thumbs, shake_px)
        if offset is not None:
            margin = int(np.ceil(np.abs(offset).max())) + 1
            box, several = select_runner(foreground_blobs(align(thumbs, offset), margin_px=margin))
            box = box + np.tile(offset, 2)  # back to each frame's own pixels
            notes.append(
                f"the camera shakes (by up to {np.ptp(offset, axis=0).max() * scale:.0f} px): "
                "frames were aligned to find the runner"
            )
        else:
            box, several = select_runner(foreground_blobs(thumbs))
        box = box * scale
    return Localisation(
        frame_index=np.asarray(frame_index), box=box, shift_px=shifts,
        camera_moving=moving, several_people_frames=several, notes=notes,
    )


@dataclass(frozen=True)
class CropPlan:
    """Square crops that follow the runner, or full frames.

    Attributes
    ----------
    mode : {"crop", "full"}
    size_px : int
        Side of the square crop in frame pixels (the frame's size in "full" mode).
    centre : ndarray, shape (n, 2)
        Crop centre per kept frame in frame pixels; NaN where the runner is absent (skip).
    """

    mode: str
    size_px: int
    centre: np.ndarray
    reason: str

    def window(self, i: int) -> tuple[int, int, int] | None:
        """(x0, y0, size) of frame ``i``'s crop, or None to skip the frame."""
        cx, cy = self.centre[i]
        if not np.isfinite(cx):
            return None
        half = self.size_px / 2.0
        return int(round(cx - half)), int(round(cy - half)), self.size_px


def _fill_short_gaps(values: np.ndarray, max_gap: int) -> np.ndarray:
    """Linearly interpolate NaN runs of at most ``max_gap`` samples (never extrapolate)."""
    out = values.copy()
    ok = np.isfinite(values)
    if ok.sum() < 2:
        return out
    idx = np.arange(len(values))
    filled = np.interp(idx, idx[ok], values[ok])
    # Only fill runs bounded on both sides and short enough.
    run_start = None
    for i in range(len(values) + 1):
        missing = i < len(values) and not ok[i]
        if missing and run_start is None:
            run_start = i
        elif not missing and run_start is not None:
            if run_start > 0 and i < len(values) and i - run_start <= max_gap:
                out[run_start:i] = filled[run_start:i]
            run_start = None
    return out


def plan_crops(
    loc: Localisation,
    frame_width: int,
    frame_height: int,
    *,
    margin: float = 1.6,
    min_size_px: int = 192,
    full_frame_ratio: float = 0.8,
) -> CropPlan:
    """Plan crops from a :class:`Localisation`.

    The crop side is ``margin`` times the runner's typical (80th percentile) box height or width,
    constant over the clip so that MediaPipe's tracker sees a steady scale; its centre follows
    the runner's box centre, median- and mean-filtered over 5 frames (offline, no lag).
    Full frames are used when the camera moves, when no runner was found in a third of the
    frames or more, or when the crop would be nearly as large as the frame anyway.
    """
    n = len(loc.box)
    full = CropPlan("full", max(frame_width, frame_height),
                    np.tile([frame_width / 2.0, frame_height / 2.0], (n, 1)), "")
    found = np.isfinite(loc.box[:, 0])
    if loc.camera_moving:
        return CropPlan(full.mode, full.size_px, full.centre, "camera moving")
    if found.sum() < max(3, n // 3):
        return CropPlan(full.mode, full.size_px, full.centre, "runner not localised by motion")
    w = loc.box[found, 2] - loc.box[found, 0]
    h = loc.box[found, 3] - loc.box[found, 1]
    size = margin * max(np.percentile(h, 80), np.percentile(w, 80))
    size = int(max(min_size_px, round(size)))
    if size >= full_frame_ratio * min(frame_width, frame_height):
        return CropPlan(full.mode, full.size_px, full.centre, "runner large in frame")
    centre = np.column_stack([(loc.box[:, 0] + loc.box[:, 2]) / 2, (loc.box[:, 1] + loc.box[:, 3]) / 2])
    for k in range(2):
        col = _fill_short_gaps(centre[:, k], max_gap=10)
        ok = np.isfinite(col)
        if ok.sum() >= 5:
            sm = col.copy()
            sm[ok] = uniform_filter1d(median_filter(col[ok], size=5, mode="nearest"), 5, mode="nearest")
            col = sm
        centre[:, k] = col
    return CropPlan("crop", size, centre, "runner small in frame")


def crop(rgb: np.ndarray, x0: int, y0: int, size: int) -> np.ndarray:
    """Square ``size`` crop at (x0, y0); parts outside the frame are black."""
    h, w = rgb.shape[:2]
    out = np.zeros((size, size, 3), dtype=rgb.dtype)
    sx0, sy0 = max(0, x0), max(0, y0)
    sx1, sy1 = min(w, x0 + size), min(h, y0 + size)
    if sx1 > sx0 and sy1 > sy0:
        out[sy0 - y0: sy1 - y0, sx0 - x0: sx1 - x0] = rgb[sy0:sy1, sx0:sx1]
    return out
