"""Contact detection on analytic gaits with exact events (body frame, y up, pixels), and each
stage of the detector (cues, decoding, leg identity, edge fit) on signals with known answers."""

import numpy as np
import pytest

import sprintcv.events as events
from sprintcv.events import (
    ABRUPT_LANDING_SPEED, FOOT_JOINTS, TOE_OFF_WINDOW_S, breakpoint_fit, departure_speed,
    detect_contacts, edge_time, fit_ground_line, landing_speed,
    foot_speed, ground_velocity, planted_logodds, planted_runs, segment_gait, stance_excursions,
    Contact, stance_foot_swaps, stance_ground_velocity, swap_feet, withhold_short_contacts,
)
from sprintcv.joints import MEDIAPIPE_JOINTS

LEG = 100.0  # leg length in pixels (thigh 50 + shank 50)


def analytic_gait(fps, *, duration=1.5, speed=900.0, contact=0.11, flight=0.12, phase=0.05,
                  tilt_deg=0.0, noise_px=0.0, seed=0, landing="eased"):
    """Feet planted at fixed x during contact (both heel and toe on the ground), sinusoidal arc
    in swing. ``landing="eased"``: the foot's forward motion eases to rest at touchdown
    (cosine); ``"abrupt"``: it is still moving forward at pi/2 times its mean swing speed (2.1
    running speeds here) when it lands. Returns (xy (n, 33, 2), t, true contacts [(foot, td,
    to)])."""
    t = np.arange(int(duration * fps)) / fps
    step = contact + flight
    truth = []
    k = 0
    while True:
        td = phase + (k - 3) * step
        if td > duration + step:
            break
        truth.append(("left" if k % 2 == 0 else "right", td, td + contact))
        k += 1
    xy = np.full((len(t), 33, 2), np.nan)
    idx = {n: i for i, n in enumerate(MEDIAPIPE_JOINTS)}
    hip_x = speed * t
    hip_y = np.full_like(t, 0.95 * LEG)
    for side in ("left", "right"):
        own = [(td, to) for f, td, to in truth if f == side]
        fx = np.full_like(t, np.nan)
        fy = np.full_like(t, np.nan)
        for i, ti in enumerate(t):
            for (td, to), (td2, _) in zip(own, own[1:]):
                if td <= ti < td2:
                    x0 = speed * td + 0.3 * LEG
                    x1 = speed * td2 + 0.3 * LEG
                    if ti < to:
                        fx[i], fy[i] = x0, 0.0
                    else:
                        s = (ti - to) / (td2 - to)
                        ease = (1 - np.cos(np.pi * s)) / 2 if landing == "eased" else 1 - np.cos(np.pi * s / 2)
                        fx[i] = x0 + (x1 - x0) * ease
                        fy[i] = 0.4 * LEG * np.sin(np.pi * s)
                    break
        xy[:, idx[f"{side}_heel"]] = np.column_stack([fx - 0.08 * LEG, fy])
        xy[:, idx[f"{side}_foot_index"]] = np.column_stack([fx + 0.12 * LEG, fy])
        xy[:, idx[f"{side}_ankle"]] = np.column_stack([fx - 0.05 * LEG, fy + 0.08 * LEG])
        hip = np.column_stack([hip_x, hip_y])
        ankle = xy[:, idx[f"{side}_ankle"]]
        mid = (hip + ankle) / 2
        d = np.linalg.norm(ankle - hip, axis=1, keepdims=True)
        bulge = np.sqrt(np.clip(50.0 ** 2 - (d / 2) ** 2, 0, None))
        xy[:, idx[f"{side}_knee"]] = mid + np.column_stack([bulge[:, 0], np.zeros(len(t))])
        xy[:, idx[f"{side}_hip"]] = hip
    if tilt_deg:
        a = np.radians(tilt_deg)
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        xy = xy @ rot.T
    if noise_px:
        xy = xy + np.random.default_rng(seed).normal(0, noise_px, xy.shape)
    # Contacts with a little swing on both sides inside the clip (an edge at the very first
    # or last sample cannot be timed).
    margin = max(0.02, 2.0 / fps)
    inside = [(f, td, to) for f, td, to in truth if td > t[0] + margin and to < t[-1] - margin]
    return xy, t, inside


