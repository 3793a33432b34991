"""Files written whole or not at all, read back with a one-line problem. No TensorFlow.

Every file dnnlab writes goes to a temporary name beside it and is renamed into
place (os.replace is atomic): a kill at any instant leaves the old file or the new
one, never half of one. For the crash tests, DNNLAB_FAULT=<point> kills the process
with SIGKILL at that point (fault()).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import sys
from pathlib import Path


class FileProblem(Exception):
    """A file or folder dnnlab cannot make, write or read, in one line with the
    remedy; the labs print it instead of a traceback."""


def write(path: Path, content: str | bytes) -> Path:
    """Write `content` to `path` whole: into a temporary file, then renamed."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb" if isinstance(content, bytes) else "w") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        fault(f"write:{path.name}")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_json(path: Path, data, indent: int = 1) -> Path:
    return write(path, json.dumps(data, indent=indent) + "\n")


def read_json(path: Path, remedy: str):
    """The JSON in `path`; a FileProblem naming it and `remedy` if it is unreadable."""
    try:
        return json.loads(Path(path).read_text())
    except json.JSONDecodeError as e:
        raise FileProblem(
            f"{path}: not readable JSON ({e.msg}, line {e.lineno}: truncated or "
            f"edited); {remedy}"
        ) from None
    except UnicodeDecodeError:
        raise FileProblem(f"{path}: not a text file; {remedy}") from None
    except OSError as e:
        raise FileProblem(f"{path}: cannot be read ({why(e)}); {remedy}") from None


def clean(folder: Path) -> None:
    """What a killed process left half-written in `folder`: its temporary files
    and folders (write()'s, a checkpoint's)."""
    for p in Path(folder).glob(".*.tmp"):
        shutil.rmtree(p) if p.is_dir() else p.unlink()


REASONS = {
    errno.ENOSPC: "no space left on the disk",
    errno.EDQUOT: "over the disk quota",
    errno.EROFS: "the disk is read-only",
    errno.EACCES: "no permission",
    errno.EPERM: "no permission",
    errno.ENOTDIR: "a file is in the way of a folder",
    errno.EEXIST: "a file is in the way of a folder",
    errno.EISDIR: "a folder is in the way of a file",
}


def why(e: OSError) -> str:
    """An OSError's cause in words."""
    return REASONS.get(e.errno, e.strerror or type(e).__name__)


def fault(point: str) -> None:
    """For the crash tests: with DNNLAB_FAULT=<point>, die here as kill -9 would."""
    if os.environ.get("DNNLAB_FAULT") == point:
        print(f"dnnlab: fault injected at {point}", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
