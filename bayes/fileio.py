"""Atomic file output: write to a temporary file beside the target, then rename over it.

A crash or a bad input half-way never leaves a truncated report or chart, and never touches a file an
analyst wrote until the new content is complete.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Callable

from bayes.errors import BayesInputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike, write: Callable[[str], None], check: Callable[[str], None] | None = None) -> Path:
    """Call `write(tmp_path)`, then `check(tmp_path)` if given, then rename tmp over `path`; the temp file is
    removed on any failure. A symlink is written through (its target is replaced, the link stays) and an
    existing file keeps its permissions and its group (where this user may set it). Temp files left by
    writers killed mid-write are removed first (`remove_stale_temps`)."""
    path = Path(path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        info = path.stat()
        mode, group = info.st_mode & 0o7777, info.st_gid
    except OSError:
        mode, group = 0o666 & ~_umask(), None
    remove_stale_temps(path.parent, f".{path.name}.", path.suffix)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}-", suffix=path.suffix)
    os.close(fd)
    try:
        write(tmp)
        if check is not None:
            check(tmp)
        if group is not None and group != os.stat(tmp).st_gid:  # a group-shared file stays shared
            with contextlib.suppress(OSError):  # allowed when we are in that group
                os.chown(tmp, -1, group)
        os.chmod(tmp, mode)  # after chown, which may clear setgid bits
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


LEGACY_TEMP_AGE = 3600  # seconds: a temp file without its writer's pid (older versions) is stale after this
_MKSTEMP = r"[a-z0-9_]{8}"  # the eight characters tempfile adds to a name


def remove_stale_temps(folder: str | os.PathLike, prefix: str, suffix: str = "", folders: bool = False) -> list[Path]:
    """Remove what writers killed mid-write left in `folder`: exactly `<prefix><pid>-<8 characters><suffix>`
    whose process is gone (or, from older versions, `<prefix><8 characters><suffix>` an hour old); regular
    files only (`folders`: folders only, for the brief's kernel folders), never a symlink. A live writer's
    file and anything an analyst named otherwise (`.notes.swp`, `.x.bif.backup.bif`) are never touched."""
    import glob
    import re
    import shutil
    import time

    removed = []
    pattern = re.compile(re.escape(prefix) + r"(?:(\d{1,10})-)?" + _MKSTEMP + re.escape(suffix))
    for entry in Path(folder).glob(glob.escape(prefix) + "*" + glob.escape(suffix)):
        match = pattern.fullmatch(entry.name)
        if not match or entry.is_symlink() or not (entry.is_dir() if folders else entry.is_file()):
            continue
        try:
            if match.group(1):
                if _alive(int(match.group(1))):
                    continue
            elif time.time() - entry.lstat().st_mtime < LEGACY_TEMP_AGE:
                continue
            if folders:
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry)
        except (OSError, ValueError, OverflowError):
            continue
    return removed


def _alive(pid: int) -> bool:
    """Whether a process of this id runs (on this machine); one we may not signal counts as alive."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


@contextlib.contextmanager
def folder_lock(folder: str | os.PathLike):
    """An exclusive lock on a folder (flock on its descriptor), held while a file in it is read, extended
    and renamed into place: concurrent appenders queue instead of losing each other's rows, and no lock
    file is left behind."""
    import fcntl

    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def atomic_write_text(path: str | os.PathLike, text: str, check: Callable[[str], None] | None = None) -> Path:
    def write(tmp):
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)

    return atomic_write(path, write, check)


def read_bytes_file(path: str | os.PathLike, what: str, max_bytes: int) -> bytes:
    """A regular file of at most `max_bytes`, or one clear BayesInputError naming it.

    Opened non-blocking and checked with fstat before reading, so a FIFO or a device is refused instead
    of hanging or reading forever (a symlink to /dev/zero included).
    """
    import stat

    path = Path(path)  # (as the messages name it: "d//x/" reads as d/x)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise BayesInputError(f"{what} not found", str(path)) from None
    except IsADirectoryError:
        raise BayesInputError(f"is a folder; expected the {what}", str(path)) from None
    except OSError as exc:
        raise BayesInputError(f"cannot read {what}: {exc.strerror}", str(path)) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise BayesInputError(f"is a folder; expected the {what}", str(path))
        raise BayesInputError(f"the {what} must be a regular file, not a FIFO, device or socket", str(path))
    try:
        if info.st_size > max_bytes:
            raise BayesInputError(f"the {what} is {info.st_size:,} bytes; at most {max_bytes:,} are read", str(path))
        # read what fstat promised and one byte more (a file growing meanwhile still stops at max_bytes),
        # without a buffer of max_bytes: a model file of 3 kB should not cost a 20 MB allocation
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = os.read(fd, min(max_bytes + 1 - total, max(info.st_size + 1 - total, 1 << 16)))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks)[:max_bytes]
    finally:
        os.close(fd)


_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe", "UTF-16"),
         (b"\xfe\xff", "UTF-16"))


def decode_utf8(data: bytes, what: str, file: str) -> str:
    """UTF-8 (with or without a BOM); any other encoding is named in the error, with the line of the first
    byte that is not UTF-8."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise BayesInputError(f"the {what} is {name}; save it as UTF-8", file)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        guess = "Latin-1 or Windows-1252, probably" if exc.start < len(data) and data[exc.start] >= 0x80 else "unknown"
        raise BayesInputError(f"the {what} is not UTF-8 (byte 0x{data[exc.start]:02x}; {guess}); save it as UTF-8",
                              file, line) from None


def read_text_file(path: str | os.PathLike, what: str, max_bytes: int) -> str:
    """A regular UTF-8 file of at most `max_bytes` as text, or one clear BayesInputError naming it."""
    return decode_utf8(read_bytes_file(path, what, max_bytes), what, str(path))


def check_output(path: str | os.PathLike, force: bool = False, flag: str = "-o") -> Path:
    """An output file the analyst named (with `flag`, named in messages): refused (one clear error) if it is a
    folder, sits in no folder or under a file, cannot be written, or already exists without `force`; nothing
    is written here."""
    path = Path(path)
    if path.is_dir():
        raise BayesInputError(f"{flag} names a folder; give a file name", str(path))
    parent = path.parent
    if parent.exists() and not parent.is_dir():
        raise BayesInputError(f"{flag} is under '{parent}', which is a file, not a folder", str(path))
    if not parent.exists():
        raise BayesInputError(f"the folder '{parent}' does not exist", str(path))
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BayesInputError(f"the folder '{parent}' cannot be written to", str(path))
    if (path.exists() or path.is_symlink()) and not force:
        raise BayesInputError(f"already exists; choose another {flag} or pass --force to replace it", str(path))
    return path


def safe_child(folder: str | os.PathLike, name: str, fallback: str = "chart") -> Path:
    """folder/<slug of name>: the name reduced to letters, digits, '_', '-' and '.', never '..' or a path,
    and checked to resolve inside the folder, so a name from a model file cannot write elsewhere."""
    import re

    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._-")[:100] or fallback
    folder = Path(folder)
    path = folder / slug
    if os.path.commonpath([os.path.realpath(folder), os.path.realpath(path)]) != os.path.realpath(folder):
        raise BayesInputError(f"output name '{name[:100]}' would leave the output folder", str(folder))
    return path
