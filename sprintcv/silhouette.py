"""Toe-off and touchdown from the runner's silhouette at the planted toe (still camera, still
ground).

Why a second cue
----------------
The pose model's toe landmark sits on the toe box and starts to rise and move with the heel
before the tip of the shoe leaves the ground, and the far foot's more so: on the synthetic
clips toe-offs timed on the landmarks (:func:`sprintcv.events.edge_time`) come out about half
a frame early on the camera-side foot and a frame early on the far foot. The image itself
shows the tip: while the foot is planted the front end of the shoe stays where it is (the
foot turns about it), and at toe-off it moves forward. With a still camera and still ground
(a runner crossing the picture, not a treadmill or a panning camera) the pixels of the lane
where the foot stood are known from the rest of the clip, so the shoe there is whatever
differs from them.

Method
------
For each contact whose toe-off the landmarks timed (:func:`toe_windows`):

1. A *band* of the image around the planted toe: from :data:`BAND_ABOVE_FOOT` foot lengths
   above the toe landmark's planted level to :data:`BAND_BELOW_FOOT` below it (the landmark
   sits on the toe box, above the sole), from :data:`BACK_FOOT` foot lengths behind the toe
   to :data:`AHEAD_FOOT` ahead of it.
2. Its *background*: the per-pixel median of the band in :data:`BACKGROUND_FRAMES` frames
   spread over the clip (the runner is elsewhere in most of them). Where the band differs
   from that median in more than :data:`MAX_BUSY_FRACTION` of those frames (someone stands
   there, the light or the camera moved) it is not used.
3. The shoe is what differs from the background (largest channel difference above
   :data:`FOREGROUND_LEVEL` of 255). Its lowest row near the toe in the planted frames is the
   sole (:func:`sole_row`); in a *strip* :data:`STRIP_FOOT` foot lengths above it, the
   *front edge* per frame (:func:`front_edge`) is the forward end, to a fraction of a pixel,
   of the run of shoe columns that reaches the planted toe.
4. The toe-off is the breakpoint of the front edge between still (allowed a linear drift: the
   front of the toe box creeps forward as the foot turns about the tip) and moving (linear +
   quadratic), fitted by :func:`sprintcv.events.breakpoint_fit` within
   :data:`TO_SEARCH_S` of the landmark toe-off, on :data:`FIT_HALF_S` more samples each side.
   At low frame rates (about 60 fps: a contact's second half under :data:`MIN_SIDE_SAMPLES`
   samples) the strip is taller, the planted side the whole contact and the departure a
   straight line (:data:`LOW_RATE_STRIP_FOOT`). At higher rates that model is the fallback
   where the linear + quadratic one declines: a toe that rises steeply as it leaves is out
   of the thin strip a frame or two after toe-off, too few samples to fix a quadratic.

A landmark toe-off several frames late (a small runner's) puts swing samples into the
contact's second half and the band's planted toe ahead of the real one: where the toe's
median over the middle half of the contact lies more than :data:`TO_REACH_FOOT` foot lengths
behind, the band covers both, and the fits that decline at the first are tried at the second
(``EdgeWindow.retry_toe_col``).

The silhouette's toe-off replaces the landmarks' when the strip was usable, the front edge
was seen in nearly every planted sample within the search half-range of the breakpoint
(further into stance the other leg may pass over the strip), it moved at least :data:`MIN_DEPARTURE_FOOT` foot
lengths forward after the breakpoint, and the breakpoint is fixed within
:data:`MAX_HALFWIDTH_FRAMES` frames; otherwise the landmarks' stays (``Contact.toeoff_cue``
says which). Measured on the synthetic clips (``benchmarks/accuracy.py``): see
``docs/metrics.md``.

Touchdown
---------
The same machinery, mirrored (:func:`touchdown_windows`, :func:`silhouette_touchdown`): the
band reaches :data:`TD_BACK_FOOT` foot lengths *behind* the toe's planted position (where the
shoe comes from) and the samples end at mid-contact. In the strip at the sole the front edge
of the arriving shoe moves forward and stops when the shoe lands; the touchdown is the
breakpoint between moving (linear + quadratic) and still. The arriving shoe is followed from
:data:`TD_REACH_FOOT` foot lengths behind the planted toe (the toe-off's 0.3 would pick it up
only in the last frame or two, and the fit would then land a frame late at 120 fps). Accepted
on the same rules, with the arrival (at least :data:`MIN_DEPARTURE_FOOT` foot lengths of
travel into the landing position) in place of the departure. Why: after touchdown the pose
model's heel and toe are often pulled back by several pixels for a few frames (the other leg
passes, the foot flattens), which moves the landmarks' breakpoint by 1-3 frames at 240 fps;
the shoe's outline does not move. At about 60 fps the arriving shoe is in the strip for only
a frame or two before it lands, too few samples for the quadratic; the low-rate model (a
straight approach on :data:`LOW_RATE_MIN_FIT_SAMPLES` samples) then times it (measured on the
ten synthetic 60 fps clips: touchdown 0.23 -> 0.18 frame, thigh separation at touchdown
4.8 -> 3.3 deg).

Known limits: a shadow joined to the shoe moves with it and is part of the silhouette; a foot
hidden behind the other leg, a strip crossed by another person, and motion blur wider than the
strip all leave the landmarks' time in place. A foot that arrives almost vertically (its
forward speed near zero in the last frames before landing) gives the front edge nothing to
stop, and the touchdown can come out early.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from .events import Contact, breakpoint_fit
from .joints import side_joint

#: Largest channel difference (of 255) from the background that marks a pixel as the runner.
#: Compression noise on a still lane stays below about 15; a shoe against a track is 50-200.
FOREGROUND_LEVEL = 40.0
#: Band searched for the sole, in foot lengths above and below the planted toe landmark's
#: level (the landmark sits on the toe box, above the sole).
BAND_ABOVE_FOOT, BAND_BELOW_FOOT = 0.5, 0.6
#: Height of the strip above the sole's lowest row in which the front edge is read, foot
#: lengths (at least 2 px): the lower, the less the turning foot moves it before toe-off.
STRIP_FOOT = 0.15
#: At low frame rates (a contact's second half under MIN_SIDE_SAMPLES samples, about 60 fps)
#: the fit has few samples either side: the strip is taller (the toe stays in it a frame
#: longer after toe-off), the planted side is the whole contact after its first sample, and
#: the departure is a straight line (measured: 60 fps toe-off MAE 0.88 -> 0.43 frame on the
#: synthetic set; the quadratic fit on the thin strip found too few samples there, and this
#: one is worse than it at 120 fps and above, 0.70 against 0.21 frame).
LOW_RATE_STRIP_FOOT, LOW_RATE_MIN_FIT_SAMPLES = 0.3, 5
#: Strip extent behind and ahead of the planted toe landmark, foot lengths.
BACK_FOOT, AHEAD_FOOT = 0.4, 1.2
#: Frames spread over the clip whose median is the background.
BACKGROUND_FRAMES = 21
#: A background frame is busy when this fraction of the strip differs from the median; a
#: strip busy in more than MAX_BUSY_FRACTION of the background frames is not used.
BUSY_PIXELS, MAX_BUSY_FRACTION = 0.05, 0.3
#: Samples fitted each side of the landmark time (seconds, at least MIN_SIDE_SAMPLES) and
#: the breakpoint search half-range (seconds, at least SEARCH_MIN_SAMPLES); a wider search
#: fits correspondingly more samples.
FIT_HALF_S, MIN_SIDE_SAMPLES = 0.06, 6
SEARCH_S, SEARCH_MIN_SAMPLES = 0.03, 2.0
#: Search half-range of the toe-off (s): the landmarks' toe-off can be several frames late
#: (the toe landmark of a small runner, 4 frames at 120 fps on a runner 126 px tall, where
#: the 0.03 s search missed it); measured on the synthetic set, the wider search changes no
#: other clip's contact time by more than 0.02 frame except to improve it.
TO_SEARCH_S = 0.05
#: Samples showing the front edge a fit needs: two more than its five parameters (four at
#: low rates: LOW_RATE_MIN_FIT_SAMPLES).
MIN_FIT_SAMPLES = 7
#: Acceptance: forward travel of the front edge after the breakpoint (foot lengths), planted
#: samples next to the breakpoint (within the search half-range) in which the front edge must
#: be seen, and the widest breakpoint uncertainty.
MIN_DEPARTURE_FOOT, MIN_SEEN_FRACTION, MAX_HALFWIDTH_FRAMES = 0.1, 0.8, 1.5
#: Shortest foot (heel to toe landmark, pixels) worth looking at.
MIN_FOOT_PX = 8.0
#: Touchdown: band extent behind and ahead of the planted toe (foot lengths), how far behind
#: the planted toe the arriving shoe's front is followed (foot lengths), and the strip height.
TD_BACK_FOOT, TD_AHEAD_FOOT = 1.2, 0.4
TD_REACH_FOOT, TD_STRIP_FOOT = 0.8, 0.3
#: The front-edge reach of the toe-off: the planted shoe must end within this many foot
#: lengths of the toe landmark.
TO_REACH_FOOT = 0.3


@dataclass(frozen=True)
class EdgeWindow:
    """Where and when to look for one contact's toe-off (or touchdown: ``kind``).

    Attributes
    ----------
    contact : int
        Index of the contact in the list given to :func:`toe_windows` (:func:`touchdown_windows`).
    rows, cols : (int, int)
        Band in image pixels, end-exclusive.
    forward : {+1, -1}
        Running direction in image x.
    toe_col : float
        Image column of the planted toe landmark.
    foot_px : float
        Heel-to-toe landmark distance, pixels.
    samples : ndarray of int
        Trajectory samples to fit (planted side limited to one half of the contact: the
        second for a toe-off, the first for a touchdown).
    t_lo_s, t_hi_s : float
        Breakpoint search range, seconds.
    landmark_s : float
        The event the landmarks timed, seconds.
    low_rate : bool
        Few samples per contact: the low-rate model (see :data:`LOW_RATE_STRIP_FOOT`; for a
        touchdown, a straight approach on as few as :data:`LOW_RATE_MIN_FIT_SAMPLES` samples).
    kind : {"toeoff", "touchdown"}
    retry_toe_col : float, optional
        A second planted toe column, tried where the fits at ``toe_col`` decline (toe-offs:
        the toe in mid-contact, where a late landmark toe-off has put swing samples into the
        contact's second half; the band covers both).
    """

    contact: int
    rows: tuple[int, int]
    cols: tuple[int, int]
    forward: int
    toe_col: float
    foot_px: float
    samples: np.ndarray
    t_lo_s: float
    t_hi_s: float
    landmark_s: float
    low_rate: bool = False
    kind: str = "toeoff"
    retry_toe_col: float | None = None

    @property
    def window(self) -> tuple[int, int, int, int]:
        return (*self.rows, *self.cols)


def _planted_band(
    c: Contact, xy_img: np.ndarray, names: tuple[str, ...], direction: int,
    frame_size: tuple[int, int], half: str, back_foot: float, ahead_foot: float,
) -> tuple[tuple[int, int], tuple[int, int], float, float] | None:
    """Band around the toe's planted position in one part (``"first"`` or ``"second"`` half,
    ``"middle"`` half) of the contact: ``(rows, cols, toe column, foot length px)``, or None
    when the toe is not seen there, the foot is too small or the band leaves the frame."""
    height, width = frame_size
    s, e = c.touchdown_sample, c.toeoff_sample
    toe = xy_img[s:e + 1, names.index(side_joint(c.foot, "foot_index"))]
    heel = xy_img[s:e + 1, names.index(side_joint(c.foot, "heel"))]
    n = len(toe)
    planted = {"first": toe[:max(2, n // 2)], "second": toe[n // 2:], "middle": toe[n // 4:n - n // 4]}[half]
    if not np.isfinite(planted).all(axis=1).any():
        return None
    foot = float(np.nanmedian(np.linalg.norm(toe - heel, axis=1)))
    if not np.isfinite(foot) or foot < MIN_FOOT_PX:
        return None
    x, y = np.nanmedian(planted, axis=0)
    r0 = int(np.floor(y - BAND_ABOVE_FOOT * foot))
    r1 = int(np.ceil(y + max(3.0, BAND_BELOW_FOOT * foot))) + 1
    back, ahead = x - direction * back_foot * foot, x + direction * ahead_foot * foot
    c0, c1 = int(np.floor(min(back, ahead))), int(np.ceil(max(back, ahead))) + 1
    r0, r1, c0, c1 = max(r0, 0), min(r1, height), max(c0, 0), min(c1, width)
    if r1 - r0 < 3 or c1 - c0 < 3:
        return None
    return (r0, r1), (c0, c1), float(x), foot


def _samples_near(t_s: np.ndarray, t_event: float, search_s: float = SEARCH_S) -> tuple[np.ndarray, float]:
    """Samples within :data:`FIT_HALF_S` (at least :data:`MIN_SIDE_SAMPLES` frames), plus
    what ``search_s`` adds to :data:`SEARCH_S`, of an event, and the breakpoint search
    half-range (s, at least :data:`SEARCH_MIN_SAMPLES` frames) around it."""
    dt = float(np.median(np.diff(t_s)))
    half = max(FIT_HALF_S, MIN_SIDE_SAMPLES * dt) + max(0.0, search_s - SEARCH_S)
    return np.flatnonzero(np.abs(t_s - t_event) <= half + 1e-9), max(search_s, SEARCH_MIN_SAMPLES * dt)


def toe_windows(
    contacts: Sequence[Contact], xy_img: np.ndarray, t_s: np.ndarray, names: tuple[str, ...],
    direction: int, frame_size: tuple[int, int],
) -> list[EdgeWindow]:
    """Strips and samples for the toe-offs the landmarks timed (see the module docstring).

    Parameters
    ----------
    contacts : sequence of Contact
    xy_img : ndarray, shape (n, n_joints, 2)
        Unfiltered positions in image pixels (x right, y down), feet labelled as the contacts.
    t_s : ndarray, shape (n,)
    direction : {+1, -1}
        Running direction in image x.
    frame_size : (int, int)
        Upright frame (height, width), pixels.
    """
    n = len(t_s)
    out = []
    for k, c in enumerate(contacts):
        if not np.isfinite(c.toeoff_s):
            continue
        band = _planted_band(c, xy_img, names, direction, frame_size, "second", BACK_FOOT, AHEAD_FOOT)
        if band is None:
            continue
        rows, cols, toe_col, foot = band
        middle = _planted_band(c, xy_img, names, direction, frame_size, "middle", BACK_FOOT, AHEAD_FOOT)
        retry = None
        if middle is not None and direction * (toe_col - middle[2]) > TO_REACH_FOOT * foot:
            # The toe moved on within the contact's second half: its landmark toe-off is late.
            retry = middle[2]
            cols = (min(cols[0], middle[1][0]), max(cols[1], middle[1][1]))
        s, e = c.touchdown_sample, c.toeoff_sample
        # The planted side: the contact's second half, or at low rates all of it but the
        # first sample (the edge there may still be landing).
        mid = s + (e - s) // 2
        low_rate = e - mid < MIN_SIDE_SAMPLES
        first = s if low_rate else mid
        samples, search = _samples_near(t_s, c.toeoff_s, TO_SEARCH_S)
        samples = samples[samples > first]
        if not samples.size:
            continue
        t_lo = max(c.toeoff_s - search, float(t_s[min(first + int(low_rate), n - 1)]))
        out.append(EdgeWindow(k, rows, cols, int(direction), toe_col, foot, samples,
                              t_lo, c.toeoff_s + search, c.toeoff_s, low_rate, retry_toe_col=retry))
    return out


def touchdown_windows(
    contacts: Sequence[Contact], xy_img: np.ndarray, t_s: np.ndarray, names: tuple[str, ...],
    direction: int, frame_size: tuple[int, int],
) -> list[EdgeWindow]:
    """Strips and samples for the touchdowns the landmarks timed: the band reaches behind the
    toe's planted position in the contact's first half (where the shoe arrives from), and the
    samples and the search end at mid-contact. Parameters as :func:`toe_windows`."""
    out = []
    for k, c in enumerate(contacts):
        if not np.isfinite(c.touchdown_s):
            continue
        band = _planted_band(c, xy_img, names, direction, frame_size, "first", TD_BACK_FOOT, TD_AHEAD_FOOT)
        if band is None:
            continue
        mid = c.touchdown_sample + (c.toeoff_sample - c.touchdown_sample) // 2
        samples, search = _samples_near(t_s, c.touchdown_s)
        samples = samples[samples <= mid]
        if not samples.size:
            continue
        out.append(EdgeWindow(k, band[0], band[1], int(direction), band[2], band[3], samples,
                              c.touchdown_s - search, min(c.touchdown_s + search, float(t_s[mid])),
                              c.touchdown_s, kind="touchdown"))
    return out


def background_frames(frame_index: np.ndarray, n: int = BACKGROUND_FRAMES) -> np.ndarray:
    """Decoded-frame indices spread evenly over the analysed frames, shape (<= n,)."""
    picks = np.linspace(0, len(frame_index) - 1, min(n, len(frame_index))).round().astype(int)
    return np.unique(np.asarray(frame_index)[picks])


def difference(crops: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Largest channel difference from the background, shape (m, h, w) float (0-255).

    ``crops`` (m, h, w, 3) and ``background`` (h, w, 3), any 8-bit colour order."""
    return np.abs(crops.astype(np.int16) - background.astype(np.int16)).max(axis=-1).astype(float)