def _match(found, truth):
    """Pair each true contact with the detected one of the same foot nearest in time."""
    errs_td, errs_to = [], []
    for foot, td, to in truth:
        cands = [c for c in found if c.foot == foot]
        c = min(cands, key=lambda c: abs(c.touchdown_s - td))
        errs_td.append(c.touchdown_s - td)
        errs_to.append(c.toeoff_s - to)
    return np.array(errs_td), np.array(errs_to)


def _complete(det):
    return [c for c in det.contacts if np.isfinite(c.contact_s)]


@pytest.mark.parametrize("fps", [240, 120, 60, 30])
def test_exact_gait_within_a_fraction_of_a_frame(fps):
    xy, t, truth = analytic_gait(fps)
    det = detect_contacts(xy, t, MEDIAPIPE_JOINTS)
    margin = max(0.02, 2.0 / fps)  # as analytic_gait's truth: contacts not at the clip's ends
    complete = [c for c in _complete(det) if t[0] + margin < c.touchdown_s and c.toeoff_s < t[-1] - margin]
    assert len(complete) == len(truth)  # every contact, no phantom
    td, to = _match(complete, truth)
    # Noise-free corners: the breakpoint fit puts every edge within half a frame at 120 fps
    # and above; at 60 fps the swing arc curves away from the fitted polynomial within the
    # fit window (0.6 frame); at 30 fps a contact is three samples, so one frame.
    tol = {240: 0.5, 120: 0.5, 60: 0.6, 30: 1.0}[fps] / fps
    assert np.max(np.abs(td)) <= tol
    assert np.max(np.abs(to)) <= tol
    assert not det.warnings


@pytest.mark.parametrize("fps", [240, 120, 60, 30])
def test_abrupt_landings_are_timed_with_a_straight_approach(fps):
    """Feet that land still moving at two running speeds are recognised as such (eased ones
    are not; below 50 fps neither is judged) and their touchdowns timed within the same
    fraction of a frame as eased ones."""
    for landing in ("eased", "abrupt"):
        xy, t, truth = analytic_gait(fps, landing=landing)
        det = detect_contacts(xy, t, MEDIAPIPE_JOINTS)
        if fps < 50:
            assert np.isnan(det.landing_speed_run)
        else:
            assert (det.landing_speed_run > ABRUPT_LANDING_SPEED) == (landing == "abrupt"), det.landing_speed_run
        margin = max(0.02, 2.0 / fps)
        complete = [c for c in _complete(det) if t[0] + margin < c.touchdown_s and c.toeoff_s < t[-1] - margin]
        assert len(complete) == len(truth)
        td, _ = _match(complete, truth)
        assert np.max(np.abs(td)) <= {240: 0.5, 120: 0.5, 60: 0.6, 30: 1.0}[fps] / fps, (landing, td * fps)


def test_departure_speed_is_the_speed_of_a_straight_approach():
    t = np.arange(12) / 60.0
    t0 = 0.1
    before = np.clip(t0 - t, 0, None)
    pts = np.column_stack([10.0 - 1200.0 * before, 5.0 + 500.0 * before])  # 1300 px/s in, then still
    assert departure_speed(t, pts, t0, -1) == pytest.approx(1300.0, rel=1e-9)
    assert np.isnan(departure_speed(t[:7], pts[:7], t0, -1))  # one sample on the planted side


def _landing_foot(fps, t0, landing, speed=1200.0, creep_px_s=0.0):
    """A heel and toe (30 px apart) arriving at rest at ``t0``: in a straight line at ``speed``
    (``"abrupt"``) or decelerating from it over 0.1 s (``"eased"``), then still, or creeping
    forward at ``creep_px_s`` (blurred landmarks of a landed foot, as on a 60 fps treadmill
    clip). Returns (t, xy (n, 4, 2)) with the columns of ``_FOOT_NAMES``."""
    t = np.arange(int(0.3 * fps)) / fps
    before, after = np.clip(t0 - t, 0, None), np.clip(t - t0, 0, None)
    travel = speed * before if landing == "abrupt" else speed * before ** 2 / 0.2
    heel = np.column_stack([-0.8 * travel + creep_px_s * after, 0.6 * travel])
    xy = np.stack([heel, heel + [30.0, 0.0], heel + [500.0, 0.0], heel + [530.0, 0.0]], axis=1)
    return t, xy


