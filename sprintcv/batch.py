"""A team's clips: analyse many clips in parallel, resumably, and summarise the team.

>>> from sprintcv.batch import plan_batch, run_batch        # doctest: +SKIP
>>> plan = plan_batch(["monday/"], out_dir="monday_results", roster="monday/roster.toml")
>>> report = run_batch(plan, workers=2)                     # doctest: +SKIP
>>> report.counts                                           # doctest: +SKIP

:func:`plan_batch` finds the clips (:mod:`sprintcv.roster`) and gives each a :class:`Job`: the
clip, its resolved settings, its date and its output folder ``OUT/<clip name>/``.
:func:`run_batch` skips jobs already done, runs the others through an :class:`Executor` (worker
processes on this machine, :class:`LocalExecutor`, or a Dask cluster, :class:`DaskExecutor`),
and keeps ``OUT/team_summary.csv`` / ``.json`` up to date as clips finish.

Each job calls the ordinary pipeline (:func:`sprintcv.pipeline.analyze` and
:func:`~sprintcv.pipeline.write_results`); nothing here re-implements analysis.

What "done" means, and why a crash or Ctrl-C loses nothing:

* A job writes its whole output folder under ``OUT/.sprintcv-work/`` and then renames it onto
  ``OUT/<name>/`` (an existing older folder is moved aside first and deleted after), so
  ``OUT/<name>/`` is always either the previous complete result or the new complete result.
* The last file of the folder is ``batch_job.json``: the job key (SHA-256 of the clip's bytes,
  the analysis settings, the output options and the sprintcv version) and the list of files.
  A clip counts as done when that manifest's key matches the job's and all its files exist;
  otherwise it is analysed again. Changing only the date, session or rep of a done clip
  rewrites its manifest without re-analysing it.
* The team summary is rewritten (atomically) after every clip, so even a killed batch leaves a
  summary of what finished. Ctrl-C stops the workers at once, keeps every finished clip, writes
  the summary (unfinished clips: ``pending``) and raises :class:`BatchInterrupted`; running the
  same batch again does only the rest.
* One batch at a time writes to an output folder (a lock file, where the OS has ``fcntl``).

With Dask, the workers write the results themselves: the clips and the output folder must be
visible to every worker at the same paths (one machine, or a shared file system).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import json
import math
import os
import shutil
import signal
import socket
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO

from . import __version__
from .errors import BatchError, RosterError, SprintcvError
from .io.results import to_json, table_to_csv, write_json_atomic, write_text_atomic
from .roster import ClipSettings, Roster, RosterEntry, athlete_key, discover_clips, load_roster

#: Per-clip manifest, written last into each output folder.
MANIFEST_NAME = "batch_job.json"
#: Team summary files in the output folder.
TEAM_CSV = "team_summary.csv"
TEAM_JSON = "team_summary.json"
#: Where jobs stage their folders (inside the output folder: renames stay on one file system).
WORK_DIR = ".sprintcv-work"
_LOCK_NAME = ".sprintcv-batch.lock"
#: Bump when the meaning of a job key changes.
MANIFEST_VERSION = 1
DEFAULT_GATE_DISTANCE_M = 10.0

#: Columns of ``team_summary.csv``, in order.
TEAM_COLUMNS = (
    "athlete", "date", "session", "rep", "clip", "status", "reason", "results_dir",
    "fly10_s", "speed_peak_mps", "speed_mean_mps", "contact_s_mean", "flight_s_mean",
    "step_frequency_hz", "cadence_spm", "step_length_m_mean", "n_steps", "contacts_reliable",
    "capture_fps", "n_warnings", "date_source", "recorded_at", "analysed_now", "analysis_s",
    "clip_sha256",
)
#: Summary fields copied into the team summary (and the history).
SUMMARY_METRICS = ("fly10_s", "speed_peak_mps", "speed_mean_mps", "contact_s_mean", "flight_s_mean",
                   "step_frequency_hz", "cadence_spm", "step_length_m_mean", "n_steps", "contacts_reliable")


@dataclass(frozen=True)
class Outputs:
    """Which optional outputs each clip's folder gets (see :func:`sprintcv.pipeline.write_results`)."""

    images: bool = True
    video: bool = True
    report: bool = True


