"""Every lab's command line, generated from Config's fields. Imports no TensorFlow."""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import os
import sys
from collections.abc import Callable

from dnnlab.config import CHOICES, Config, ConfigError
from dnnlab.runs import latest_run


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not argparse's usage block
        unknown = [w for w in message.split() if w.startswith("--")]
        if message.startswith("unrecognized arguments") and unknown:
            flags = [f for a in self._actions for f in a.option_strings]
            near = difflib.get_close_matches(unknown[0].split("=")[0], flags, n=1)
            message += f" (did you mean {near[0]}?)" if near else ""
        _usage_error(self.prog, message)


def parser(configs: dict[str, Config], prog: str) -> argparse.ArgumentParser:
    """One flag per Config field; the help shows the lab's own defaults."""
    p = _Parser(
        prog=prog,
        description=_doc(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,  # --epoch is a typo, not --epochs
    )
    for f in dataclasses.fields(Config):
        values = list(dict.fromkeys(getattr(c, f.name) for c in configs.values()))
        shown = ", ".join(_show(v) for v in values)
        default = (
            f"(default: {shown})" if len(values) == 1 else f"(per variant: {shown})"
        )
        comment = _COMMENTS.get(f.name, "")
        if f.name in CHOICES:
            comment += " {" + ", ".join(CHOICES[f.name]) + "}"
        flag = "--" + f.name.replace("_", "-")
        kwargs = dict(
            dest=f.name, default=argparse.SUPPRESS, help=f"{comment} {default}"
        )
        if f.type == "bool":
            p.add_argument(flag, action=argparse.BooleanOptionalAction, **kwargs)
        else:
            kind = {"int": int, "float": float, "tuple[int, ...]": _widths}.get(
                f.type, str
            )
            p.add_argument(
                flag,
                type=kind,
                metavar="WIDTHS" if f.type.startswith("tuple") else f.type.upper(),
                **kwargs,
            )
    p.add_argument("--show", action="store_true", help="open the figures in a window")
    return p


def run_cli(
    main: Callable,
    configs: Config | dict[str, Config],
    argv=None,
    options: dict[str, dict] | None = None,
):
    """Parse flags, apply them to every config, run main(configs); errors: one line.

    Args:
        options: the lab's own flags beyond Config's, {name: add_argument keywords};
            main receives them as keyword arguments.
    """
    single = isinstance(configs, Config)
    variants = {"": configs} if single else dict(configs)
    prog = "dnnlab" if argv is not None else os.path.basename(sys.argv[0])
    p = parser(variants, prog)
    for name, spec in (options or {}).items():
        spec = {"dest": name, **spec}
        spec["help"] += f" (default: {spec['default']})"
        p.add_argument("--" + name.replace("_", "-"), **spec)
    args = vars(p.parse_args(argv))
    show = args.pop("show")
    extra = {name: args.pop(name) for name in options or {}}
    try:
        variants = {k: c.replace(**args) for k, c in variants.items()}
        if args.get("resume"):
            latest_run(next(iter(variants.values())))  # something to resume?
    except ConfigError as e:
        _usage_error(prog, e)
    if show:
        from dnnlab import plots

        plots.SHOW = True
    from dnnlab.data import DataError, prefetch  # numpy only

    prefetch()  # reads MNIST while main imports TensorFlow
    try:
        return main(variants[""] if single else variants, **extra)
    except ConfigError as e:
        _usage_error(prog, e)
    except DataError as e:
        print(f"{prog}: data error: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt as e:
        print(f"\n{prog}: {e or 'interrupted'}", file=sys.stderr)
        sys.exit(130)


def _usage_error(prog: str, message) -> None:
    print(f"{prog}: error: {message} (see --help)", file=sys.stderr)
    sys.exit(2)


def _widths(text: str) -> tuple[int, ...]:
    """'256,256,256' -> (256, 256, 256); '' or 'none' -> () (softmax regression)."""
    if text.strip().lower() in ("", "none", "()"):
        return ()
    try:
        return tuple(int(t) for t in text.replace(" ", ",").split(",") if t)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of widths"
        ) from None


def _show(value) -> str:
    if isinstance(value, tuple):
        return ",".join(map(str, value)) or "none"
    return str(value)


def _doc() -> str:
    main = sys.modules.get("__main__")
    return (getattr(main, "__doc__", None) or "").strip()


def _field_comments() -> dict[str, str]:
    """Each Config field's inline comment, read from config.py: one source of help."""
    import inspect

    from dnnlab import config

    out = {}
    for line in inspect.getsource(config.Config).splitlines():
        name, _, rest = line.strip().partition(":")
        if "#" in rest and name.isidentifier():
            out[name] = rest.split("#", 1)[1].strip()
    return out


_COMMENTS = _field_comments()