def strip_background(crops: np.ndarray) -> tuple[np.ndarray, float]:
    """Median background of a strip and the fraction of its frames that are busy.

    Parameters
    ----------
    crops : ndarray, shape (m, h, w, 3) uint8
        The strip in frames spread over the clip.

    Returns
    -------
    background : ndarray, shape (h, w, 3) uint8
    busy : float
        Fraction of the frames in which more than :data:`BUSY_PIXELS` of the strip differs
        from the background by more than :data:`FOREGROUND_LEVEL`.
    """
    background = np.median(crops, axis=0).round().astype(np.uint8)
    moving = (difference(crops, background) > FOREGROUND_LEVEL).mean(axis=(1, 2))
    return background, float(np.mean(moving > BUSY_PIXELS))


def front_edge(diff: np.ndarray, anchor_col: float, forward: int, reach_px: float,
               level: float = FOREGROUND_LEVEL) -> np.ndarray:
    """Forward end of the foreground that holds the planted toe, per frame, shape (m,).

    Parameters
    ----------
    diff : ndarray, shape (m, h, w)
        Difference from the background (:func:`difference`).
    anchor_col : float
        Strip column (0 = its first column) of the planted toe.
    forward : {+1, -1}
        Image direction of running: the edge is the run's right end for +1, left end for -1.
    reach_px : float
        The run must end at most this many pixels behind the anchor.
    level : float

    Returns
    -------
    ndarray
        Edge position in strip columns counted forward from the strip's back end (it grows
        as the foot moves on), to a fraction of a pixel by linear interpolation of the
        column profile across ``level``; NaN where no such run is seen or it reaches the
        strip's forward end (its front is not in view).
    """
    profile = diff.max(axis=1)
    width = profile.shape[1]
    if forward < 0:
        profile = profile[:, ::-1]
        anchor_col = width - 1 - anchor_col
    out = np.full(len(profile), np.nan)
    gap = int(max(2, round(0.1 * reach_px / 0.3)))
    for i, p in enumerate(profile):
        on = _close(p > level, gap)
        if not on.any():
            continue
        # Runs of foreground columns; keep the hindmost one that reaches the anchor's
        # neighbourhood: the planted foot, and the same foot once it moves on.
        edges = np.flatnonzero(np.diff(np.concatenate(([0], on.astype(np.int8), [0]))))
        for a, b in zip(edges[::2], edges[1::2]):
            if b - 1 >= anchor_col - reach_px:
                end = b - 1
                if end == width - 1:
                    break  # runs off the strip: its front is not seen
                frac = 0.0
                if end + 1 < width:
                    frac = float(np.clip((p[end] - level) / max(p[end] - p[end + 1], 1e-9), 0.0, 1.0))
                out[i] = end + frac
                break
    return out


