"""Automatic detection of timing cones (markers) in side-view frames.

For a fly test (e.g. fly-10) the coach puts two or more traffic cones a known distance apart
beside the lane and films from the side. Distance calibration needs each cone's image column:
:func:`detect_cones` finds upright cones of one colour in a single frame,
:func:`detect_cones_in_frames` keeps only the cones that stand still over several frames.

Conventions
-----------
Frames are upright RGB ``uint8`` arrays of shape ``(H, W, 3)`` (as
:class:`sprintcv.io.video.VideoReader` yields them). Image pixels: x to the right, **y down**,
origin top-left, pixel centres at integer coordinates. Colours are given in OpenCV's 8-bit HSV
units: hue 0-179 (degrees / 2), saturation and value 0-255.

Detection rule
--------------
1. **Colour**: a pixel has the colour when its HSV lies inside the colour's range (see
   :data:`COLORS`; a range whose ``h_lo > h_hi`` wraps through 0/180, as red does); it is a
   *core* pixel when it also lies :data:`STRONG_HUE_MARGIN` inside both hue ends and
   :data:`STRONG_MARGIN` above the saturation and value floors. Pixels in ``exclude`` are
   dropped. No morphology: an opening would erase the tips of small cones, a closing would
   glue the 2x2 chroma blocks of H.264 (4:2:0) noise to the cone's edge.
2. **Blobs**: 4-connected components of the mask (8-connectivity attaches diagonal chroma
   blocks); components under 3 px are ignored. A white reflective band across a cone splits it
   into stacked blobs, which are merged (see :func:`_merge_stacked`: small gap, upper blob
   centred over the lower one and not wider, not a speck). Rows of the gap are filled by
   interpolating the left/right edges above and below: the *silhouette*. Its filled convex
   hull (which also closes a partial band or a notch) gives the row widths and the hull area.
3. **Shape** (every test must pass):

   * height ``>= min_height_px`` and ``<= max_height_frac * H``; widest row ``>= 3`` px;
   * height / widest row in [:data:`MIN_ASPECT`, :data:`MAX_ASPECT`] (rejects horizontal bars,
     lines and thin poles);
   * **upright taper**: median width of the top 30 % of the rows ``<=`` :data:`MAX_TAPER` times
     that of the bottom 30 % (rejects squares, discs, torsos, inverted triangles);
   * **upright axis**: slope of the row mid-points ``<=`` :data:`MAX_LEAN` px per row (rejects
     the right-angled staircases of compression blocks along a slanted limb edge);
   * **solidity** (silhouette area / hull area) ``>=`` :data:`MIN_SOLIDITY` and **colour
     fraction** (colour pixels / hull area) ``>=`` :data:`MIN_COLOR_FRACTION` (ragged blobs);
   * **clearly coloured**: at least :data:`MIN_STRONG_FRACTION` of the colour pixels are core
     pixels: rejects objects that only graze the range (wood, skin, limb edges blended with
     the track, chroma noise of a red-brown track).

4. **Score** ``= (s_color + s_taper + s_solid) / 3`` in [0, 1] with ``s_color`` = colour
   fraction, ``s_taper = clip(2 * (1 - taper), 0, 1)``, ``s_solid = clip((solidity - 0.5) /
   0.45, 0, 1)``; cones scoring below ``min_score`` (default 0.5) are dropped.
5. **Second pass** on the core pixels alone (steps 2-4 again): recovers a cone whose fringe is
   glued to a colour bleed, e.g. lane lines tinted orange by chroma subsampling in a small or
   strongly compressed clip. Such a cone is kept only if it is *isolated*: the box around it
   (grown by its width left and right, its height above, half its height below) holds at most
   :data:`ISOLATION_RATIO` times its area of colour pixels once thin horizontal bleeds (< 5
   rows) are opened away; this rejects core fragments of large objects (wood grain). A
   second-pass cone overlapping a first-pass one is dropped.
6. **Position**: ``x_px`` is the silhouette's axis: the width-weighted mean of the row
   mid-points, each row's edges made sub-pixel by moving them outwards by the soft colour
   membership of the pixel just outside (an anti-aliased edge pixel half covered by the cone
   counts about half); rows whose mid-point lies more than ``max(1, 0.1 * row width)`` px off
   (a bleed along one row, a partial band, a notch) are left out. ``base_y_px`` is the lowest
   coloured row (a black rubber base plate is not included).

Accuracy (measured against the renderer's nominal axis): on uncompressed synthetic frames
(:mod:`sprintcv.synthetic.render`, 16 cones per size, heights 8-121 px) ``|error| <= 0.16 px``
for cones of 10 px or taller, ``<= 0.4 px`` at 8 px; over 31 cones in 13 random encoded clips
(640x360 to 1920x1080, x264 CRF 18-30, 2-4 cones, both directions, 8 frames each through
:func:`detect_cones_in_frames`) mean ``|error|`` 0.16 px, max 0.51 px; on the bundled sample
clip -0.11 px and +0.17 px.

Over several frames (:func:`detect_cones_in_frames`) detections are clustered by position
(``|dx|, |dy| <= tol_px + 0.25 * cone width`` from the cluster's best detection, one detection
per frame); a cluster is a cone when it is found in at least ``min_fraction`` of the frames,
and its fields are the per-cluster medians. A runner in
orange clothing moves between frames spread over the clip and is rejected; a cone hidden by the
runner in a few frames is still found.

Known failure cases
-------------------
* Orange (or cone-coloured) objects that stand still and are cone-shaped are cones to this rule:
  a person in an orange A-line dress or vest standing still, orange triangular signs, a sign
  stand on an orange conical foot (found in a real track clip), a cone-shaped lamp. Pass
  ``exclude``, or check the cones against the expected spacing and the runner's lane.
* In a single frame, small orange-ish details of a moving runner (a shoe, a limb edge blended
  with the track) can pass the shape tests; use :func:`detect_cones_in_frames`.
* A cone partly hidden (by the runner, a hurdle, the frame edge) changes shape: its taper or
  solidity may fail, or its centre shifts. Over several frames the hidden frames are outvoted;
  a cone hidden in most frames, or cut by the picture edge, is lost or biased.
* Flat disc markers ("saucers"), lane lines, tape marks or painted lines are not upright
  tapered blobs and are not found (aspect / taper tests). Tall cylinders (bollards) fail the
  taper test.
* A cone whose colour merges with its background (an orange cone on an orange-red tartan
  track whose pixels also fall in the range, a red cone on a red track -- "red" includes the
  usual brick-red tartan --, a green cone on grass) becomes part of a huge blob and is
  rejected by the size limits. Washed-out, distant or heavily compressed cones can fall
  below the saturation threshold: pass an explicit HSV range. A distant, blurred cone (e.g.
  8x25 px, saturation ~110 on a pale track) may lose its taper altogether and is not found.
* A strongly shaded side outside the colour range shifts ``x_px`` towards the lit side (by up to
  a quarter of the cone width when half the cone is dark).
* Two cones touching in the image (one behind the other) merge into one blob.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Union

import cv2
import numpy as np

__all__ = [
    "COLORS",
    "Cone",
    "HSVRange",
    "color_mask",
    "detect_cones",
    "detect_cones_in_frames",
    "parse_color",
]

#: An HSV range ``((h_lo, s_lo, v_lo), (h_hi, s_hi, v_hi))`` in OpenCV 8-bit units.
HSVRange = tuple[tuple[int, int, int], tuple[int, int, int]]
#: A colour: a name in :data:`COLORS` or an explicit :data:`HSVRange`.
ColorSpec = Union[str, Sequence[Sequence[int]]]

#: Named colour ranges (OpenCV HSV: hue 0-179, saturation/value 0-255). Orange starts at hue 7
#: so that red-brown tartan tracks (hue 0-6) stay out; "red" covers hue 170-179 and 0-6.
COLORS: dict[str, HSVRange] = {
    "orange": ((7, 150, 120), (22, 255, 255)),
    "red": ((170, 120, 90), (6, 255, 255)),
    "yellow": ((22, 120, 120), (35, 255, 255)),
    "green": ((40, 100, 60), (85, 255, 255)),
    "blue": ((95, 130, 60), (130, 255, 255)),
    "pink": ((140, 80, 120), (169, 255, 255)),
}

#: Height / width limits of a cone silhouette (the base plate included).
MIN_ASPECT = 0.7
MAX_ASPECT = 5.0
#: Top-row width / bottom-row width must not exceed this (cones are narrower at the top).
MAX_TAPER = 0.8
#: Largest slope of the axis (row mid-points, px per row): the cone must stand upright.
MAX_LEAN = 0.25
#: Minimum silhouette area / convex hull area.
MIN_SOLIDITY = 0.6
#: A cone is clearly coloured: at least :data:`MIN_STRONG_FRACTION` of its colour pixels must
#: lie in the core of the range: :data:`STRONG_HUE_MARGIN` hue units inside both hue ends and
#: :data:`STRONG_MARGIN` units above the saturation and value floors (rejects objects that only
#: graze the range: wood, skin, limb edges blended with the track, compression noise on a
#: red-brown track).
STRONG_MARGIN = 30
STRONG_HUE_MARGIN = 2
MIN_STRONG_FRACTION = 0.5
#: Second pass on the core colour: a core blob is kept only when the box around it holds at most
#: this many times its area of full-range colour pixels (thin horizontal bleeds removed): a
#: cone, not one fragment of a large object.
ISOLATION_RATIO = 2.0
#: Minimum colour pixels / convex hull area.
MIN_COLOR_FRACTION = 0.45
#: Fraction of rows at the top and at the bottom used for the taper test.
_TAPER_ROWS = 0.3
#: Colour components smaller than this (px) are ignored (compression specks).
_MIN_PART_AREA = 3
#: Narrowest cone kept (widest row, px).
_MIN_WIDTH = 3


@dataclass(frozen=True)
class Cone:
    """One detected cone (image pixels, x right, y down).

    Attributes
    ----------
    x_px : float
        Column of the cone's vertical axis (sub-pixel: robust width-weighted mean of the
        silhouette's row mid-points), px.
    base_y_px : float
        Row of the cone's base (lowest coloured row of the blob), px.
    height_px : float
        Height of the silhouette (rows from top to base, inclusive), px.
    width_px : float
        Widest row of the silhouette, px.
    score : float
        How cone-like the blob is, 0-1 (colour fraction, upright taper, solidity).
    """

    x_px: float
    base_y_px: float
    height_px: float
    width_px: float
    score: float


def parse_color(color: ColorSpec) -> HSVRange:
    """HSV bounds of a colour name or an explicit range.

    Parameters
    ----------
    color : str or ((h_lo, s_lo, v_lo), (h_hi, s_hi, v_hi))
        A name in :data:`COLORS` (case-insensitive) or an explicit range in OpenCV 8-bit HSV
        units: hue 0-179 (``h_lo > h_hi`` wraps through 0, for reds), saturation and value
        0-255 with ``lo <= hi``.

    Returns
    -------
    ((int, int, int), (int, int, int))
        ``(lower, upper)`` bounds, inclusive.

    Raises
    ------
    ValueError
        Unknown name, or a malformed or out-of-range explicit range.
    """
    if isinstance(color, str):
        key = color.strip().lower()
        if key not in COLORS:
            raise ValueError(f"unknown cone colour {color!r}; use one of {sorted(COLORS)} or an HSV range "
                             "((h_lo, s_lo, v_lo), (h_hi, s_hi, v_hi))")
        return COLORS[key]
    try:
        lo, hi = color
        lo_t = tuple(int(v) for v in lo)
        hi_t = tuple(int(v) for v in hi)
    except (TypeError, ValueError) as exc:
        raise ValueError("cone colour must be a name or ((h_lo, s_lo, v_lo), (h_hi, s_hi, v_hi)), "
                         f"not {color!r}") from exc
    if len(lo_t) != 3 or len(hi_t) != 3:
        raise ValueError(f"HSV bounds need 3 values each, got {color!r}")
    for name, a, b, top in (("hue", lo_t[0], hi_t[0], 179), ("saturation", lo_t[1], hi_t[1], 255),
                            ("value", lo_t[2], hi_t[2], 255)):
        if not (0 <= a <= top and 0 <= b <= top):
            raise ValueError(f"{name} bounds must lie in 0-{top} (OpenCV HSV units), got {color!r}")
    if lo_t[1] > hi_t[1] or lo_t[2] > hi_t[2]:
        raise ValueError(f"saturation and value need lo <= hi, got {color!r}")
    return (lo_t[0], lo_t[1], lo_t[2]), (hi_t[0], hi_t[1], hi_t[2])


def _check_rgb(rgb: np.ndarray) -> np.ndarray:
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) RGB image, got shape {rgb.shape}")
    if rgb.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got {rgb.dtype}")
    return np.ascontiguousarray(rgb)


def color_mask(rgb: np.ndarray, color: ColorSpec = "orange") -> np.ndarray:
    """Pixels whose HSV lies inside the colour's range.

    Parameters
    ----------
    rgb : ndarray (H, W, 3) uint8
        RGB frame.
    color : str or HSV range
        See :func:`parse_color`.

    Returns
    -------
    ndarray (H, W) bool
        True where the pixel has the colour (before any morphology).
    """
    rgb = _check_rgb(rgb)
    return _in_range(cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV), parse_color(color))


def _in_range(hsv: np.ndarray, rng: HSVRange) -> np.ndarray:
    """Bool mask of HSV pixels inside ``rng`` (hue wraps through 0 when ``h_lo > h_hi``)."""
    (h0, s0, v0), (h1, s1, v1) = rng
    if h0 <= h1:
        m = cv2.inRange(hsv, (h0, s0, v0), (h1, s1, v1))
    else:
        m = cv2.inRange(hsv, (h0, s0, v0), (179, s1, v1)) | cv2.inRange(hsv, (0, s0, v0), (h1, s1, v1))
    return m > 0


def _strong_range(rng: HSVRange) -> HSVRange:
    """The core of a range: hue ends moved in by :data:`STRONG_HUE_MARGIN` (when the hue range
    is at least 3x as wide), saturation and value floors raised by :data:`STRONG_MARGIN`."""
    (h0, s0, v0), (h1, s1, v1) = rng
    width = (h1 - h0) % 180
    m = STRONG_HUE_MARGIN if width >= 3 * STRONG_HUE_MARGIN else 0
    return ((h0 + m) % 180, min(s0 + STRONG_MARGIN, s1), min(v0 + STRONG_MARGIN, v1)), (
        (h1 - m) % 180, s1, v1)


@dataclass
class _Blob:
    top: int
    bottom: int
    left: int
    right: int
    cx: float
    area: int
    label: int

    @property
    def h(self) -> int:
        return self.bottom - self.top + 1

    @property
    def w(self) -> int:
        return self.right - self.left + 1


def _merge_stacked(blobs: list[_Blob]) -> list[list[int]]:
    """Groups (indices into ``blobs``) of vertically stacked blobs of a split cone.

    Blob ``a`` (above) joins blob ``b`` (below) when ``a`` starts above ``b`` and ends above
    ``b``'s bottom, the gap between them is at most ``max(2, 0.75 * min(a.h, b.h))`` rows (one
    row of overlap allowed), ``a`` is not a speck (``a.h >= max(2, 0.2 * b.h)``, area at least
    5 % of ``b``'s), ``a``'s centre column lies inside ``b`` within ``0.25 * b.w + 1`` px of
    ``b``'s centre, and ``a`` is at most 1.3x as wide as ``b``. Merging is transitive.
    """
    n = len(blobs)
    parent = list(range(n))
    if n < 2:
        return [[i] for i in range(n)]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    top = np.array([b.top for b in blobs])
    bottom = np.array([b.bottom for b in blobs])
    left = np.array([b.left for b in blobs])
    right = np.array([b.right for b in blobs])
    cx = np.array([b.cx for b in blobs])
    h = bottom - top + 1
    w = right - left + 1
    area = np.array([b.area for b in blobs])
    order = np.argsort(top, kind="stable")
    tops_sorted = top[order]
    for i, a in enumerate(blobs):
        # candidates below: b.top in [a.bottom, a.bottom + 1 + max gap]
        max_gap = max(2.0, 0.75 * a.h)
        lo = np.searchsorted(tops_sorted, a.bottom, side="left")
        hi = np.searchsorted(tops_sorted, a.bottom + 1 + max_gap, side="right")
        if hi <= lo:
            continue
        j = order[lo:hi]
        gap = top[j] - a.bottom - 1
        ok = (
            (top[j] > a.top)
            & (bottom[j] > a.bottom)
            & (gap >= -1)
            & (gap <= np.maximum(2.0, 0.75 * np.minimum(a.h, h[j])))
            & (a.h >= np.maximum(2.0, 0.2 * h[j]))
            & (a.area >= 0.05 * area[j])
            & (left[j] <= a.cx)
            & (a.cx <= right[j])
            & (np.abs(a.cx - cx[j]) <= 0.25 * w[j] + 1.0)
            & (a.w <= 1.3 * w[j])
        )
        for jj in j[ok]:
            parent[find(i)] = find(int(jj))
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _row_edges(sil: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: has pixels, leftmost and rightmost column (-1 where empty)."""
    has = sil.any(axis=1)
    w = sil.shape[1]
    left = np.where(has, np.argmax(sil, axis=1), -1)
    right = np.where(has, w - 1 - np.argmax(sil[:, ::-1], axis=1), -1)
    return has, left, right


def _fill_gaps(sil: np.ndarray) -> np.ndarray:
    """Fill empty rows between the first and last non-empty row by interpolating the edges."""
    has, left, right = _row_edges(sil)
    rows = np.flatnonzero(has)
    out = sil.copy()
    if rows.size < 2:
        return out
    empty = np.flatnonzero(~has[rows[0] : rows[-1] + 1]) + rows[0]
    if empty.size == 0:
        return out
    li = np.interp(empty, rows, left[rows])
    ri = np.interp(empty, rows, right[rows])
    for r, lo, hi in zip(empty, li, ri):
        out[r, int(math.floor(lo + 0.5)) : int(math.floor(hi + 0.5)) + 1] = True
    return out


def _shape(colour: np.ndarray) -> tuple[np.ndarray, float, float, float, float, float] | None:
    """Shape measures of a blob given as a bool mask of its bounding box.

    Returns ``(silhouette (bool, same shape), widest row (px), taper (top / bottom row width),
    solidity, colour fraction, lean)``, or None for an empty mask. The silhouette is the colour
    mask with empty rows (a band splitting the cone) filled; widths, taper and lean are measured
    on its filled convex hull, which also closes partial notches and holes. ``lean`` is the
    least-squares slope of the row mid-points against the row (px per px; 0 for an upright
    axis, about 1 for a 45-degree staircase of compression blocks along a slanted edge).
    """
    sil = _fill_gaps(colour)
    pts = cv2.findNonZero(sil.astype(np.uint8))
    if pts is None:
        return None
    hull = cv2.convexHull(pts)
    sil_hull = np.zeros(sil.shape, np.uint8)
    cv2.fillConvexPoly(sil_hull, hull, 1)
    sil_hull = sil_hull.astype(bool) | sil
    hull_area = float(sil_hull.sum())
    has, le, ri = _row_edges(sil_hull)
    rows = np.flatnonzero(has)
    widths = (ri[rows] - le[rows] + 1).astype(float)
    nb = max(1, int(round(_TAPER_ROWS * rows.size)))
    taper = float(np.median(widths[:nb])) / float(np.median(widths[-nb:]))
    solidity = float(sil.sum()) / hull_area
    color_frac = float(colour.sum()) / hull_area
    mids = 0.5 * (le[rows] + ri[rows])
    lean = float(np.polyfit(rows.astype(float), mids, 1)[0]) if rows.size >= 2 else 0.0
    return sil, float(widths.max()), taper, solidity, color_frac, lean


def _subpixel_x(sil: np.ndarray, soft: np.ndarray) -> float:
    """Robust width-weighted mean row mid-point with sub-pixel edges (bbox coordinates).

    ``soft`` (same shape, 0-1) is the colour membership; each row's edge moves outwards by the
    membership of the pixel just outside it. Rows whose mid-point lies more than
    ``max(1, 0.1 * row width)`` px from the weighted median (then from the inlier mean) are
    dropped: a colour bleed along one row, a partial band or a notch does not move the axis.
    """
    has, left, right = _row_edges(sil)
    rows = np.flatnonzero(has)
    w = sil.shape[1]
    lo = left[rows].astype(float) - 0.5
    hi = right[rows].astype(float) + 0.5
    lout = left[rows] - 1
    rout = right[rows] + 1
    ok_l = lout >= 0
    ok_r = rout < w
    lo[ok_l] -= soft[rows[ok_l], lout[ok_l]]
    hi[ok_r] += soft[rows[ok_r], rout[ok_r]]
    width = hi - lo
    mid = 0.5 * (lo + hi)
    order = np.argsort(mid)
    cw = np.cumsum(width[order])
    centre = float(mid[order][np.searchsorted(cw, 0.5 * cw[-1])])  # weighted median
    tol = np.maximum(1.0, 0.1 * width)
    for _ in range(2):
        keep = np.abs(mid - centre) <= tol
        if not keep.any():
            break
        centre = float(np.sum(width[keep] * mid[keep]) / np.sum(width[keep]))
    return centre


def _membership(hsv: np.ndarray, rng: HSVRange) -> np.ndarray:
    """Soft 0-1 colour membership: 1 inside the range, falling to 0 over a margin outside."""
    (h0, s0, v0), (h1, s1, v1) = rng
    h = hsv[..., 0].astype(np.float32)
    s = hsv[..., 1].astype(np.float32)
    v = hsv[..., 2].astype(np.float32)
    if h0 <= h1:
        dh = np.maximum(np.maximum(h0 - h, h - h1), 0.0)
    else:
        inside = (h >= h0) | (h <= h1)
        dh = np.where(inside, 0.0, np.minimum(np.abs(h - h0), np.abs(h - h1)))
    ds = np.maximum(np.maximum(s0 - s, s - s1), 0.0)
    dv = np.maximum(np.maximum(v0 - v, v - v1), 0.0)
    # hue margin 6 units, saturation/value margin 120 units: a pixel half-covered by the cone
    # lies roughly half-way between the cone's and the background's colour
    m = 1.0 - np.maximum.reduce([dh / 6.0, ds / 120.0, dv / 120.0])
    return np.clip(m, 0.0, 1.0)


def detect_cones(
    rgb: np.ndarray,
    *,
    color: ColorSpec = "orange",
    min_height_px: int = 6,
    max_height_frac: float = 0.25,
    exclude: np.ndarray | None = None,
    min_score: float = 0.5,
) -> list[Cone]:
    """Find upright cones of one colour in a frame.

    Parameters
    ----------
    rgb : ndarray (H, W, 3) uint8
        Upright RGB frame.
    color : str or ((h_lo, s_lo, v_lo), (h_hi, s_hi, v_hi))
        Cone colour: "orange" (default), "red", "yellow", "blue", "green", "pink", or an explicit
        range in OpenCV HSV units (see :func:`parse_color`).
    min_height_px : int
        Smallest cone height kept, px.
    max_height_frac : float
        Largest cone height kept, as a fraction of the frame height ``H``.
    exclude : ndarray (H, W) bool, optional
        Pixels to ignore (e.g. the runner's silhouette).
    min_score : float
        Cones scoring below this (0-1) are dropped.

    Returns
    -------
    list of Cone
        Sorted by ``x_px`` (left to right). Empty when none is found.

    Raises
    ------
    ValueError
        Bad image, mask or colour.

    Notes
    -----
    The rule and its failure cases are described in the module docstring.
    """
    rgb = _check_rgb(rgb)
    rng = parse_color(color)
    H, W = rgb.shape[:2]
    if min_height_px < 1:
        raise ValueError(f"min_height_px must be >= 1, got {min_height_px}")
    if not 0.0 < max_height_frac <= 1.0:
        raise ValueError(f"max_height_frac must lie in (0, 1], got {max_height_frac}")
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    mask = _in_range(hsv, rng)
    strong = _in_range(hsv, _strong_range(rng))
    ex: np.ndarray | None = None
    if exclude is not None:
        ex = np.asarray(exclude)
        if ex.shape != (H, W):
            raise ValueError(f"exclude must have shape {(H, W)}, got {ex.shape}")
        ex = ex.astype(bool)
        mask &= ~ex
        strong &= ~ex
    max_h = max_height_frac * H
    cones = _cones_in_mask(mask, strong, hsv, rng, ex, min_height_px, max_h, min_score)
    # second pass on the core colour alone: recovers a cone whose fringe is glued to a colour
    # bleed (e.g. lane lines tinted by chroma subsampling), but not a core fragment of a large
    # object (wood grain, a wall): the cone must be isolated in the full-range mask once thin
    # horizontal bleeds (< 5 rows) are opened away (see _cones_in_mask)
    solid = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 1), np.uint8))
    more = _cones_in_mask(strong, strong, hsv, rng, ex, min_height_px, max_h, min_score,
                          isolated=solid)
    for c in more:
        if not any(_same_cone(c, d) for d in cones):
            cones.append(c)
    cones.sort(key=lambda c: c.x_px)
    return cones