_FOOT_NAMES = ("left_heel", "left_foot_index", "right_heel", "right_foot_index")


def test_landing_speed_tells_an_abrupt_landing_from_an_eased_one():
    fps, t0 = 60.0, 0.1537
    edge = int(np.ceil(t0 * fps))
    speeds = {}
    for landing in ("abrupt", "eased"):
        t, xy = _landing_foot(fps, t0, landing)
        speeds[landing] = landing_speed(xy, t, _FOOT_NAMES, "left", edge, 0.0, limit=edge + 10)
    assert speeds["abrupt"] == pytest.approx(1200.0, rel=0.02)
    assert speeds["eased"] < 0.6 * speeds["abrupt"]


def test_straight_approach_times_an_abrupt_landing_of_a_creeping_foot():
    """A landed foot whose landmarks creep forward (a fifth of the approach speed): the
    linear + quadratic approach takes the creep for the end of the approach and puts the
    touchdown 2.3 frames late; the straight approach stays within about half a frame."""
    fps, t0 = 60.0, 0.1537
    edge = int(np.ceil(t0 * fps))
    t, xy = _landing_foot(fps, t0, "abrupt", creep_px_s=250.0)
    curved, _ = edge_time(xy, t, _FOOT_NAMES, "left", edge, -1, 0.0, limit=edge + 10)
    straight, _ = edge_time(xy, t, _FOOT_NAMES, "left", edge, -1, 0.0, limit=edge + 10, straight_approach=True)
    assert abs(straight - t0) * fps <= 0.7
    assert (curved - t0) * fps > 1.5


@pytest.mark.parametrize("direction_tilt", [4.0, -3.0])
def test_tilted_camera_and_noise_within_one_frame_at_120fps(direction_tilt):
    fps = 120
    xy, t, truth = analytic_gait(fps, tilt_deg=direction_tilt, noise_px=0.4)
    det = detect_contacts(xy, t, MEDIAPIPE_JOINTS)
    complete = _complete(det)
    assert len(complete) == len(truth)
    td, to = _match(complete, truth)
    assert np.mean(np.abs(td)) <= 1.0 / fps
    assert np.mean(np.abs(to)) <= 1.0 / fps
    assert det.ground[1] == pytest.approx(np.tan(np.radians(direction_tilt)), abs=0.01)


def test_treadmill_belt_is_the_ground():
    """Hip still in the image, the belt carrying the planted foot backwards: the ground
    velocity is the belt's and the contacts are those of the track case."""
    fps, speed = 120, 900.0
    xy, t, truth = analytic_gait(fps, speed=speed)
    belt = xy.copy()
    belt[..., 0] -= speed * t[:, None]
    det = detect_contacts(belt, t, MEDIAPIPE_JOINTS)
    assert det.ground_velocity_px_s == pytest.approx(-speed, rel=0.02)
    assert det.ground[1] == 0.0  # the feet stay within two legs of x: a flat line
    complete = _complete(det)
    assert len(complete) == len(truth)
    td, to = _match(complete, truth)
    assert np.max(np.abs(td)) <= 0.5 / fps and np.max(np.abs(to)) <= 0.5 / fps