def _close(on: np.ndarray, gap: int) -> np.ndarray:
    """``on`` (1-D bool) with runs of False of at most ``gap`` samples between True set True:
    a shoe's edge column that compression dims below the level does not split the shoe."""
    out = on.copy()
    idx = np.flatnonzero(on)
    for a, b in zip(idx[:-1], idx[1:]):
        if 1 < b - a <= gap + 1:
            out[a:b] = True
    return out


def sole_row(diff: np.ndarray, anchor_col: float, reach_px: float,
             level: float = FOREGROUND_LEVEL) -> float:
    """Lowest band row of the foreground within ``reach_px`` of the anchor column, median over
    the frames given (planted ones), or NaN when none shows it. ``diff``: shape (m, h, w)."""
    lo, hi = int(max(0, np.floor(anchor_col - reach_px))), int(np.ceil(anchor_col + reach_px)) + 1
    rows = []
    for d in diff[:, :, lo:hi]:
        on = np.flatnonzero((d > level).any(axis=1))
        if on.size:
            rows.append(on.max())
    return float(np.median(rows)) if rows else float("nan")


def _seen(ok: np.ndarray, t_s: np.ndarray, planted: np.ndarray, t0: float, dt: float) -> float:
    """Fraction of the planted samples next to the breakpoint (within the search half-range)
    that show the edge. Further into stance the other leg may pass over the strip; what the
    fit needs is the planted edge just before it leaves (or just after it lands)."""
    near = planted & (np.abs(t_s - t0) <= max(SEARCH_S, SEARCH_MIN_SAMPLES * dt) + 1e-9)
    return float(np.mean(ok[near])) if near.any() else 0.0


