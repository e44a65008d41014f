"""Ground-contact events (touchdown, toe-off) per foot, as a table.

Input is the cleaned trajectory in the **body frame** (x along the running direction, y up,
pixels; see :func:`sprintcv.clean.to_body_frame`). Two cues are combined:

* **Foot height** above a ground line. The line ``y = a + b x`` is fitted robustly through the
  lowest foot positions of both feet (iteratively re-fitted on the lowest residuals), so a
  tilted camera or a sloping horizon is absorbed. When the feet cover less than two leg lengths
  of x (treadmill, runner in place) the line is flat. The height of a foot is that of its lower
  point (heel or toe), in leg lengths.
* **Foot speed relative to the ground**: a planted foot moves with the ground (0 on a track,
  the belt speed on a treadmill; estimated as the median horizontal foot velocity over the
  low-foot samples). A foot near the ground but moving fast is swinging past it.

A foot is *planted* where both hold; runs of planted samples shorter than ``min_contact_s`` are
dropped. Each run's edges are then timed to sub-frame precision on the height signal: the time
the foot's height crosses ``stance level + 2 sigma`` (linear interpolation between the two
samples around it), moved back to the stance level along the local slope (so the threshold
margin does not bias contacts long). Known bias: toe-off is slightly late when the toe leaves
the ground with near-zero vertical speed (the slope extrapolation only corrects part of it);
touchdown uses the lowest foot point, so it marks first contact of heel *or* forefoot.

Event times from these cues follow the conventions of kinematic event detection in running
(height/velocity thresholds, e.g. Handsaker et al. 2016; the horizontal-extrema method of
Zeni et al. 2008 is the usual alternative and is biased early for touchdown in sprinting,
where the foot moves back before landing).

An event the data cannot support (contact already in progress at the first frame, still in
progress at the last one, foot missing around the edge) is left out rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .joints import SIDES, side_joint

KINDS = ("touchdown", "toeoff")


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
        In [0, 1]: how clearly the height signal crosses the contact level (1 = clean edge).
    """

    foot: np.ndarray
    kind: np.ndarray
    t_s: np.ndarray
    sample: np.ndarray
    confidence: np.ndarray

    def __len__(self) -> int:
        return len(self.t_s)

    @classmethod
    def from_rows(cls, rows: list[tuple[str, str, float, int, float]]) -> "EventTable":
        rows = sorted(rows, key=lambda r: r[2])
        cols = list(zip(*rows)) if rows else [[], [], [], [], []]
        return cls(
            foot=np.array(cols[0], dtype=object), kind=np.array(cols[1], dtype=object),
            t_s=np.array(cols[2], dtype=float), sample=np.array(cols[3], dtype=np.int64),
            confidence=np.array(cols[4], dtype=float),
        )

    def to_columns(self) -> dict[str, np.ndarray]:
        """Dict of columns (pandas-ready)."""
        return {"foot": self.foot, "kind": self.kind, "t_s": self.t_s,
                "sample": self.sample, "confidence": self.confidence}


@dataclass(frozen=True)
class Contact:
    """One ground contact of one foot; a missing edge is NaN."""

    foot: str
    touchdown_s: float
    toeoff_s: float
    touchdown_sample: int
    toeoff_sample: int
    touchdown_confidence: float
    toeoff_confidence: float

    @property
    def contact_s(self) -> float:
        return self.toeoff_s - self.touchdown_s


@dataclass
class ContactDetection:
    """What :func:`detect_contacts` found, and why some contacts were dropped."""

    contacts: list[Contact]
    ground: tuple[float, float]
    leg_length_px: float
    warnings: list[str] = field(default_factory=list)

    def events(self) -> EventTable:
        rows = []
        for c in self.contacts:
            if np.isfinite(c.touchdown_s):
                rows.append((c.foot, "touchdown", c.touchdown_s, c.touchdown_sample, c.touchdown_confidence))
            if np.isfinite(c.toeoff_s):
                rows.append((c.foot, "toeoff", c.toeoff_s, c.toeoff_sample, c.toeoff_confidence))
        return EventTable.from_rows(rows)


# -- cues ---------------------------------------------------------------------------------------
def leg_length(xy: np.ndarray, names: tuple[str, ...]) -> float:
    """Median thigh + shank length over both legs and all frames, pixels."""
    idx = {n: i for i, n in enumerate(names)}
    lengths = []
    for side in SIDES:
        hip, knee, ankle = (xy[:, idx[side_joint(side, j)]] for j in ("hip", "knee", "ankle"))
        lengths.append(np.linalg.norm(knee - hip, axis=1) + np.linalg.norm(ankle - knee, axis=1))
    value = float(np.nanmedian(np.concatenate(lengths)))
    if not np.isfinite(value) or value <= 0:
        raise ValueError("leg length cannot be measured: hips, knees or ankles are missing")
    return value


