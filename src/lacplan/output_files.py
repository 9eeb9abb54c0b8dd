"""Where the command line writes: standard output, or the file ``-o`` names, safely.

* :func:`output_stream` (text) and :func:`output_file` (text or bytes) are the one way every
  subcommand opens its output. When ``-o`` names a regular file, or a path that does not exist,
  the output is written to a temporary file in the same directory (``.NAME.XXXXXXXX.tmp``) and
  renamed over ``NAME`` once complete (after ``fsync``), so that ``NAME`` holds either its old
  contents or the whole new output, never part of it. The temporary file takes the replaced
  file's permission bits (and its owner and group where the process may set them); a new file
  gets the permissions a plain ``open`` would give it (``0o666`` less the umask). ``-o`` naming a
  symbolic link replaces the file it points to, not the link. On any failure or interrupt
  (``KeyboardInterrupt`` included, also in the middle of a write) the temporary file is
  removed and the old file is left as it was. Anything else (a device, a FIFO, ``/dev/stdout``)
  is written directly.
* A write error (a full disk, an unwritable directory or device, a closed pipe on standard
  output) is an :class:`OutputError` (a ``UsageError``: exit status 2) naming the output and the
  system's reason, never a traceback. Text is UTF-8, written with ``errors="backslashreplace"``:
  a lone surrogate (which UTF-8 cannot hold) is written as ``\\ud800`` rather than stopping the
  run.
* :func:`refuse_inputs`: an output that is one of the inputs (the same file, however named:
  same device and inode, through symbolic or hard links) or lies inside an input directory is
  refused (a ``UsageError``) before anything is opened.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import secrets
import signal
import stat
import sys
import threading
from collections.abc import Iterable, Iterator
from typing import IO, Any, Final, Literal, TextIO, cast, overload

from lacplan.errors import UsageError
from lacplan.escape import printable

__all__ = [
    "STDOUT",
    "OutputError",
    "flush_stdout",
    "output_file",
    "output_stream",
    "refuse_inputs",
]

#: How messages name standard output.
STDOUT: Final = "standard output"
#: The text encoding of every text output, and what becomes of what it cannot encode.
ENCODING: Final = "utf-8"
ERRORS: Final = "backslashreplace"
_BUFFER: Final = 1 << 16
_CREATE: Final = os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


class OutputError(UsageError):
    """An output cannot be written: ``cannot write NAME: REASON`` (exit status 2)."""

    code = "output"

    def __init__(self, name: str, reason: OSError | str) -> None:
        why = reason if isinstance(reason, str) else (reason.strerror or str(reason))
        super().__init__(f"cannot write {printable(name)}: {why or type(reason).__name__}")
        self.name = name


# ---------------------------------------------------------------------------- standard output
def _silence_stdout() -> None:
    """Point file descriptor 1 at the null device, so that what is still buffered for standard
    output (which failed) goes nowhere at exit instead of failing again there."""
    try:
        fd = sys.stdout.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError, AttributeError):  # no descriptor (a test's stream): nothing held
        return
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)


class _Stdout:
    """``sys.stdout`` whose write errors are :class:`OutputError` and which writes what its
    encoding cannot hold backslash-escaped."""

    __slots__ = ("_out",)

    def __init__(self, out: TextIO | None) -> None:
        self._out = out  # None: the process started with standard output closed

    def write(self, text: str) -> int:
        if self._out is None:
            raise OutputError(STDOUT, OSError(errno.EBADF, os.strerror(errno.EBADF)))
        try:
            try:
                return self._out.write(text)
            except UnicodeEncodeError:  # nothing was written: the whole text is encoded first
                encoding = getattr(self._out, "encoding", None) or ENCODING
                return self._out.write(text.encode(encoding, ERRORS).decode(encoding))
        except OSError as exc:
            _silence_stdout()
            raise OutputError(STDOUT, exc) from None

    def flush(self) -> None:
        if self._out is None:
            return
        try:
            self._out.flush()
        except OSError as exc:
            _silence_stdout()
            raise OutputError(STDOUT, exc) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._out, name)


def flush_stdout() -> None:
    """Flush standard output: an :class:`OutputError` if it fails (then nothing more is tried
    at exit)."""
    _Stdout(sys.stdout).flush()


# ---------------------------------------------------------------------------- files
class _Raw(io.FileIO):
    """A file's raw stream whose write errors are :class:`OutputError` naming the output (what
    the buffers above it raise too, whenever they write)."""

    def __init__(self, fd: int, name: str) -> None:
        super().__init__(fd, "w", closefd=True)
        self.output_name = self.name = name  # (the streams above it take their name from it)

    def write(self, data: Any, /) -> int:
        try:
            return super().write(data)
        except OSError as exc:
            raise OutputError(self.output_name, exc) from None


@contextlib.contextmanager
def _no_interrupts() -> Iterator[None]:
    """Hold ``SIGINT`` back (in the main thread, where Python handles it) while a temporary
    file is renamed or removed: a second Ctrl-C then takes effect once that is done."""
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = mask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, old)


def _target(path: str) -> tuple[str, os.stat_result | None] | None:
    """``(the file to replace, its status)`` for a regular file (through symbolic links) and
    ``(the path, None)`` for one that does not exist; ``None`` for anything else."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return _new_file(path), None
    except OSError as exc:
        raise OutputError(path, exc) from None
    except ValueError:  # a NUL, or a surrogate no file name can hold
        raise OutputError(path, "not a file name this system can hold") from None
    return (os.path.realpath(path), st) if stat.S_ISREG(st.st_mode) else None


