"""Benchmark: whole ``analyze`` versus raw pose inference on the same clip.

Run from the repo root::

    python benchmarks/bench_pipeline.py [VIDEO] [--repeat 1]

Prints, for the clip (default: the bundled sample):

* raw pose inference: decode + MediaPipe on every full frame, nothing else (frames/s);
* ``analyze`` without cache: localisation pass + pose on crops + cleaning + events + metrics;
* ``analyze`` with a warm cache (re-analysis);
* ``write_results`` (files and annotated frames);
* the ratio analyze / raw inference, and peak resident memory of this process.

Figures are ratios on the same machine, so they compare across machines better than seconds.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "sample_videos" / "sprint_fly_120fps.mp4"


def raw_inference(path: Path) -> tuple[float, int]:
    """Seconds and frames for decode + full-frame MediaPipe pose, nothing else."""
    from sprintcv.io.video import VideoReader
    from sprintcv.pose.mediapipe_backend import MediaPipeLegacyPose

    backend = MediaPipeLegacyPose()
    backend.reset()
    n = 0
    start = time.perf_counter()
    with VideoReader(path, drop_duplicates=False) as reader:
        for frame in reader.frames():
            backend.process(frame.image, frame.pts_s)
            n += 1
    elapsed = time.perf_counter() - start
    backend.close()
    return elapsed, n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)

    from sprintcv.pipeline import analyze, write_results

    raw_s, n = min(raw_inference(args.video) for _ in range(args.repeat))
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
        cold = []
        for _ in range(args.repeat):
            for p in Path(cache).glob("*"):
                p.unlink()
            t0 = time.perf_counter()
            result = analyze(args.video, cache_dir=cache)
            cold.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        analyze(args.video, cache_dir=cache)
        warm = time.perf_counter() - t0
        t0 = time.perf_counter()
        write_results(result, out)
        write = time.perf_counter() - t0
    cold_s = min(cold)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"clip                 {args.video.name}: {n} frames")
    print(f"raw pose inference   {raw_s:7.2f} s   {n / raw_s:6.1f} frames/s (full frames)")
    print(f"analyze (no cache)   {cold_s:7.2f} s   {n / cold_s:6.1f} frames/s")
    print(f"analyze (cached)     {warm:7.2f} s")
    print(f"write_results        {write:7.2f} s")
    print(f"ratio analyze / raw inference   {cold_s / raw_s:.2f}")
    print(f"ratio cached / raw inference    {warm / raw_s:.3f}")
    print(f"peak resident memory            {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