def foot_points(xy: np.ndarray, names: tuple[str, ...], side: str) -> tuple[np.ndarray, np.ndarray]:
    """Lowest point (heel or toe) of a foot: x and y, each shape (n,), body frame (y up)."""
    heel = xy[:, names.index(side_joint(side, "heel"))]
    toe = xy[:, names.index(side_joint(side, "foot_index"))]
    lower = np.where((toe[:, 1] < heel[:, 1])[:, None], toe, heel)
    # Where one of the two is missing, use the other.
    lower = np.where(np.isnan(lower), np.where(np.isnan(heel), toe, heel), lower)
    return lower[:, 0], lower[:, 1]


def foot_height(
    xy: np.ndarray, names: tuple[str, ...], side: str, ground: tuple[float, float]
) -> np.ndarray:
    """Height of a foot above the ground line, pixels, shape (n,).

    Heel and toe are measured each against its own stance level (their 10th-percentile
    height above the line): pose models place the toe landmark on top of the toe box and
    the heel landmark above the sole, so the two sit at different heights when flat on the
    ground. The foot's height is the lower of the two.
    """
    a, b = ground
    heights = []
    for joint in ("heel", "foot_index"):
        p = xy[:, names.index(side_joint(side, joint))]
        above = p[:, 1] - (a + b * p[:, 0])
        if np.isfinite(above).any():
            above = above - np.nanpercentile(above, 10)
        heights.append(above)
    return np.fmin(*heights)


def fit_ground_line(x: np.ndarray, y: np.ndarray, leg_px: float, n_iter: int = 4) -> tuple[float, float]:
    """Robust line ``y = a + b x`` under the lowest foot positions (body frame, y up).

    Parameters
    ----------
    x, y : ndarray, shape (m,)
        Lowest-foot positions of both feet, pixels (NaN ignored).
    leg_px : float
        Leg length; the line is flat when x spans less than two leg lengths.

    Returns
    -------
    (a, b) : intercept (pixels) and slope (dimensionless).
    """
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) < 4:
        raise ValueError("too few foot positions to find the ground")
    if np.ptp(x) < 2.0 * leg_px:
        return float(np.percentile(y, 10)), 0.0
    keep = np.ones(len(x), dtype=bool)
    a, b = float(np.percentile(y, 10)), 0.0
    for _ in range(n_iter):
        b, a = np.polyfit(x[keep], y[keep], 1)
        resid = y - (a + b * x)
        keep = resid <= np.percentile(resid, 25)
        if keep.sum() < 4:
            break
    # Put the line through the stance level: the low quantile of the residuals.
    a += float(np.percentile(y - (a + b * x), 10))
    return float(a), float(b)