def _new_file(path: str) -> str:
    """Where ``open(path, "w")`` would create a file: a dangling link's target, else ``path``
    in its directory as the system resolves it (``dir/missing/../x`` is no path at all, though
    ``os.path.realpath`` would make it ``dir/x``)."""
    if os.path.islink(path):
        return os.path.realpath(path)
    parent, name = os.path.split(path)
    try:
        os.stat(parent or os.curdir)
    except OSError as exc:
        raise OutputError(path, exc) from None
    except ValueError:
        raise OutputError(path, "not a file name this system can hold") from None
    return os.path.join(os.path.realpath(parent or os.curdir), name)


def _temporary(target: str, st: os.stat_result | None) -> tuple[int, str]:
    """A new file beside ``target`` (open for writing) with ``target``'s permissions, or those
    of a new file; its descriptor and path."""
    directory, name = os.path.split(target)
    stem = os.fsdecode(os.fsencode(name)[:120])
    while True:
        tmp = os.path.join(directory, f".{stem}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, _CREATE | os.O_EXCL, 0o666 if st is None else 0o600)
        except FileExistsError:  # pragma: no cover - 2**32 names
            continue
        break
    if st is None:
        return fd, tmp
    try:
        if hasattr(os, "fchown") and (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
            try:
                os.fchown(fd, st.st_uid, st.st_gid)
            except OSError:
                with contextlib.suppress(OSError):
                    os.fchown(fd, -1, st.st_gid)
        if hasattr(os, "fchmod"):
            os.fchmod(fd, stat.S_IMODE(st.st_mode))
        else:  # pragma: no cover - Windows before Python 3.13
            os.chmod(tmp, stat.S_IMODE(st.st_mode))
    except BaseException:
        os.close(fd)
        os.unlink(tmp)
        raise
    return fd, tmp


def _stream(raw: _Raw, binary: bool) -> IO[Any]:
    buffered = io.BufferedWriter(raw, _BUFFER)
    if binary:
        return buffered
    return io.TextIOWrapper(buffered, encoding=ENCODING, errors=ERRORS, newline="")


def _discard(fh: IO[Any] | None, raw: _Raw | None) -> None:
    """Close ``fh`` and ``raw`` after a failure, whatever they still hold (so that nothing is
    tried again when they are collected)."""
    for stream in (fh, raw):
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.close()


@overload
def output_file(
    path: str, *, binary: Literal[False] = ...
) -> contextlib.AbstractContextManager[TextIO]: ...
@overload
def output_file(
    path: str, *, binary: Literal[True]
) -> contextlib.AbstractContextManager[IO[bytes]]: ...
def output_file(path: str, *, binary: bool = False) -> contextlib.AbstractContextManager[Any]:
    """The file at ``path`` open for writing (UTF-8 text, or bytes with ``binary``): for a
    regular file or a new one, a temporary file renamed over it on the way out; else ``path``
    itself. Write errors are :class:`OutputError`. On any exception (``KeyboardInterrupt``
    too) the temporary file is removed and ``path`` left as it was."""
    return _output_file(path, binary)


@contextlib.contextmanager
def _output_file(path: str, binary: bool) -> Iterator[IO[Any]]:
    tmp: str | None = None
    final: str | None = None
    raw: _Raw | None = None
    fh: IO[Any] | None = None
    try:
        target = _target(path)
        try:
            if target is None:  # a device, a FIFO...: written as it is (an open may wait)
                fd = os.open(path, _CREATE | os.O_TRUNC, 0o666)
            else:
                with _no_interrupts():
                    fd, tmp = _temporary(*target)
                final = target[0]
        except OSError as exc:
            raise OutputError(path, exc) from None
        raw = _Raw(fd, path)
        fh = _stream(raw, binary)
        yield fh
        try:
            fh.flush()
            if tmp is not None:
                os.fsync(fd)
            fh.close()
            if tmp is not None and final is not None:
                with _no_interrupts():
                    os.replace(tmp, final)
                    tmp = None
        except OSError as exc:
            raise OutputError(path, exc) from None
    except BaseException:
        with _no_interrupts():
            _discard(fh, raw)
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        raise
    if final is not None:
        _sync_directory(os.path.dirname(final))


def _sync_directory(directory: str) -> None:
    """Make the rename durable where the system allows it (best effort)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory or ".", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def output_stream(path: str | None) -> Iterator[TextIO]:
    """Standard output (no path, or ``-``), flushed on the way out, or :func:`output_file`
    ``(path)``; write errors are :class:`OutputError`."""
    if path is None or path == "-":
        out = _Stdout(sys.stdout)
        yield cast("TextIO", out)
        out.flush()
        return
    with output_file(path) as fh:
        yield fh


# ---------------------------------------------------------------------------- inputs
def _identity(st: os.stat_result) -> tuple[int, int]:
    return st.st_dev, st.st_ino


def _input_identities(
    inputs: Iterable[str], stdin: bool
) -> tuple[dict[tuple[int, int], str], dict[tuple[int, int], str]]:
    """The regular files and the directories among ``inputs`` (and standard input, if it is
    read and is a file), by identity, each with the name it was given."""
    files: dict[tuple[int, int], str] = {}
    dirs: dict[tuple[int, int], str] = {}
    for path in inputs:
        if path == "-":
            continue
        try:
            st = os.stat(path)
        except (OSError, ValueError):  # missing: the reader says so
            continue
        if stat.S_ISREG(st.st_mode):
            files.setdefault(_identity(st), path)
        elif stat.S_ISDIR(st.st_mode):
            dirs.setdefault(_identity(st), path)
    if stdin:
        with contextlib.suppress(OSError, ValueError, AttributeError, io.UnsupportedOperation):
            st = os.fstat(sys.stdin.fileno())
            if stat.S_ISREG(st.st_mode):
                files.setdefault(_identity(st), "standard input")
    return files, dirs


def refuse_inputs(outputs: Iterable[str | None], inputs: Iterable[str]) -> None:
    """A ``UsageError`` if one of ``outputs`` (paths; ``None`` and ``-`` are standard output)
    is one of ``inputs`` (paths, ``-`` for standard input), however named, or lies inside an
    input directory. Nothing is opened; inputs that cannot be found are left to the reader."""
    wanted = [p for p in outputs if p is not None and p != "-"]
    if not wanted:
        return
    names = list(inputs)
    files, dirs = _input_identities(names, "-" in names)
    if not files and not dirs:
        return
    for path in wanted:
        try:
            st: os.stat_result | None = os.stat(path)
        except (OSError, ValueError):
            st = None
        if st is not None and (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
            same = files.get(_identity(st)) or dirs.get(_identity(st))
            if same is not None:
                raise UsageError(
                    f"the output {printable(path)} is the input {printable(same)}: "
                    "give another -o (nothing was written)"
                )
        here = os.path.dirname(os.path.realpath(path))
        while True:
            try:
                inside = dirs.get(_identity(os.stat(here)))
            except (OSError, ValueError):
                inside = None
            if inside is not None:
                raise UsageError(
                    f"the output {printable(path)} is inside the input directory "
                    f"{printable(inside)}: give another -o (nothing was written)"
                )
            parent = os.path.dirname(here)
            if parent == here:
                break
            here = parent
