"""Run folders: logs/<lab>/<timestamp>[/<variant>], never overwritten. No TensorFlow."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from dnnlab.config import Config, ConfigError
from dnnlab.files import FileProblem, why
from dnnlab.i18n import _, as_shown


def make_run_dir(log_dir: str | Path, name: str) -> Path:
    """logs/<name>/<timestamp>, -2, -3… when that second is taken: never overwrites."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1, 1000):
        path = Path(log_dir) / name / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            path.mkdir(parents=True)  # atomic: two processes cannot both create it
            return path
        except FileExistsError as e:
            if path.is_dir():
                continue
            raise FileProblem(_cannot(path, e)) from None
        except OSError as e:
            raise FileProblem(_cannot(path, e)) from None
    raise RuntimeError(
        _("no free run folder under {folder}").format(folder=Path(log_dir) / name)
    )


def _cannot(path: Path, e: OSError) -> str:
    return _(
        "cannot make the log folder {path}: {why}; choose another with --log-dir DIR"
    ).format(path=path, why=as_shown(why(e)))


def run_folder(config: Config) -> Path:
    """A new run folder, or with config.resume the lab's latest one."""
    return (
        latest_run(config)
        if config.resume
        else make_run_dir(config.log_dir, config.name)
    )


def latest_run(config: Config) -> Path:
    """The lab's newest run folder; a ConfigError when there is none to resume."""
    lab = Path(config.log_dir) / config.name
    runs = sorted(p for p in lab.iterdir() if p.is_dir()) if lab.is_dir() else []
    if not runs:
        raise ConfigError(
            _("resume=True is not allowed: expected an earlier run in {folder}").format(
                folder=lab
            )
        )
    return runs[-1]
