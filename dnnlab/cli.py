"""Every lab's command line, generated from Config's fields. Imports no TensorFlow."""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import os
import shlex
import sys

from dnnlab import notebook
from dnnlab.config import CHOICES, Config, ConfigError
from dnnlab.runs import latest_run

BACKENDS = ("tensorflow", "jax")


class _Parser(argparse.ArgumentParser):
    renamed: dict[str, str] = {}  # the lab's renamed flags, old: new

    def error(self, message: str):  # one line, not argparse's usage block
        unknown = [w for w in message.split() if w.startswith("--")]
        if message.startswith("unrecognized arguments") and unknown:
            flags = [f for a in self._actions for f in a.option_strings]
            flag = unknown[0].split("=")[0]
            new = self.renamed.get(flag)
            if new in flags:
                message += f" ({flag} is now {new})"
            elif near := nearest(flag, flags):
                message += f" (did you mean {near}?)"
        usage_error(self.prog, message)

    def exit(self, status=0, message=None):
        if notebook.active() and status == 0:  # after --help: no SystemExit
            raise notebook.LabError(f"{self.prog}: the flags are above; nothing ran")
        super().exit(status, message)


def nearest(flag: str, flags: list[str]) -> str | None:
    """The flag meant: --lr is --learning-rate by its initials, --epoch by spelling."""
    word = flag.lstrip("-").lower()
    for f in flags:
        parts = f.lstrip("-").split("-")
        if len(parts) > 1 and "".join(p[0] for p in parts) == word:
            return f
    near = difflib.get_close_matches(flag, flags, n=1)
    return near[0] if near else None


def program() -> str:
    """How the user started us: the script's name, `python -m dnnlab`, or in a
    a notebook LAB.run."""
    if notebook.active():
        return "LAB.run"
    name = os.path.basename(sys.argv[0])
    return "python -m dnnlab" if name == "__main__.py" else name


def parser(
    configs: dict[str, Config],
    prog: str,
    description: str = "",
    fields: dict[str, str] | None = None,
) -> argparse.ArgumentParser:
    """One flag per Config field, or per field in `fields` ({field: its help in
    this lab, or "" for Config's}); the help shows the lab's own defaults."""
    p = _Parser(
        prog=prog,
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,  # --epoch is a typo, not --epochs
    )
    for f in dataclasses.fields(Config):
        if fields is not None and f.name not in fields:
            continue
        text = (fields or {}).get(f.name) or f.metadata["help"]
        _add_field(p, f, [getattr(c, f.name) for c in configs.values()], text)
    p.add_argument(
        "--seeds",
        type=int,
        default=1,
        metavar="N",
        help="train every variant under N seeds (SEED, SEED+1, …); the table shows "
        "mean ± std and the claim weighs the spread (default: 1)",
    )
    if len(configs) > 1:
        p.add_argument(
            "--variants",
            type=lambda t: _parts(t, "variant names"),
            metavar="NAMES",
            help="run only these variants, e.g. "
            + ",".join(list(configs)[:2])
            + " (default: all; the claim needs all)",
        )
    p.add_argument("--show", action="store_true", help="open the figures in a window")
    p.add_argument(
        "--backend",
        choices=BACKENDS,
        default=os.environ.get("KERAS_BACKEND", "tensorflow"),
        help="Keras' backend; TensorBoard's logs are written through TensorFlow on "
        "either (default: $KERAS_BACKEND, else tensorflow)",
    )
    return p


def _add_field(
    p: argparse.ArgumentParser, f: dataclasses.Field, values: list, text: str
) -> None:
    """The flag of one Config field, its help with the lab's default(s)."""
    values = list(dict.fromkeys(values))
    shown = ", ".join(_show(v) for v in values)
    default = f"(default: {shown})" if len(values) == 1 else f"(per variant: {shown})"
    if f.name in CHOICES:
        text += " {" + ", ".join(CHOICES[f.name]) + "}"
    flag = "--" + f.name.replace("_", "-")
    kwargs = dict(dest=f.name, default=argparse.SUPPRESS, help=f"{text} {default}")
    if f.type == "bool":
        p.add_argument(flag, action=argparse.BooleanOptionalAction, **kwargs)
        return
    kind = {"int": int, "float": float, "tuple[int, ...]": _widths}.get(f.type, str)
    metavar = "WIDTHS" if f.type.startswith("tuple") else f.type.upper()
    p.add_argument(flag, type=kind, metavar=metavar, **kwargs)