def test_stance_ground_velocity_is_the_belt_where_the_densest_velocity_is_not():
    """A treadmill at 60 fps: in mid-contact the planted foot's image velocity swings 600 px/s
    about the belt's (it rolls; a low camera), it takes a quarter of the contact to reach the
    belt's speed and another to leave it, and the swing spreads over 0-3000 px/s forward. The
    densest velocity is then near 0; the median over the middle half of the contacts is the
    belt's, exactly (the swing is symmetric there)."""
    fps, belt = 60.0, -2000.0
    n = 160
    t = np.arange(n) / fps
    runs = {"left": [(10, 30), (50, 70), (90, 110), (130, 150)], "right": [(30, 50), (70, 90), (110, 130)]}
    xy = np.full((n, len(MEDIAPIPE_JOINTS), 2), np.nan)
    for side, side_runs in runs.items():
        v = 1500.0 - 1500.0 * np.cos(2 * np.pi * np.arange(n) / 40.0)  # swing, forward
        for start, stop in side_runs:
            m = stop - start
            q = m // 4
            v[start:start + q] = np.linspace(0.0, belt, q)  # onto the belt
            v[stop - q:stop] = np.linspace(belt, 0.0, q)  # off it
            v[start + q:stop - q] = belt + 600.0 * np.sin(2 * np.pi * np.arange(m - 2 * q) / (m - 2 * q))
        for point in ("heel", "foot_index"):
            xy[:, MEDIAPIPE_JOINTS.index(f"{side}_{point}"), 0] = np.cumsum(v) / fps
            xy[:, MEDIAPIPE_JOINTS.index(f"{side}_{point}"), 1] = 0.0
    vx = np.concatenate([np.gradient(xy[:, MEDIAPIPE_JOINTS.index(f"{s}_{p}"), 0], t)
                         for s in runs for p in ("heel", "foot_index")])
    assert abs(ground_velocity(vx, bandwidth=200.0) - belt) > 1000.0
    assert stance_ground_velocity(xy, t, MEDIAPIPE_JOINTS, runs) == pytest.approx(belt, abs=1.0)
    assert np.isnan(stance_ground_velocity(xy, t, MEDIAPIPE_JOINTS, {"left": [], "right": []}))


def test_a_contact_far_shorter_than_the_others_has_its_times_withheld():
    """Six 110 ms contacts, one of 40 ms (under half the median: its times are withheld, the
    contact stays in the sequence) and one of 70 ms (0.64 of it, as a 30-60 fps contact can
    read: kept). With fewer than 5 complete contacts nothing is judged."""
    durations = [0.11, 0.11, 0.04, 0.11, 0.07, 0.11, 0.11, 0.11]
    contacts = [Contact("left" if i % 2 == 0 else "right", 0.25 * i, 0.25 * i + d, 30 * i, 30 * i + 13,
                        0.8, 0.6) for i, d in enumerate(durations)]
    out, notes = withhold_short_contacts(contacts)
    assert len(out) == len(contacts) and [c.foot for c in out] == [c.foot for c in contacts]
    short = out[2]
    assert np.isnan(short.touchdown_s) and np.isnan(short.toeoff_s)
    assert short.touchdown_confidence == 0.0 and short.toeoff_confidence == 0.0
    assert all(c == o for i, (c, o) in enumerate(zip(contacts, out)) if i != 2)
    assert len(notes) == 1 and "0.50 s lasts 40 ms" in notes[0] and "withheld" in notes[0]
    assert withhold_short_contacts(contacts[:4]) == (contacts[:4], [])


def test_edges_cut_by_clip_are_missing_not_guessed():
    fps = 120
    xy, t, _ = analytic_gait(fps, phase=-0.05)  # a contact is in progress at the first frame
    det = detect_contacts(xy, t, MEDIAPIPE_JOINTS)
    first = det.contacts[0]
    assert np.isnan(first.touchdown_s) and np.isfinite(first.toeoff_s)
    events = det.events()
    assert len(events) == sum(int(np.isfinite(c.touchdown_s)) + int(np.isfinite(c.toeoff_s)) for c in det.contacts)


def test_a_hidden_foot_is_missing_not_invented():
    """The right foot's landmarks are lost for a whole stride: its contact there is missing,
    the left foot's contacts around it are still found."""
    fps = 120
    xy, t, truth = analytic_gait(fps)
    right = [(td, to) for f, td, to in truth if f == "right"]
    td, to = right[2]
    gone = (t > td - 0.05) & (t < to + 0.05)
    idx = [MEDIAPIPE_JOINTS.index(f"right_{j}") for j in ("knee", "ankle", "heel", "foot_index")]
    xy[np.ix_(gone, idx)] = np.nan
    det = detect_contacts(xy, t, MEDIAPIPE_JOINTS)
    found_right = [c for c in det.contacts if c.foot == "right"]
    assert all(abs(c.touchdown_s - td) > 0.05 for c in found_right if np.isfinite(c.touchdown_s))
    assert len([c for c in _complete(det) if c.foot == "left"]) == len([1 for f, *_ in truth if f == "left"])


