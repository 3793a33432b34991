"""Every lab's command line, generated from Config's fields. Imports no TensorFlow."""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import os
import shlex
import sys
from collections.abc import Callable

from dnnlab import i18n, notebook
from dnnlab.config import CHOICES, Config, ConfigError
from dnnlab.i18n import _
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
        text = _((fields or {}).get(f.name) or f.metadata["help"])
        _add_field(p, f, [getattr(c, f.name) for c in configs.values()], text)
    _run_flags(p, configs)
    return p


def _run_flags(p: argparse.ArgumentParser, configs: dict[str, Config]) -> None:
    """The flags of how a lab runs, beside Config's: seeds, variants, figures,
    language, backend."""
    p.add_argument(
        "--seeds",
        type=int,
        default=1,
        metavar="N",
        help=_(
            "train every variant under N seeds (SEED, SEED+1, …); the table shows "
            "mean ± std and the claim weighs the spread (default: 1)"
        ),
    )
    if len(configs) > 1:
        p.add_argument(
            "--variants",
            type=lambda t: _parts(t, "variant names"),
            metavar="NAMES",
            help=_(
                "run only these variants, e.g. {example} (default: all; the claim "
                "needs all)"
            ).format(example=",".join(list(configs)[:2])),
        )
    p.add_argument(
        "--show", action="store_true", help=_("open the figures in a window")
    )
    p.add_argument(
        "--lang",
        choices=i18n.LANGUAGES,
        help=_(
            "the language of what the lab says: en or ko (한국어) (default: "
            "$DNNLAB_LANG, else the locale, e.g. LANG=ko_KR.UTF-8, else en)"
        ),
    )
    p.add_argument(
        "--backend",
        choices=BACKENDS,
        default=os.environ.get("KERAS_BACKEND", "tensorflow"),
        help=_(
            "Keras' backend; TensorBoard's logs are written through TensorFlow on "
            "either (default: $KERAS_BACKEND, else tensorflow)"
        ),
    )


def _add_field(
    p: argparse.ArgumentParser, f: dataclasses.Field, values: list, text: str
) -> None:
    """The flag of one Config field, its help with the lab's default(s)."""
    values = list(dict.fromkeys(values))
    shown = ", ".join(_show(v) for v in values)
    if len(values) == 1:
        default = _("(default: {shown})").format(shown=shown)
    else:
        default = _("(per variant: {shown})").format(shown=shown)
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
    description: str | Callable[[], str] = "",
    fields: dict[str, str] | None = None,
) -> Flags:
    """Flags applied to every variant; a bad flag or value exits 2 in one line.

    Args:
        options: the lab's own flags beyond Config's, {name: add_argument keywords}.
        renamed: the lab's flags that have a new name, {old: new}.
        description: the --help text above the flags (or a function that gives
            it, in the language --lang chose).
        fields: the Config fields that are flags, {field: help} (default: all).
    """
    argv = _words(argv)
    prog = program()
    p = parser(
        configs, prog, description() if callable(description) else description, fields
    )
    p.renamed = renamed or {}
    for name, spec in (options or {}).items():
        shown = _("(default: {shown})").format(shown=spec["default"])
        spec = {"dest": name, **spec, "help": f"{_(spec['help'])} {shown}"}
        p.add_argument("--" + name.replace("_", "-"), **spec)
    args = vars(p.parse_args(argv))
    seeds, show = args.pop("seeds"), args.pop("show")
    args.pop("lang")
    use_backend(prog, args.pop("backend"))
    chosen = args.pop("variants", None) or list(configs)
    extra = {name: args.pop(name) for name in options or {}}
    if seeds < 1:
        wrong = _("seeds={seeds} is not allowed: expected an integer >= 1")
        usage_error(prog, wrong.format(seeds=seeds))
    unknown = [v for v in chosen if v not in configs]
    if unknown:
        wrong = _("variants={name!r} is not allowed: expected some of {names}")
        usage_error(prog, wrong.format(name=unknown[0], names=", ".join(configs)))
    try:
        variants = {k: c.replace(**args) for k, c in configs.items() if k in chosen}
        if args.get("resume"):
            latest_run(next(iter(variants.values())))  # something to resume?
    except ConfigError as e:
        usage_error(prog, e)
    return Flags(variants, seeds, show, args, extra, list(configs))


def _words(argv):
    """The words to parse (a notebook's flags split as a shell would; in a kernel,
    not its own argv); the language --lang chose is spoken from here on."""
    if isinstance(argv, str):  # a notebook's flags, as on the command line
        argv = shlex.split(argv)
    elif argv is None and notebook.active():
        argv = []  # not the kernel's own argv
    lang = chosen_language(argv if argv is not None else sys.argv[1:])
    if lang is not None:
        i18n.use(lang)  # Lab.run speaks it for this run only
    return argv


def chosen_language(argv: list[str]) -> str | None:
    """--lang's value, read before the parser (whose --help speaks it); None
    without one (the environment decides) or with a value parse_args refuses."""
    for i, word in enumerate(argv):
        if word == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        elif word.startswith("--lang="):
            value = word.split("=", 1)[1]
        else:
            continue
        return value if value in i18n.LANGUAGES else None
    return None


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
    line = _("{prog}: error: {message} (see --help)")
    notebook.fail(line.format(prog=prog, message=i18n.as_shown(message)), 2)


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