def _gradient(values: np.ndarray, t_s: np.ndarray) -> np.ndarray:
    out = np.full_like(values, np.nan)
    ok = np.isfinite(values)
    if ok.sum() >= 3:
        out[ok] = np.gradient(values[ok], t_s[ok])
    return out


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Inclusive (start, end) index pairs of the True runs of ``mask``."""
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(s), int(e) - 1) for s, e in zip(edges[::2], edges[1::2])]


def _close_gaps(mask: np.ndarray, max_gap: int) -> np.ndarray:
    """Fill False runs of at most ``max_gap`` samples lying between True samples."""
    out = mask.copy()
    for s, e in _runs(~mask):
        if s > 0 and e < len(mask) - 1 and e - s + 1 <= max_gap:
            out[s: e + 1] = True
    return out


def _edge_time(
    h: np.ndarray, t: np.ndarray, inside: int, outside: int, stance: float, sigma: float
) -> tuple[float, float]:
    """Sub-frame time where a foot's height leaves (or reaches) the stance level.

    ``inside`` is the planted sample at the run's edge and ``outside`` its swing neighbour. The
    swing-side height is extrapolated to the stance level along the slope of the two swing
    samples nearest the edge (the foot's descent before touchdown, its rise after toe-off);
    the result is kept between the two edge samples. Returns (time, confidence), the
    confidence growing with the height change per frame relative to the stance noise.
    """
    step = outside - inside
    h_in, h_out = h[inside], h[outside]
    t_in, t_out = t[inside], t[outside]
    if not (np.isfinite(h_in) and np.isfinite(h_out)):
        return float("nan"), 0.0
    if h_out <= stance:
        # Already at ground level but still moving (the speed cue set the edge): the event
        # lies between the two samples; take the midpoint, with a low confidence.
        return float((t_in + t_out) / 2.0), 0.3
    far = outside + step
    if 0 <= far < len(h) and np.isfinite(h[far]) and h[far] > h_out:
        slope = (h[far] - h_out) / (t[far] - t_out)
    else:
        slope = (h_out - h_in) / (t_out - t_in)
    t_event = t_out + (stance - h_out) / slope if slope != 0 else t_out
    lo, hi = min(t_in, t_out), max(t_in, t_out)
    t_event = float(np.clip(t_event, lo, hi))
    # A steep swing-side slope relative to the stance noise gives a sharply timed edge.
    rise_per_frame = abs(slope) * abs(t_out - t_in)
    confidence = float(np.clip(rise_per_frame / (3.0 * max(sigma, 0.003)), 0.0, 1.0))
    return t_event, confidence


# -- detection ----------------------------------------------------------------------------------
def _stance_level(h: np.ndarray, runs: list[tuple[int, int]]) -> tuple[float, float]:
    """Median height of the planted samples and its robust spread (leg lengths)."""
    stance_h = np.concatenate([h[s: e + 1] for s, e in runs])
    stance = float(np.nanmedian(stance_h))
    sigma = float(1.4826 * np.nanmedian(np.abs(stance_h - stance)))
    return stance, (sigma if np.isfinite(sigma) and sigma > 0 else 1e-3)


def _refine(h: np.ndarray, edge: int, tight: float, outward: int, reach: int) -> int:
    """Move a contact edge inward, by at most ``reach`` samples, while the less smoothed
    height ``h`` shows the foot still above stance level there (smoothing had spread the
    contact into the neighbouring swing samples). Edges never move outward: on the noisier
    signal a late-swing sample can dip to stance level by chance."""
    i = edge
    for _ in range(reach):
        j = i - outward
        if np.isfinite(h[i]) and h[i] > tight and 0 <= j < len(h) and np.isfinite(h[j]):
            i = j
        else:
            break
    return i


def detect_contacts(
    xy: np.ndarray,
    t_s: np.ndarray,
    names: tuple[str, ...],
    *,
    height_thresh_leg: float = 0.08,
    speed_thresh_leg_s: float = 1.5,
    swing_speed_fraction: float = 0.35,
    min_contact_s: float = 0.04,
    max_contact_s: float = 0.6,
    xy_fine: np.ndarray | None = None,
    refine_reach_s: float = 0.02,
) -> ContactDetection:
    """Find the ground contacts of both feet.

    Parameters
    ----------
    xy : ndarray, shape (n, n_joints, 2)
        Cleaned positions in the body frame (x forward, y up), pixels.
    t_s : ndarray, shape (n,)
        Sample times, seconds.
    names : tuple of str
        Joint names of ``xy``'s columns.
    height_thresh_leg : float
        A foot lower than this above the ground line, in leg lengths, may be planted.
    speed_thresh_leg_s : float
        ...and moving slower than this relative to the ground, in leg lengths per second, or
        than ``swing_speed_fraction`` of the foot's 90th-percentile speed, whichever is larger
        (a swinging foot moves at 1-2 times running speed relative to the ground).
    swing_speed_fraction : float
    min_contact_s, max_contact_s : float
        Planted runs outside this duration range are not running contacts.
    xy_fine : ndarray, shape (n, n_joints, 2), optional
        The same positions filtered less (or not at all). Contacts are *found* on ``xy`` and
        their edges *timed* on ``xy_fine``, moving each edge by at most ``refine_reach_s``.
    refine_reach_s : float
        How far, in seconds, timing on ``xy_fine`` may move an edge found on ``xy``.
    """
    xy = np.asarray(xy, dtype=float)[..., :2]
    t_s = np.asarray(t_s, dtype=float)
    leg_px = leg_length(xy, names)
    feet = {side: foot_points(xy, names, side) for side in SIDES}
    a, b = fit_ground_line(
        np.concatenate([feet[s][0] for s in SIDES]), np.concatenate([feet[s][1] for s in SIDES]), leg_px
    )
    dt = float(np.median(np.diff(t_s)))
    warnings: list[str] = []
    contacts: list[Contact] = []
    for side in SIDES:
        fx, _ = feet[side]
        h = foot_height(xy, names, side, (a, b)) / leg_px
        vx = _gradient(fx, t_s) / leg_px
        low = h < height_thresh_leg
        # The ground's own speed (0 on a track, the belt on a treadmill) from the lowest samples.
        lowest = h <= np.nanpercentile(h, 20) if np.isfinite(h).any() else low
        v_ground = float(np.nanmedian(vx[lowest])) if np.any(lowest & np.isfinite(vx)) else 0.0
        rel = np.abs(vx - v_ground)
        # Pose noise makes foot velocities noisy; a swinging foot is still several times faster.
        speed_thresh = max(speed_thresh_leg_s, swing_speed_fraction * float(np.nanpercentile(rel, 90)))
        planted = low & (rel < speed_thresh)
        planted = _close_gaps(planted, max_gap=max(1, int(round(0.02 / dt))))
        runs = [r for r in _runs(planted) if (r[1] - r[0] + 1) * dt >= min_contact_s]
        if not runs:
            continue
        stance, sigma = _stance_level(h, runs)
        # The coarse runs may include the last instants of a slow swing; the edges are the
        # first and last samples truly at the stance level.
        tight = stance + max(3.0 * sigma, 0.005)
        # Edges are timed on the less smoothed signal when given: low-pass filtering rounds
        # the sharp corners of touchdown and toe-off and lengthens contacts.
        hf = h if xy_fine is None else foot_height(np.asarray(xy_fine, float)[..., :2], names, side, (a, b)) / leg_px
        stance_f, sigma_f = (stance, sigma) if xy_fine is None else _stance_level(hf, runs)
        tight_f = stance_f + max(3.0 * sigma_f, 0.005)
        reach = max(1, int(round(refine_reach_s / dt)))
        for s, e in runs:
            core = s + np.flatnonzero(h[s: e + 1] <= tight)
            if len(core) == 0:
                continue
            s, e = _refine(hf, int(core[0]), tight_f, -1, reach), _refine(hf, int(core[-1]), tight_f, +1, reach)
            td, td_conf = (float("nan"), 0.0) if s == 0 else _edge_time(hf, t_s, s, s - 1, stance_f, sigma_f)
            to, to_conf = (float("nan"), 0.0) if e == len(h) - 1 else _edge_time(hf, t_s, e, e + 1, stance_f, sigma_f)
            duration = to - td
            if np.isfinite(duration) and duration > max_contact_s:
                warnings.append(
                    f"{side} foot stays down {duration:.2f} s at {td:.2f} s: not a running contact, ignored"
                )
                continue
            contacts.append(Contact(
                foot=side, touchdown_s=td, toeoff_s=to,
                touchdown_sample=int(np.argmin(np.abs(t_s - td))) if np.isfinite(td) else s,
                toeoff_sample=int(np.argmin(np.abs(t_s - to))) if np.isfinite(to) else e,
                touchdown_confidence=td_conf, toeoff_confidence=to_conf,
            ))
    contacts = merge_split_contacts(contacts)
    contacts.sort(key=lambda c: c.touchdown_sample)
    warnings += check_alternation(contacts)
    return ContactDetection(contacts=contacts, ground=(a, b), leg_length_px=leg_px, warnings=warnings)


def merge_split_contacts(contacts: list[Contact], max_gap_stride: float = 0.3) -> list[Contact]:
    """Join two contacts of one foot that are a single contact broken by a tracking glitch.

    A foot cannot land again before the other foot has been down: two contacts of the same
    foot with no contact of the other foot between them, separated by less than
    ``max_gap_stride`` of the median stride (same-foot touchdown interval; 0.45 s when fewer
    than two strides are seen), are one contact.
    """
    def stride(foot: str) -> float:
        td = sorted(c.touchdown_s for c in contacts if c.foot == foot and np.isfinite(c.touchdown_s))
        d = np.diff(td)
        return float(np.median(d)) if len(d) >= 2 else 0.45

    out = sorted(contacts, key=lambda c: c.touchdown_sample)
    merged = True
    while merged:
        merged = False
        for i, a in enumerate(out):
            same = [j for j in range(i + 1, len(out)) if out[j].foot == a.foot]
            if not same:
                continue
            j = same[0]
            b = out[j]
            other_between = any(
                out[k].foot != a.foot and out[k].touchdown_sample < b.touchdown_sample
                and out[k].toeoff_sample > a.toeoff_sample
                for k in range(len(out)) if k not in (i, j)
            )
            gap = b.touchdown_s - a.toeoff_s
            if not other_between and np.isfinite(gap) and gap < max_gap_stride * stride(a.foot):
                out[i] = Contact(
                    foot=a.foot, touchdown_s=a.touchdown_s, toeoff_s=b.toeoff_s,
                    touchdown_sample=a.touchdown_sample, toeoff_sample=b.toeoff_sample,
                    touchdown_confidence=a.touchdown_confidence, toeoff_confidence=b.toeoff_confidence,
                )
                del out[j]
                merged = True
                break
    return out


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