def test_fit_ground_line_recovers_tilt_despite_outliers():
    rng = np.random.default_rng(1)
    x = np.linspace(0, 1000, 200)
    y = 5.0 + 0.05 * x + rng.normal(0, 0.5, 200)
    y[::10] += 40.0  # a tenth of the points are not on the ground
    a, b = fit_ground_line(x, y, leg_px=100.0)
    assert b == pytest.approx(0.05, abs=1e-3)
    assert a == pytest.approx(5.0, abs=0.5)


def test_flat_ground_for_treadmill():
    x = np.random.default_rng(0).uniform(0, 50, 100)
    a, b = fit_ground_line(x, np.abs(np.sin(x)) * 30, leg_px=100.0)
    assert b == 0.0


def test_ground_velocity_is_the_densest_velocity():
    rng = np.random.default_rng(2)
    planted = rng.normal(-350.0, 20.0, 300)           # a belt at -350 px/s, 30% of samples
    swing = rng.uniform(-300.0, 2500.0, 700)          # swing velocities spread widely
    assert ground_velocity(np.concatenate([planted, swing]), bandwidth=90.0) == pytest.approx(-350.0, abs=15.0)


def test_foot_speed_is_the_slower_of_heel_and_toe():
    t = np.arange(50) / 100.0
    xy = np.zeros((50, 33, 2))
    xy[:, MEDIAPIPE_JOINTS.index("left_heel"), 1] = 300.0 * t       # heel rises at 300 px/s
    xy[:, MEDIAPIPE_JOINTS.index("left_foot_index"), 0] = 100.0 * t  # toe slides at 100 px/s
    assert foot_speed(xy, t, MEDIAPIPE_JOINTS, "left", 0.0) == pytest.approx(np.full(50, 100.0))
    # Relative to a ground moving at +100 px/s the toe is still.
    assert foot_speed(xy, t, MEDIAPIPE_JOINTS, "left", 100.0) == pytest.approx(np.zeros(50), abs=1e-9)


def test_planted_logodds_sign():
    rng = np.random.default_rng(3)
    stance = rng.uniform(0, 40, 200) < 12             # 30% planted
    speed = np.where(stance, rng.normal(0.05, 0.02, 200), rng.uniform(0.6, 2.0, 200))
    height = np.where(stance, rng.normal(0.0, 0.005, 200), rng.uniform(0.1, 0.4, 200))
    lo = planted_logodds(speed, height)
    assert np.all(lo[stance] > 0) and np.all(lo[~stance] < 0)
    # No information (NaN) is neutral.
    assert planted_logodds(np.full(10, np.nan), np.full(10, np.nan)) == pytest.approx(np.zeros(10))


def _square_logodds(n, fps, contacts, level=4.0):
    """+level while planted (sample ranges), -level otherwise."""
    lo = np.full(n, -level)
    for s, e in contacts:
        lo[s:e] = level
    return lo


def test_segment_gait_alternates_and_ignores_a_one_frame_glitch():
    fps, n = 100, 120
    left = _square_logodds(n, fps, [(10, 21), (54, 65), (98, 109)])
    right = _square_logodds(n, fps, [(32, 43), (76, 87)])
    left[15] = -8.0  # a glitch in the middle of a contact
    runs = planted_runs(segment_gait(left, right, 1.0 / fps))
    assert runs == {"left": [(10, 21), (54, 65), (98, 109)], "right": [(32, 43), (76, 87)]}


def test_segment_gait_leaves_an_unseen_contact_out():
    """The right foot's middle contact shows nothing planted: a lone left swing, not a guess."""
    fps, n = 100, 120
    left = _square_logodds(n, fps, [(10, 21), (54, 65), (98, 109)])
    right = _square_logodds(n, fps, [(32, 43)])
    runs = planted_runs(segment_gait(left, right, 1.0 / fps))
    assert runs["left"] == [(10, 21), (54, 65), (98, 109)]
    assert runs["right"] == [(32, 43)]


def test_segment_gait_double_support():
    """Both feet down for 0.3 s (a set position), then running."""
    fps, n = 100, 80
    left = _square_logodds(n, fps, [(0, 30), (52, 63)])
    right = _square_logodds(n, fps, [(0, 41)])
    segs = segment_gait(left, right, 1.0 / fps)
    assert [s.name for s in segs][:2] == ["double_support", "right_stance"]
    assert planted_runs(segs) == {"left": [(0, 30), (52, 63)], "right": [(0, 41)]}


