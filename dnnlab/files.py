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

from dnnlab.i18n import _, as_shown, msg


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
    """The JSON in `path`; a FileProblem naming it and `remedy` (a msg, or text
    already translated) if it is unreadable."""
    try:
        return json.loads(Path(path).read_text())
    except json.JSONDecodeError as e:
        raise FileProblem(
            _(
                "{path}: not readable JSON ({error}, line {line}: truncated or "
                "edited); {remedy}"
            ).format(path=path, error=e.msg, line=e.lineno, remedy=as_shown(remedy))
        ) from None
    except UnicodeDecodeError:
        raise FileProblem(
            _("{path}: not a text file; {remedy}").format(
                path=path, remedy=as_shown(remedy)
            )
        ) from None
    except OSError as e:
        raise FileProblem(
            _("{path}: cannot be read ({why}); {remedy}").format(
                path=path, why=as_shown(why(e)), remedy=as_shown(remedy)
            )
        ) from None


def clean(folder: Path) -> None:
    """What a killed process left half-written in `folder`: its temporary files
    and folders (write()'s, a checkpoint's)."""
    for p in Path(folder).glob(".*.tmp"):
        shutil.rmtree(p) if p.is_dir() else p.unlink()


REASONS = {  # msgs: as_shown(why(e)) shows them in the language spoken then
    errno.ENOSPC: msg("no space left on the disk"),
    errno.EDQUOT: msg("over the disk quota"),
    errno.EROFS: msg("the disk is read-only"),
    errno.EACCES: msg("no permission"),
    errno.EPERM: msg("no permission"),
    errno.ENOTDIR: msg("a file is in the way of a folder"),
    errno.EEXIST: msg("a file is in the way of a folder"),
    errno.EISDIR: msg("a folder is in the way of a file"),
}


def why(e: OSError) -> str:
    """An OSError's cause in words: a msg, else the system's own (English) text."""
    return REASONS.get(e.errno, e.strerror or type(e).__name__)


def fault(point: str) -> None:
    """For the crash tests: with DNNLAB_FAULT=<point>, die here as kill -9 would."""
    if os.environ.get("DNNLAB_FAULT") == point:
        print(f"dnnlab: fault injected at {point}", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
