"""The grader's child: runs one submission's functions on the cases and writes what
they returned, as data. Nothing else: no reference, no comparison (the parent,
dnnlab/grade.py, holds both); a patched numpy here changes only this process.

It runs inside the sandbox with the standard library and numpy only (never
dnnlab, which holds the solution), as an unprivileged uid, from the job folder:

    python -I grade_child.py     reads job.pkl and submission.py, writes out.json
                                 and out.npz (arrays only: read with allow_pickle=False)

job.pkl: {"calls": {function: [(args, kwargs), …]}, "lookup": {key: output},
"seconds": the time limit of one call}. An argument ("__cubic__", c) stands for
the numerical gradient's f, rebuilt here on the call's own x. While
two_layer_loss runs, the exercise functions it calls answer from the lookup: the
reference's outputs on the inputs the reference gives them (an input the lookup
does not know means the function called a layer wrongly).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import signal
import sys
import traceback

import numpy as np

MAX_TEXT = 300  # characters of an error message sent back


def key(value) -> str:
    """A digest of a call's inputs, the same in the parent and here."""
    h = hashlib.sha256()

    def feed(v):
        if isinstance(v, np.ndarray):
            h.update(f"a{v.dtype.str}{v.shape}".encode())
            h.update(np.ascontiguousarray(v).tobytes())
        elif isinstance(v, tuple | list):
            h.update(f"t{len(v)}".encode())
            for item in v:
                feed(item)
        elif isinstance(v, dict):
            h.update(f"d{len(v)}".encode())
            for k in sorted(v):
                feed(k)
                feed(v[k])
        elif callable(v):  # a function argument (the numerical gradient's f)
            h.update(b"callable")
        else:
            h.update(f"s{type(v).__name__}{v!r}".encode())

    feed(value)
    return h.hexdigest()


def flatten(value, prefix: str = "") -> dict[str, np.ndarray]:
    """A function's output as {path: array}: tuples by position, dicts by key."""
    if isinstance(value, tuple | list):
        out = {}
        for i, item in enumerate(value):
            out.update(flatten(item, f"{prefix}{i}."))
        return out
    if isinstance(value, dict):
        out = {}
        for k, item in value.items():
            out.update(flatten(item, f"{prefix}{k}."))
        return out
    return {prefix.rstrip("."): np.asarray(value)}


class TimeUp(BaseException):
    pass


def alarm(signum, frame):
    raise TimeUp


def replaying(name: str, lookup: dict):
    def call(*args, **kwargs):
        k = key((name, args, kwargs))
        if k not in lookup:
            raise LookupError(
                f"{name} was called with inputs the reference never gives it"
            )
        return lookup[k]

    return call


def cubic(c, x):
    def f(*args, **kwargs):
        if args or kwargs:
            raise TypeError("f takes no argument: x is changed in place")
        return float(np.sum(c * x**3 + np.sin(x)))

    return f


def arguments(args: tuple) -> tuple:
    """The call's arguments, with the numerical gradient's f rebuilt on its x."""
    if args and isinstance(args[0], tuple) and args[0][:1] == ("__cubic__",):
        return (cubic(args[0][1], args[1]), *args[1:])
    return args


def run(function, name, calls, seconds, module, lookup) -> list[dict]:
    results = []
    saved = {}
    if name == "two_layer_loss":  # its layers answer from the lookup
        for other in LAYERS:
            saved[other] = module.__dict__.get(other)
            module.__dict__[other] = replaying(other, lookup)
    try:
        for args, kwargs in calls:
            args = arguments(args)
            signal.setitimer(signal.ITIMER_REAL, seconds)
            try:
                value = function(*args, **kwargs)
            except TimeUp:  # the rest of its calls would loop too: not run
                error = {"error": f"no answer in {seconds:g} s (an endless loop?)"}
                results += [error] * (len(calls) - len(results))
                break
            except BaseException as e:  # noqa: BLE001 - the submission's bug is data
                results.append({"error": described(e)})
                continue
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            outputs = flatten(value)
            if name == "numerical_gradient":
                outputs["x_after"] = np.asarray(args[1])
            results.append({"outputs": outputs})
    finally:
        module.__dict__.update({k: v for k, v in saved.items() if v is not None})
    return results


LAYERS = (
    "affine_forward",
    "affine_backward",
    "relu_forward",
    "relu_backward",
    "softmax_cross_entropy",
    "softmax",
)


def described(e: BaseException) -> str:
    if type(e) is NotImplementedError:
        return "not implemented"
    lines = [
        t.lineno
        for t in traceback.extract_tb(e.__traceback__)
        if t.filename == "submission.py"
    ]
    where = f" (line {lines[-1]})" if lines else ""
    text = str(e).splitlines()[0] if str(e) else ""
    kind = next(c for c in type(e).__mro__ if not c.__name__.startswith("_"))
    return f"raised {kind.__name__}: {text}"[:MAX_TEXT] + where


def main() -> None:
    pid = os.getpid()
    with open("job.pkl", "rb") as f:
        job = pickle.load(f)  # noqa: S301 - written by the parent, not the submission
    signal.signal(signal.SIGALRM, alarm)
    module = type(sys)("submission")
    module.__file__ = "submission.py"
    report: dict = {"functions": {}}
    arrays: dict[str, np.ndarray] = {}
    try:
        with open("submission.py") as f:
            source = f.read()
        signal.setitimer(signal.ITIMER_REAL, job["seconds"])
        try:
            exec(compile(source, "submission.py", "exec"), module.__dict__)  # noqa: S102
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except TimeUp:
        report["load_error"] = f"no answer in {job['seconds']:g} s at its top level"
    except SyntaxError as e:
        report["load_error"] = f"raised SyntaxError: {e.msg} (line {e.lineno})"
    except BaseException as e:  # noqa: BLE001 - sys.exit at import, anything
        report["load_error"] = described(e)
    if "load_error" not in report:
        for name, calls in job["calls"].items():
            function = module.__dict__.get(name)
            if not callable(function):
                report["functions"][name] = [{"error": "missing"}]
                continue
            done = run(function, name, calls, job["seconds"], module, job["lookup"])
            if os.getpid() != pid:  # a forked copy of this process: it says nothing
                os._exit(0)
            entries = []
            for i, result in enumerate(done):
                if "outputs" in result:
                    paths = []
                    for path, array in result["outputs"].items():
                        arrays[f"{name}|{i}|{path}"] = array
                        paths.append(path)
                    entries.append({"paths": paths})
                else:
                    entries.append(result)
            report["functions"][name] = entries
    numeric = {k: v for k, v in arrays.items() if v.dtype.kind in "biuf"}
    with open("out.npz", "wb") as f:
        np.savez(f, **numeric)
    with open("out.json", "w") as f:
        json.dump(report, f)
    os._exit(0)  # no atexit of the submission's


if __name__ == "__main__":
    main()
