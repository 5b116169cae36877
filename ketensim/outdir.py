"""Output directories that never lose, half-write or mix results.

Every result file is written atomically (:func:`atomic_write`: a temporary name in the same
directory, ``fsync``, ``rename``), and every output directory ends with a completion marker,
``ketensim-complete.json``, written last (:func:`write_marker`); it lists each file with its size, so
a reader can tell a finished directory from an interrupted or truncated one (:func:`check_complete`).

The CLI goes one step further with :class:`OutputTarget`: it checks the target (creatable, writable,
not a file, not holding another run unless ``--overwrite``) before any simulation runs, lets the
results be written into a staging directory next to it (``.NAME.incomplete-XXXX``), and puts the
staging directory in place with one ``rename`` when everything is written. An interrupted run
therefore leaves the target untouched; the staging directory is removed on the way out, and if the
process is killed outright its name and missing marker say that it is incomplete.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from ketensim.exceptions import KetensimError

__all__ = ["MARKER", "OutputError", "OutputTarget", "atomic_write", "atomic_open", "write_marker",
           "check_complete", "looks_like_output"]

MARKER = "ketensim-complete.json"
"""The completion marker: the last file written into every output directory."""

# files that say a directory holds ketensim results (of any command)
_RESULT_FILES = (MARKER, "result.json", "summary.json", "compare.json", "sweep.json", "optimize.json")
_PROBE_BYTES = 64 * 1024  # written and fsynced once before a run: a full disk shows up before the work
_UMASK = os.umask(0o022)  # read once (the only way to read it is to set it), then restored
os.umask(_UMASK)


class OutputError(KetensimError, OSError):
    """Raised when results cannot be written where asked (a file in the way, read-only, disk full)."""


def _reason(err: OSError) -> str:
    return err.strerror or str(err)


@contextmanager
def atomic_open(path: Path, mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """Open a temporary file next to ``path``; on success fsync it and rename it to ``path``.

    On any error (or interrupt) the temporary file is removed and ``path`` is left as it was. A
    ``path`` that exists and is not a regular file (a directory, ``/dev/full``) is refused: the rename
    would replace it.
    """
    if path.exists() and not path.is_file():
        raise OutputError(f"{path}: exists and is not a regular file; expected a file to write")
    handle = tempfile.NamedTemporaryFile(mode, dir=path.parent, prefix=f".{path.name}.", suffix=".tmp",
                                         delete=False, **kwargs)
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o666 & ~_UMASK)  # as a plain open() would have made it, not 0600
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def atomic_write(path: Path, data: bytes | str) -> Path:
    """Write ``data`` (text is UTF-8) to ``path`` atomically; return ``path``."""
    with atomic_open(path, "wb") as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _files(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_size
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MARKER}


def write_marker(folder: Path, kind: str) -> Path:
    """Write the completion marker of ``folder`` (kind of output, every file and its size), last."""
    from ketensim import __version__

    data = {"complete": True, "kind": kind, "ketensim_version": __version__, "files": _files(folder)}
    _fsync_dir(folder)
    return atomic_write(folder / MARKER, json.dumps(data, indent=1, sort_keys=True) + "\n")


def check_complete(folder: Path) -> str | None:
    """What is wrong with ``folder`` as a finished output directory, or None if it is complete."""
    marker = folder / MARKER
    if not marker.is_file():
        return (f"{folder}: incomplete: no {MARKER}; the run that wrote it did not finish (or the directory "
                "was not written by ketensim); run it again")
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
        files = data["files"]
        if not isinstance(files, dict):
            raise TypeError("files is not a table")
    except (OSError, ValueError, KeyError, TypeError) as err:
        return f"{marker}: unreadable completion marker ({err}); expected the file ketensim writes last"
    for name in _RESULT_FILES[1:]:
        if (folder / name).is_file() and name not in files:
            return (f"{folder / name}: not written by the run that completed this directory (a mix of runs); "
                    "write each run into its own directory")
    for name, size in files.items():
        path = folder / name
        if not path.is_file():
            return f"{path}: missing; the completion marker lists it ({size} bytes)"
        actual = path.stat().st_size
        if actual != size:
            return (f"{path}: {actual} bytes, but {size} when it was written; the file was truncated or changed "
                    "afterwards")
    return None


def looks_like_output(folder: Path) -> bool:
    """Whether ``folder`` holds ketensim results (or an interrupted attempt at them)."""
    return any((folder / name).exists() for name in _RESULT_FILES)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a directory; the files themselves are synced
        pass
    finally:
        os.close(fd)


class OutputTarget:
    """The ``--out`` directory of a command: checked before the work, filled through a staging directory.

    Use as a context manager: ``stage`` is where the files go; :meth:`commit` puts them in place.
    Leaving the block without a commit (an error, Ctrl-C, SIGTERM) removes the staging directory.
    """

    def __init__(self, out: Path, overwrite: bool = False) -> None:
        self.out = out  # as given, for messages
        self._path = Path(os.path.abspath(out))  # "." and "sub/.." have a real name and parent
        self.overwrite = overwrite
        self._check_target()
        self.stage = self._make_stage()
        self.committed = False
        self._keep = False  # the staged results could not be put in place and are kept where they are

    def _check_target(self) -> None:
        out = self._path
        if out.exists() or out.is_symlink():
            if not out.is_dir():
                raise OutputError(f"{self.out}: exists and is not a directory; expected a new or empty directory "
                                  "for the results")
            if any(out.iterdir()):
                if not looks_like_output(out):
                    raise OutputError(f"{self.out}: directory is not empty and holds no ketensim results; choose a "
                                      "new or empty directory (--overwrite only replaces ketensim results)")
                if not self.overwrite:
                    raise OutputError(f"{self.out}: already holds the results of another run; choose a new "
                                      "directory or add --overwrite to replace them")
            return
        parent = out.parent
        for ancestor in (parent, *parent.parents):
            if ancestor.exists():
                if not ancestor.is_dir():
                    raise OutputError(f"{self.out}: cannot create it: {ancestor} is a file; expected a directory")
                break
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise OutputError(f"{self.out}: cannot create {parent}: {_reason(err)}") from None

    def _make_stage(self) -> Path:
        parent = self._path.parent
        try:
            stage = Path(tempfile.mkdtemp(prefix=f".{self._path.name}.incomplete-", dir=parent))
        except OSError as err:
            raise OutputError(f"{self.out}: cannot write in {parent}: {_reason(err)}") from None
        try:
            os.chmod(stage, 0o777 & ~_UMASK)
            with atomic_open(stage / ".probe", "wb") as handle:
                handle.write(b"\0" * _PROBE_BYTES)
            (stage / ".probe").unlink()
        except OSError as err:
            shutil.rmtree(stage, ignore_errors=True)
            raise OutputError(f"{self.out}: cannot write in {parent}: {_reason(err)}") from None
        return stage

    def __enter__(self) -> OutputTarget:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        if not self.committed and not self._keep:
            shutil.rmtree(self.stage, ignore_errors=True)
        if isinstance(error, OSError) and not isinstance(error, (KetensimError, BrokenPipeError)):
            raise OutputError(f"{self.out}: cannot write the results: {_reason(error)}; nothing was written "
                              "there") from None

    def commit(self) -> None:
        """Put the staged results in place of ``out`` (replacing older results only with ``overwrite``).

        If that fails, the staged results are kept where they are and the error says where.
        """
        out = self._path
        old: Path | None = None
        try:
            if out.is_dir() and any(out.iterdir()):
                if not self.overwrite:
                    raise OutputError(f"{self.out}: was filled by something else during the run; the results are "
                                      f"in {self.stage}")
                old = Path(tempfile.mkdtemp(prefix=f".{out.name}.replaced-", dir=out.parent))
                os.replace(out, old / out.name)
            os.replace(self.stage, out)
        except OSError as err:
            self._keep = True
            if old is not None and not out.exists():
                os.replace(old / out.name, out)
            if isinstance(err, KetensimError):
                raise
            raise OutputError(f"{self.out}: cannot put the results in place: {_reason(err)}; they are in "
                              f"{self.stage}") from None
        self.committed = True
        _fsync_dir(out.parent)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


@contextmanager
def output_target(out: Path | None, overwrite: bool = False) -> Iterator[OutputTarget | None]:
    """:class:`OutputTarget` for ``out``, or None when no output directory was asked for."""
    if out is None:
        yield None
        return
    with OutputTarget(out, overwrite) as target:
        yield target