@dataclass(frozen=True)
class Job:
    """One clip to analyse: everything a worker needs (picklable, paths absolute).

    Attributes
    ----------
    clip : Path
        The video file.
    name : str
        Output folder relative to ``out_root`` (POSIX separators).
    out_root : Path
        The batch output folder.
    settings : ClipSettings
        Resolved settings (command line, roster defaults, athlete, row).
    date_source : str
        Where ``settings.date`` came from: ``roster`` (or ``option``), ``container`` (the
        clip's creation_time tag) or ``file`` (its modification time).
    recorded_at : str, optional
        ISO date-time the clip was recorded (container tag, else file time), used to order reps.
    roster_row : str, optional
        The roster row that names the clip.
    outputs : Outputs
    model : str, optional
        MediaPipe ``.task`` file.
    use_cache : bool
    cache_dir : str, optional
        Pose cache; None: each worker's default (``$SPRINTCV_CACHE_DIR`` ...).
    """

    clip: Path
    name: str
    out_root: Path
    settings: ClipSettings
    date_source: str
    recorded_at: str | None = None
    roster_row: str | None = None
    outputs: Outputs = Outputs()
    model: str | None = None
    use_cache: bool = True
    cache_dir: str | None = None

    @property
    def out_dir(self) -> Path:
        return self.out_root / self.name

    def analysis_settings(self) -> dict[str, Any]:
        """What the results depend on, besides the clip's bytes (defaults filled in)."""
        s = self.settings
        return {
            "fps": s.fps,
            "model": self.model,
            "model_sha256": _sha256_or_none(self.model),
            "gates_px": list(s.gates_px) if s.gates_px is not None else None,
            "gate_distance_m": s.gate_distance_m if s.gate_distance_m is not None else DEFAULT_GATE_DISTANCE_M,
            "height_m": s.height_m,
            "find_cones": True if s.find_cones is None else s.find_cones,
            "cone_color": s.cone_color or "orange",
            "athlete": s.athlete,  # the report's title
            "outputs": dataclasses.asdict(self.outputs),
        }

    def metadata(self) -> dict[str, Any]:
        """Who, when and which rep: changing these does not need a new analysis."""
        s = self.settings
        return {
            "athlete": s.athlete, "date": s.date, "date_source": self.date_source, "session": s.session,
            "rep": s.rep, "recorded_at": self.recorded_at, "roster_row": self.roster_row,
        }