@pytest.mark.parametrize("outward, powers", [(-1, (1, 2)), (+1, (1,))])
def test_breakpoint_fit_recovers_a_sub_frame_corner(outward, powers):
    t = np.arange(20) / 100.0
    t0 = 0.0937
    d = np.clip((t - t0) * outward, 0, None)
    pts = np.column_stack([50.0 + 400.0 * d, -20.0 + 150.0 * d + (900.0 * d * d if 2 in powers else 0.0)])
    est, halfwidth = breakpoint_fit(t, pts, 0.06, 0.13, outward, n_grid=141, powers=powers)
    assert est == pytest.approx(t0, abs=0.0005)
    assert halfwidth < 0.002
    noisy = pts + np.random.default_rng(4).normal(0, 0.5, pts.shape)
    est, halfwidth = breakpoint_fit(t, noisy, 0.06, 0.13, outward, n_grid=141, powers=powers)
    assert est == pytest.approx(t0, abs=0.003)  # 0.3 frame at 100 fps
    assert halfwidth < 0.01


def test_constructed_foot_swaps_are_found_and_undone():
    """The pose model hands the stance foot's landmarks to the swing foot for 4 samples in
    mid-stance (and the heel alone for 2 more): the swaps are found and the contacts are those
    of the clean gait."""
    fps = 120
    xy, t, truth = analytic_gait(fps)
    clean = detect_contacts(xy, t, MEDIAPIPE_JOINTS)
    names = MEDIAPIPE_JOINTS
    left_td, left_to = next((td, to) for f, td, to in truth if f == "left" and td > 0.3)
    mid = int(np.argmin(np.abs(t - (left_td + left_to) / 2)))
    swaps = np.zeros((len(t), len(FOOT_JOINTS)), dtype=bool)
    swaps[mid - 2: mid + 2] = True
    swaps[mid + 2: mid + 4, FOOT_JOINTS.index("heel")] = True
    broken = swap_feet(xy, names, swaps)
    # As decoded from the broken labels: the swapped samples look like a right contact on the
    # left foot's spot, between two pieces of the left contact.
    s0, s1 = int(np.ceil(left_td * fps)), int(left_to * fps) + 1
    runs = {"left": [(s0, mid - 2), (mid + 2, s1)], "right": [(mid - 2, mid + 2)]}
    found = stance_foot_swaps(broken, names, runs, 0.0, t, leg_px=100.0)
    assert np.array_equal(found, swaps)
    det = detect_contacts(broken, t, names)
    assert np.array_equal(det.foot_swaps, swaps)
    got = [(c.foot, c.touchdown_s, c.toeoff_s) for c in _complete(det)]
    want = [(c.foot, c.touchdown_s, c.toeoff_s) for c in _complete(clean)]
    assert got == want


def test_breakpoint_fit_with_inner_drift_finds_where_the_motion_changes():
    """Before toe-off the toe landmark slides slowly (it sits above the tip of a turning
    foot); the plain still/moving model puts the edge where the slide starts, the drift model
    where the departure does."""
    fps = 120.0
    t = np.arange(16) / fps
    t0 = 0.0712
    before = np.clip(t0 - t, 0, None)
    after = np.clip(t - t0, 0, None)
    # slide 150 px/s forward and 60 px/s up; then leave at 400 px/s with acceleration
    x = 10.0 - 150.0 * before + 400.0 * after + 4000.0 * after ** 2
    y = 3.0 - 60.0 * before + 100.0 * after + 9000.0 * after ** 2
    pts = np.column_stack([x, y])
    plain, _ = breakpoint_fit(t, pts, 0.03, 0.11, +1, n_grid=161)
    drift, halfwidth = breakpoint_fit(t, pts, 0.03, 0.11, +1, n_grid=161, inner_drift=True)
    assert drift == pytest.approx(t0, abs=0.05 / fps)
    assert plain < t0 - 0.5 / fps  # the slide's onset pulls the plain fit early
    assert halfwidth < 0.5 / fps
    noisy = pts + np.random.default_rng(2).normal(0, 0.5, pts.shape)
    est, _ = breakpoint_fit(t, noisy, 0.03, 0.11, +1, n_grid=161, inner_drift=True)
    assert est == pytest.approx(t0, abs=0.4 / fps)


