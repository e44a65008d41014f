"""Spectral step frequency on analytic signals."""

import numpy as np
import pytest

from sprintcv.metrics.periodicity import dominant_frequency_hz


@pytest.mark.parametrize("fps", [30, 60, 240])
def test_recovers_frequency_within_half_percent(fps):
    t = np.arange(0, 8, 1 / fps)
    rng = np.random.default_rng(0)
    y = 5 * np.cos(2 * np.pi * 2.83 * t + 0.3) + 0.8 * np.cos(2 * np.pi * 1.415 * t) + 0.002 * t * 100
    y += rng.normal(0, 1.0, len(t))
    f, prom = dominant_frequency_hz(y, t)
    assert f == pytest.approx(2.83, rel=0.005)
    assert prom > 0.3


def test_too_short_gives_nan():
    t = np.arange(0, 0.6, 1 / 120)
    f, _ = dominant_frequency_hz(np.sin(2 * np.pi * 4.5 * t), t)
    assert np.isnan(f)


def test_nan_gaps_and_irregular_times():
    rng = np.random.default_rng(1)
    t = np.sort(rng.uniform(0, 6, 400))
    y = np.sin(2 * np.pi * 3.1 * t)
    y[100:110] = np.nan
    f, _ = dominant_frequency_hz(y, t)
    assert f == pytest.approx(3.1, rel=0.01)
