"""Which clips a batch analyses, and with which settings: discovery and the roster file.

A batch takes folders, files and glob patterns (:func:`discover_clips`) and, optionally, a
roster (:func:`load_roster`) in TOML or CSV that names the athlete of each clip and the
settings that differ between clips (height, capture rate, gate positions and distance).
Settings are resolved from the least to the most specific: command-line defaults, the
roster's ``[defaults]``, the athlete's entry, the clip's own row (:meth:`Roster.settings_for`).

TOML::

    [defaults]                  # every clip
    date = 2025-03-03
    session = "max velocity"
    gate_distance_m = 10

    [athletes."Anna Smith"]     # every clip of this athlete
    height_m = 1.70

    [[clips]]                   # paths and globs relative to the roster file
    clip = "anna_*.mp4"
    athlete = "Anna Smith"

    [[clips]]
    clip = "ben_rep1.mp4"
    athlete = "Ben Okoro"
    rep = 1
    gates = [412, 1630]

CSV: a header row with the same keys, one row per clip (or glob); a row with an ``athlete``
and no ``clip`` holds that athlete's settings; empty cells are "not set". ``gates`` is written
``"412,1630"`` (or with ``;`` or spaces).

The roster is checked before any clip is analysed: unknown keys, values of the wrong type or
range, a clip matched by two rows, and one athlete spelled two ways (``"Anna Smith"`` and
``"anna smith "``: the history is kept per athlete, so that would split it) stop the batch
with a message naming the rows. A row that matches no file does not stop it: the clip is
reported as missing in the team summary and the other clips are analysed.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import glob
import math
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import RosterError, SprintcvError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

#: File name endings taken as video when a folder or a glob is searched (case-insensitive).
VIDEO_EXTENSIONS = frozenset({
    ".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mts", ".m2ts", ".ts", ".3gp", ".mpg",
    ".mpeg", ".wmv",
})

#: Keys of a clip row; ``[defaults]`` takes all but ``clip``, an athlete entry all but
#: ``clip``, ``athlete`` and ``rep``.
CLIP_KEYS = ("clip", "athlete", "date", "session", "rep", "height_m", "fps", "gates",
             "gate_distance_m", "cones", "cone_color")
_DEFAULT_KEYS = tuple(k for k in CLIP_KEYS if k != "clip")
_ATHLETE_KEYS = tuple(k for k in CLIP_KEYS if k not in ("clip", "athlete", "rep"))
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class ClipSettings:
    """Per-clip settings; ``None`` means "not set here" (see :meth:`merged`).

    Attributes
    ----------
    athlete : str, optional
        Display name (whitespace collapsed), see :func:`clean_name`.
    date : str, optional
        Day of the session, ISO ``YYYY-MM-DD``.
    session : str, optional
        Session label (e.g. ``"max velocity"``); reps of one session share athlete, date and
        session.
    rep : int, optional
        Rep number within the session (1-based).
    height_m : float, optional
        Athlete height (m): approximate scale when there are no markers.
    fps : float, optional
        Capture frame rate (Hz) of a slow-motion clip exported at a lower rate.
    gates_px : tuple of float, optional
        Marker pixel columns in the order the runner meets them.
    gate_distance_m : float, optional
        Distance between consecutive gates (m).
    find_cones : bool, optional
        Look for cones when no gates are given.
    cone_color : str, optional
        Cone colour name (:data:`sprintcv.cones.COLORS`).
    """

    athlete: str | None = None
    date: str | None = None
    session: str | None = None
    rep: int | None = None
    height_m: float | None = None
    fps: float | None = None
    gates_px: tuple[float, ...] | None = None
    gate_distance_m: float | None = None
    find_cones: bool | None = None
    cone_color: str | None = None

    def merged(self, over: ClipSettings) -> ClipSettings:
        """These settings with every field that ``over`` sets replaced by ``over``'s."""
        changes = {f.name: getattr(over, f.name) for f in dataclasses.fields(over)
                   if getattr(over, f.name) is not None}
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (``gates_px`` as a list)."""
        d = dataclasses.asdict(self)
        if d["gates_px"] is not None:
            d["gates_px"] = list(d["gates_px"])
        return d


def clean_name(name: str) -> str:
    """An athlete name as displayed: surrounding whitespace removed, inner runs collapsed."""
    return " ".join(str(name).split())


def athlete_key(name: str) -> str:
    """The identity of an athlete: :func:`clean_name` case-folded (``"Anna  Smith "`` and
    ``"anna smith"`` are the same athlete)."""
    return clean_name(name).casefold()


# ----------------------------------------------------------------------------- discovery


def _is_video_name(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_EXTENSIONS


def _hidden(path: Path, base: Path) -> bool:
    try:
        parts = path.relative_to(base).parts
    except ValueError:
        parts = path.parts
    return any(p.startswith(".") for p in parts)


def _is_results_folder(folder: Path) -> bool:
    """A sprintcv output folder (its annotated.mp4 is not a clip to analyse)."""
    return (folder / "summary.json").is_file() or (folder / "team_summary.json").is_file()


@dataclass(frozen=True)
class Discovery:
    """Clips found in the batch inputs.

    Attributes
    ----------
    clips : tuple of Path
        Absolute, resolved paths, in a stable order (sorted by path within each input).
    ignored : tuple of Path
        Files in the searched folders without a video ending (reported, not analysed).
    """

    clips: tuple[Path, ...]
    ignored: tuple[Path, ...]


def discover_clips(
    inputs: Sequence[str | os.PathLike[str]], *, recursive: bool = False,
    exclude: Sequence[Path] = (),
) -> Discovery:
    """Clips named by ``inputs``: folders (their video files), files, and glob patterns.

    Parameters
    ----------
    inputs : sequence of path or str
        A folder contributes its files with a video ending (:data:`VIDEO_EXTENSIONS`),
        sub-folders too when ``recursive``; a file is taken as given, whatever its name; a
        pattern with ``*``, ``?`` or ``[`` (``**`` for any depth) contributes the matching
        files with a video ending.
    recursive : bool
        Search sub-folders of folder inputs.
    exclude : sequence of Path
        Folders never searched (the batch's output folder). Hidden files and folders, and
        sprintcv results folders, are skipped too.

    Raises
    ------
    BatchError
        For an input that does not exist or a pattern that matches nothing.
    """
    from .errors import BatchError

    excluded = [Path(e).resolve() for e in exclude]

    def keep(p: Path) -> bool:
        return not any(p == e or e in p.parents for e in excluded)

    clips: list[Path] = []
    ignored: list[Path] = []
    for item in inputs:
        text = os.fspath(item)
        path = Path(text).expanduser()
        if any(c in text for c in _GLOB_CHARS) and not path.exists():
            matches = sorted(Path(m) for m in glob.glob(os.path.expanduser(text), recursive=True))
            files = [m.resolve() for m in matches if m.is_file() and not m.name.startswith(".")]
            if not files:
                raise BatchError(f"{text}: matches no file")
            clips += [f for f in files if _is_video_name(f) and keep(f)]
            ignored += [f for f in files if not _is_video_name(f)]
        elif path.is_dir():
            base = path.resolve()
            found = sorted(base.rglob("*") if recursive else base.iterdir())
            for f in found:
                if not f.is_file() or _hidden(f, base) or not keep(f) or _is_results_folder(f.parent):
                    continue
                (clips if _is_video_name(f) else ignored).append(f)
        elif path.exists():
            clips.append(path.resolve())
        else:
            raise BatchError(f"{text}: no such file or folder")
    unique = list(dict.fromkeys(clips))
    return Discovery(clips=tuple(unique), ignored=tuple(dict.fromkeys(ignored)))


# ------------------------------------------------------------------------------- values


def _fail(where: str, key: str, message: str) -> RosterError:
    return RosterError(f"{where}: {key}: {message}")


def _text(value: Any, where: str, key: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _fail(where, key, f"must be text, not {value!r}")
    text = clean_name(str(value))
    if not text:
        raise _fail(where, key, "is empty")
    return text


def _number(value: Any, where: str, key: str) -> float:
    if isinstance(value, bool):
        raise _fail(where, key, f"must be a number, not {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _fail(where, key, f"must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise _fail(where, key, f"must be a finite number, not {value!r}")
    return number


def _parse_value(key: str, value: Any, where: str) -> Any:
    """One roster value as the type of its :class:`ClipSettings` field."""
    if key == "athlete":
        return _text(value, where, key)
    if key == "session":
        return _text(value, where, key)
    if key == "cone_color":
        from .cones import COLORS

        color = _text(value, where, key).lower()
        if color not in COLORS:
            raise _fail(where, key, f"unknown colour {value!r}; use one of {', '.join(sorted(COLORS))}")
        return color
    if key == "date":
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        try:
            return dt.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise _fail(where, key, f"must be a date YYYY-MM-DD, not {value!r}") from None
    if key == "rep":
        if isinstance(value, bool):
            raise _fail(where, key, f"must be a whole number from 1, not {value!r}")
        try:
            rep = int(str(value).strip()) if isinstance(value, str) else int(value)
        except (TypeError, ValueError):
            raise _fail(where, key, f"must be a whole number from 1, not {value!r}") from None
        if rep < 1 or (isinstance(value, float) and rep != value):
            raise _fail(where, key, f"must be a whole number from 1, not {value!r}")
        return rep
    if key == "height_m":
        height = _number(value, where, key)
        if not 1.0 <= height <= 2.5:
            raise _fail(where, key, f"must be the athlete's height in metres (1.0-2.5), not {value!r}")
        return height
    if key == "fps":
        from .io.video import validate_fps

        try:
            return validate_fps(value)
        except SprintcvError:
            raise _fail(where, key, f"must be a capture frame rate in Hz (above 0, at most 10000), not {value!r}") from None
    if key == "gates":
        items: Iterable[Any]
        if isinstance(value, str):
            items = [v for v in value.replace(";", " ").replace(",", " ").split() if v]
        elif isinstance(value, (list, tuple)):
            items = value
        else:
            raise _fail(where, key, f"must be a list of pixel columns, not {value!r}")
        gates = tuple(_number(v, where, key) for v in items)
        if len(gates) < 2:
            raise _fail(where, key, f"needs at least two pixel columns, not {value!r}")
        return gates
    if key == "gate_distance_m":
        distance = _number(value, where, key)
        if not 0 < distance <= 200:
            raise _fail(where, key, f"must be a distance in metres above 0 (at most 200), not {value!r}")
        return distance
    if key == "cones":
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in ("true", "yes", "1"):
            return True
        if word in ("false", "no", "0"):
            return False
        raise _fail(where, key, f"must be true or false, not {value!r}")
    raise AssertionError(key)  # pragma: no cover - keys are checked before


_FIELD_OF_KEY = {"gates": "gates_px", "cones": "find_cones"}


def _settings(row: Mapping[str, Any], allowed: Sequence[str], where: str) -> ClipSettings:
    unknown = [k for k in row if k not in allowed]
    if unknown:
        raise RosterError(
            f"{where}: unknown key{'s' if len(unknown) > 1 else ''} {', '.join(repr(k) for k in unknown)}; "
            f"allowed here: {', '.join(allowed)}"
        )
    fields = {}
    for key, value in row.items():
        if key == "clip" or value is None:  # CSV's empty cells are dropped on reading
            continue
        fields[_FIELD_OF_KEY.get(key, key)] = _parse_value(key, value, where)
    return ClipSettings(**fields)


def parse_settings(values: Mapping[str, Any], where: str = "settings") -> ClipSettings:
    """Settings from a mapping of roster keys (``[defaults]`` keys: no ``clip``), e.g. the
    command-line options of a batch; values are checked as in a roster."""
    return _settings({k: v for k, v in values.items() if v is not None}, _DEFAULT_KEYS, where)


# ------------------------------------------------------------------------------- roster


@dataclass(frozen=True)
class RosterEntry:
    """One clip row of the roster.

    Attributes
    ----------
    where : str
        ``"roster.toml clip 3"`` / ``"roster.csv line 4"``, for messages.
    pattern : str
        The ``clip`` value as written.
    settings : ClipSettings
    matches : tuple of Path
        Resolved files the pattern names (empty: the row names a missing clip).
    """

    where: str
    pattern: str
    settings: ClipSettings
    matches: tuple[Path, ...]


@dataclass(frozen=True)
class Roster:
    """A parsed, validated roster (:func:`load_roster`)."""

    path: Path
    defaults: ClipSettings
    athletes: Mapping[str, ClipSettings]
    entries: tuple[RosterEntry, ...]

    @property
    def clips(self) -> tuple[Path, ...]:
        """Every clip a row names, in roster order."""
        return tuple(dict.fromkeys(p for e in self.entries for p in e.matches))

    @property
    def missing(self) -> tuple[RosterEntry, ...]:
        """Rows that name no existing file."""
        return tuple(e for e in self.entries if not e.matches)

    def entry_for(self, clip: Path) -> RosterEntry | None:
        """The row that names ``clip`` (at most one: checked on loading)."""
        clip = Path(clip).resolve()
        return next((e for e in self.entries if clip in e.matches), None)

    def settings_for(self, clip: Path, base: ClipSettings = ClipSettings()) -> ClipSettings:
        """Settings of ``clip``: ``base``, then defaults, then its athlete's, then its row's."""
        return self.settings_of(self.entry_for(clip), base)

    def settings_of(self, entry: RosterEntry | None, base: ClipSettings = ClipSettings()) -> ClipSettings:
        """Settings of a row's clips (``entry=None``: a clip without a row), as :meth:`settings_for`."""
        row = entry.settings if entry is not None else ClipSettings()
        settings = base.merged(self.defaults)
        name = row.athlete or settings.athlete
        if name is not None and athlete_key(name) in self.athletes:
            settings = settings.merged(self.athletes[athlete_key(name)])
        return settings.merged(row)


def _match(pattern: str, root: Path) -> tuple[Path, ...]:
    path = Path(pattern).expanduser()
    full = path if path.is_absolute() else root / path
    if any(c in pattern for c in _GLOB_CHARS) and not full.exists():
        found = sorted(Path(m) for m in glob.glob(str(full), recursive=True))
        return tuple(m.resolve() for m in found if m.is_file() and _is_video_name(m))
    return (full.resolve(),) if full.is_file() else ()


def _read_toml(path: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]], list[tuple[str, dict[str, Any]]]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RosterError(f"{path}: not valid TOML ({exc})") from None
    unknown = [k for k in data if k not in ("defaults", "athletes", "clips")]
    if unknown:
        raise RosterError(f"{path.name}: unknown section{'s' if len(unknown) > 1 else ''} "
                          f"{', '.join(repr(k) for k in unknown)}; use [defaults], [athletes.\"NAME\"] and [[clips]]")
    defaults = data.get("defaults", {})
    athletes = data.get("athletes", {})
    clips = data.get("clips", [])
    if not isinstance(defaults, dict):
        raise RosterError(f"{path.name}: defaults must be a table ([defaults])")
    if not isinstance(athletes, dict) or not all(isinstance(v, dict) for v in athletes.values()):
        raise RosterError(f"{path.name}: athletes must be tables ([athletes.\"Anna Smith\"])")
    if not isinstance(clips, list) or not all(isinstance(v, dict) for v in clips):
        raise RosterError(f"{path.name}: clips must be an array of tables ([[clips]])")
    rows = [(f"{path.name} [[clips]] entry {i + 1}", row) for i, row in enumerate(clips)]
    return defaults, athletes, rows


def _read_csv(path: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]], list[tuple[str, dict[str, Any]]]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            lines = [(reader.line_num, row) for row in reader]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise RosterError(f"{path}: not a readable CSV file ({exc})") from None
    lines = [(n, row) for n, row in lines if any(cell.strip() for cell in row)]
    if not lines:
        raise RosterError(f"{path}: is empty (a header row with clip, athlete, ... is needed)")
    header = [h.strip().lower() for h in lines[0][1]]
    unknown = [h for h in header if h not in CLIP_KEYS]
    if unknown:
        raise RosterError(f"{path.name} header: unknown column{'s' if len(unknown) > 1 else ''} "
                          f"{', '.join(repr(h) for h in unknown)}; allowed: {', '.join(CLIP_KEYS)}")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise RosterError(f"{path.name} header: column{'s' if len(dupes) > 1 else ''} {', '.join(dupes)} "
                          "appear more than once")
    athletes: dict[str, dict[str, Any]] = {}
    rows: list[tuple[str, dict[str, Any]]] = []
    for number, cells in lines[1:]:
        where = f"{path.name} line {number}"
        if len(cells) > len(header):
            raise RosterError(f"{where}: {len(cells)} cells but the header has {len(header)} columns")
        row = {h: c.strip() for h, c in zip(header, cells) if c.strip()}
        if "clip" in row:
            rows.append((where, row))
        elif "athlete" in row:
            name = row.pop("athlete")
            if "rep" in row:
                raise RosterError(f"{where}: a row without a clip holds an athlete's settings; rep needs a clip")
            if name in athletes:
                raise RosterError(f"{where}: athlete {name!r} has a settings row already")
            athletes[name] = {**row, "_where": where}
        else:
            raise RosterError(f"{where}: names neither a clip nor an athlete")
    return {}, athletes, rows