def silhouette_toe_off(
    t_s: np.ndarray, edge_px: np.ndarray, t_lo_s: float, t_hi_s: float, foot_px: float,
    low_rate: bool = False,
) -> tuple[float, float]:
    """Toe-off time from the front edge (:func:`front_edge`) over the fitted samples; with
    ``low_rate`` a straight departure (:data:`LOW_RATE_STRIP_FOOT`), else linear + quadratic.

    Returns ``(t, halfwidth)`` in seconds, ``(nan, inf)`` when the edge does not support one
    (see the acceptance rules in the module docstring).
    """
    t_s = np.asarray(t_s, float)
    ok = np.isfinite(edge_px)
    if ok.sum() < (LOW_RATE_MIN_FIT_SAMPLES if low_rate else MIN_FIT_SAMPLES):
        return float("nan"), float("inf")
    dt = float(np.median(np.diff(t_s)))
    n_grid = int(20 * (t_hi_s - t_lo_s) / dt) + 1
    t0, halfwidth = breakpoint_fit(t_s[ok], edge_px[ok, None], t_lo_s, t_hi_s, +1, n_grid=n_grid,
                                   powers=(1,) if low_rate else (1, 2), inner_drift=True)
    if not np.isfinite(t0) or halfwidth > MAX_HALFWIDTH_FRAMES * dt:
        return float("nan"), float("inf")
    before, after = t_s < t0, t_s > t0
    if _seen(ok, t_s, before, t0, dt) < MIN_SEEN_FRACTION or np.count_nonzero(ok & before) < 3 or np.count_nonzero(ok & after) < 2:
        return float("nan"), float("inf")
    at_t0 = edge_px[ok & before][-1]
    if np.nanmax(edge_px[after]) - at_t0 < MIN_DEPARTURE_FOOT * foot_px:
        return float("nan"), float("inf")
    return t0, halfwidth