def _lose_foot(xy, t, side, t_from, t_to, offset=(22.0, 18.0)):
    """The pose model puts ``side``'s foot landmarks ``offset`` px away during [t_from, t_to)."""
    names = MEDIAPIPE_JOINTS
    out = xy.copy()
    rows = (t >= t_from) & (t < t_to)
    for joint in FOOT_JOINTS:
        out[rows, names.index(f"{side}_{joint}")] += offset
    return out, rows


def test_a_lost_planted_foot_is_hidden_and_the_contact_keeps_its_length():
    """For 3 samples in late stance the stance foot's landmarks jump 0.28 leg away and come
    back (the pose model following the passing swing foot, not the other foot's labels): those
    samples are ignored and the contact keeps its true edges."""
    fps = 120
    xy, t, truth = analytic_gait(fps)
    foot, td, to = next(c for c in truth if c[0] == "left" and c[1] > 0.3)
    lost_from = to - 0.045
    broken, rows = _lose_foot(xy, t, "left", lost_from, lost_from + 3 / fps)
    det = detect_contacts(broken, t, MEDIAPIPE_JOINTS)
    c = min((c for c in det.contacts if c.foot == "left"), key=lambda c: abs(c.touchdown_s - td))
    assert c.touchdown_s == pytest.approx(td, abs=0.5 / fps)
    assert c.toeoff_s == pytest.approx(to, abs=0.5 / fps)
    lost = det.foot_lost[:, 0, :].any(axis=1)  # left
    assert np.array_equal(lost, rows)
    assert not det.foot_lost[:, 1, :].any()
    # Without the correction the same clip gives a contact cut short where the foot was lost.
    raw = detect_contacts(broken, t, MEDIAPIPE_JOINTS, correct_feet=False)
    short = min((c for c in raw.contacts if c.foot == "left"), key=lambda c: abs(c.touchdown_s - td))
    assert not short.toeoff_s > to - 0.02


def test_stance_excursions_none_on_a_clean_gait_and_none_before_touchdown():
    """No sample of a clean gait is flagged, and a swing foot that passes over the spot before
    touchdown (then lands, with the first planted sample after a far one) is not a lost foot."""
    fps = 120
    xy, t, truth = analytic_gait(fps)
    names = MEDIAPIPE_JOINTS
    det = detect_contacts(xy, t, names)
    assert not det.foot_lost.any()
    runs = {"left": [], "right": []}
    for c in _complete(det):
        runs[c.foot].append((c.touchdown_sample, c.toeoff_sample + 1))
    assert not stance_excursions(xy, names, runs, 0.0, t, LEG).any()
    # The swing toe is near the spot 2 samples before touchdown, then far, then planted.
    foot, td, to = next(c for c in truth if c[0] == "right" and c[1] > 0.3)
    s0 = int(np.ceil(td * fps))
    toe = names.index("right_foot_index")
    spot = xy[s0 + 3, toe].copy()
    moved = xy.copy()
    moved[s0 - 2, toe] = spot + (2.0, 1.0)
    moved[s0 - 1, toe] = spot + (-30.0, 12.0)
    assert not stance_excursions(moved, names, runs, 0.0, t, LEG).any()


def test_robust_breakpoint_fit_ignores_a_one_sample_jump():
    """A landmark that jumps for one sample on the swing side of a touchdown (motion blur at
    impact) pulls the least-squares edge; the robust fit keeps it within 0.2 frame."""
    fps = 120.0
    t = np.arange(16) / fps
    t0 = 0.0712
    d = np.clip(t0 - t, 0, None)
    pts = np.column_stack([50.0 + 500.0 * d, -20.0 + 200.0 * d + 6000.0 * d * d])
    pts += np.random.default_rng(1).normal(0, 0.3, pts.shape)
    jump = int(np.floor(t0 * fps)) - 1
    pts[jump] += (-9.0, 7.0)
    plain, _ = breakpoint_fit(t, pts, 0.04, 0.10, -1, n_grid=121)
    robust, _ = breakpoint_fit(t, pts, 0.04, 0.10, -1, n_grid=121, robust=True)
    assert abs(robust - t0) <= 0.2 / fps
    assert abs(plain - t0) > abs(robust - t0)