def _same_cone(a: Cone, b: Cone) -> bool:
    """Whether two detections overlap (same cone seen twice)."""
    return (abs(a.x_px - b.x_px) <= 0.5 * max(a.width_px, b.width_px)
            and abs(a.base_y_px - b.base_y_px) <= max(3.0, 0.5 * max(a.height_px, b.height_px)))


def _cones_in_mask(
    mask: np.ndarray,
    strong: np.ndarray,
    hsv: np.ndarray,
    rng: HSVRange,
    exclude: np.ndarray | None,
    min_height_px: int,
    max_h: float,
    min_score: float,
    isolated: np.ndarray | None = None,
) -> list[Cone]:
    """Steps 2-4 and 6 of the rule on one colour mask (see the module docstring).

    ``mask``, ``strong`` (core-colour pixels) and ``exclude``: (H, W) bool; ``hsv``: (H, W, 3)
    uint8 OpenCV HSV of the frame; ``max_h``: largest height in px. With ``isolated`` ((H, W)
    uint8 0/1 mask) a cone is dropped when the box around it (its bounding box grown by its
    width left and right, its height above and half its height below) holds more than
    :data:`ISOLATION_RATIO` times its own area of ``isolated`` pixels (step 5).
    """
    n, labels, stats, cents = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=4)
    integral = cv2.integral(isolated) if isolated is not None else None
    H, W = mask.shape
    blobs: list[_Blob] = []
    for k in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[k])
        if area < _MIN_PART_AREA or h > max_h:
            continue
        blobs.append(_Blob(top=y, bottom=y + h - 1, left=x, right=x + w - 1, cx=float(cents[k][0]),
                           area=area, label=k))
    cones: list[Cone] = []
    for group in _merge_stacked(blobs):
        parts = [blobs[i] for i in group]
        top = min(b.top for b in parts)
        bottom = max(b.bottom for b in parts)
        left = min(b.left for b in parts)
        right = max(b.right for b in parts)
        height = bottom - top + 1
        if height < min_height_px or height > max_h:
            continue
        if height / (right - left + 1) < MIN_ASPECT:
            continue
        colour = np.isin(labels[top : bottom + 1, left : right + 1], [b.label for b in parts])
        shape = _shape(colour)
        if shape is None:
            continue
        sil, width, taper, solidity, color_frac, lean = shape
        if not MIN_ASPECT <= height / width <= MAX_ASPECT or width < _MIN_WIDTH or abs(lean) > MAX_LEAN:
            continue
        if taper > MAX_TAPER or solidity < MIN_SOLIDITY or color_frac < MIN_COLOR_FRACTION:
            continue
        if strong[top : bottom + 1, left : right + 1][colour].mean() < MIN_STRONG_FRACTION:
            continue
        if integral is not None:
            bw = right - left + 1
            y0, y1 = max(0, top - height), min(H, bottom + 1 + height // 2)
            x0, x1 = max(0, left - bw), min(W, right + 1 + bw)
            around = int(integral[y1, x1] - integral[y0, x1] - integral[y1, x0] + integral[y0, x0])
            if around > ISOLATION_RATIO * int(colour.sum()):
                continue
        s_taper = float(np.clip(2.0 * (1.0 - taper), 0.0, 1.0))
        s_solid = float(np.clip((solidity - 0.5) / 0.45, 0.0, 1.0))
        score = (color_frac + s_taper + s_solid) / 3.0
        if score < min_score:
            continue
        soft = _membership(hsv[top : bottom + 1, left : right + 1], rng)
        if exclude is not None:
            soft = soft * ~exclude[top : bottom + 1, left : right + 1]
        x = left + _subpixel_x(sil, soft)
        cones.append(Cone(x_px=x, base_y_px=float(bottom), height_px=float(height), width_px=width,
                          score=score))
    return cones


def detect_cones_in_frames(
    frames: Iterable[Any],
    *,
    min_fraction: float = 0.6,
    tol_px: float = 3.0,
    **kw: Any,
) -> list[Cone]:
    """Cones that stand still over several frames (e.g. 5-10 frames spread over the clip).

    Parameters
    ----------
    frames : iterable of ndarray (H, W, 3) uint8
        RGB frames (objects with an ``.image`` attribute, such as
        :class:`sprintcv.io.video.Frame`, are accepted too).
    min_fraction : float
        A cone must be found in at least this fraction of the frames (0-1).
    tol_px : float
        A detection joins a cone found in another frame when its ``x_px`` and ``base_y_px``
        differ from that cone's best-scoring detection by at most ``tol_px + 0.25 * width_px``
        (px). Raise it for a hand-held camera that drifts.
    **kw
        Passed to :func:`detect_cones` for every frame (``color``, ``min_height_px``,
        ``max_height_frac``, ``exclude`` (one mask for all frames), ``min_score``).

    Returns
    -------
    list of Cone
        Per cone the median ``x_px``, ``base_y_px``, ``height_px``, ``width_px`` and ``score``
        of its detections, sorted by ``x_px``.

    Raises
    ------
    ValueError
        No frames, or ``min_fraction`` outside (0, 1].
    """
    if not 0.0 < min_fraction <= 1.0:
        raise ValueError(f"min_fraction must lie in (0, 1], got {min_fraction}")
    per_frame: list[list[Cone]] = []
    for f in frames:
        img = getattr(f, "image", f)
        per_frame.append(detect_cones(img, **kw))
    n = len(per_frame)
    if n == 0:
        raise ValueError("detect_cones_in_frames needs at least one frame")
    # greedy clustering, most cone-like detections first: each cluster is centred on its seed
    # (its best detection) and takes at most one detection per frame, the nearest
    clusters: list[dict[int, Cone]] = []
    seeds: list[Cone] = []
    dets = sorted(((c.score, k, c) for k, cs in enumerate(per_frame) for c in cs), key=lambda t: -t[0])
    for _, k, c in dets:
        best: int | None = None
        best_d = math.inf
        for j, seed in enumerate(seeds):
            if k in clusters[j]:
                continue
            tol = tol_px + 0.25 * max(seed.width_px, c.width_px)
            dx, dy = abs(c.x_px - seed.x_px), abs(c.base_y_px - seed.base_y_px)
            if dx <= tol and dy <= tol and dx + dy < best_d:
                best, best_d = j, dx + dy
        if best is None:
            clusters.append({k: c})
            seeds.append(c)
        else:
            clusters[best][k] = c
    need = max(1, math.ceil(min_fraction * n - 1e-9))
    out: list[Cone] = []
    for cl in clusters:
        if len(cl) < need:
            continue
        cs = list(cl.values())
        out.append(Cone(
            x_px=float(np.median([c.x_px for c in cs])),
            base_y_px=float(np.median([c.base_y_px for c in cs])),
            height_px=float(np.median([c.height_px for c in cs])),
            width_px=float(np.median([c.width_px for c in cs])),
            score=float(np.median([c.score for c in cs])),
        ))
    out.sort(key=lambda c: c.x_px)
    return out