def silhouette_touchdown(
    t_s: np.ndarray, edge_px: np.ndarray, t_lo_s: float, t_hi_s: float, foot_px: float,
    low_rate: bool = False,
) -> tuple[float, float]:
    """Touchdown time from the arriving shoe's front edge (:func:`front_edge`) over the fitted
    samples: the breakpoint between moving (linear + quadratic; with ``low_rate`` a straight
    line, from :data:`LOW_RATE_MIN_FIT_SAMPLES` samples) and still.

    Returns ``(t, halfwidth)`` in seconds, ``(nan, inf)`` when the edge does not support one:
    too few samples, a breakpoint not fixed within :data:`MAX_HALFWIDTH_FRAMES`, the edge seen
    in under :data:`MIN_SEEN_FRACTION` of the samples just after it, or an arrival of under
    :data:`MIN_DEPARTURE_FOOT` foot lengths (the edge did not come in from behind).
    """
    t_s = np.asarray(t_s, float)
    ok = np.isfinite(edge_px)
    if ok.sum() < (LOW_RATE_MIN_FIT_SAMPLES if low_rate else MIN_FIT_SAMPLES):
        return float("nan"), float("inf")
    dt = float(np.median(np.diff(t_s)))
    n_grid = int(20 * (t_hi_s - t_lo_s) / dt) + 1
    t0, halfwidth = breakpoint_fit(t_s[ok], edge_px[ok, None], t_lo_s, t_hi_s, -1, n_grid=n_grid,
                                   powers=(1,) if low_rate else (1, 2))
    if not np.isfinite(t0) or halfwidth > MAX_HALFWIDTH_FRAMES * dt:
        return float("nan"), float("inf")
    before, after = t_s < t0, t_s > t0
    if _seen(ok, t_s, after, t0, dt) < MIN_SEEN_FRACTION or np.count_nonzero(ok & after) < 3 or np.count_nonzero(ok & before) < 2:
        return float("nan"), float("inf")
    landed = edge_px[ok & after][0]
    if landed - np.nanmin(edge_px[before]) < MIN_DEPARTURE_FOOT * foot_px:
        return float("nan"), float("inf")
    return t0, halfwidth


