"""Toe-off from the shoe's silhouette (sprintcv.silhouette) on constructed images with known
answers; the accuracy on rendered clips is in tests/test_contact_accuracy.py."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sprintcv import silhouette as sil
from sprintcv.events import Contact, EventTable
from sprintcv.joints import MEDIAPIPE_JOINTS

NAMES = tuple(MEDIAPIPE_JOINTS)


def _profile_diff(profile: np.ndarray, rows: int = 4) -> np.ndarray:
    """A (1, rows, w) difference image whose column maximum is ``profile``."""
    d = np.zeros((1, rows, len(profile)))
    d[0, -1] = profile
    return d


def test_front_edge_sub_pixel_both_directions():
    # columns 2..10 at 100, column 11 at 70, then 0: the level 40 is crossed 3/7 of the way
    # from column 11 to column 12.
    p = np.zeros(20)
    p[2:11], p[11] = 100.0, 70.0
    edge = sil.front_edge(_profile_diff(p), anchor_col=8.0, forward=+1, reach_px=3.0)
    assert edge[0] == pytest.approx(11 + 30 / 70)
    # The same picture mirrored, running towards image -x: the edge counts from the right end.
    mirrored = sil.front_edge(_profile_diff(p[::-1]), anchor_col=19 - 8.0, forward=-1, reach_px=3.0)
    assert mirrored[0] == pytest.approx(11 + 30 / 70)


def test_front_edge_follows_the_planted_foot_not_one_ahead_and_bridges_a_dim_column():
    p = np.zeros(40)
    p[5:9], p[10:14] = 90.0, 90.0  # the shoe, split by one dim column (9)
    p[25:30] = 200.0  # something else further ahead
    edge = sil.front_edge(_profile_diff(p), anchor_col=7.0, forward=+1, reach_px=3.0)
    assert edge[0] == pytest.approx(13 + 50 / 90)  # column 13 on, 14 off: 50/90 of the way


def test_front_edge_missing_when_nothing_reaches_the_toe():
    p = np.zeros(30)
    p[2:5] = 100.0  # ends 7 px behind the anchor, further than the reach
    edges = sil.front_edge(np.concatenate([_profile_diff(p), np.zeros((1, 4, 30))]), anchor_col=12.0,
                           forward=+1, reach_px=3.0)
    assert np.isnan(edges).all()


def test_close_fills_short_gaps_only():
    on = np.array([1, 0, 1, 0, 0, 0, 1], bool)
    assert sil._close(on, 1).tolist() == [True, True, True, False, False, False, True]
    assert sil._close(on, 3).all()


def test_sole_row_is_the_median_lowest_row_near_the_anchor():
    d = np.zeros((3, 10, 20))
    for i, bottom in enumerate((6, 7, 8)):
        d[i, 2:bottom + 1, 8:12] = 100.0
    d[:, 9, 0:2] = 100.0  # lower, but far from the anchor
    assert sil.sole_row(d, anchor_col=10.0, reach_px=3.0) == 7.0
    assert np.isnan(sil.sole_row(np.zeros((2, 5, 5)), 2.0, 1.0))


def test_strip_background_ignores_a_passer_by_and_counts_busy_frames():
    rng = np.random.default_rng(0)
    lane = rng.integers(100, 140, (6, 12, 3)).astype(np.uint8)
    crops = np.repeat(lane[None], 9, axis=0)
    crops[2, :, 3:9] = 250  # the runner passes in two of nine frames
    crops[3, :, 0:6] = 5
    background, busy = sil.strip_background(crops)
    np.testing.assert_array_equal(background, lane)
    assert busy == pytest.approx(2 / 9)


def _edge_track(t_s: np.ndarray, t0: float, drift_px_s: float = 20.0) -> np.ndarray:
    """Front edge that creeps (drift) while planted and leaves at t0 (velocity jump + slowing)."""
    d = t_s - t0
    return np.where(d < 0, 10.0 + drift_px_s * d, 10.0 + 900.0 * d - 4000.0 * d ** 2)


@pytest.mark.parametrize("fps", [120.0, 240.0])
def test_silhouette_toe_off_recovers_a_sub_frame_edge(fps):
    t = np.arange(-0.06, 0.0601, 1 / fps)
    t0 = 0.37 / fps  # between two frames
    got, halfwidth = sil.silhouette_toe_off(t, _edge_track(t, t0), -0.03, 0.03, foot_px=25.0)
    assert got == pytest.approx(t0, abs=0.05 / fps)
    assert halfwidth <= 1.0 / fps


def test_low_rate_fit_recovers_a_straight_departure_at_60_fps():
    fps = 60.0
    t = np.arange(-0.1, 0.0501, 1 / fps)
    t0 = 0.4 / fps
    edge = np.where(t < t0, 10.0 + 20.0 * (t - t0), 10.0 + 900.0 * (t - t0))
    edge[t > t0 + 2.5 / fps] = np.nan  # the toe leaves the strip
    got, _ = sil.silhouette_toe_off(t, edge, -0.033, 0.033, foot_px=25.0, low_rate=True)
    assert got == pytest.approx(t0, abs=0.05 / fps)


def test_silhouette_toe_off_declines_without_a_departure_or_enough_samples():
    t = np.arange(-0.06, 0.0601, 1 / 120)
    still = 10.0 + 0.5 * np.sin(40 * t)  # jitters in place: never leaves
    assert np.isnan(sil.silhouette_toe_off(t, still, -0.03, 0.03, foot_px=25.0)[0])
    few = _edge_track(t, 0.0)
    few[::2] = np.nan
    few[:8] = np.nan
    assert np.isnan(sil.silhouette_toe_off(t, few, -0.03, 0.03, foot_px=25.0)[0])


def _clip_positions(n: int, toe_xy: tuple[float, float], heel_xy: tuple[float, float]) -> np.ndarray:
    xy = np.full((n, len(NAMES), 2), np.nan)
    for side in ("left", "right"):
        xy[:, NAMES.index(f"{side}_foot_index")] = toe_xy
        xy[:, NAMES.index(f"{side}_heel")] = heel_xy
    return xy


def test_toe_windows_place_the_strip_at_the_toe_and_look_after_mid_stance():
    fps, n = 120.0, 60
    t = np.arange(n) / fps
    xy = _clip_positions(n, (100.0, 200.0), (80.0, 195.0))
    c = Contact("left", t[10], t[30], 10, 30, 0.9, 0.9)
    gone = Contact("right", t[35], np.nan, 35, 50, 0.9, 0.0)
    (w,) = sil.toe_windows([c, gone], xy, t, NAMES, +1, (240, 320))
    foot = np.hypot(20.0, 5.0)
    assert w.contact == 0 and w.forward == 1 and w.foot_px == pytest.approx(foot)
    assert w.rows[0] <= 200 - 0.5 * foot and w.rows[1] >= 200 + 0.6 * foot
    assert w.cols[0] <= 100 - 0.4 * foot and w.cols[1] >= 100 + 1.2 * foot
    # the fit reaches FIT_HALF_S beyond the search, which is TO_SEARCH_S each side
    reach = sil.FIT_HALF_S + sil.TO_SEARCH_S - sil.SEARCH_S
    assert w.samples.min() > 20 and w.samples.max() <= 30 + reach * fps + 1
    assert w.t_lo_s == pytest.approx(t[30] - sil.TO_SEARCH_S) and w.t_hi_s == pytest.approx(t[30] + sil.TO_SEARCH_S)
    assert not w.low_rate
    (mirror,) = sil.toe_windows([c], xy, t, NAMES, -1, (240, 320))
    assert mirror.cols[1] >= 100 + 0.4 * foot and mirror.cols[0] <= 100 - 1.2 * foot


def test_toe_windows_retry_at_mid_contact_when_the_toe_moved_on_in_the_second_half():
    """A landmark toe-off 6 samples late: the second half's median toe is on the swing's
    samples, ahead of the planted toe; the window keeps the mid-contact toe to retry at and
    its band covers both. A toe that stays put gets no retry."""
    fps, n = 120.0, 60
    t = np.arange(n) / fps
    xy = _clip_positions(n, (100.0, 200.0), (80.0, 195.0))
    still = sil.toe_windows([Contact("left", t[10], t[30], 10, 30, 0.9, 0.9)], xy, t, NAMES, +1, (240, 320))
    assert still[0].retry_toe_col is None
    toe = NAMES.index("left_foot_index")
    xy[25:, toe, 0] = 100.0 + 12.0 * np.arange(1, n - 24)  # the toe left at sample 24
    (w,) = sil.toe_windows([Contact("left", t[10], t[30], 10, 30, 0.9, 0.9)], xy, t, NAMES, +1, (240, 320))
    foot = np.hypot(20.0, 5.0)
    assert w.retry_toe_col == pytest.approx(100.0)
    assert w.toe_col > 100.0 + sil.TO_REACH_FOOT * foot
    assert w.cols[0] <= 100 - sil.BACK_FOOT * foot and w.cols[1] >= w.toe_col + sil.AHEAD_FOOT * foot


def test_refine_edges_retries_a_toe_off_at_the_mid_contact_toe():
    """The window's planted toe 0.8 foot lengths ahead of the shoe: no edge reaches it and
    every model declines there; at the retry column the toe-off is found."""
    fps = 240.0
    t = np.arange(0, 0.5, 1 / fps)
    t0 = 0.2503
    c = Contact("right", 0.14, t0, int(0.14 * fps), int(round(t0 * fps)), 0.8, 0.3)
    frames = _scene(t, t0)
    samples = np.flatnonzero((t > 0.2) & (np.abs(t - t0) <= 0.06))
    w = sil.EdgeWindow(0, (0, 40), (0, 80), +1, 59.0, 25.0, samples, t0 - 0.03, t0 + 0.03, t0)
    bg = np.concatenate([np.repeat(frames[-1:], 5, axis=0), frames[:2]])
    (kept,) = sil.refine_edges([c], [w], [frames[samples]], [bg], t)
    assert kept.toeoff_cue == "landmarks"
    (out,) = sil.refine_edges([c], [replace(w, retry_toe_col=39.0)], [frames[samples]], [bg], t)
    assert out.toeoff_cue == "silhouette" and out.toeoff_s == pytest.approx(t0, abs=0.5 / fps)


def test_toe_windows_at_60_fps_use_the_whole_contact():
    fps, n = 60.0, 40
    t = np.arange(n) / fps
    xy = _clip_positions(n, (100.0, 200.0), (80.0, 195.0))
    c = Contact("left", t[10], t[16], 10, 16, 0.9, 0.9)  # 7 samples: 3 in the second half
    (w,) = sil.toe_windows([c], xy, t, NAMES, +1, (240, 320))
    assert w.low_rate and w.samples.min() == 11
    assert w.t_lo_s == pytest.approx(max(t[16] - max(sil.TO_SEARCH_S, 2 / fps), t[11]))


def _scene(t_s: np.ndarray, t0: float, rows: int = 40, cols: int = 80, top: int = 20,
           lift_px_s: float = 400.0, lift_after_s: float = 0.01) -> np.ndarray:
    """A lane with a shoe (bright block, rows ``top``-31) planted at x 20-40 that moves off at
    t0 and rises at ``lift_px_s`` from ``lift_after_s`` after it."""
    rng = np.random.default_rng(1)
    lane = rng.integers(90, 130, (rows, cols, 3)).astype(np.uint8)
    frames = np.repeat(lane[None], len(t_s), axis=0)
    for i, t in enumerate(t_s):
        d = t - t0
        shift = 0.0 if d < 0 else 900.0 * d
        lift = 0 if d < lift_after_s else int(lift_px_s * (d - lift_after_s))
        front = 40.0 + shift
        x0, x1 = int(round(front - 20)), int(round(front))
        frames[i, max(0, top - lift):max(0, 32 - lift), max(0, x0):max(0, min(cols, x1))] = 240
    return frames


def test_refine_edges_retimes_a_toe_off_and_keeps_the_landmark_time_where_the_lane_is_busy():
    fps = 240.0
    t = np.arange(0, 0.5, 1 / fps)
    t0 = 0.2503
    landmark = t0 - 3 / fps  # the landmarks' toe-off, three frames early
    c = Contact("right", 0.14, landmark, int(0.14 * fps), int(round(landmark * fps)), 0.8, 0.5)
    frames = _scene(t, t0)
    samples = np.flatnonzero((t > 0.2) & (np.abs(t - landmark) <= 0.06))
    w = sil.EdgeWindow(0, (0, 40), (0, 80), +1, 39.0, 25.0, samples, landmark - 0.03, landmark + 0.03, landmark)
    empty = np.repeat(frames[-1:], 5, axis=0)  # the lane with nobody on it
    (out,) = sil.refine_edges([c], [w], [frames[samples]], [np.concatenate([empty, frames[:2]])], t)
    assert out.toeoff_cue == "silhouette"
    assert out.toeoff_s == pytest.approx(t0, abs=0.5 / fps)
    assert out.toeoff_sample == int(np.argmin(np.abs(t - out.toeoff_s)))
    assert out.touchdown_s == c.touchdown_s and 0 < out.toeoff_confidence <= 1
    # The shoe stands in the strip in most background frames: no trustworthy background.
    (kept,) = sil.refine_edges([c], [w], [frames[samples]], [frames[:9]], t)
    assert kept == c and kept.toeoff_cue == "landmarks"


def test_a_toe_that_leaves_the_thin_strip_at_once_is_timed_in_the_taller_one():
    """A toe that rises as it leaves (a steep toe-off, seen large) is out of the thin strip
    after one or two frames: too few for the linear + quadratic departure, which declines.
    The low-rate model (taller strip, straight departure) then times it."""
    fps = 120.0
    t = np.arange(0, 0.5, 1 / fps)
    t0 = 0.2503
    landmark = t0 - 2 / fps
    c = Contact("right", 0.14, landmark, int(0.14 * fps), int(round(landmark * fps)), 0.8, 0.5)
    frames = _scene(t, t0, top=14, lift_after_s=0.0)
    samples = np.flatnonzero((t > 0.2) & (np.abs(t - landmark) <= 0.06))
    w = sil.EdgeWindow(0, (0, 40), (0, 80), +1, 39.0, 25.0, samples, landmark - 0.03, landmark + 0.03, landmark)
    bg = np.concatenate([np.repeat(frames[-1:], 5, axis=0), frames[:2]])
    assert np.isnan(sil._edge_fit(w, frames[samples], bg, t)[0])  # the thin strip alone declines
    (out,) = sil.refine_edges([c], [w], [frames[samples]], [bg], t)
    assert out.toeoff_cue == "silhouette"
    assert out.toeoff_s == pytest.approx(t0, abs=0.5 / fps)


@pytest.mark.parametrize("search_s, found", [(sil.SEARCH_S, False), (sil.TO_SEARCH_S, True)])
def test_a_landmark_toe_off_frames_late_is_within_the_toe_off_search(search_s, found):
    """A small runner's toe landmark can leave 3.4-4.4 frames after the toe (120 fps, a runner
    126 px tall): the toe-off search, TO_SEARCH_S each side, still contains the true toe-off;
    the 0.03 s of the touchdown's search would not."""
    fps = 120.0
    t = np.arange(0, 0.5, 1 / fps)
    t0 = 0.2503
    landmark = t0 + 4.5 / fps
    c = Contact("right", 0.14, landmark, int(0.14 * fps), int(round(landmark * fps)), 0.8, 0.1)
    frames = _scene(t, t0)
    samples, search = sil._samples_near(t, landmark, search_s)
    samples = samples[t[samples] > 0.2]
    w = sil.EdgeWindow(0, (0, 40), (0, 80), +1, 39.0, 25.0, samples, landmark - search, landmark + search, landmark)
    bg = np.concatenate([np.repeat(frames[-1:], 5, axis=0), frames[:2]])
    (out,) = sil.refine_edges([c], [w], [frames[samples]], [bg], t)
    assert (out.toeoff_cue == "silhouette" and abs(out.toeoff_s - t0) <= 0.5 / fps) == found


