"""Ground-contact events (touchdown, toe-off) per foot, as a table.

Input is the cleaned trajectory in the **body frame** (x along the running direction, y up,
pixels; see :func:`sprintcv.clean.to_body_frame`). Detection runs in four stages, each a pure
function below:

1. **Cues** (per foot, per sample), from positions low-passed at the analysis cut-off:

   * *ground-relative foot speed*: speed of the heel and of the toe relative to the ground,
     the smaller of the two (a planted foot pivots about one of them). The ground is still on
     a track filmed by a still camera; on a treadmill (or under a panning camera) it moves in
     the image, and its velocity is the most common horizontal foot velocity
     (:func:`ground_velocity`). Speeds are divided by the running speed (hip relative to the
     ground), so one threshold serves a jog and a sprint.
   * *foot height* above a ground line fitted through the foot positions at the slow samples
     (:func:`fit_ground_line`; a tilted camera or sloping horizon is absorbed); heel and toe
     are each measured from their own planted level (pose models put the toe landmark on top
     of the toe box and the heel above the sole), and the lower of the two is the foot's
     height, in leg lengths.

   Both cues become a planted log-odds per sample (:func:`planted_logodds`), scaled by the
   spread each cue shows while the foot is clearly planted in this clip, so that noisy footage
   (motion blur, a jogger's slow feet) and clean footage are judged on their own noise.

2. **Sprint structure** (:func:`segment_gait`): a segmental (explicit-duration) Viterbi
   decoding of the whole clip into the running cycle *left stance -> flight -> right stance ->
   flight -> ...*, with contact durations within ``[min_contact_s, max_contact_s]``. Feet
   therefore alternate and a contact cannot be split by a one-frame glitch. Two escapes, each
   with a cost, keep it honest: *double support* (both feet down: the set position, walking)
   and a *whole swing with no contact of the other foot* (that foot hidden or unreadable); the
   latter leaves the other foot's contact missing instead of inventing it. A decoded contact
   whose own samples do not, on balance, say "planted" is dropped (reported missing, not
   guessed).

3. **Leg identity** (:func:`stance_foot_swaps`, :func:`stance_excursions`): while a foot is
   planted it stays where it landed, so a sample where the *other* foot's landmarks sit on that
   spot and this foot's do not is a left/right swap of the feet (side views confuse them when
   the swing foot passes the stance foot), and a toe that leaves the spot and comes back to it
   is the pose model losing the foot for those samples. Swaps are exchanged, lost samples are
   ignored by the edge fits and bridged for the cues, the cues are re-filtered from the
   corrected positions and the decoding is run again.

4. **Sub-frame edges** (:func:`edge_time`): each touchdown and toe-off is timed on the
   unfiltered positions (filtering rounds the corners and lengthens contacts) by fitting, to
   the heel and to the toe in ground coordinates, a model that is constant on the planted
   side of the edge and moves (linear + quadratic in time) on the swing side; the edge time
   is the least-squares breakpoint (searched on a 1/20-frame grid). Touchdown is the earlier
   of heel and toe (first contact of either), fitted with Huber weights (a blurred frame at
   impact moves it less); where the clip's heels are still moving fast when they stop (more
   than :data:`ABRUPT_LANDING_SPEED` running speeds, :func:`landing_speed_ratio`, at 50 fps
   and above) the foot is stopped by the impact rather than easing down, and the approach
   is a straight line (the quadratic would round the corner off and put it late). Toe-off is
   the later, and its planted side may drift linearly and,
   at 50 fps and above, turn with the foot (the toe landmark sits off the tip the foot pivots
   on, so it moves before the foot leaves; the turn may move the edge at most
   :data:`MAX_TURN_LAG_SAMPLES` beyond the fit without it). The fit uses several samples on
   each side, so its error is a fraction of a frame on clean data.

References and known biases
---------------------------
Kinematic event detection in running: velocity/height thresholds and the foot-velocity
algorithm (O'Connor et al. 2007, Gait Posture 25:469), horizontal foot-pelvis extrema (Zeni
et al. 2008, Gait Posture 27:710; biased early for touchdown in sprinting, where the foot moves
back before landing) and their comparison against force plates in sprinting (Handsaker et al.
2016, J Sports Sci 34:1739; Bezodis et al. 2018). Known biases with MediaPipe landmarks,
measured on the synthetic clips (``benchmarks/accuracy.py``): the toe landmark sits on the
toe box and starts to rise and move with the heel before the tip leaves the ground; the
toe-off model above takes most of that out, but toe-offs still come out about half a frame
early on the camera-side foot and a frame early on the far foot (up to 2.5 frames at 240 fps).
After touchdown the landmarks are often pulled back by a few pixels for a few frames, which
can move the touchdown breakpoint 1-3 frames at 240 fps. With a still camera on still ground
the pipeline therefore re-times both edges on the image (:mod:`sprintcv.silhouette`, within
about 0.2 frame at 120-240 fps); the times here are the landmarks' (:attr:`Contact.toeoff_cue`,
:attr:`Contact.touchdown_cue`). On motion-blurred real footage the foot landmarks keep
creeping for a frame or two after touchdown; with the linear + quadratic approach that put the
touchdowns of a 60 fps treadmill clip 2.3 frames late, with the straight approach its fast
landings get (:data:`ABRUPT_LANDING_SPEED`) 0.5 frame. Contacts whose touchdown and toe-off
fits disagree (toe-off before touchdown, typical of 2-3-frame contacts at 30 fps) fall back to
frame-boundary times with a low confidence.

An event the data cannot support (contact already in progress at the first sample, still in
progress at the last one, foot missing around the edge) is left out rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .clean import lowpass
from .joints import SIDES, other_side, side_joint

KINDS = ("touchdown", "toeoff")
#: Rounds of foot-label correction in :func:`detect_contacts`.
MAX_IDENTITY_ROUNDS = 3
#: Foot landmarks whose ground-relative motion defines a planted foot.
FOOT_POINTS = ("heel", "foot_index")

#: Samples fitted beyond the toe-off search range on each side (s). Shorter than at
#: touchdown: before toe-off the toe landmark slides at a growing rate as the foot turns, and
#: the fit's linear drift describes that only locally.
TOE_OFF_WINDOW_S = 0.02

#: Planted samples, and frame rate (Hz), a toe-off fit needs before it models the toe landmark
#: turning with the foot. Below 50 fps a frame lasts about as long as that turn before toe-off
#: and the fit cannot tell it from leaving (measured: contact times 10-13 ms worse at 30 fps).
MIN_TURN_SAMPLES, MIN_TURN_RATE_HZ = 5, 50.0
#: A contact shorter than this fraction of the clip's median contact has its times withheld
#: (:func:`withhold_short_contacts`). On the synthetic set detected contacts stay above 0.55 of
#: their clip's median (0.55 at 30 fps, 0.66 at 60, 0.80 at 120 fps and above).
SHORT_CONTACT_FRACTION = 0.5
#: Furthest (in samples) the turn term may move a toe-off beyond the fit without it.
MAX_TURN_LAG_SAMPLES = 3

#: Default breakpoint search inside and outside a contact edge, and the samples fitted beyond
#: it on each side, seconds (:func:`edge_time`).
EDGE_SEARCH_IN_S, EDGE_SEARCH_OUT_S, EDGE_WINDOW_S = 0.02, 0.04, 0.03
#: A clip whose heels still move at more than this many running speeds (median over its
#: touchdowns, :func:`landing_speed`) just before they stop has its touchdowns fitted with a
#: straight approach. A linear + quadratic approach describes a foot that eases onto the
#: ground; a foot stopped by the impact within a frame it rounds off, and puts the breakpoint
#: late (measured: 1.8-4 frames late on a 60 fps treadmill clip). The synthetic runner eases
#: its foot down (0.86-1.33 running speeds, median per clip, over 43 clips at 30-240 fps);
#: real feet were faster on all three hand-labelled clips (1.75-2.33). Below
#: MIN_LANDING_RATE_HZ the approach's samples span a third of the swing, and an eased foot
#: reads as fast (1.7 running speeds on an analytic gait at 30 fps): the approach stays curved.
ABRUPT_LANDING_SPEED, MIN_LANDING_RATE_HZ = 1.5, 50.0
#: Reweighted passes and Huber constant (in robust residual spreads) of a robust edge fit.
ROBUST_PASSES, HUBER_K = 2, 2.0
#: Joints exchanged when the two feet are swapped.
FOOT_JOINTS = ("ankle", "heel", "foot_index")
#: Phases of the running cycle decoded by :func:`segment_gait`.
PHASES = ("left_stance", "flight_after_left", "right_stance", "flight_after_right",
          "double_support", "left_only_swing", "right_only_swing")
_LEFT, _FLIGHT_L, _RIGHT, _FLIGHT_R, _DOUBLE, _SKIP_L, _SKIP_R = range(len(PHASES))


@dataclass(frozen=True)
class EventTable:
    """Touchdown and toe-off events, one row per event, sorted by time.

    Attributes
    ----------
    foot : ndarray of str, shape (n,)
        ``"left"`` or ``"right"``.
    kind : ndarray of str, shape (n,)
        ``"touchdown"`` or ``"toeoff"``.
    t_s : ndarray, shape (n,)
        Event time in seconds (sub-frame).
    sample : ndarray of int, shape (n,)
        Index of the trajectory sample nearest to the event.
    confidence : ndarray, shape (n,)
        In [0, 1]: evidence that the foot was planted times the quality of the edge fit.
    cue : ndarray of str, shape (n,)
        What timed the event: ``"landmarks"`` (the pose model's heel and toe,
        :func:`edge_time`) or ``"silhouette"`` (the shoe's front edge in the image,
        :mod:`sprintcv.silhouette`).
    """

    foot: np.ndarray
    kind: np.ndarray
    t_s: np.ndarray
    sample: np.ndarray
    confidence: np.ndarray
    cue: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.cue is None:  # frozen: set once, here
            object.__setattr__(self, "cue", np.array(["landmarks"] * len(self.t_s), dtype=object))

    def __len__(self) -> int:
        return len(self.t_s)

    @classmethod
    def from_rows(cls, rows: list[tuple[Any, ...]]) -> "EventTable":
        """From rows ``(foot, kind, t_s, sample, confidence[, cue])``."""
        rows = sorted(([*r, "landmarks"][:6] for r in rows), key=lambda r: r[2])
        cols = list(zip(*rows)) if rows else [[]] * 6
        return cls(
            foot=np.array(cols[0], dtype=object), kind=np.array(cols[1], dtype=object),
            t_s=np.array(cols[2], dtype=float), sample=np.array(cols[3], dtype=np.int64),
            confidence=np.array(cols[4], dtype=float), cue=np.array(cols[5], dtype=object),
        )

    def to_columns(self) -> dict[str, np.ndarray]:
        """Dict of columns (pandas-ready)."""
        return {"foot": self.foot, "kind": self.kind, "t_s": self.t_s,
                "sample": self.sample, "confidence": self.confidence, "cue": self.cue}


@dataclass(frozen=True)
class Contact:
    """One ground contact of one foot; a missing edge is NaN. ``touchdown_cue`` and
    ``toeoff_cue`` say what timed each edge (see :attr:`EventTable.cue`)."""

    foot: str
    touchdown_s: float
    toeoff_s: float
    touchdown_sample: int
    toeoff_sample: int
    touchdown_confidence: float
    toeoff_confidence: float
    toeoff_cue: str = "landmarks"
    touchdown_cue: str = "landmarks"

    @property
    def contact_s(self) -> float:
        return self.toeoff_s - self.touchdown_s


@dataclass
class ContactDetection:
    """What :func:`detect_contacts` found, and why some contacts were dropped.

    Attributes
    ----------
    contacts : list of Contact
        Sorted by touchdown sample.
    ground : (float, float)
        Ground line ``y = a + b x`` (body frame, pixels).
    leg_length_px : float
    ground_velocity_px_s : float
        Horizontal velocity of the ground in the image (0 on a track, the belt on a treadmill).
    run_speed_leg_s : float
        Hip speed relative to the ground, leg lengths per second.
    landing_speed_run : float
        How fast the heels still move just before they stop at touchdown, in running speeds
        (:func:`landing_speed_ratio`); above :data:`ABRUPT_LANDING_SPEED` the touchdowns were
        fitted with a straight approach.
    foot_swaps : ndarray of bool, shape (n, len(FOOT_JOINTS))
        Foot landmarks exchanged between the feet (see :func:`stance_foot_swaps`); apply them
        to another copy of the trajectory with :func:`swap_feet`.
    foot_lost : ndarray of bool, shape (n, len(SIDES), len(FOOT_JOINTS))
        Foot landmarks (after the swaps) that left a planted foot's spot and came back
        (:func:`stance_excursions`): the pose model lost the foot there, and contact detection
        ignored them.
    warnings : list of str
    """

    contacts: list[Contact]
    ground: tuple[float, float]
    leg_length_px: float
    ground_velocity_px_s: float = 0.0
    run_speed_leg_s: float = float("nan")
    landing_speed_run: float = float("nan")
    foot_swaps: np.ndarray = field(default_factory=lambda: np.zeros((0, len(FOOT_JOINTS)), dtype=bool))
    foot_lost: np.ndarray = field(default_factory=lambda: np.zeros((0, len(SIDES), len(FOOT_JOINTS)), dtype=bool))
    warnings: list[str] = field(default_factory=list)

    def events(self) -> EventTable:
        rows = []
        for c in self.contacts:
            if np.isfinite(c.touchdown_s):
                rows.append((c.foot, "touchdown", c.touchdown_s, c.touchdown_sample, c.touchdown_confidence,
                             c.touchdown_cue))
            if np.isfinite(c.toeoff_s):
                rows.append((c.foot, "toeoff", c.toeoff_s, c.toeoff_sample, c.toeoff_confidence, c.toeoff_cue))
        return EventTable.from_rows(rows)


# -- geometry -----------------------------------------------------------------------------------
def _col(names: tuple[str, ...], side: str, joint: str) -> int:
    return names.index(side_joint(side, joint))


def leg_length(xy: np.ndarray, names: tuple[str, ...]) -> float:
    """Median thigh + shank length over both legs and all frames, pixels."""
    lengths = []
    for side in SIDES:
        hip, knee, ankle = (xy[:, _col(names, side, j)] for j in ("hip", "knee", "ankle"))
        lengths.append(np.linalg.norm(knee - hip, axis=1) + np.linalg.norm(ankle - knee, axis=1))
    value = float(np.nanmedian(np.concatenate(lengths)))
    if not np.isfinite(value) or value <= 0:
        raise ValueError("leg length cannot be measured: hips, knees or ankles are missing")
    return value


def foot_points(xy: np.ndarray, names: tuple[str, ...], side: str) -> tuple[np.ndarray, np.ndarray]:
    """Lowest point (heel or toe) of a foot: x and y, each shape (n,), body frame (y up)."""
    heel = xy[:, _col(names, side, "heel")]
    toe = xy[:, _col(names, side, "foot_index")]
    lower = np.where((toe[:, 1] < heel[:, 1])[:, None], toe, heel)
    # Where one of the two is missing, use the other.
    lower = np.where(np.isnan(lower), np.where(np.isnan(heel), toe, heel), lower)
    return lower[:, 0], lower[:, 1]


def foot_pairs(names: tuple[str, ...]) -> list[tuple[int, int]]:
    """(left, right) column pairs of the foot joints (:data:`FOOT_JOINTS`)."""
    return [(_col(names, "left", j), _col(names, "right", j)) for j in FOOT_JOINTS]


def fit_ground_line(x: np.ndarray, y: np.ndarray, leg_px: float, n_iter: int = 20) -> tuple[float, float]:
    """Robust straight line ``y = a + b x`` through planted foot positions (body frame, y up).

    Least absolute deviations by iteratively reweighted least squares, so that a minority of
    wrong points (a swing foot taken as planted, a pose glitch) does not tilt the line.

    Parameters
    ----------
    x, y : ndarray, shape (m,)
        Foot positions believed to be on the ground, pixels (NaN ignored).
    leg_px : float
        Leg length; the line is flat (``b = 0``) when x spans less than two leg lengths
        (treadmill, runner in place), where a slope cannot be told from noise.

    Returns
    -------
    (a, b) : intercept (pixels) and slope (dimensionless).
    """
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = np.asarray(x, float)[ok], np.asarray(y, float)[ok]
    if len(x) < 4:
        raise ValueError("too few foot positions to find the ground")
    if np.ptp(x) < 2.0 * leg_px:
        return float(np.median(y)), 0.0
    b, a = np.polyfit(x, y, 1)
    floor = 0.02 * leg_px  # residuals below 2% of a leg count as exact (pose noise)
    for _ in range(n_iter):
        w = 1.0 / np.maximum(np.abs(y - (a + b * x)), floor)
        b, a = np.polyfit(x, y, 1, w=np.sqrt(w))
    return float(a), float(b)


# -- cues ---------------------------------------------------------------------------------------
def _gradient(values: np.ndarray, t_s: np.ndarray) -> np.ndarray:
    """d values / dt along axis 0 over the finite samples (NaN elsewhere)."""
    out = np.full(values.shape, np.nan)
    ok = np.isfinite(values)
    if ok.sum() >= 3:
        out[ok] = np.gradient(values[ok], t_s[ok])
    return out


def ground_velocity(vx: np.ndarray, bandwidth: float) -> float:
    """The most common horizontal foot velocity (a kernel-density mode), same unit as ``vx``.

    A planted foot moves with the ground, and each foot is planted for a large share of its
    cycle at one velocity, while swing velocities spread widely; so the densest velocity is
    the ground's (a treadmill belt, or the background under a panning camera).

    Parameters
    ----------
    vx : ndarray, shape (m,)
        Horizontal velocities of foot landmarks (NaN ignored).
    bandwidth : float
        Gaussian kernel width, same unit (about a tenth of the running speed).
    """
    v = np.asarray(vx, float)
    v = v[np.isfinite(v)]
    if len(v) < 5:
        return 0.0
    grid = np.arange(np.percentile(v, 1), np.percentile(v, 99) + bandwidth / 10, bandwidth / 10)
    if len(grid) < 2:
        return float(np.median(v))
    dens = np.exp(-0.5 * ((v[None, :] - grid[:, None]) / bandwidth) ** 2).sum(axis=1)
    centre = grid[int(np.argmax(dens))]
    near = np.abs(v - centre) < bandwidth
    return float(np.mean(v[near])) if near.any() else float(centre)


def stance_ground_velocity(
    xy: np.ndarray, t_s: np.ndarray, names: tuple[str, ...], runs: dict[str, list[tuple[int, int]]],
) -> float:
    """Median horizontal velocity of the heel and toe over the middle half of each planted run,
    same unit as ``xy`` per second; NaN with fewer than 5 such samples.

    The kernel-density mode of :func:`ground_velocity` sees every foot sample, and on a
    treadmill the transitions on and off the belt and the spread of planted velocities
    (the foot rolls, the camera is low) pull it towards the swing (measured: 25% below the
    belt speed on a 60 fps treadmill clip). In mid-contact a planted foot moves with the
    ground.
    """
    v = [np.zeros(0)]
    for side, side_runs in runs.items():
        for point in FOOT_POINTS:
            vx = _gradient(xy[:, _col(names, side, point), 0], t_s)
            v += [vx[start + (stop - start) // 4:stop - (stop - start) // 4]
                  for start, stop in side_runs if stop - start >= 4]
    v = np.concatenate(v)
    v = v[np.isfinite(v)]
    return float(np.median(v)) if len(v) >= 5 else float("nan")


def foot_speed(
    xy: np.ndarray, t_s: np.ndarray, names: tuple[str, ...], side: str, ground_vx: float,
) -> np.ndarray:
    """Speed of the foot relative to the ground: the smaller of heel and toe, shape (n,).

    Parameters
    ----------
    xy : ndarray, shape (n, n_joints, 2)
        Body-frame positions, pixels (smoothed: speeds of raw landmarks are mostly noise).
    t_s : ndarray, shape (n,)
    ground_vx : float
        Ground velocity along x, pixels per second.

    Returns
    -------
    ndarray, shape (n,), pixels per second.
    """
    speeds = []
    for point in FOOT_POINTS:
        p = xy[:, _col(names, side, point)]
        speeds.append(np.hypot(_gradient(p[:, 0], t_s) - ground_vx, _gradient(p[:, 1], t_s)))
    return np.fmin(*speeds)


def foot_height(
    xy: np.ndarray, names: tuple[str, ...], side: str, ground: tuple[float, float],
    planted: np.ndarray | None = None,
) -> np.ndarray:
    """Height of a foot above the ground line, pixels, shape (n,).

    Heel and toe are each measured from their own planted level: the median of their height
    over the ``planted`` samples (default: their 10th percentile over all samples), because a
    pose model's heel and toe landmarks sit at different heights on a flat foot. The foot's
    height is the lower of the two.
    """
    a, b = ground
    heights = []
    for joint in FOOT_POINTS:
        p = xy[:, _col(names, side, joint)]
        above = p[:, 1] - (a + b * p[:, 0])
        ok = np.isfinite(above) if planted is None else (planted & np.isfinite(above))
        if ok.sum() >= 3:
            level = np.median(above[ok]) if planted is not None else np.percentile(above[ok], 10)
            above = above - level
        heights.append(above)
    return np.fmin(*heights)


def planted_logodds(
    speed_rel: np.ndarray, height_leg: np.ndarray, *, speed_planted: float = 0.3,
    height_planted: float = 0.08, n_sigma: float = 3.0, cap: float = 4.0,
) -> np.ndarray:
    """Log-odds that a foot is planted, per sample, from its speed and height.

    The samples where both cues say "planted" by fixed, generous thresholds (speed below
    ``speed_planted`` running speeds, height below ``height_planted`` legs) give, for each
    cue, its planted median ``m`` and robust spread ``s`` (1.4826 MAD, floored at 0.04 running
    speeds and 0.01 legs). Each cue then scores ``(m + n_sigma s - value) / s``, clipped to
    ``+/- cap``: positive while the value is within ``n_sigma`` spreads of a planted foot.
    The log-odds is the sum of the two scores; a missing cue scores 0.

    Parameters
    ----------
    speed_rel : ndarray, shape (n,)
        Ground-relative foot speed / running speed (dimensionless).
    height_leg : ndarray, shape (n,)
        Foot height above the ground, leg lengths.

    Returns
    -------
    ndarray, shape (n,), in ``[-2 cap, 2 cap]``.
    """
    seed = (speed_rel < speed_planted) & (height_leg < height_planted)
    total = np.zeros(len(speed_rel))
    for value, floor in ((speed_rel, 0.04), (height_leg, 0.01)):
        ok = seed & np.isfinite(value)
        if ok.sum() < 5:
            continue
        m = float(np.median(value[ok]))
        s = max(1.4826 * float(np.median(np.abs(value[ok] - m))), floor)
        with np.errstate(invalid="ignore"):
            z = np.clip((m + n_sigma * s - value) / s, -cap, cap)
        total += np.where(np.isfinite(z), z, 0.0)
    return total


# -- structure ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Segment:
    """One phase of :func:`segment_gait`: samples ``start`` to ``stop - 1``."""

    phase: int
    start: int
    stop: int

    @property
    def name(self) -> str:
        return PHASES[self.phase]


def _log_sigmoid(z: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -z)


def segment_gait(
    lo_left: np.ndarray, lo_right: np.ndarray, dt_s: float, *,
    min_contact_s: float = 0.04, max_contact_s: float = 0.6, max_flight_s: float = 0.6,
    min_swing_s: float = 0.15, double_penalty: float = 4.0, skip_penalty: float = 6.0,
) -> list[Segment]:
    """Decode the running cycle from the two feet's planted log-odds (segmental Viterbi).

    The phases (:data:`PHASES`) follow ``left stance -> flight -> right stance -> flight ->
    left stance``; a stance lasts ``min_contact_s`` to ``max_contact_s``, a flight one sample
    to ``max_flight_s``. *Double support* (both planted) may replace a flight at a cost of
    ``double_penalty`` per entry and exit; a *lone swing* (a foot's whole swing, at least
    ``min_swing_s``, with no contact of the other foot) costs ``skip_penalty``. Each sample
    costs the negative log-probability of its phase, the feet taken as independent given
    their log-odds. The first and last segments may be cut short by the clip.

    Parameters
    ----------
    lo_left, lo_right : ndarray, shape (n,)
        Planted log-odds of each foot (:func:`planted_logodds`; 0 = no information).
    dt_s : float
        Sample interval, seconds (durations are converted with it).

    Returns
    -------
    list of Segment, covering ``0..n`` in order.
    """
    n = len(lo_left)
    if n == 0:
        return []
    pl, ql = _log_sigmoid(lo_left), _log_sigmoid(-lo_left)
    pr, qr = _log_sigmoid(lo_right), _log_sigmoid(-lo_right)
    air = -(ql + qr)
    cost = np.stack([-(pl + qr), air, -(ql + pr), air, -(pl + pr), air, air])
    cum = np.concatenate([np.zeros((len(PHASES), 1)), np.cumsum(cost, axis=1)], axis=1)
    c_min = max(1, int(round(min_contact_s / dt_s)))
    c_max = max(c_min, int(round(max_contact_s / dt_s)))
    f_max = max(1, int(round(max_flight_s / dt_s)))
    s_min = max(2, int(round(min_swing_s / dt_s)))
    d_min = (c_min, 1, c_min, 1, 1, s_min, s_min)
    d_max = (c_max, f_max, c_max, f_max, n, n, n)
    preds: tuple[tuple[tuple[int, float], ...], ...] = (
        ((_FLIGHT_R, 0.0), (_DOUBLE, double_penalty), (_SKIP_L, skip_penalty)),
        ((_LEFT, 0.0),),
        ((_FLIGHT_L, 0.0), (_DOUBLE, double_penalty), (_SKIP_R, skip_penalty)),
        ((_RIGHT, 0.0),),
        ((_LEFT, double_penalty), (_RIGHT, double_penalty)),
        ((_LEFT, 0.0),),
        ((_RIGHT, 0.0),),
    )
    best = np.full((n + 1, len(PHASES)), np.inf)   # best[e, k]: cost of 0..e-1 ending in k
    start = np.zeros((n + 1, len(PHASES)), dtype=np.int64)
    prev = np.full((n + 1, len(PHASES)), -1, dtype=np.int64)
    for e in range(1, n + 1):
        for k in range(len(PHASES)):
            starts = np.arange(max(0, e - d_max[k]), e)
            seg = cum[k, e] - cum[k, starts]
            # The segment at the end of the clip may be shorter than its minimum.
            long_enough = (e - starts >= d_min[k]) | (e == n)
            via = np.full(len(starts), np.inf)
            via_k = np.full(len(starts), -1, dtype=np.int64)
            for pk, penalty in preds[k]:
                c = best[starts, pk] + penalty
                better = c < via
                via[better], via_k[better] = c[better], pk
            total = np.where(long_enough & (starts > 0), via + seg, np.inf)
            # The first segment starts with the clip: any phase, any length.
            total = np.where(starts == 0, seg, total)
            j = int(np.argmin(total))
            best[e, k], start[e, k] = total[j], starts[j]
            prev[e, k] = -1 if starts[j] == 0 else via_k[j]
    segments = []
    e, k = n, int(np.argmin(best[n]))
    while e > 0:
        s = int(start[e, k])
        segments.append(Segment(k, s, e))
        e, k = s, int(prev[e, k])
    return segments[::-1]


def planted_runs(segments: list[Segment]) -> dict[str, list[tuple[int, int]]]:
    """Per foot, the ``(start, stop)`` sample runs in which it is planted (stance or double
    support), merged where they touch."""
    runs: dict[str, list[tuple[int, int]]] = {side: [] for side in SIDES}
    for seg in segments:
        for side, phases in (("left", (_LEFT, _DOUBLE)), ("right", (_RIGHT, _DOUBLE))):
            if seg.phase in phases:
                if runs[side] and runs[side][-1][1] == seg.start:
                    runs[side][-1] = (runs[side][-1][0], seg.stop)
                else:
                    runs[side].append((seg.start, seg.stop))
    return runs


# -- leg identity -------------------------------------------------------------------------------
def _spot(xy: np.ndarray, names: tuple[str, ...], side: str, run: tuple[int, int],
          shift: np.ndarray) -> np.ndarray:
    """Median ground-frame toe position over a planted run (NaN if never seen), shape (2,)."""
    toe = xy[run[0]:run[1], _col(names, side, "foot_index")] - shift[run[0]:run[1]]
    if not np.isfinite(toe).any():
        return np.full(2, np.nan)
    return np.nanmedian(toe, axis=0)


def _relabelled_runs(
    xy: np.ndarray, names: tuple[str, ...], runs: dict[str, list[tuple[int, int]]],
    shift: np.ndarray, leg_px: float, max_gap: int, same_spot_leg: float,
) -> tuple[np.ndarray, dict[str, list[tuple[int, int]]]]:
    """Runs of opposite feet on the same spot and close in time are one contact whose labels
    jumped to the other foot: the shorter run's samples are the mislabelled ones. Returns the
    samples to swap (all foot landmarks) and the runs with each such pair merged."""
    n = xy.shape[0]
    swap = np.zeros(n, dtype=bool)
    tagged = [(s, e, side) for side, rr in runs.items() for s, e in rr]
    spots = {(s, e, side): _spot(xy, names, side, (s, e), shift) for s, e, side in tagged}
    merged = {side: list(rr) for side, rr in runs.items()}
    for a in tagged:
        for b in tagged:
            if a[2] != "left" or b[2] != "right":
                continue
            gap = max(a[0], b[0]) - min(a[1], b[1])
            dist = np.linalg.norm(spots[a] - spots[b]) / leg_px
            if gap > max_gap or not dist < same_spot_leg:
                continue
            major, minor = (a, b) if a[1] - a[0] >= b[1] - b[0] else (b, a)
            swap[minor[0]:minor[1]] = True
            if (minor[0], minor[1]) in merged[minor[2]]:
                merged[minor[2]].remove((minor[0], minor[1]))
            merged[major[2]].append((min(a[0], b[0]), max(a[1], b[1])))
    return swap, {side: _union(rr) for side, rr in merged.items()}


def _union(runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted runs with overlapping or touching ones joined."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(runs):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(e, out[-1][1]))
        else:
            out.append((s, e))
    return out


def _out_of_turn_runs(runs: dict[str, list[tuple[int, int]]], max_step_fraction: float) -> np.ndarray | None:
    """Contacts that land a *step* (not a stride) after the same foot's previous contact,
    with no contact of the other foot between: the other foot's contact under the wrong label.
    Returns (start, stop) rows of such runs, or None."""
    tagged = sorted((s, e, side) for side, rr in runs.items() for s, e in rr)
    same = [b[0] - a[0] for a, b in zip(tagged, tagged[1:]) if a[2] == b[2]]
    other = [b[0] - a[0] for a, b in zip(tagged, tagged[1:]) if a[2] != b[2]]
    if len(other) < 2:
        return None
    step = float(np.median(other))
    bad = [(b[0], b[1]) for a, b in zip(tagged, tagged[1:])
           if a[2] == b[2] and b[0] - a[0] < max_step_fraction * 2.0 * step]
    return np.array(bad, dtype=np.int64) if bad and same else None


def _ground_shift(ground_vx: float, t_s: np.ndarray) -> np.ndarray:
    """How far the ground has moved in the image since the first sample, (n, 2) pixels:
    subtracted, it turns image positions into ground coordinates."""
    return np.column_stack([ground_vx * (t_s - t_s[0]), np.zeros(len(t_s))])


def _typical_run(runs: dict[str, list[tuple[int, int]]]) -> int:
    """Median length of the planted runs, samples (0 without runs)."""
    lengths = [e - s for side_runs in runs.values() for s, e in side_runs]
    return int(np.median(lengths)) if lengths else 0


def stance_foot_swaps(
    xy: np.ndarray, names: tuple[str, ...], runs: dict[str, list[tuple[int, int]]],
    ground_vx: float, t_s: np.ndarray, leg_px: float, *, min_error_leg: float = 0.15,
    ratio: float = 0.5, same_spot_leg: float = 0.25,
) -> np.ndarray:
    """Foot landmarks labelled with the wrong foot, shape (n, len(FOOT_JOINTS)) bool.

    During a contact the planted foot's ankle, heel and toe stay where they landed (moving
    only with the ground), the other foot lands a step away, and the feet take turns. Three
    checks follow:

    1. Planted runs of the two feet on the same spot (toes within ``same_spot_leg`` legs) and
       adjacent in time are one contact whose labels jumped to the other side for a while:
       the shorter run's foot landmarks are exchanged. So are those of a contact that comes
       less than 0.75 stride after the same foot's previous one with no contact of the other
       foot between: it is the other foot's contact under the wrong label.
    2. Within each contact (and half a typical contact beyond its decoded edges, where a
       contact cut short by swapped samples continues), each landmark's spot is the median of
       its ground-frame positions; a landmark more than ``min_error_leg`` legs from its spot,
       while the other foot's same landmark is closer than ``ratio`` times that, is exchanged.
       Landmarks are judged one by one: the pose model can exchange the heels without the toes.

    Parameters
    ----------
    xy : ndarray, shape (n, n_joints, 2)
        Body-frame positions, pixels.
    runs : dict of str to list of (start, stop)
        Planted runs per foot (:func:`planted_runs`).
    ground_vx : float
        Ground velocity, pixels per second.
    t_s : ndarray, shape (n,)
    leg_px : float
    """
    n = xy.shape[0]
    shift, typical = _ground_shift(ground_vx, t_s), _typical_run(runs)
    whole, runs = _relabelled_runs(xy, names, runs, shift, leg_px, max(typical // 2, 1), same_spot_leg)
    out_of_turn = _out_of_turn_runs(runs, 0.75)
    if out_of_turn is not None:
        for s, e in out_of_turn:
            whole[s:e] = ~whole[s:e]
    swaps = np.repeat(whole[:, None], len(FOOT_JOINTS), axis=1)
    fixed = swap_feet(xy, names, swaps)
    flips = np.zeros_like(swaps)
    reach = typical // 2
    for side, side_runs in runs.items():
        for j, joint in enumerate(FOOT_JOINTS):
            own = fixed[:, _col(names, side, joint)] - shift
            other = fixed[:, _col(names, other_side(side), joint)] - shift
            for s, e in side_runs:
                if e - s < 3 or not np.isfinite(own[s:e]).any():
                    continue
                spot = np.nanmedian(own[s:e], axis=0)
                lo, hi = max(0, s - reach), min(n, e + reach)
                d_own = np.linalg.norm(own[lo:hi] - spot, axis=1) / leg_px
                d_other = np.linalg.norm(other[lo:hi] - spot, axis=1) / leg_px
                with np.errstate(invalid="ignore"):
                    flips[lo:hi, j] |= (d_own > min_error_leg) & (d_other < ratio * d_own)
    return swaps ^ flips


def _runs_of(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of True in a 1-D bool array."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def stance_excursions(
    xy: np.ndarray, names: tuple[str, ...], runs: dict[str, list[tuple[int, int]]],
    ground_vx: float, t_s: np.ndarray, leg_px: float, *, min_error_leg: float = 0.15,
    near_leg: float = 0.075, min_samples: int = 5,
) -> np.ndarray:
    """Samples where the pose model lost a planted foot, shape (n, len(SIDES),
    len(FOOT_JOINTS)) bool (all of that foot's landmarks marked).

    The toe of a planted foot stays where it landed until it leaves for good (the heel does
    not: it settles after a fore-foot strike and rises before toe-off), so a toe more than
    ``min_error_leg`` legs from its contact's spot between two samples within ``near_leg`` of
    it is the pose model losing the foot (typically while the swing foot passes it), not the
    foot moving; those samples are to be hidden. The first of the two must be in the decoded
    contact, which must span at least ``min_samples``. The toe is followed in ground
    coordinates over the contact and beyond its decoded edges (to half a typical contact, and
    to 1.5 typical contacts from the other edge), where a contact cut short by such samples
    continues.

    Parameters
    ----------
    xy : ndarray, shape (n, n_joints, 2)
        Unfiltered body-frame positions, pixels.
    runs : dict of str to list of (start, stop)
        Planted runs per foot (:func:`planted_runs`).
    ground_vx : float
        Ground velocity, pixels per second.
    t_s : ndarray, shape (n,)
    leg_px : float
    """
    n = xy.shape[0]
    shift, typical = _ground_shift(ground_vx, t_s), _typical_run(runs)
    reach, span = typical // 2, (3 * typical) // 2
    out = np.zeros((n, len(SIDES), len(FOOT_JOINTS)), dtype=bool)
    for k, side in enumerate(SIDES):
        toe = xy[:, _col(names, side, "foot_index")] - shift
        for s, e in runs.get(side, []):
            if e - s < min_samples or not np.isfinite(toe[s:e]).any():
                continue  # a contact of a few frames has no stretch to lose
            spot = np.nanmedian(toe[s:e], axis=0)
            # A contact cut short by the lost samples may continue up to a long contact from
            # either decoded edge; the same foot's other contacts are a stride away.
            lo, hi = max(0, min(s - reach, e - span)), min(n, max(e + reach, s + span))
            d = np.linalg.norm(toe[lo:hi] - spot, axis=1) / leg_px
            # Before the decoded touchdown the swing foot may pass over the spot: the lost
            # stretch must begin after a planted sample of this contact.
            near = np.flatnonzero(d < near_leg)
            near = near[near >= s - lo]
            with np.errstate(invalid="ignore"):
                far = d > min_error_leg
            for a, b in _runs_of(far):
                if near.size and near[0] < a and near[-1] >= b:
                    out[lo + a:lo + b, k, :] = True
    return out


# -- edge timing --------------------------------------------------------------------------------
def _breakpoint_design(
    t_s: np.ndarray, grid: np.ndarray, outward: int, powers: tuple[int, ...], inner_drift: bool,
    inner_turn: np.ndarray | None,
) -> np.ndarray:
    """Designs of :func:`breakpoint_fit`'s model for every candidate breakpoint in ``grid``,
    shape (len(grid), len(t_s), n_par): constant, departure powers, inner drift, inner turn."""
    lag = (t_s[None, :] - grid[:, None]) * outward
    d = np.clip(lag, 0.0, None)
    columns = [np.ones_like(d)] + [d ** k for k in powers]
    if inner_drift:
        columns.append(np.clip(-lag, 0.0, None))
    if inner_turn is not None:
        turn = np.asarray(inner_turn, float)
        at_t0 = np.interp(grid, t_s, turn)
        columns.append(np.where(lag < 0, turn[None, :] - at_t0[:, None], 0.0))
    return np.stack(columns, axis=-1)


def departure_speed(t_s: np.ndarray, points: np.ndarray, t0: float, outward: int) -> float:
    """Speed of the straight departure of :func:`breakpoint_fit`'s model (``powers=(1,)``)
    with the breakpoint fixed at ``t0``: how fast the point moves just outside the edge, in
    ``points``' unit per second (NaN with fewer than two samples on either side).

    Parameters
    ----------
    t_s : ndarray, shape (m,)
    points : ndarray, shape (m, k)
        NaN-free positions.
    t0 : float
        Breakpoint, seconds.
    outward : {-1, +1}
    """
    side = np.sign(outward * (np.asarray(t_s, float) - t0))
    if np.count_nonzero(side > 0) < 2 or np.count_nonzero(side <= 0) < 2:
        return float("nan")
    design = _breakpoint_design(np.asarray(t_s, float), np.array([t0]), outward, (1,), False, None)[0]
    coef, *_ = np.linalg.lstsq(design, np.asarray(points, float), rcond=None)
    return float(np.linalg.norm(coef[1]))


def breakpoint_fit(
    t_s: np.ndarray, points: np.ndarray, t_lo: float, t_hi: float, outward: int, n_grid: int = 41,
    powers: tuple[int, ...] = (1, 2), inner_drift: bool = False, robust: bool = False,
    inner_turn: np.ndarray | None = None,
) -> tuple[float, float]:
    """Least-squares breakpoint between a still and a moving stretch of a trajectory.

    Model, for a candidate breakpoint ``t0``: the point is constant on the inner side of
    ``t0`` and moves as ``c + sum_k u_k d^k`` (``k`` in ``powers``) on the outer side, with
    ``d = outward (t - t0)`` (``outward = -1``: moving before ``t0``, a touchdown; ``+1``:
    moving after, a toe-off). With ``inner_drift`` the inner side may also drift linearly,
    ``c - v d_in`` (``d_in`` the distance in time to ``t0`` on the inner side): the breakpoint
    is then where the motion changes, not where it starts. With ``inner_turn`` (an angle
    sampled with the points) the inner side may also move in proportion to that angle's
    change since ``t0``, ``a (turn - turn(t0))``: a landmark off the pivot of a turning foot.
    The model is linear in ``c, u, v, a`` given ``t0``; ``t0`` is searched on ``n_grid``
    points of ``[t_lo, t_hi]``.

    Parameters
    ----------
    t_s : ndarray, shape (m,)
    points : ndarray, shape (m, k)
        Positions (any unit), NaN-free.
    t_lo, t_hi : float
        Search interval, seconds.
    outward : {-1, +1}
    powers : tuple of int
        Powers of the departure polynomial.
    inner_drift : bool
        Let the inner (planted) side drift linearly.
    inner_turn : ndarray, shape (m,), optional
        Angle (radians) whose change moves the point on the inner side.
    robust : bool
        Down-weight outlying samples (Huber weights, :data:`ROBUST_PASSES` reweighted passes):
        a one-frame landmark jump then moves the edge less.

    Returns
    -------
    t0 : float
        NaN when there are too few samples to fit.
    halfwidth : float
        Half-width (s) of the set of breakpoints whose residual is within the 95% likelihood
        bound of the best one (sum of squares at most ``(1 + 4 / dof)`` times the minimum):
        how sharply the data fix the edge.
    """
    n_par = 2 + len(powers) + int(inner_drift) + int(inner_turn is not None)
    if len(t_s) < n_par + 2:
        return float("nan"), float("inf")
    grid = np.linspace(t_lo, t_hi, n_grid)
    design = _breakpoint_design(t_s, grid, outward, powers, inner_drift, inner_turn)
    w = np.ones(design.shape[:2])
    # All candidate breakpoints at once, least squares by the normal equations (lightly
    # regularised: a candidate with no sample on its moving side has an all-zero column).
    for _ in range(1 + (ROBUST_PASSES if robust else 0)):
        wd = design * w[..., None]
        gram = np.einsum("gmp,gmq->gpq", wd, design) + 1e-12 * np.eye(design.shape[-1])
        coef = np.linalg.solve(gram, np.einsum("gmp,mk->gpk", wd, points))
        resid = points[None] - np.einsum("gmp,gpk->gmk", design, coef)
        r = np.linalg.norm(resid, axis=2)
        # Huber weights about each candidate's own robust residual scale
        scale = np.maximum(1.4826 * np.median(r, axis=1, keepdims=True), 1e-9)
        w = np.minimum(1.0, HUBER_K * scale / np.maximum(r, 1e-12)) if robust else w
    sse = np.sum(w * r * r, axis=1)
    best = int(np.argmin(sse))
    dof = max(points.size - n_par * points.shape[1] - 1, 1)
    inside = grid[sse <= sse[best] * (1.0 + 4.0 / dof) + 1e-12]
    return float(grid[best]), float(max(inside.max() - grid[best], grid[best] - inside.min()))


def _edge_window(
    t_s: np.ndarray, edge: int, outward: int, limit: int, search_in_s: float, search_out_s: float,
    window_s: float,
) -> tuple[np.ndarray, float, float, int]:
    """Samples fitted around one contact edge and the breakpoint's search range (see
    :func:`edge_time`): ``(samples, t_lo, t_hi, n_grid)``."""
    n = len(t_s)
    dt = float(np.median(np.diff(t_s)))
    search_in = min(max(1.5, search_in_s / dt), abs(limit - edge) / 2)
    search_out = max(1.5, search_out_s / dt)
    window = max(3, int(round(window_s / dt)))
    reach_in = int(min(np.ceil(search_in) + window, abs(limit - edge)))
    reach_out = int(np.ceil(search_out) + window)
    lo = max(0, min(edge - outward * reach_in, edge + outward * reach_out))
    hi = min(n - 1, max(edge - outward * reach_in, edge + outward * reach_out))
    # Inward, the breakpoint may not pass the middle of the contact.
    samples = np.arange(n)
    t_in = float(np.interp(edge - outward * search_in, samples, t_s))
    t_out = float(np.interp(edge + outward * search_out, samples, t_s))
    t_lo, t_hi = sorted((t_in, t_out))
    return np.arange(lo, hi + 1), t_lo, t_hi, int(20 * (search_in + search_out)) + 1


def _ground_points(xy: np.ndarray, t_s: np.ndarray, names: tuple[str, ...], side: str, point: str,
                   idx: np.ndarray, edge: int, ground_vx: float) -> np.ndarray:
    """One foot landmark at samples ``idx`` in ground coordinates (the ground's motion since
    sample ``edge`` taken out), shape (len(idx), 2)."""
    p = xy[idx, _col(names, side, point)].copy()
    p[:, 0] -= ground_vx * (t_s[idx] - t_s[edge])
    return p


def landing_speed(
    xy: np.ndarray, t_s: np.ndarray, names: tuple[str, ...], side: str, edge: int, ground_vx: float,
    *, limit: int,
) -> float:
    """How fast the heel still moves, relative to the ground, in the samples just before it
    stops at a touchdown: the departure speed (:func:`departure_speed`) of a straight-approach
    breakpoint fit on :func:`edge_time`'s samples, pixels per second; NaN where the heel is not
    seen on both sides of the edge. Arguments as :func:`edge_time`."""
    idx, t_lo, t_hi, n_grid = _edge_window(t_s, edge, -1, limit, EDGE_SEARCH_IN_S, EDGE_SEARCH_OUT_S,
                                           EDGE_WINDOW_S)
    p = _ground_points(xy, t_s, names, side, "heel", idx, edge, ground_vx)
    ok = np.all(np.isfinite(p), axis=1)
    if np.count_nonzero(ok & (idx >= edge)) < 3 or np.count_nonzero(ok & (idx < edge)) < 3:
        return float("nan")
    t0, _ = breakpoint_fit(t_s[idx][ok], p[ok], t_lo, t_hi, -1, n_grid=n_grid, powers=(1,), robust=True)
    return departure_speed(t_s[idx][ok], p[ok], t0, -1) if np.isfinite(t0) else float("nan")


def edge_time(
    xy: np.ndarray, t_s: np.ndarray, names: tuple[str, ...], side: str, edge: int, outward: int,
    ground_vx: float, *, limit: int, search_in_s: float = EDGE_SEARCH_IN_S,
    search_out_s: float = EDGE_SEARCH_OUT_S, window_s: float = EDGE_WINDOW_S,
    straight_approach: bool = False,
) -> tuple[float, float]:
    """Sub-frame time of one contact edge from the unfiltered heel and toe (see module doc).

    Parameters
    ----------
    xy : ndarray, shape (n, n_joints, 2)
        Unfiltered body-frame positions, pixels.
    edge : int
        The planted sample at this edge (first sample of the contact for a touchdown, last for
        a toe-off).
    outward : {-1, +1}
        -1 for a touchdown (the swing is before), +1 for a toe-off.
    ground_vx : float
        Ground velocity, pixels per second.
    limit : int
        Sample beyond which the planted side must not reach (the contact's other edge).
    search_in_s, search_out_s, window_s : float
        The breakpoint is searched from ``search_in_s`` inside the contact to ``search_out_s``
        outside it (at least 1.5 samples each; the decoded edge tends to fall early at
        toe-off, where the landmarks start to move before the foot leaves), and fitted on
        ``window_s`` (at least 3 samples) more on each side.
    straight_approach : bool
        Touchdowns: the foot arrives in a straight line (constant velocity) instead of
        linear + quadratic, for feet that are stopped by the impact rather than easing onto the
        ground (:data:`ABRUPT_LANDING_SPEED`).

    Returns
    -------
    t : float
        Edge time, seconds (NaN when the samples around the edge are missing).
    halfwidth : float
        Uncertainty of the chosen landmark's breakpoint, seconds (:func:`breakpoint_fit`).
    """
    dt = float(np.median(np.diff(t_s)))
    idx, t_lo, t_hi, n_grid = _edge_window(t_s, edge, outward, limit, search_in_s, search_out_s, window_s)
    powers = (1,) if straight_approach and outward < 0 else (1, 2)
    results = []
    turn = _foot_turn(xy[idx], names, side) if outward > 0 else None
    for point in FOOT_POINTS:
        p = _ground_points(xy, t_s, names, side, point, idx, edge, ground_vx)
        ok = np.all(np.isfinite(p), axis=1)
        side_of = np.sign(outward * (idx - edge))
        n_inner = np.count_nonzero(ok & (side_of <= 0))
        if n_inner < 3 or np.count_nonzero(ok & (side_of > 0)) < 3:
            continue  # the planted or the swing side of this edge is not seen
        # Before toe-off the toe landmark sits off the pivot of the turning foot and moves
        # with it; enough planted samples are needed to tell that from leaving.
        turning = (turn is not None and point == "foot_index" and n_inner >= MIN_TURN_SAMPLES
                   and dt <= 1.0 / MIN_TURN_RATE_HZ)
        def fit(**model: Any) -> tuple[float, float]:
            return breakpoint_fit(t_s[idx][ok], p[ok], t_lo, t_hi, outward, powers=powers,
                                  n_grid=n_grid, **model)

        t0, halfwidth = fit(inner_drift=outward > 0, robust=outward < 0,
                            inner_turn=turn[ok] if turning else None)
        if np.isfinite(t0) and turning:
            # Where the fit without the turn puts the edge elsewhere, the data cannot tell the
            # turn from leaving: that disagreement is part of the edge's uncertainty (on the
            # synthetic set, toe-offs whose two fits differ by 2+ frames are 3 frames off, median).
            plain, _ = fit(inner_drift=True)
            if np.isfinite(plain):
                halfwidth = max(halfwidth, abs(t0 - plain))
                # The turn term stands for a landmark that leads the tip by a little; an edge
                # it puts several samples beyond the plain fit's is early swing taken for
                # turning (on the synthetic set such toe-offs were 15-33 ms late).
                t0 = min(t0, plain + MAX_TURN_LAG_SAMPLES * dt)
        if np.isfinite(t0):
            results.append((t0, halfwidth))
    if not results:
        return float("nan"), float("inf")
    # Touchdown: first landmark to stop; toe-off: last to leave.
    pick = min(results) if outward < 0 else max(results)
    return pick


def _foot_turn(xy: np.ndarray, names: tuple[str, ...], side: str) -> np.ndarray | None:
    """Heel-to-toe direction (radians, unwrapped, 3-sample running mean) over the rows of
    ``xy``; gaps interpolated; None if fewer than 4 rows show both landmarks."""
    v = xy[:, _col(names, side, "foot_index")] - xy[:, _col(names, side, "heel")]
    ok = np.all(np.isfinite(v), axis=1)
    if ok.sum() < 4:
        return None
    rows = np.arange(len(v))
    angle = np.interp(rows, rows[ok], np.unwrap(np.arctan2(v[ok, 1], v[ok, 0])))
    return np.convolve(np.pad(angle, 1, mode="edge"), np.ones(3) / 3, mode="valid")


# -- detection ----------------------------------------------------------------------------------
@dataclass
class _Cues:
    speed_rel: dict[str, np.ndarray]
    height_leg: dict[str, np.ndarray]
    logodds: dict[str, np.ndarray]
    ground: tuple[float, float]
    ground_vx: float
    run_speed: float


def _cues(xy: np.ndarray, t_s: np.ndarray, names: tuple[str, ...], leg_px: float,
          camera_still: bool, speed_planted: float, ground_vx: float | None = None) -> _Cues:
    hip_x = (xy[:, _col(names, "left", "hip"), 0] + xy[:, _col(names, "right", "hip"), 0]) / 2
    hip_vx = float(np.nanmedian(_gradient(hip_x, t_s)))
    # ground_vx given: refined from the contacts found (see detect_contacts)
    if ground_vx is None and camera_still and abs(hip_vx) > 2.0 * leg_px:
        # The runner crosses the image of a still camera: the ground is still.
        ground_vx = 0.0
    elif ground_vx is None:
        vx = [_gradient(xy[:, _col(names, s, p), 0], t_s) for s in SIDES for p in FOOT_POINTS]
        ground_vx = ground_velocity(np.concatenate(vx), bandwidth=max(abs(hip_vx), leg_px) * 0.1)
    run_speed = max(abs(hip_vx - ground_vx), 0.5 * leg_px)
    speed = {s: foot_speed(xy, t_s, names, s, ground_vx) / run_speed for s in SIDES}
    xs, ys = [], []
    for s in SIDES:
        fx, fy = foot_points(xy, names, s)
        slow = speed[s] < speed_planted
        xs.append(fx[slow])
        ys.append(fy[slow])
    try:
        ground = fit_ground_line(np.concatenate(xs), np.concatenate(ys), leg_px)
    except ValueError:
        ground = fit_ground_line(*(np.concatenate(v) for v in zip(*(foot_points(xy, names, s) for s in SIDES))),
                                 leg_px)
    height = {s: foot_height(xy, names, s, ground, speed[s] < speed_planted) / leg_px for s in SIDES}
    logodds = {s: planted_logodds(speed[s], height[s], speed_planted=speed_planted) for s in SIDES}
    return _Cues(speed, height, logodds, ground, ground_vx, run_speed / leg_px)


def swap_feet(xy: np.ndarray, names: tuple[str, ...], swaps: np.ndarray) -> np.ndarray:
    """Copy of ``xy`` (shape (n, n_joints, ...)) with the left/right foot landmarks exchanged
    where ``swaps`` (shape (n, len(FOOT_JOINTS)), from :func:`stance_foot_swaps`) is True."""
    out = np.array(xy, copy=True)
    for j, (left, right) in enumerate(foot_pairs(names)):
        rows = swaps[:, j]
        out[rows, left], out[rows, right] = xy[rows, right], xy[rows, left]
    return out


def _hide(xy: np.ndarray, names: tuple[str, ...], samples: np.ndarray) -> np.ndarray:
    """Copy of ``xy`` with the foot landmarks marked in ``samples`` (shape (n, len(SIDES),
    len(FOOT_JOINTS))) set to NaN."""
    out = np.array(xy, copy=True)
    for k, side in enumerate(SIDES):
        for j, joint in enumerate(FOOT_JOINTS):
            out[samples[:, k, j], _col(names, side, joint)] = np.nan
    return out


def _bridge(xy: np.ndarray, names: tuple[str, ...], samples: np.ndarray, t_s: np.ndarray) -> np.ndarray:
    """Copy of ``xy`` with the foot landmarks marked in ``samples`` (shape (n, len(SIDES),
    len(FOOT_JOINTS))) interpolated in time from the unmarked samples around them."""
    out = np.array(xy, copy=True)
    for k, side in enumerate(SIDES):
        for j, joint in enumerate(FOOT_JOINTS):
            rows = samples[:, k, j]
            if not rows.any():
                continue
            col = _col(names, side, joint)
            for dim in range(out.shape[-1]):
                v = out[:, col, dim]
                good = np.isfinite(v) & ~rows
                if good.sum() >= 2:
                    v[rows] = np.interp(t_s[rows], t_s[good], v[good])
    return out


def _timed_contact(
    side: str, start: int, stop: int, raw: np.ndarray, t_s: np.ndarray, names: tuple[str, ...],
    cues: _Cues, leg_px: float, shown: np.ndarray | None = None, straight_approach: bool = False,
) -> Contact:
    """Contact of samples ``start..stop-1`` with its edges timed (NaN at the clip's ends).
    ``shown``: the positions before lost samples were hidden (default ``raw``), which say
    whether the foot was in view next to an edge; ``straight_approach``: see :func:`edge_time`."""
    n = len(t_s)
    last = stop - 1
    evidence = float(np.mean(1.0 / (1.0 + np.exp(-cues.logodds[side][start:stop]))))
    gvx = cues.ground_vx
    cols = [_col(names, side, p) for p in FOOT_POINTS]

    shown = raw if shown is None else shown

    def seen(i: int) -> bool:
        # An edge needs the foot in view on both sides of it: next to the clip's ends or to
        # frames without the foot, the contact may have begun (or ended) unseen.
        return 0 <= i < n and bool(np.isfinite(shown[i, cols]).all())

    td_seen = all(map(seen, range(start - 2, start + 1)))
    to_seen = all(map(seen, range(last, last + 3)))
    td, td_hw = (edge_time(raw, t_s, names, side, start, -1, gvx, limit=last, straight_approach=straight_approach)
                 if td_seen else (float("nan"), np.inf))
    to, to_hw = edge_time(raw, t_s, names, side, last, +1, gvx, limit=start,
                            window_s=TOE_OFF_WINDOW_S) if to_seen else (float("nan"), np.inf)
    # A contact of two or three samples leaves too few for the fits, or makes them overlap:
    # then the edges are the frame boundaries of the decoded contact, with a low confidence.
    fallback = td_seen and to_seen and not (np.isfinite(td) and np.isfinite(to) and to > td)
    if fallback:
        td, to = (t_s[start - 1] + t_s[start]) / 2, (t_s[last] + t_s[stop]) / 2
    dt = float(np.median(np.diff(t_s)))

    def confidence(halfwidth: float) -> float:
        # Evidence that the foot is planted, times how sharply the fit fixes the edge
        # (1 for an edge pinned to a fraction of a frame, 0.37 at a one-frame uncertainty).
        sharp = float(np.exp(-halfwidth / dt)) if np.isfinite(halfwidth) else 0.0
        return round(evidence * (0.3 if fallback else sharp), 3)

    def nearest(t: float, default: int) -> int:
        return int(np.argmin(np.abs(t_s - t))) if np.isfinite(t) else default

    return Contact(side, td, to, nearest(td, start), nearest(to, last), confidence(td_hw), confidence(to_hw))


def detect_contacts(
    xy: np.ndarray,
    t_s: np.ndarray,
    names: tuple[str, ...],
    *,
    xy_raw: np.ndarray | None = None,
    camera_still: bool = True,
    min_contact_s: float = 0.04,
    max_contact_s: float = 0.6,
    speed_planted: float = 0.3,
    min_evidence: float = 0.5,
    correct_feet: bool = True,
    cutoff_hz: float | None = None,
) -> ContactDetection:
    """Find the ground contacts of both feet (see the module docstring for the method).

    Parameters
    ----------
    xy : ndarray, shape (n, n_joints, 2)
        Cleaned, low-passed positions in the body frame (x forward, y up), pixels. The cues and
        the decoding use these.
    t_s : ndarray, shape (n,)
        Sample times, seconds.
    names : tuple of str
        Joint names of ``xy``'s columns.
    xy_raw : ndarray, shape (n, n_joints, 2), optional
        The same positions before low-pass filtering (outliers removed, gaps filled); the edges
        are timed on these. Default: ``xy``.
    camera_still : bool
        The camera does not move, so a runner crossing the image runs on still ground.
    min_contact_s, max_contact_s : float
        Range of a running contact's duration, seconds.
    speed_planted : float
        Foot speed (in running speeds) below which a sample seeds the planted statistics.
    min_evidence : float
        A decoded contact whose samples' mean planted probability is below this is dropped.
    correct_feet : bool
        Exchange left/right feet where a planted foot's spot shows the other foot's landmarks
        (:func:`stance_foot_swaps`), ignore foot landmarks that leave a planted spot and come
        back (:func:`stance_excursions`), then decode again.
    cutoff_hz : float, optional
        The low-pass cut-off that made ``xy`` from ``xy_raw``. Given, the cues are recomputed
        from the corrected ``xy_raw`` after each correction (a filtered glitch smears into the
        neighbouring samples, which swapping the filtered positions would not undo); else
        the corrections are applied to ``xy`` directly.
    """
    xy = np.array(xy, dtype=float)[..., :2]
    raw = xy.copy() if xy_raw is None else np.array(xy_raw, dtype=float)[..., :2]
    t_s = np.asarray(t_s, dtype=float)
    leg_px = leg_length(xy, names)
    dt = float(np.median(np.diff(t_s)))
    swaps = np.zeros((len(t_s), len(FOOT_JOINTS)), dtype=bool)
    lost = np.zeros((len(t_s), len(SIDES), len(FOOT_JOINTS)), dtype=bool)
    refilter = cutoff_hz is not None and xy_raw is not None and np.isfinite(cutoff_hz)
    shown = raw  # the landmarks as the pose model gave them (relabelled, none hidden)
    belt: float | None = None  # moving ground's velocity, refined from the contacts found

    def decode(ground_vx: float | None) -> tuple[_Cues, dict[str, list[tuple[int, int]]]]:
        cues = _cues(xy, t_s, names, leg_px, camera_still, speed_planted, ground_vx=ground_vx)
        segments = segment_gait(cues.logodds["left"], cues.logodds["right"], dt,
                                min_contact_s=min_contact_s, max_contact_s=max_contact_s)
        return cues, planted_runs(segments)

    # Decode, correct the feet's labels from the contacts found, decode again; a correction can
    # reveal another, so up to MAX_IDENTITY_ROUNDS rounds, stopping when nothing changes.
    for attempt in range(MAX_IDENTITY_ROUNDS + 1 if correct_feet else 1):
        cues, runs = decode(belt)
        if cues.ground_vx != 0.0:
            # Moving ground (a belt, a panning camera): the densest foot velocity (or the last
            # round's estimate) is a first guess; the planted feet's own velocity in
            # mid-contact is the ground's.
            refined = stance_ground_velocity(xy, t_s, names, runs)
            if np.isfinite(refined) and refined != cues.ground_vx:
                cues, runs = decode(refined)
            belt = cues.ground_vx
        if attempt == MAX_IDENTITY_ROUNDS or not correct_feet:
            break
        more = stance_foot_swaps(raw, names, runs, cues.ground_vx, t_s, leg_px)
        swapped = swap_feet(raw, names, more)
        lost = np.where(more[:, None, :], lost[:, ::-1], lost)  # labels follow the swap
        gone = stance_excursions(swapped, names, runs, cues.ground_vx, t_s, leg_px) & ~lost
        if not (more.any() or gone.any()):
            break
        swaps ^= more
        lost |= gone
        shown = swap_feet(shown, names, more)
        raw = _hide(swapped, names, gone)
        # The cues see a lost planted foot where it was before and after (it did not move);
        # the edge fits see nothing there.
        xy = (lowpass(_bridge(raw, names, lost, t_s), t_s, cutoff_hz) if refilter
              else _bridge(_hide(swap_feet(xy, names, more), names, lost), names, lost, t_s))
    warnings: list[str] = []
    contacts: list[Contact] = []
    planted = [(side, start, stop) for side, side_runs in runs.items() for start, stop in side_runs
               if _supported(cues.logodds[side][start:stop], min_evidence)]
    landing = landing_speed_ratio(raw, t_s, names, planted, cues.ground_vx, cues.run_speed * leg_px)
    for side, start, stop in planted:
        c = _timed_contact(side, start, stop, raw, t_s, names, cues, leg_px, shown=shown,
                           straight_approach=landing > ABRUPT_LANDING_SPEED)
        if np.isfinite(c.contact_s) and c.contact_s < min_contact_s:
            continue  # shorter than any running contact: a glitch at the clip's edge
        if np.isfinite(c.contact_s) and c.contact_s > max_contact_s:
            warnings.append(f"{side} foot stays down {c.contact_s:.2f} s at {c.touchdown_s:.2f} s: "
                            "not a running contact, ignored")
            continue
        contacts.append(c)
    contacts.sort(key=lambda c: c.touchdown_sample)
    contacts, withheld = withhold_short_contacts(contacts)
    warnings += withheld + check_alternation(contacts)
    return ContactDetection(
        contacts=contacts, ground=cues.ground, leg_length_px=leg_px,
        ground_velocity_px_s=cues.ground_vx, run_speed_leg_s=cues.run_speed, landing_speed_run=landing,
        foot_swaps=swaps, foot_lost=lost, warnings=warnings,
    )


def _supported(logodds: np.ndarray, min_evidence: float) -> bool:
    """A decoded contact whose own samples say "planted" (mean probability above
    ``min_evidence``, at least two samples with evidence): decoded by the running pattern
    alone, it is not reported."""
    return bool(np.count_nonzero(logodds) >= 2 and np.mean(1.0 / (1.0 + np.exp(-logodds))) > min_evidence)


def landing_speed_ratio(
    xy: np.ndarray, t_s: np.ndarray, names: tuple[str, ...], contacts: list[tuple[str, int, int]],
    ground_vx: float, run_speed_px_s: float,
) -> float:
    """Median :func:`landing_speed` over the touchdowns of ``contacts`` (``(side, start,
    stop)`` sample ranges), in running speeds; NaN where no touchdown shows it or the frame
    rate is below :data:`MIN_LANDING_RATE_HZ`."""
    if len(t_s) < 2 or float(np.median(np.diff(t_s))) > 1.0 / MIN_LANDING_RATE_HZ:
        return float("nan")
    speeds = [landing_speed(xy, t_s, names, side, start, ground_vx, limit=stop - 1)
              for side, start, stop in contacts if start > 0]
    speeds = np.asarray(speeds, float)
    speeds = speeds[np.isfinite(speeds)]
    return float(np.median(speeds) / run_speed_px_s) if speeds.size and run_speed_px_s > 0 else float("nan")


def withhold_short_contacts(
    contacts: list[Contact], min_fraction: float = SHORT_CONTACT_FRACTION, min_contacts: int = 5,
) -> tuple[list[Contact], list[str]]:
    """Withhold the times of a contact far shorter than the clip's others.

    Within one run contacts change gradually (acceleration lengthens the first ones, it does
    not halve one in the middle), so a contact shorter than ``min_fraction`` of the median of
    the clip's complete contacts (at least ``min_contacts`` of them) is an edge the pose model
    got wrong, not a short step. Which edge is wrong cannot be told (their confidences do not
    say: see the module docstring), so both are reported missing (NaN, confidence 0): the
    contact stays in the sequence (the feet still alternate) without times, and a warning
    says so.

    Returns
    -------
    contacts : list of Contact
        The same contacts, with the withheld edges.
    warnings : list of str
    """
    durations = np.array([c.contact_s for c in contacts], dtype=float)
    complete = np.isfinite(durations)
    if complete.sum() < min_contacts:
        return contacts, []
    typical = float(np.median(durations[complete]))
    out, notes = [], []
    for c, d in zip(contacts, durations):
        if np.isfinite(d) and d < min_fraction * typical:
            notes.append(f"{c.foot} contact at {c.touchdown_s:.2f} s lasts {d * 1000:.0f} ms, under "
                         f"{min_fraction:.0%} of this clip's typical {typical * 1000:.0f} ms: its "
                         "times are withheld (check the video)")
            c = replace(c, touchdown_s=float("nan"), toeoff_s=float("nan"),
                        touchdown_confidence=0.0, toeoff_confidence=0.0)
        out.append(c)
    return out, notes


def alternation_breaks(contacts: list[Contact]) -> tuple[list[Contact], list[Contact]]:
    """Contacts that break the running pattern: (same foot as the previous contact, landing
    before the other foot's toe-off)."""
    repeats, overlaps = [], []
    for prev, nxt in zip(contacts, contacts[1:]):
        if prev.foot == nxt.foot:
            repeats.append(nxt)
        elif np.isfinite(prev.toeoff_s) and np.isfinite(nxt.touchdown_s) and nxt.touchdown_s < prev.toeoff_s:
            overlaps.append(nxt)
    return repeats, overlaps


def check_alternation(contacts: list[Contact]) -> list[str]:
    """One warning per kind of break in the sprint pattern (feet alternate, no double
    support), with how often and where it happens; empty when the pattern holds."""
    repeats, overlaps = alternation_breaks(contacts)

    def where(items: list[Contact]) -> str:
        times = [f"{c.touchdown_s:.2f} s" if np.isfinite(c.touchdown_s) else f"sample {c.touchdown_sample}"
                 for c in items[:3]]
        return ", ".join(times) + (", ..." if len(items) > 3 else "")

    out = []
    if repeats:
        out.append(
            f"{len(repeats)} time(s) the same foot landed twice in a row ({where(repeats)}): a contact "
            "of the other foot was not seen (hidden leg?) or the legs were confused"
        )
    if overlaps:
        out.append(
            f"{len(overlaps)} time(s) both feet were down together ({where(overlaps)}): not a running "
            "pattern, or the legs were confused"
        )
    return out