def _strip_edge(w: EdgeWindow, strip: np.ndarray, bg_crops: np.ndarray, t_s: np.ndarray) -> np.ndarray | None:
    """The front edge over ``w.samples`` in the strip at the sole (module docstring, steps
    2-3), or None when the band's background is busy or no sole is seen."""
    background, busy = strip_background(bg_crops)
    if busy > MAX_BUSY_FRACTION:
        return None
    anchor = w.toe_col - w.cols[0]
    diff = difference(strip, background)
    t = t_s[w.samples]
    planted = t > w.landmark_s if w.kind == "touchdown" else t < w.landmark_s
    bottom = sole_row(diff[planted] if planted.any() else diff[:1], anchor, TO_REACH_FOOT * w.foot_px)
    if not np.isfinite(bottom):
        return None
    if w.kind == "touchdown":
        height, reach = TD_STRIP_FOOT, TD_REACH_FOOT
    else:
        height, reach = (LOW_RATE_STRIP_FOOT if w.low_rate else STRIP_FOOT), TO_REACH_FOOT
    top = int(max(0, np.floor(bottom - max(2.0, height * w.foot_px))))
    return front_edge(diff[:, top:int(bottom) + 1], anchor, w.forward, reach_px=reach * w.foot_px)


def _edge_fit(w: EdgeWindow, strip: np.ndarray, bg_crops: np.ndarray, t_s: np.ndarray) -> tuple[float, float]:
    """The silhouette's time of ``w``'s edge and its half-width (s); ``(nan, inf)`` where the
    strip or the fit declines."""
    edge = _strip_edge(w, strip, bg_crops, t_s)
    if edge is None:
        return float("nan"), float("inf")
    if w.kind == "touchdown":
        return silhouette_touchdown(t_s[w.samples], edge, w.t_lo_s, w.t_hi_s, w.foot_px, w.low_rate)
    return silhouette_toe_off(t_s[w.samples], edge, w.t_lo_s, w.t_hi_s, w.foot_px, w.low_rate)