def test_event_table_says_which_cue_timed_each_event():
    c = Contact("left", 0.1, 0.2, 1, 2, 0.9, 0.8, toeoff_cue="silhouette")
    rows = [(c.foot, "touchdown", c.touchdown_s, 1, 0.9, "landmarks"), (c.foot, "toeoff", c.toeoff_s, 2, 0.8, c.toeoff_cue)]
    table = EventTable.from_rows(rows)
    assert table.to_columns()["cue"].tolist() == ["landmarks", "silhouette"]
    # rows without a cue (older callers) are the landmarks'
    assert EventTable.from_rows([("left", "touchdown", 0.1, 1, 0.9)]).cue.tolist() == ["landmarks"]


# -- touchdown -------------------------------------------------------------------------------
def _arrival_track(t_s: np.ndarray, t0: float) -> np.ndarray:
    """Front edge of a shoe that comes in from behind (slowing) and stops at t0."""
    d = t_s - t0
    return np.where(d < 0, 30.0 + 700.0 * d + 2000.0 * d ** 2, 30.0)


@pytest.mark.parametrize("fps", [120.0, 240.0])
def test_silhouette_touchdown_recovers_a_sub_frame_edge(fps):
    t = np.arange(-0.06, 0.0601, 1 / fps)
    t0 = -0.42 / fps
    edge = _arrival_track(t, t0)
    edge[t < t0 - 0.03] = np.nan  # the shoe is above the strip until shortly before landing
    got, halfwidth = sil.silhouette_touchdown(t, edge, -0.03, 0.03, foot_px=25.0)
    assert got == pytest.approx(t0, abs=0.05 / fps)
    assert halfwidth <= 1.0 / fps