def test_breakpoint_fit_with_inner_turn_follows_a_landmark_off_the_pivot():
    """The toe landmark sits 8 px above and behind the tip the foot turns about, and the turn
    speeds up towards toe-off (pitch 30 -> 68 deg over the last 53 ms, as in a sprint); after
    toe-off the tip leaves at 300 px/s, accelerating. With 0.5 px landmark noise (10 draws),
    the turn term puts the edge within 0.5 frame on average; the linear drift is off by more
    than twice that and the still model by several frames, early."""
    fps = 240.0
    t = np.arange(30) / fps
    t0 = 0.0731
    since = t - 0.02
    turn = -np.radians(30.0 + 500.0 * since + 4000.0 * since ** 2)  # heel-up pitch, rad
    offset = np.array([-4.0, 7.0])  # landmark - tip, foot frame
    c, s = np.cos(turn), np.sin(turn)
    landmark = np.column_stack([c * offset[0] - s * offset[1], s * offset[0] + c * offset[1]])
    after = np.clip(t - t0, 0, None)
    tip = np.column_stack([300.0 * after + 8000.0 * after ** 2, 150.0 * after + 12000.0 * after ** 2])
    errors = {"still": [], "drift": [], "turn": []}
    for seed in range(10):
        pts = tip + landmark + np.random.default_rng(seed).normal(0, 0.5, tip.shape)
        fit = lambda **kw: (breakpoint_fit(t, pts, 0.05, 0.11, +1, n_grid=241, **kw)[0] - t0) * fps
        errors["still"].append(fit())
        errors["drift"].append(fit(inner_drift=True))
        errors["turn"].append(fit(inner_drift=True, inner_turn=turn))
    mae = {k: float(np.mean(np.abs(v))) for k, v in errors.items()}
    assert mae["turn"] <= 0.5
    assert mae["drift"] > 2 * mae["turn"]
    assert np.mean(errors["still"]) < -3.0


def _turning_foot_past_toe_off(fps, t0, seed):
    """Heel and toe landmarks (rows 0-1 left, 2-3 right) of a foot that keeps turning at the
    same growing rate after its tip leaves at t0 (the tip then moving only 40 px/s): after
    t0 the toe landmark's motion is still mostly the turn."""
    t = np.arange(60) / fps
    since = np.clip(t - 0.05, 0, None)
    turn = -np.radians(20.0 + 500.0 * since + 4000.0 * since ** 2)
    c, s = np.cos(turn), np.sin(turn)
    lead = np.column_stack([c * -4.0 - s * 7.0, s * -4.0 + c * 7.0])  # landmark off the tip
    after = np.clip(t - t0, 0, None)
    toe = np.column_stack([40.0 * after, -20.0 * after]) + lead
    toe += np.random.default_rng(seed).normal(0, 0.3, toe.shape)
    heel = toe - 60.0 * np.column_stack([c, s])
    return t, np.stack([heel, toe, heel, toe], axis=1)


def test_toe_off_turn_term_cannot_take_swing_for_turning(monkeypatch):
    """When the foot keeps turning after it leaves, the turn term can explain early swing and
    put toe-off late (6-7 frames on 4 of 10 noisy draws, 3.1 frames mean absolute error);
    held within MAX_TURN_LAG_SAMPLES of the fit without it, the mean absolute error is
    1.2 frames and no draw is more than 3 frames off."""
    names = ("left_heel", "left_foot_index", "right_heel", "right_foot_index")
    fps, t0 = 240.0, 0.1252

    def errors():
        out = []
        for seed in range(10):
            t, xy = _turning_foot_past_toe_off(fps, t0, seed)
            edge = int(np.floor(t0 * fps))
            got, _ = edge_time(xy, t, names, "left", edge, +1, 0.0, limit=0,
                               window_s=TOE_OFF_WINDOW_S)
            out.append((got - t0) * fps)
        return np.array(out)

    held = errors()
    monkeypatch.setattr(events, "MAX_TURN_LAG_SAMPLES", np.inf)
    free = errors()
    assert np.mean(np.abs(held)) <= 1.5
    assert np.max(np.abs(held)) <= 3.0
    assert np.mean(np.abs(free)) > 2.0 * np.mean(np.abs(held))