def _attempts(w: EdgeWindow) -> list[EdgeWindow]:
    """The models tried, in turn, on one window: as given; then the low-rate model (a straight
    departure or approach, fewer samples: :data:`LOW_RATE_STRIP_FOOT`); then both again at
    ``retry_toe_col``."""
    out = [w]
    if not w.low_rate:
        out.append(replace(w, low_rate=True))
    if w.retry_toe_col is not None:
        out += [replace(v, toe_col=w.retry_toe_col, retry_toe_col=None) for v in list(out)]
    return out


def refine_edges(
    contacts: Sequence[Contact], windows: Sequence[EdgeWindow], strips: Sequence[np.ndarray],
    backgrounds: Sequence[np.ndarray], t_s: np.ndarray,
) -> list[Contact]:
    """Contacts with the edges the silhouette times (``touchdown_cue`` / ``toeoff_cue`` =
    ``"silhouette"``); where it declines, the landmark time stays.

    Parameters
    ----------
    contacts : sequence of Contact
    windows : sequence of EdgeWindow
        From :func:`touchdown_windows` and :func:`toe_windows` (each window's ``kind`` says
        which edge it times).
    strips : sequence of ndarray, shape (len(window.samples), h, w, 3)
        Each window's strip at its samples.
    backgrounds : sequence of ndarray, shape (m, h, w, 3)
        Each window's strip in the frames of :func:`background_frames`.
    t_s : ndarray, shape (n,)
        Sample times, seconds.
    """
    out = list(contacts)
    dt = float(np.median(np.diff(t_s)))
    for w, strip, bg_crops in zip(windows, strips, backgrounds):
        c = out[w.contact]
        for attempt in _attempts(w):
            t0, halfwidth = _edge_fit(attempt, strip, bg_crops, t_s)
            if np.isfinite(t0):
                break
        usable = np.isfinite(t0) and (w.kind == "toeoff" or np.isnan(c.toeoff_s) or t0 < c.toeoff_s)
        if usable:
            out[w.contact] = replace(c, **{
                f"{w.kind}_s": t0, f"{w.kind}_sample": int(np.argmin(np.abs(t_s - t0))),
                f"{w.kind}_confidence": round(float(np.exp(-halfwidth / dt)), 3), f"{w.kind}_cue": "silhouette",
            })
    return out