@dataclasses.dataclass
class Flags:
    """What the command line asked for."""

    variants: dict[str, Config]  # the variants to run, flags applied
    seeds: int
    show: bool
    changed: dict  # Config fields set on the command line
    options: dict  # the lab's own flags
    all: list[str]  # every variant of the lab, run or not


def parse(
    configs: dict[str, Config],
    argv=None,
    options: dict[str, dict] | None = None,
    renamed: dict[str, str] | None = None,
    description: str = "",
    fields: dict[str, str] | None = None,
) -> Flags:
    """Flags applied to every variant; a bad flag or value exits 2 in one line.

    Args:
        options: the lab's own flags beyond Config's, {name: add_argument keywords}.
        renamed: the lab's flags that have a new name, {old: new}.
        description: the --help text above the flags.
        fields: the Config fields that are flags, {field: help} (default: all).
    """
    if isinstance(argv, str):  # a notebook's flags, as on the command line
        argv = shlex.split(argv)
    elif argv is None and notebook.active():
        argv = []  # not the kernel's own argv
    prog = program()
    p = parser(configs, prog, description, fields)
    p.renamed = renamed or {}
    for name, spec in (options or {}).items():
        spec = {"dest": name, **spec}
        spec["help"] += f" (default: {spec['default']})"
        p.add_argument("--" + name.replace("_", "-"), **spec)
    args = vars(p.parse_args(argv))
    seeds, show = args.pop("seeds"), args.pop("show")
    use_backend(prog, args.pop("backend"))
    chosen = args.pop("variants", None) or list(configs)
    extra = {name: args.pop(name) for name in options or {}}
    if seeds < 1:
        usage_error(prog, f"seeds={seeds} is not allowed: expected an integer >= 1")
    unknown = [v for v in chosen if v not in configs]
    if unknown:
        usage_error(
            prog,
            f"variants={unknown[0]!r} is not allowed: expected some of "
            + ", ".join(configs),
        )
    try:
        variants = {k: c.replace(**args) for k, c in configs.items() if k in chosen}
        if args.get("resume"):
            latest_run(next(iter(variants.values())))  # something to resume?
    except ConfigError as e:
        usage_error(prog, e)
    return Flags(variants, seeds, show, args, extra, list(configs))


def use_backend(prog: str, backend: str) -> None:
    """Choose Keras' backend before Keras loads; refuse a change after."""
    keras = sys.modules.get("keras")
    if keras is not None and keras.backend.backend() != backend:
        usage_error(
            prog,
            f"backend={backend!r} is not possible here: Keras is already loaded with "
            f"{keras.backend.backend()!r}",
        )
    os.environ["KERAS_BACKEND"] = backend


def usage_error(prog: str, message) -> None:
    notebook.fail(f"{prog}: error: {message} (see --help)", 2)


def _parts(text: str, what: str) -> list[str]:
    """'a,b' or 'a, b' or 'a b' -> ['a', 'b']; an empty part ('a,,b', 'a,') is
    refused with the value quoted, never read as a shorter list."""
    parts = [t.strip() for t in text.strip().split(",")]
    parts = [w for t in parts for w in (t.split() or [""])]
    if "" in parts:
        raise argparse.ArgumentTypeError(
            f"{text!r} has an empty part: expected comma-separated {what}"
        )
    return parts


def _widths(text: str) -> tuple[int, ...]:
    """'256,256,256' -> (256, 256, 256); '' or 'none' -> () (softmax regression)."""
    if text.strip().lower() in ("", "none", "()"):
        return ()
    parts = _parts(text, "widths, e.g. 256,256")
    try:
        return tuple(int(t) for t in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of widths"
        ) from None


def _show(value) -> str:
    if isinstance(value, tuple):
        return ",".join(map(str, value)) or "none"
    return str(value)
