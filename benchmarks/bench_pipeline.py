"""Benchmark: whole ``analyze`` versus raw pose inference on the same clip.

Run from the repo root::

    python benchmarks/bench_pipeline.py [VIDEO] [--repeat 1]

Prints, for the clip (default: the bundled sample):

* raw pose inference: MediaPipe's ``process`` calls alone (decoding not timed) on exactly the
  images the pipeline gives it (the runner crops, or full frames), and on full frames;
* ``analyze`` without cache: localisation pass + pose on crops + cleaning + events + metrics;
* ``analyze`` with a warm cache (re-analysis), with and without the silhouette contact edges (one
  more decoding pass, :mod:`sprintcv.silhouette`);
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

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "sample_videos" / "sprint_fly_120fps.mp4"


def raw_inference(path: Path, roi: np.ndarray | None = None) -> tuple[float, int]:
    """Seconds spent in the pose model alone and frames given to it.

    ``roi`` (n, 3) = (x0, y0, size) per kept frame, as the pipeline recorded it: the same
    crops are fed; without it, every decoded full frame is.
    """
    from sprintcv.io.video import VideoReader
    from sprintcv.pose.localise import crop
    from sprintcv.pose.mediapipe_backend import MediaPipeLegacyPose

    backend = MediaPipeLegacyPose()
    backend.reset()
    n, spent = 0, 0.0
    with VideoReader(path, drop_duplicates=roi is not None) as reader:
        for i, frame in enumerate(reader.frames()):
            image = frame.image
            if roi is not None:
                x0, y0, size = roi[i]
                if not np.isfinite(size):
                    continue
                if size < max(image.shape[:2]):
                    image = crop(image, int(x0), int(y0), int(size))
            t0 = time.perf_counter()
            backend.process(image, frame.pts_s)
            spent += time.perf_counter() - t0
            n += 1
    backend.close()
    return spent, n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)

    from sprintcv.pipeline import analyze, write_results

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
        analyze(args.video, cache_dir=cache, silhouette=False)
        warm_plain = time.perf_counter() - t0
        t0 = time.perf_counter()
        write_results(result, out)
        write = time.perf_counter() - t0
    same_s, n_same = min(raw_inference(args.video, result.roi) for _ in range(args.repeat))
    full_s, n_full = min(raw_inference(args.video) for _ in range(args.repeat))
    cold_s = min(cold)
    n = result.summary["video"]["frames"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"clip                 {args.video.name}: {n} frames decoded, {n_same} given to the model "
          f"({result.summary['pose']['crop']['mode']} mode)")
    print(f"pose model alone     {same_s:7.2f} s   {n_same / same_s:6.1f} frames/s (same inputs as analyze)")
    print(f"pose model, full     {full_s:7.2f} s   {n_full / full_s:6.1f} frames/s (full frames)")
    print(f"analyze (no cache)   {cold_s:7.2f} s   {n / cold_s:6.1f} frames/s")
    print(f"analyze (cached)     {warm:7.2f} s   ({warm_plain:.2f} s without the silhouette edges)")
    print(f"write_results        {write:7.2f} s")
    print(f"ratio analyze / pose model alone   {cold_s / same_s:.2f}")
    print(f"ratio cached / pose model alone    {warm / same_s:.3f}")
    print(f"ratio silhouette stage / pose alone {(warm - warm_plain) / same_s:.3f}")
    print(f"peak resident memory               {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