def load_roster(path: str | os.PathLike[str]) -> Roster:
    """Read and check a roster file (``.toml`` or ``.csv``, see the module docstring).

    Clip paths and globs are relative to the roster's folder.

    Raises
    ------
    RosterError
        Unreadable file, unknown keys, bad values, a clip named by two rows, an athlete
        spelled two ways. A row that names no existing clip is *not* an error: see
        :attr:`Roster.missing`.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise RosterError(f"{path}: roster file does not exist")
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            raw_defaults, raw_athletes, raw_rows = _read_toml(path)
        elif suffix == ".csv":
            raw_defaults, raw_athletes, raw_rows = _read_csv(path)
        else:
            raise RosterError(f"{path}: a roster is a .toml or .csv file")
    except OSError as exc:
        raise RosterError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    root = path.resolve().parent
    defaults = _settings(raw_defaults, _DEFAULT_KEYS, f"{path.name} [defaults]")

    spellings: dict[str, tuple[str, str]] = {}  # athlete key -> (spelling, where)

    def check_name(name: str | None, where: str) -> None:
        if name is None:
            return
        key = athlete_key(name)
        seen = spellings.setdefault(key, (name, where))
        if seen[0] != name:
            raise RosterError(
                f"athlete {name!r} ({where}) and {seen[0]!r} ({seen[1]}) differ only in case or spacing: "
                "spell them the same (results and history are kept per athlete)"
            )

    check_name(defaults.athlete, f"{path.name} [defaults]")
    athletes: dict[str, ClipSettings] = {}
    for name, table in raw_athletes.items():
        table = dict(table)
        where = table.pop("_where", f"{path.name} [athletes.{name!r}]")
        display = _text(name, where, "athlete")
        check_name(display, where)
        athletes[athlete_key(display)] = dataclasses.replace(_settings(table, _ATHLETE_KEYS, where), athlete=display)

    entries: list[RosterEntry] = []
    owner: dict[Path, str] = {}
    for where, row in raw_rows:
        if "clip" not in row or not str(row["clip"]).strip():
            raise RosterError(f"{where}: has no clip")
        settings = _settings(row, CLIP_KEYS, where)
        check_name(settings.athlete, where)
        pattern = str(row["clip"]).strip()
        matches = _match(pattern, root)
        for clip in matches:
            if clip in owner:
                raise RosterError(
                    f"{where}: clip {clip.name} is also named by {owner[clip]}: each clip may have one row"
                )
            owner[clip] = where
        entries.append(RosterEntry(where=where, pattern=pattern, settings=settings, matches=matches))
    return Roster(path=path.resolve(), defaults=defaults, athletes=athletes, entries=tuple(entries))