def test_a_60_fps_touchdown_is_timed_by_the_straight_approach():
    """At 60 fps the arriving shoe shows in the strip for two frames before it lands, and the
    samples end at mid-contact: five in all, too few for the quadratic, which declines; the
    low-rate model's straight approach times the landing."""
    fps = 60.0
    t = np.arange(-0.1, 0.04, 1 / fps)
    t0 = -0.37 / fps
    edge = np.where(t < t0, 40.0 + 1000.0 * (t - t0), 40.0)  # 17 px a frame, then still
    edge[t < t0 - 2 / fps] = np.nan  # above the strip until two frames before landing
    assert np.count_nonzero(np.isfinite(edge)) == 5
    assert np.isnan(sil.silhouette_touchdown(t, edge, -0.04, 0.04, foot_px=30.0)[0])
    got, halfwidth = sil.silhouette_touchdown(t, edge, -0.04, 0.04, foot_px=30.0, low_rate=True)
    assert got == pytest.approx(t0, abs=0.1 / fps)
    assert halfwidth <= 1.0 / fps


def test_silhouette_touchdown_declines_without_an_arrival_or_enough_samples():
    t = np.arange(-0.06, 0.0601, 1 / 120)
    still = 30.0 + 0.5 * np.sin(40 * t)  # already there: nothing arrives
    assert np.isnan(sil.silhouette_touchdown(t, still, -0.03, 0.03, foot_px=25.0)[0])
    few = _arrival_track(t, 0.0)
    few[::2] = np.nan
    few[-8:] = np.nan
    assert np.isnan(sil.silhouette_touchdown(t, few, -0.03, 0.03, foot_px=25.0)[0])