def _sha256_or_none(path: str | None) -> str | None:
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None  # the analysis itself reports the missing model
    return _sha256_cached(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _sha256_cached(path: str, mtime_ns: int, size: int) -> str | None:
    """SHA-256 of a file, computed once per (path, modification time, size)."""
    from .pose.cache import file_sha256

    try:
        return file_sha256(Path(path))
    except OSError:
        return None


def job_key(job: Job, clip_sha256: str) -> str:
    """Identity of a job's results: clip content, analysis settings, outputs, version."""
    blob = json.dumps({"v": MANIFEST_VERSION, "sprintcv": __version__, "clip_sha256": clip_sha256,
                       **job.analysis_settings()}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass
class JobResult:
    """What a worker sends back for one job.

    Attributes
    ----------
    status : str
        ``done`` or ``failed``.
    reason : str
        One line, for a failure.
    detail : str
        Traceback of an unexpected error (kept in team_summary.json).
    summary : dict, optional
        The clip's ``summary.json`` content (NaN as None).
    """

    clip: Path
    name: str
    status: str
    reason: str = ""
    detail: str = ""
    summary: dict[str, Any] | None = None
    clip_sha256: str | None = None
    analysis_s: float = float("nan")
    worker: str = ""


# --------------------------------------------------------------------------------- plan


@dataclass
class BatchPlan:
    """The jobs of a batch (:func:`plan_batch`).

    Attributes
    ----------
    out_dir : Path
    jobs : list of Job
    missing : list of RosterEntry
        Roster rows that name no existing clip (reported as ``missing``).
    ignored : tuple of Path
        Files in the searched folders that are not videos by name.
    roster : Roster, optional
    notes : list of str
        Sentences for the user (clips without a roster row, ignored files ...).
    """

    out_dir: Path
    jobs: list[Job]
    missing: list[RosterEntry] = field(default_factory=list)
    ignored: tuple[Path, ...] = ()
    roster: Roster | None = None
    notes: list[str] = field(default_factory=list)


def clip_date(clip: Path) -> tuple[str, str, str | None]:
    """``(date, source, recorded_at)`` of a clip: the container's creation time (local
    date), else the file's modification time. ``source`` is ``container`` or ``file``."""
    from .io.video import creation_time

    stamp = creation_time(clip)
    if stamp is not None:
        local = stamp.astimezone()
        return local.date().isoformat(), "container", local.isoformat(timespec="seconds")
    try:
        local = dt.datetime.fromtimestamp(clip.stat().st_mtime).astimezone()
    except OSError:
        return dt.date.today().isoformat(), "file", None
    return local.date().isoformat(), "file", local.isoformat(timespec="seconds")


def output_names(clips: Sequence[Path]) -> dict[Path, str]:
    """Output folder of each clip, relative to the batch folder: the clip's path below the
    clips' common folder, without its ending (``anna/rep1.mp4`` -> ``anna/rep1``); clips
    that would share a name keep their ending (``rep1_mov``)."""
    if not clips:
        return {}
    base = Path(os.path.commonpath([str(c.parent) for c in clips]))
    stems = {c: c.relative_to(base).with_suffix("").as_posix() for c in clips}
    taken: dict[str, int] = {}
    for stem in stems.values():
        taken[stem.casefold()] = taken.get(stem.casefold(), 0) + 1
    names = {}
    for clip, stem in stems.items():
        if taken[stem.casefold()] > 1:
            stem = f"{stem}_{clip.suffix.lstrip('.').lower()}"
        names[clip] = stem.lstrip(".") or "clip"
    # Names that still differ only in case (rep2.MP4, REP2.mp4) get a number: folders must
    # not collide on case-insensitive file systems either.
    groups: dict[str, list[Path]] = {}
    for clip, name in names.items():
        groups.setdefault(name.casefold(), []).append(clip)
    for members in groups.values():
        if len(members) > 1:
            for i, clip in enumerate(members):
                names[clip] = f"{names[clip]}_{i + 1}"
    return names


def plan_batch(
    inputs: Sequence[str | os.PathLike[str]] = (),
    *,
    out_dir: str | os.PathLike[str],
    roster: str | os.PathLike[str] | Roster | None = None,
    base: ClipSettings = ClipSettings(),
    outputs: Outputs = Outputs(),
    model: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
    recursive: bool = False,
) -> BatchPlan:
    """Find the clips and make one :class:`Job` each.

    Parameters
    ----------
    inputs : sequence of path or str
        Folders, files and globs (:func:`sprintcv.roster.discover_clips`). May be empty when
        a roster names the clips.
    out_dir : path
        Batch output folder: ``OUT/<clip>/`` per clip, ``OUT/team_summary.csv`` / ``.json``.
    roster : path or Roster, optional
        Per-clip / per-athlete settings (:func:`sprintcv.roster.load_roster`). With no
        ``inputs``, its clips are the batch; with inputs, it gives their settings.
    base : ClipSettings
        Settings for every clip (the command-line options); the roster overrides them.

    Raises
    ------
    BatchError
        No clip to analyse, an input that does not exist.
    RosterError
        A roster problem (see :mod:`sprintcv.roster`), or one athlete spelled two ways.
    """
    out = Path(out_dir).expanduser().resolve()
    input_dirs = {Path(i).expanduser().resolve() for i in inputs if Path(i).expanduser().is_dir()}
    found = discover_clips(inputs, recursive=recursive, exclude=[] if out in input_dirs else [out])
    parsed = load_roster(roster) if isinstance(roster, (str, os.PathLike)) else roster
    # The inputs say which clips; the roster says how to analyse them. Without inputs, the
    # roster's clips are the batch.
    clips = list(found.clips) if inputs or parsed is None else list(parsed.clips)
    missing = list(parsed.missing) if parsed else []
    notes = []
    if parsed and inputs:
        outside = [c for c in parsed.clips if c not in set(clips)]
        if outside:
            notes.append(f"{len(outside)} clip{'s' if len(outside) > 1 else ''} of the roster not among the inputs, "
                         f"not analysed: {', '.join(c.name for c in outside[:5])}" + (" ..." if len(outside) > 5 else ""))
    if found.ignored:
        names = ", ".join(p.name for p in found.ignored[:5]) + (" ..." if len(found.ignored) > 5 else "")
        notes.append(f"{len(found.ignored)} file{'s' if len(found.ignored) > 1 else ''} without a video "
                     f"ending not analysed: {names}")
    if not clips:
        where = ", ".join(os.fspath(i) for i in inputs) or (str(parsed.path) if parsed else "the inputs")
        if missing:
            raise BatchError(f"{where}: none of the clips the roster names exists "
                             f"({', '.join(e.pattern for e in missing[:5])})")
        raise BatchError(f"{where}: no video clips found (looked for {', '.join(sorted(_exts()))})"
                         + (f"; {notes[0]}" if notes else ""))
    if parsed and inputs:
        unlisted = [c for c in clips if parsed.entry_for(c) is None]
        if unlisted:
            notes.append(f"{len(unlisted)} clip{'s' if len(unlisted) > 1 else ''} without a roster row, analysed "
                         f"with the default settings: {', '.join(c.name for c in unlisted[:5])}"
                         + (" ..." if len(unlisted) > 5 else ""))
    names = output_names(clips)
    jobs = []
    spellings: dict[str, tuple[str, Path]] = {}
    for clip in clips:
        settings = parsed.settings_for(clip, base) if parsed else base
        entry = parsed.entry_for(clip) if parsed else None
        if settings.athlete is not None:
            seen = spellings.setdefault(athlete_key(settings.athlete), (settings.athlete, clip))
            if seen[0] != settings.athlete:
                raise RosterError(
                    f"athlete {settings.athlete!r} ({clip.name}) and {seen[0]!r} ({seen[1].name}) differ only "
                    "in case or spacing: spell them the same (results and history are kept per athlete)"
                )
        date, source, recorded_at = clip_date(clip)
        if settings.date is not None:
            source = "roster" if parsed is not None and parsed.settings_for(clip).date is not None else "option"
        else:
            settings = dataclasses.replace(settings, date=date)
        jobs.append(Job(
            clip=clip, name=names[clip], out_root=out, settings=settings, date_source=source,
            recorded_at=recorded_at, roster_row=entry.where if entry else None, outputs=outputs,
            model=os.fspath(model) if model is not None else None, use_cache=use_cache,
            cache_dir=os.fspath(cache_dir) if cache_dir is not None else None,
        ))
    return BatchPlan(out_dir=out, jobs=jobs, missing=missing, ignored=found.ignored, roster=parsed, notes=notes)


def _exts() -> frozenset[str]:
    from .roster import VIDEO_EXTENSIONS

    return VIDEO_EXTENSIONS


# ------------------------------------------------------------------------- worker side


def _worker_init() -> None:
    """Worker processes leave Ctrl-C to the main process, which stops them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _lane(settings: ClipSettings) -> Any:
    from .pipeline import LaneOptions

    return LaneOptions(
        gates_px=settings.gates_px,
        gate_distance_m=settings.gate_distance_m if settings.gate_distance_m is not None else DEFAULT_GATE_DISTANCE_M,
        height_m=settings.height_m,
        find_cones=True if settings.find_cones is None else settings.find_cones,
        cone_color=settings.cone_color or "orange",
    )


def _is_ours(folder: Path) -> bool:
    """Whether an existing folder holds sprintcv results (so it may be replaced)."""
    return (folder / MANIFEST_NAME).is_file() or (folder / "summary.json").is_file()


def _publish(staged: Path, dest: Path, work: Path) -> None:
    """Rename the complete folder ``staged`` onto ``dest``; an older ``dest`` is moved aside
    first and deleted after. A crash in between leaves the old folder in ``work``, and the
    next batch puts it back (:func:`_recover`)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if dest.exists():
        if not dest.is_dir() or not _is_ours(dest):
            raise BatchError(f"{dest} exists and is not a sprintcv results folder: not replaced")
        old = work / f"old.{uuid.uuid4().hex}"
        os.replace(dest, old)
    os.replace(staged, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def run_job(job: Job) -> JobResult:
    """Analyse one clip and publish its output folder; never raises for a bad clip.

    Runs in a worker (process pool or Dask). Failures become ``status="failed"`` with a
    one-line ``reason``: the :class:`~sprintcv.errors.SprintcvError` message, or the type and
    message of an unexpected error (its traceback in ``detail``).
    """
    from .pipeline import analyze, write_results
    from .pose.cache import file_sha256

    start = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    sha = None

    def result(status: str, **kw: Any) -> JobResult:
        return JobResult(clip=job.clip, name=job.name, status=status, clip_sha256=sha,
                         analysis_s=time.perf_counter() - start, worker=worker, **kw)

    work = job.out_root / WORK_DIR
    staged = work / f"new.{uuid.uuid4().hex}"
    try:
        try:
            sha = file_sha256(job.clip)
        except OSError as exc:
            return result("failed", reason=f"{job.clip}: cannot be read ({exc.strerror or exc})")
        analysis = analyze(job.clip, fps=job.settings.fps, model=job.model, use_cache=job.use_cache,
                           cache_dir=job.cache_dir, lane=_lane(job.settings))
        work.mkdir(parents=True, exist_ok=True)
        o = job.outputs
        written = write_results(analysis, staged, images=o.images, video=o.video, report=o.report,
                                athlete=job.settings.athlete)
        summary = json.loads(to_json(analysis.summary))
        manifest = {
            "sprintcv_version": __version__, "manifest_version": MANIFEST_VERSION,
            "key": job_key(job, sha), "clip": str(job.clip), "clip_sha256": sha,
            "results_dir": job.name, **job.metadata(), "settings": job.analysis_settings(),
            "files": sorted(p.relative_to(staged).as_posix() for p in written) + [MANIFEST_NAME],
            "finished_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "analysis_s": time.perf_counter() - start, "worker": worker,
        }
        write_json_atomic(staged / MANIFEST_NAME, manifest)
        _publish(staged, job.out_dir, work)
        return result("done", summary=summary)
    except SprintcvError as exc:
        return result("failed", reason=str(exc))
    except MemoryError:
        return result("failed", reason=f"{job.clip.name}: ran out of memory")
    except OSError as exc:
        return result("failed", reason=f"{job.clip.name}: cannot write the results ({exc.strerror or exc})",
                      detail=traceback.format_exc())
    except Exception as exc:  # noqa: BLE001 - a bug on one clip must not stop the others
        return result("failed", reason=f"{job.clip.name}: unexpected error ({type(exc).__name__}: {exc})",
                      detail=traceback.format_exc())
    finally:
        shutil.rmtree(staged, ignore_errors=True)


# --------------------------------------------------------------------------- executors


JobFn = Callable[[Job], JobResult]
ResultFn = Callable[[JobResult], None]


class Executor(Protocol):
    """Runs jobs somewhere and hands back each result as it arrives.

    ``run`` calls ``on_result`` in the calling thread, once per job, in completion order.
    On KeyboardInterrupt it stops the work in progress (results not yet delivered are
    dropped) and re-raises.
    """

    def describe(self) -> str:
        ...

    def run(self, jobs: Sequence[Job], fn: JobFn, on_result: ResultFn) -> None:
        ...


class SerialExecutor:
    """Jobs one after the other in this process (notebooks, tests, one-off scripts)."""

    def describe(self) -> str:
        return "in this process"

    def run(self, jobs: Sequence[Job], fn: JobFn, on_result: ResultFn) -> None:
        for job in jobs:
            on_result(fn(job))


def _tracked(fn: JobFn, job: Job, marker_dir: str) -> JobResult:
    """Run ``fn(job)`` with a marker file present while it runs (crash attribution)."""
    marker = Path(marker_dir) / f"{hashlib.sha256(str(job.clip).encode()).hexdigest()[:20]}.{os.getpid()}"
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(str(job.clip), encoding="utf-8")
    try:
        return fn(job)
    finally:
        marker.unlink(missing_ok=True)


def _take_markers(markers: Path) -> set[str]:
    """Clips whose marker is left (their worker died or was killed), and remove the markers."""
    running = set()
    for path in list(markers.iterdir()):
        with contextlib.suppress(OSError):
            running.add(path.read_text(encoding="utf-8"))
            path.unlink()
    return running


def _crash_result(job: Job) -> JobResult:
    return JobResult(clip=job.clip, name=job.name, status="failed",
                     reason=f"{job.clip.name}: the analysis process died on this clip (crashed or killed, "
                            "e.g. out of memory)")


def default_workers() -> int:
    """The cores this process may run on (``sched_getaffinity``, e.g. in a container), else
    ``os.cpu_count()``."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class LocalExecutor:
    """Worker processes on this machine (``spawn``: MediaPipe and ``fork`` do not mix).

    A worker that dies (a native crash, the out-of-memory killer) breaks the pool; the jobs
    that were running then are retried alone, so only the clip that kills its worker fails.

    Parameters
    ----------
    workers : int, optional
        Number of processes; default :func:`default_workers`. Each holds a pose model and a
        clip's frames: about 0.6 GB of memory for a 720p clip.
    """

    def __init__(self, workers: int | None = None):
        n = workers if workers is not None else default_workers()
        if n < 1:
            raise BatchError(f"--workers must be 1 or more, not {n}")
        self.workers = int(n)

    def describe(self) -> str:
        return f"{self.workers} worker process{'es' if self.workers > 1 else ''} on this machine"

    def run(self, jobs: Sequence[Job], fn: JobFn, on_result: ResultFn) -> None:
        if not jobs:
            return
        import multiprocessing
        import tempfile

        context = multiprocessing.get_context("spawn")
        markers = Path(tempfile.mkdtemp(prefix="sprintcv-running-"))
        try:
            queue, suspects = list(jobs), []
            while queue:
                queue, crashed = self._round(queue, min(self.workers, len(queue)), context, fn, on_result, markers)
                suspects += crashed
            for job in suspects:  # alone, so a crash can only be this clip's
                again, crashed = self._round([job], 1, context, fn, on_result, markers)
                for bad in again + crashed:
                    on_result(_crash_result(bad))
        finally:
            shutil.rmtree(markers, ignore_errors=True)

    @staticmethod
    def _round(jobs: list[Job], n: int, context: Any, fn: JobFn, on_result: ResultFn,
               markers: Path) -> tuple[list[Job], list[Job]]:
        """Run ``jobs`` on a pool of ``n``. Returns (jobs to run again, jobs that were running
        when a worker died), both empty unless the pool broke."""
        pool = ProcessPoolExecutor(max_workers=n, mp_context=context, initializer=_worker_init)
        futures: dict[Future[JobResult], Job] = {pool.submit(_tracked, fn, job, str(markers)): job for job in jobs}
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                broken = False
                for fut in done:
                    try:
                        on_result(fut.result())
                    except BrokenProcessPool:
                        broken = True
                    else:
                        continue
                if broken:
                    unfinished = [futures[f] for f in futures if f in pending or (f in done and f.exception())]
                    running = _take_markers(markers)
                    crashed = [j for j in unfinished if str(j.clip) in running]
                    return [j for j in unfinished if str(j.clip) not in running], crashed
            return [], []
        except BaseException:
            # Ctrl-C (or an error in on_result): stop now; finished clips are already kept.
            _terminate(pool)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Kill a pool's worker processes now (the public API can only wait for them to finish
    their clips); taken before ``shutdown``, which forgets them."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        with contextlib.suppress(OSError, AttributeError, ValueError):
            proc.terminate()
    for proc in procs:
        with contextlib.suppress(OSError, AttributeError, AssertionError, ValueError):
            proc.join(timeout=5)


class DaskExecutor:
    """Jobs on a Dask distributed cluster (``sprintcv batch --scheduler tcp://HOST:PORT``).

    The workers need sprintcv installed and must see the clips and the output folder at the
    same paths (results are written by the workers). Start them with one thread each, as the
    pose model uses a core: ``dask worker tcp://HOST:8786 --nworkers 4 --nthreads 1``. A clip
    that kills workers repeatedly is reported failed (Dask's ``KilledWorker``). On Ctrl-C the
    queued clips are cancelled; a clip already running on a worker finishes there (Dask does
    not stop a running task), and its folder, complete, counts as done on the next run.

    Parameters
    ----------
    address : str
        Scheduler address, e.g. ``tcp://10.0.0.5:8786``.
    timeout_s : float
        How long to wait for the scheduler to answer.
    """

    def __init__(self, address: str, timeout_s: float = 10.0):
        self.address = address
        self.timeout_s = timeout_s
        self._n_workers: int | None = None

    def describe(self) -> str:
        n = f", {self._n_workers} worker{'s' if self._n_workers != 1 else ''}" if self._n_workers is not None else ""
        return f"Dask scheduler {self.address}{n}"

    def _client(self) -> Any:
        try:
            from distributed import Client
        except ImportError:
            raise BatchError("--scheduler needs Dask: pip install 'sprintcv[dask]'") from None
        try:
            client = Client(self.address, timeout=self.timeout_s)
        except (OSError, TimeoutError, ValueError) as exc:
            raise BatchError(f"cannot reach the Dask scheduler at {self.address} ({exc})") from None
        self._n_workers = len(client.scheduler_info().get("workers", {}))
        return client

    def run(self, jobs: Sequence[Job], fn: JobFn, on_result: ResultFn) -> None:
        if not jobs:
            return
        from distributed import as_completed

        client = self._client()
        try:
            tag = uuid.uuid4().hex[:8]
            futures = {client.submit(fn, job, key=f"sprintcv-{tag}-{i}", pure=False): job for i, job in enumerate(jobs)}
            try:
                for fut in as_completed(futures):
                    job = futures[fut]
                    try:
                        res = fut.result()
                    except Exception as exc:  # noqa: BLE001 - KilledWorker, lost worker ...
                        res = JobResult(clip=job.clip, name=job.name, status="failed",
                                        reason=f"{job.clip.name}: the Dask worker failed ({type(exc).__name__}: {exc})")
                    on_result(res)
            except BaseException:
                client.cancel(list(futures), force=True)
                raise
        finally:
            client.close()


# ---------------------------------------------------------------------- orchestration


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`run_batch`: finished clips are kept; ``report`` says what ran."""

    def __init__(self, report: BatchReport):
        super().__init__("batch interrupted")
        self.report = report


@dataclass
class BatchReport:
    """What a batch did (also in ``team_summary.json``).

    Attributes
    ----------
    rows : list of dict
        One per clip (and per missing roster row), :data:`TEAM_COLUMNS` plus ``warnings``,
        ``detail`` and ``worker``.
    counts : dict
        ``done`` (``analysed`` now + ``skipped`` as already done), ``failed``, ``missing``,
        ``pending`` (not run: interrupted).
    """

    out_dir: Path
    rows: list[dict[str, Any]]
    counts: dict[str, int]
    interrupted: bool
    executor: str
    elapsed_s: float
    notes: list[str] = field(default_factory=list)
    history_db: Path | None = None
    history_recorded: int = 0

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["status"] in ("failed", "missing")]


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The ``batch_job.json`` of a results folder, or None when absent or unreadable."""
    try:
        data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def completed_manifest(job: Job, key: str) -> dict[str, Any] | None:
    """The manifest of ``job``'s folder if it holds complete results for ``key``."""
    manifest = read_manifest(job.out_dir)
    if manifest is None or manifest.get("key") != key:
        return None
    files = manifest.get("files")
    if not isinstance(files, list) or not all((job.out_dir / f).is_file() for f in files):
        return None
    return manifest


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock
        yield
        return
    out.mkdir(parents=True, exist_ok=True)
    with open(out / _LOCK_NAME, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise BatchError(f"{out}: another sprintcv batch is writing here; wait for it or use another --out") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _recover(out: Path) -> None:
    """Clean the work folder of an interrupted batch: put back an older results folder that
    was moved aside just before a crash, delete half-written ones."""
    work = out / WORK_DIR
    if not work.is_dir():
        return
    for item in work.iterdir():
        manifest = read_manifest(item) if item.is_dir() else None
        if item.name.startswith("old.") and manifest and isinstance(manifest.get("results_dir"), str):
            dest = out / manifest["results_dir"]
            if not dest.exists():
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(item, dest)
                continue
        if item.is_dir():
            shutil.rmtree(item, ignore_errors=True)
        else:
            item.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        work.rmdir()


def _row(job: Job, status: str, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {c: None for c in TEAM_COLUMNS}
    row.update({k: v for k, v in job.metadata().items() if k in row})
    row.update(clip=str(job.clip), status=status, reason="", results_dir=job.name, analysed_now=False)
    row.update(extra)
    return row


def _with_summary(row: dict[str, Any], summary: Mapping[str, Any] | None) -> dict[str, Any]:
    if not summary:
        return row
    for key in SUMMARY_METRICS:
        row[key] = summary.get(key)
    row["capture_fps"] = (summary.get("video") or {}).get("capture_fps")
    row["n_warnings"] = len(summary.get("warnings") or [])
    row["warnings"] = list(summary.get("warnings") or [])
    return row


def _sort_key(row: Mapping[str, Any]) -> tuple[Any, ...]:
    rep = row.get("rep")
    return (athlete_key(row["athlete"]) if row.get("athlete") else "\uffff", row.get("date") or "",
            row.get("session") or "", rep if isinstance(rep, int) else math.inf, row.get("recorded_at") or "",
            row.get("clip") or "")


def count_rows(rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Rows per status, plus ``analysed`` (done in this run) and ``skipped`` (done before)."""
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("done", "failed", "missing", "pending")}
    counts["analysed"] = sum(1 for r in rows if r["status"] == "done" and r.get("analysed_now"))
    counts["skipped"] = counts["done"] - counts["analysed"]
    return counts


def write_team_summary(out: Path, rows: Sequence[Mapping[str, Any]], header: Mapping[str, Any]) -> None:
    """``team_summary.csv`` (one row per clip, :data:`TEAM_COLUMNS`) and ``team_summary.json``
    (``header`` fields, ``counts`` and every row with its warnings), each written atomically."""
    ordered = sorted(rows, key=_sort_key)
    columns = {c: [r.get(c) for r in ordered] for c in TEAM_COLUMNS}
    columns["clip"] = [Path(r["clip"]).name if r.get("clip") else "" for r in ordered]
    write_text_atomic(out / TEAM_CSV, table_to_csv(columns))
    write_json_atomic(out / TEAM_JSON, {**header, "counts": count_rows(ordered), "clips": ordered})


def run_batch(
    plan: BatchPlan,
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    force: bool = False,
    history: Any = None,
    progress: bool = False,
    stream: TextIO | None = None,
    job_fn: JobFn = run_job,
) -> BatchReport:
    """Run a planned batch; see the module docstring for resumption and atomicity.

    Parameters
    ----------
    executor : Executor, optional
        Where jobs run; default :class:`LocalExecutor` with ``workers`` processes.
    force : bool
        Analyse every clip again, even when its results are complete and current.
    history : sprintcv.store.HistoryStore, optional
        Record each done clip that has an athlete name (skipped ones too: recording is an
        upsert), so ``sprintcv history`` sees them.
    progress : bool
        A tqdm bar of clips on ``stream`` (default stderr), and a line per failed clip.
    job_fn : callable
        The per-clip function (:func:`run_job`); must be importable by the workers.

    Raises
    ------
    BatchInterrupted
        On Ctrl-C, after the summary of what finished has been written.
    BatchError
        When the output folder is in use by another batch or the executor cannot start.
    """
    executor = executor if executor is not None else LocalExecutor(workers)
    stream = stream if stream is not None else sys.stderr
    out = plan.out_dir
    started = time.perf_counter()
    started_at = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    rows: dict[str, dict[str, Any]] = {}
    notes = list(plan.notes)
    recorded = 0

    def header(complete: bool, interrupted: bool) -> dict[str, Any]:
        return {
            "sprintcv_version": __version__, "out_dir": str(out), "executor": executor.describe(),
            "roster": str(plan.roster.path) if plan.roster else None, "started_at": started_at,
            "updated_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "complete": complete, "interrupted": interrupted, "notes": notes,
        }

    def record(job: Job, row: dict[str, Any], summary: Mapping[str, Any] | None) -> None:
        nonlocal recorded
        if history is None or not job.settings.athlete or summary is None or not row.get("clip_sha256"):
            return
        try:
            history.record(athlete=job.settings.athlete, date=job.settings.date, clip_sha256=row["clip_sha256"],
                           clip_path=str(job.clip), session=job.settings.session, rep=job.settings.rep,
                           results_dir=str(job.out_dir), summary=summary)
            recorded += 1
        except SprintcvError as exc:
            if not any(n.startswith("history:") for n in notes):
                notes.append(f"history: not recorded ({exc})")

    by_clip = {str(j.clip): j for j in plan.jobs}
    bar: Any = None

    def scan() -> list[Job]:
        """Rows of missing and already-done clips; the jobs left to run."""
        from .pose.cache import file_sha256

        for entry in plan.missing:
            wanted = plan.roster.settings_of(entry) if plan.roster is not None else entry.settings
            rows[f"missing:{entry.where}"] = {
                **{c: None for c in TEAM_COLUMNS}, "athlete": wanted.athlete, "date": wanted.date,
                "session": wanted.session, "rep": wanted.rep, "clip": entry.pattern,
                "status": "missing", "reason": f"{entry.where}: {entry.pattern} matches no file", "analysed_now": False,
            }
        pending: list[Job] = []
        for job in plan.jobs:
            try:
                sha = file_sha256(job.clip)
            except OSError as exc:
                rows[str(job.clip)] = _row(job, "failed", reason=f"{job.clip}: cannot be read ({exc.strerror or exc})")
                continue
            manifest = None if force else completed_manifest(job, job_key(job, sha))
            if manifest is None:
                rows[str(job.clip)] = _row(job, "pending", clip_sha256=sha)
                pending.append(job)
                continue
            if any(manifest.get(k) != v for k, v in job.metadata().items()):
                write_json_atomic(job.out_dir / MANIFEST_NAME, {**manifest, **job.metadata()})
            summary = _read_summary(job.out_dir)
            row = _with_summary(_row(job, "done", clip_sha256=sha, analysis_s=manifest.get("analysis_s")), summary)
            rows[str(job.clip)] = row
            record(job, row, summary)
        return pending

    def on_result(res: JobResult) -> None:
        job = by_clip[str(res.clip)]
        row = _row(job, res.status, reason=res.reason, clip_sha256=res.clip_sha256,
                   analysis_s=res.analysis_s, analysed_now=res.status == "done")
        row["worker"] = res.worker
        if res.detail:
            row["detail"] = res.detail
        rows[str(res.clip)] = _with_summary(row, res.summary)
        if res.status == "done":
            record(job, row, res.summary)
        write_team_summary(out, list(rows.values()), header(complete=False, interrupted=False))
        if bar is not None:
            if res.status != "done":
                bar.write(f"failed: {res.reason}", file=stream)
            bar.update(1)

    interrupted = False
    with _locked(out):
        _recover(out)
        try:
            pending = scan()
            write_team_summary(out, list(rows.values()), header(complete=not pending, interrupted=False))
            if progress and pending:
                from tqdm import tqdm

                skipped = len(plan.jobs) - len(pending)
                bar = tqdm(total=len(pending), desc="clips", unit="clip", file=stream, dynamic_ncols=True,
                           postfix=f"{skipped} already done" if skipped else None)
            executor.run(pending, job_fn, on_result)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            if bar is not None:
                bar.close()
            for job in plan.jobs:  # not reached by the scan when it was interrupted
                rows.setdefault(str(job.clip), _row(job, "pending"))
            if interrupted:
                # A worker publishes its clip's folder before the result reaches on_result:
                # an interrupt in between leaves a complete folder that its row calls pending.
                for job in plan.jobs:
                    row = rows[str(job.clip)]
                    manifest = _published_since(job, row, started_at) if row["status"] == "pending" else None
                    if manifest is not None:
                        summary = _read_summary(job.out_dir)
                        row = _with_summary(_row(job, "done", clip_sha256=row["clip_sha256"],
                                                 analysis_s=manifest.get("analysis_s"), analysed_now=True), summary)
                        rows[str(job.clip)] = row
                        record(job, row, summary)
            all_rows = list(rows.values())
            n_pending = sum(1 for r in all_rows if r["status"] == "pending")
            write_team_summary(out, all_rows, header(complete=n_pending == 0, interrupted=interrupted))
            _recover(out)
    report = BatchReport(
        out_dir=out, rows=sorted(rows.values(), key=_sort_key), counts=count_rows(list(rows.values())),
        interrupted=interrupted, executor=executor.describe(), elapsed_s=time.perf_counter() - started,
        notes=notes, history_db=getattr(history, "path", None), history_recorded=recorded,
    )
    if interrupted:
        raise BatchInterrupted(report)
    return report


def _published_since(job: Job, row: Mapping[str, Any], since_iso: str) -> dict[str, Any] | None:
    """The manifest of the complete results that this batch (started at ``since_iso``)
    published for ``row``'s clip, or None."""
    sha = row.get("clip_sha256")
    manifest = completed_manifest(job, job_key(job, sha)) if sha else None
    if manifest is None:
        return None
    try:
        fresh = dt.datetime.fromisoformat(str(manifest.get("finished_at"))) >= dt.datetime.fromisoformat(since_iso)
    except ValueError:
        return None
    return manifest if fresh else None


def _read_summary(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_team_summary(out: str | os.PathLike[str]) -> dict[str, Any]:
    """``team_summary.json`` of a batch folder.

    Raises
    ------
    BatchError
        When the folder has no readable team summary.
    """
    path = Path(out) / TEAM_JSON
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BatchError(f"{out}: not a sprintcv batch folder (no readable {TEAM_JSON}: {exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("clips"), list):
        raise BatchError(f"{path}: not a sprintcv team summary")
    return data