def test_touchdown_windows_reach_behind_the_toe_and_stop_at_mid_contact():
    fps, n = 120.0, 60
    t = np.arange(n) / fps
    xy = _clip_positions(n, (100.0, 200.0), (80.0, 195.0))
    c = Contact("left", t[20], t[34], 20, 34, 0.9, 0.9)
    unseen = Contact("right", np.nan, t[50], 40, 50, 0.0, 0.9)
    (w,) = sil.touchdown_windows([c, unseen], xy, t, NAMES, +1, (240, 320))
    foot = np.hypot(20.0, 5.0)
    assert w.kind == "touchdown" and w.contact == 0 and w.landmark_s == c.touchdown_s
    assert w.cols[0] <= 100 - 1.2 * foot and w.cols[1] >= 100 + 0.4 * foot
    assert w.cols[1] < 100 + 1.2 * foot  # not the toe-off's band, which reaches ahead
    assert w.samples.max() == 27 and w.samples.min() >= 20 - 0.06 * fps - 1
    assert w.t_lo_s == pytest.approx(t[20] - 0.03) and w.t_hi_s == pytest.approx(t[20] + 0.03)
    (mirror,) = sil.touchdown_windows([c], xy, t, NAMES, -1, (240, 320))
    assert mirror.cols[1] >= 100 + 1.2 * foot and mirror.cols[0] <= 100 - 0.4 * foot


def _landing_scene(t_s: np.ndarray, t0: float, rows: int = 40, cols: int = 80) -> np.ndarray:
    """A lane onto which a shoe (bright block, bottom rows) slides in from the left and stops
    with its front at x = 60 at t0."""
    rng = np.random.default_rng(2)
    lane = rng.integers(90, 130, (rows, cols, 3)).astype(np.uint8)
    frames = np.repeat(lane[None], len(t_s), axis=0)
    for i, t in enumerate(t_s):
        d = min(t - t0, 0.0)
        front = 60.0 + 900.0 * d
        drop = int(round(-300.0 * d))  # comes down from above as it arrives
        x0, x1 = int(round(front - 20)), int(round(front))
        if x1 > 0:
            frames[i, max(0, 20 - drop):max(0, 32 - drop), max(0, x0):x1] = 240
    return frames


def test_refine_edges_retimes_a_touchdown_and_keeps_the_landmark_time_where_the_lane_is_busy():
    fps = 240.0
    t = np.arange(0, 0.5, 1 / fps)
    t0 = 0.2004
    landmark = t0 + 3 / fps  # the landmarks' touchdown, three frames late
    c = Contact("right", landmark, 0.31, int(round(landmark * fps)), int(0.31 * fps), 0.5, 0.8)
    frames = _landing_scene(t, t0)
    samples = np.flatnonzero((t < 0.25) & (np.abs(t - landmark) <= 0.06))
    w = sil.EdgeWindow(0, (0, 40), (0, 80), +1, 59.0, 25.0, samples, landmark - 0.03, landmark + 0.03,
                       landmark, kind="touchdown")
    empty = np.repeat(frames[:1], 5, axis=0)  # before the shoe arrives: the empty lane
    (out,) = sil.refine_edges([c], [w], [frames[samples]], [np.concatenate([empty, frames[-2:]])], t)
    assert out.touchdown_cue == "silhouette" and out.toeoff_cue == "landmarks"
    assert out.touchdown_s == pytest.approx(t0, abs=0.5 / fps)
    assert out.touchdown_sample == int(np.argmin(np.abs(t - out.touchdown_s)))
    assert out.toeoff_s == c.toeoff_s and 0 < out.touchdown_confidence <= 1
    (kept,) = sil.refine_edges([c], [w], [frames[samples]], [frames[-9:]], t)
    assert kept == c


def test_event_table_carries_the_touchdown_cue():
    from sprintcv.events import ContactDetection

    c = Contact("left", 0.1, 0.2, 1, 2, 0.9, 0.8, touchdown_cue="silhouette")
    table = ContactDetection([c], (0.0, 0.0), 100.0).events()
    assert table.kind.tolist() == ["touchdown", "toeoff"]
    assert table.cue.tolist() == ["silhouette", "landmarks"]


def test_seen_fraction_counts_the_samples_next_to_the_breakpoint():
    fps = 240.0
    t = np.arange(-0.06, 0.0601, 1 / fps)
    t0 = 0.3 / fps
    edge = _edge_track(t, t0)
    early = edge.copy()
    early[t < -0.035] = np.nan  # the other leg passes over the strip in mid-stance
    got, _ = sil.silhouette_toe_off(t, early, -0.03, 0.03, foot_px=25.0)
    assert got == pytest.approx(t0, abs=0.05 / fps)
    late = edge.copy()
    late[(t < t0) & (t > -0.02)] = np.nan  # the planted edge is not seen just before it leaves
    late[::3] = edge[::3]
    assert np.isnan(sil.silhouette_toe_off(t, late, -0.03, 0.03, foot_px=25.0)[0])
