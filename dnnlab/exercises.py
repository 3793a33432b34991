"""The exercises' checks: a student's version of each function of dnnlab/scratch.py
against central differences, the reference (scratch.py: the solution) and Keras.

Each function is checked alone: while it runs, every other exercise function it
calls is the reference's, so one mistake fails one check. The cases are small and
not square (a transposed matrix shows as a wrong shape) and make each convention
visible: a large ε, a score of 1000, the dropout mask passed in. TABLE holds one
Case per exercise: its inputs, the call of the function on them, and the references
its results are compared with; judge() is the one comparison.

Each check gives the student's own code a time limit (TIME_LIMIT seconds, counted
from after the check's set-up), so an endless loop is a verdict, not a hang; each
line is printed as soon as it is known. After the 22 lines, one more runs the
student's two-layer net from the student's own layers.

In a notebook: `check(affine_forward)` prints a line per function. In a terminal:
python -m dnnlab.exercises [--time-limit S] [FILE]   (default exercises/scratch.py)
"""

from __future__ import annotations

import argparse
import copy
import functools
import importlib.util
import inspect
import pickle
import re
import sys
import traceback
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import numpy as np

from dnnlab import scratch
from dnnlab.grade_child import key
from dnnlab.i18n import _, as_shown, msg
from dnnlab.limits import TIME_LIMIT, Budget, TimeUp


def no_answer(seconds: float) -> str:
    return _("no answer in {seconds:g} s (an endless loop?)").format(seconds=seconds)


def load(
    path: Path, name: str | None = None, seconds: float | None = None
) -> types.ModuleType:
    """A Python file as a module, a fresh one each call (its top level run under a
    time limit of `seconds`)."""
    name = name or f"exercises_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    Budget(seconds).timed(spec.loader.exec_module)(module)
    return module


class Replay(types.ModuleType):
    """The reference of the student edition (make release), which has no solution:
    each exercise function answers with the solution's stored output for the
    inputs the public checks give it; the tools (autodiff, rel_error, …) are
    scratch.py's own. An input it does not know is a verdict: the function under
    check called another one with inputs the reference never gives it."""

    def __init__(self, tools: types.ModuleType, stored: dict):
        super().__init__("dnnlab.exercises.replay")
        self.tools, self.outputs, self.names = tools, stored["outputs"], stored["names"]

    def __getattr__(self, name: str):
        if name not in self.names:
            return getattr(self.tools, name)

        def answer(*args, **kwargs):
            k = key((name, args, kwargs))
            if k not in self.outputs:
                raise Wrong(
                    _(
                        "{name} was called with inputs the reference never gives it"
                    ).format(name=name)
                )
            return copy.deepcopy(self.outputs[k])

        answer.__name__, answer.__doc__ = name, getattr(self.tools, name).__doc__
        return answer


class Recorder(types.ModuleType):
    """The solution, recording what each exercise function returns on each input
    (make release stores it for the Replay)."""

    def __init__(self, solution: types.ModuleType, names):
        super().__init__("dnnlab.exercises.recorder")
        self.solution, self.names, self.outputs = solution, tuple(names), {}

    def __getattr__(self, name: str):
        f = getattr(self.solution, name)
        if name not in self.names:
            return f

        @functools.wraps(f)
        def call(*args, **kwargs):
            k = key((name, args, kwargs))
            value = f(*args, **kwargs)
            self.outputs[k] = copy.deepcopy(value)
            return value

        return call


def variant(name: str, **presets) -> types.ModuleType:
    """A fresh copy of this module with some of its globals preset: CASE_SET (the
    grader's hidden cases) or REFERENCE (make release's Recorder)."""
    spec = importlib.util.spec_from_file_location(f"dnnlab.exercises_{name}", __file__)
    module = importlib.util.module_from_spec(spec)
    module.__dict__.update(presets)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


# The stored outputs of the student edition, where there is no solution.
STORED = Path(__file__).with_name("reference_outputs.pkl")
if STORED.is_file():
    with open(STORED, "rb") as f:
        _stored = pickle.load(f)  # noqa: S301 - written by make release
    SOLUTION = None
    EXERCISES = tuple(_stored["names"])
    ref = Replay(load(Path(scratch.__file__), "dnnlab.exercises.tools"), _stored)
else:
    # The reference the checks trust: a copy of its own, so that a function patched
    # into dnnlab.scratch (a planted mistake, a student's answer) is checked, never
    # believed.
    SOLUTION = load(Path(scratch.__file__), "dnnlab.exercises.reference")
    # The functions a student writes: those whose body is marked in scratch.py.
    EXERCISES = tuple(
        name
        for name, fn in vars(SOLUTION).items()
        if inspect.isfunction(fn)
        and fn.__module__ == SOLUTION.__name__
        and "# solution\n" in inspect.getsource(fn)
    )
    ref = globals().get("REFERENCE") or SOLUTION  # a Recorder, for make release
# The cases' sizes and seeds: the public set, which a student's checks use, and a
# hidden one (other shapes, other seeds) that only a course's grader uses
# (dnnlab/grade.py loads a copy of this module with CASE_SET = "hidden").
CASE_SETS = {
    "public": dict(N=4, D=5, M=3, seed=0, grid=(3, 4), bowl=(3, 2), net=(6, 5, 3)),
    "hidden": dict(N=6, D=3, M=4, seed=1000, grid=(4, 5), bowl=(2, 5), net=(5, 7, 4)),
}
CASE_SET = globals().get("CASE_SET", "public")
CASES = CASE_SETS[CASE_SET]
N, D, M = CASES["N"], CASES["D"], CASES["M"]  # batch, inputs, outputs: all different


def rng(k: int) -> np.random.Generator:
    """The case's k-th generator (the public set's seeds are 0 + k)."""
    return np.random.default_rng(CASES["seed"] + k)


COST, ITS_GRADIENT = msg("the cost"), msg("its gradient")  # what a check compares
GRADIENT = msg("the gradient")
TOLERANCE = 1e-7  # rel_error in float64 (central differences: ~1e-10 when right)
KERAS_TOLERANCE = 1e-4  # Keras computes in float32


class Wrong(Exception):
    """A check that failed; its message says what, where and by how much; its
    kind, what sort of thing is wrong without a number of the case (a grader's
    feedback on a hidden case)."""

    def __init__(self, message: str, kind: str | None = None):
        super().__init__(message)
        self.kind = kind or message


@dataclass(frozen=True)
class Verdict:
    name: str
    ok: bool
    message: str

    def __str__(self) -> str:
        mark = _("pass") if self.ok else _("FAIL")
        return f"{mark}  {as_shown(self.name)}: {as_shown(self.message)}"


# A result off by one of these whole factors everywhere says what was done instead.
FACTORS = {
    N: msg("×{n} = N: a sum over the batch instead of a mean?", n=N),
    1 / N: msg("×1/{n} = 1/N: divided by N once too often?", n=N),
    2: msg("×2: a ½ left out?"),
    1 / 2: msg("×½: a ½ too many?"),
}


def whole_factor(got: np.ndarray, want: np.ndarray, factors: dict) -> str:
    """' (×4 = N: …)' where got is want times one of the factors, else ''."""
    for factor, meaning in factors.items():
        if np.any(want) and np.allclose(got, factor * want, rtol=1e-6, atol=0):
            return f" ({as_shown(meaning)})"
    return ""


def shaped_and_finite(what: str, got: np.ndarray, want: np.ndarray) -> None:
    """Raise Wrong unless got has want's shape and is finite everywhere."""
    if got.shape != want.shape:
        transposed = got.ndim > 1 and got.shape == want.shape[::-1]
        flipped = _(" (transposed)") if transposed else ""
        raise Wrong(
            _("{what} has shape {got}, expected {want}{flipped}").format(
                what=what, got=got.shape, want=want.shape, flipped=flipped
            ),
            _("{what} has the wrong shape{flipped}").format(what=what, flipped=flipped),
        )
    if not np.isfinite(got).all():
        at = np.argwhere(~np.isfinite(got))[0]
        where = _(" at {index}").format(index=list(map(int, at))) if got.ndim else ""
        raise Wrong(
            _("{what} is {value}{where}, expected finite").format(
                what=what, value=got[tuple(at)], where=where
            ),
            _("{what} is not finite (inf or nan)").format(what=what),
        )


def compare(
    what: str,
    got,
    want,
    against: str,
    keras: bool = False,
    factors: dict | None = None,
) -> None:
    """Raise Wrong unless got matches want: shape, finite, then CS231n's relative
    error (over Keras' float32, relative to the values' scale where they cancel);
    the message names a flipped sign or a whole factor (FACTORS, or `factors`)."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    what, against = as_shown(what), as_shown(against)
    shaped_and_finite(what, got, want)
    floor = 1e-2 * np.abs(want).max() if keras else 1e-8
    error = np.abs(got - want) / np.maximum(floor, np.abs(got) + np.abs(want))
    worst = np.unravel_index(np.argmax(error), error.shape) if error.ndim else ()
    if error[worst] > (KERAS_TOLERANCE if keras else TOLERANCE):
        where = _(" at {index}").format(index=list(map(int, worst))) if worst else ""
        digits = next(
            d for d in (6, 8, 10, 17) if f"{want[worst]:.{d}g}" != f"{got[worst]:.{d}g}"
        )
        why = (
            _(" (the sign flipped)")
            if np.allclose(got, -want, rtol=1e-6)
            else whole_factor(got, want, FACTORS if factors is None else factors)
        )
        values = _(
            "{what} vs {against}: rel error {error:.2g}{where}: expected {want}, "
            "got {got}{why}"
        ).format(
            what=what,
            against=against,
            error=error[worst],
            where=where,
            want=f"{want[worst]:.{digits}g}",
            got=f"{got[worst]:.{digits}g}",
            why=why,
        )
        raise Wrong(
            values, _("{what} has wrong values{why}").format(what=what, why=why)
        )


def isolated(f: Callable, name: str) -> Callable:
    """f, seeing the reference for every other exercise function it calls."""
    scope = dict(f.__globals__)
    scope.update({other: getattr(ref, other) for other in EXERCISES if other != name})
    g = types.FunctionType(f.__code__, scope, f.__name__, f.__defaults__, f.__closure__)
    g.__kwdefaults__ = f.__kwdefaults__
    return g


def raised(e: Exception, filename: str) -> str:
    """'raised ValueError: … (line 31)', the last line of filename it passed."""
    lines = [
        t.lineno
        for t in traceback.extract_tb(e.__traceback__)
        if t.filename == filename
    ]
    if isinstance(e, SyntaxError):
        lines.append(e.lineno)
    where = _(" (line {line})").format(line=lines[-1]) if lines else ""
    message = e.msg if isinstance(e, SyntaxError) else str(e)
    message = message.splitlines()[0] if message else ""
    raised = _("raised {error}: {message}{where}")
    return raised.format(error=type(e).__name__, message=message, where=where)


def verify(
    f: Callable, name: str | None = None, seconds: float | None = TIME_LIMIT
) -> Verdict:
    """Check one function; name: the exercise it answers (default its own name);
    seconds: the time its calls may take in all (None: no limit)."""
    name = name or f.__name__
    try:
        against = run(name, Budget(seconds).timed(isolated(f, name)))
    except TimeUp:
        return Verdict(name, False, no_answer(seconds))
    except NotImplementedError:
        return Verdict(name, False, _("not implemented"))
    except Wrong as e:
        return Verdict(name, False, str(e))
    except Exception as e:  # noqa: BLE001 - a student's bug is a verdict
        return Verdict(name, False, raised(e, f.__code__.co_filename))
    names = ", ".join(dict.fromkeys(as_shown(a) for a in against))
    return Verdict(name, True, _("matches {references}").format(references=names))


def check(*functions: Callable, seconds: float | None = TIME_LIMIT) -> None:
    """Print a line per function as soon as it is checked: pass, or what is wrong
    (a notebook's check cell); an interrupt ends it with one line."""
    try:
        for f in functions:
            print(verify(f, seconds=seconds), flush=True)
    except KeyboardInterrupt:
        print(_("interrupted: the checks stopped"), flush=True)


# ---------------------------------------------------------------- the cases' tools


def K():
    """Keras, imported on the first check (dnnlab.backend picks the backend), not
    when this module is."""
    from dnnlab.backend import keras

    return keras


def keras_np(x) -> np.ndarray:
    return K().ops.convert_to_numpy(x).astype(np.float64)


def f32(x):
    return np.asarray(x, np.float32)


def copies(inputs: dict) -> dict:
    """Fresh arrays for the student's call, so no case is changed in place."""
    return {
        k: np.array(v) if isinstance(v, np.ndarray) else v for k, v in inputs.items()
    }


def numeric(forward: Callable, inputs: dict, dout, names) -> dict:
    """d Σ(forward(**inputs)·dout) / d each named input, the reference's central
    differences."""
    inputs = copies(inputs)
    return {
        k: ref.numerical_gradient(lambda: np.sum(forward(**inputs) * dout), inputs[k])
        for k in names
    }


def keras_dense(x, W, b):
    keras = K()
    layer = keras.layers.Dense(W.shape[1])
    layer.build((None, W.shape[0]))
    layer.set_weights([f32(W), f32(b)])
    return keras_np(layer(f32(x)))


def keras_batchnorm(x, gamma, beta, eps, training, mean=None, var=None):
    keras = K()
    layer = keras.layers.BatchNormalization(epsilon=eps)
    layer.build((None, x.shape[1]))
    mean = np.zeros_like(gamma) if mean is None else mean
    var = np.ones_like(gamma) if var is None else var
    layer.set_weights([f32(gamma), f32(beta), f32(mean), f32(var)])
    return keras_np(layer(f32(x), training=training))


def ops_batchnorm(p, eps):
    keras = K()
    mean, var = keras.ops.moments(p["x"], axes=[0])
    return p["gamma"] * (p["x"] - mean) / keras.ops.sqrt(var + eps) + p["beta"]


def ops_dropout(p, mask, rate):
    return p["x"] * mask.astype(np.float64) / (1 - rate)


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class Reference:
    """What results are compared with: the value each named result should have
    (a result it has no value for is not compared with it)."""

    name: str  # as the verdict names it
    values: dict
    keras: bool = False  # Keras computes in float32: KERAS_TOLERANCE
    factors: dict | None = None  # the whole factors a message may name


@dataclass(frozen=True)
class Case:
    """An exercise's case: its inputs, the call of the function on them (returning
    its results by name, in the order they are compared; it may raise Wrong), and
    the references each result is compared with, in that order."""

    inputs: dict
    call: Callable[[Callable, Case], dict]
    references: tuple[Reference, ...]


def run(name: str, f: Callable) -> list[str]:
    """Check f as exercise `name` on its case; the references it matches."""
    return judge(TABLE[name](), f)


def judge(case: Case, f: Callable) -> list[str]:
    """Raise Wrong unless f's results on the case match every reference."""
    results = case.call(f, case)
    for r in case.references:
        for what in r.values:
            if what not in results:
                raise Wrong(_("no {what} returned").format(what=as_shown(what)))
    for what, got in results.items():
        for r in case.references:
            if what in r.values:
                compare(what, got, r.values[what], r.name, r.keras, r.factors)
    return [r.name for r in case.references]


def prefixed(values: dict, label: str) -> dict:
    """{label + each name: value}: 'd' + 'x' → 'dx'."""
    return {f"{label}{k}": v for k, v in values.items()}


# ---------------------------------------------------------------- layers


@dataclass(frozen=True)
class Layer:
    """A layer's inputs, the reference forward on them, the same operation in Keras
    (forward) and in keras.ops (for the backend's autodiff)."""

    inputs: Callable[[np.random.Generator], dict]
    forward: Callable  # the reference's, (**inputs) -> (out, cache)
    keras: Callable  # (**inputs) -> out, by a Keras layer or activation
    ops: Callable  # ({name: tensor}) -> out, differentiable
    grads: tuple[str, ...]  # what backward returns, in order
    keras_name: str  # what the Keras side is, for the verdict


def away_from_zero(r):
    return dict(x=r.choice([-1, 1], (N, D)) * r.uniform(0.1, 2, (N, D)))


def keras_activation(name):
    return lambda x: keras_np(getattr(K().activations, name)(f32(x)))


def keras_ops(name):
    return lambda p: getattr(K().ops, name)(p["x"])


BN_EPS = 0.5  # large: ε inside the root or outside shows
WITH_EPS = "with ε = {eps:g} in the check: large, so where ε sits shows"
DROP = 0.4


@cache
def dropout_case():
    """x, and Keras' Dropout's own output on it, from which the mask is read."""
    keras = K()
    x = rng(4).standard_normal((N, D))
    out = keras_np(keras.layers.Dropout(DROP, seed=1)(f32(x), training=True))
    return x, out != 0, out


LAYERS = {
    "affine": Layer(
        lambda r: dict(
            x=r.standard_normal((N, D)),
            W=r.standard_normal((D, M)),
            b=r.standard_normal(M),
        ),
        ref.affine_forward,
        keras_dense,
        lambda p: p["x"] @ p["W"] + p["b"],
        ("x", "W", "b"),
        msg("Keras' Dense"),
    ),
    "relu": Layer(
        away_from_zero,  # the derivative at the kink is not defined
        ref.relu_forward,
        keras_activation("relu"),
        keras_ops("relu"),
        ("x",),
        "keras.activations.relu",
    ),
    "sigmoid": Layer(
        lambda r: dict(x=2 * r.standard_normal((N, D))),
        ref.sigmoid_forward,
        keras_activation("sigmoid"),
        keras_ops("sigmoid"),
        ("x",),
        "keras.activations.sigmoid",
    ),
    "batchnorm": Layer(
        lambda r: dict(
            x=3 * r.standard_normal((N, D)) + 1,
            gamma=r.standard_normal(D),
            beta=r.standard_normal(D),
            eps=BN_EPS,
        ),
        ref.batchnorm_forward,
        lambda x, gamma, beta, eps: keras_batchnorm(x, gamma, beta, eps, True),
        lambda p: ops_batchnorm(p, BN_EPS),
        ("x", "gamma", "beta"),
        msg("Keras' BatchNormalization ({eps})", eps=msg(WITH_EPS, eps=BN_EPS)),
    ),
    "dropout": Layer(
        lambda r: dict(x=dropout_case()[0], p=DROP, mask=dropout_case()[1]),
        ref.dropout_forward,
        lambda x, p, mask: dropout_case()[2],  # Keras drew the mask given
        lambda p: ops_dropout(p, dropout_case()[1], DROP),
        ("x",),
        msg("Keras' Dropout (its mask given)"),
    ),
}


def forward_call(f, case):
    out, cache_ = f(**copies(case.inputs))
    return {"out": out, **{f"cache[{i}]": c for i, c in enumerate(cache_)}}


@cache
def forward_case(layer: str) -> Case:
    spec = LAYERS[layer]
    inputs = spec.inputs(rng(len(layer)))
    out, cache_ = spec.forward(**copies(inputs))
    arrays = {
        f"cache[{i}]": c
        for i, c in enumerate(cache_)
        if isinstance(c, np.ndarray) and c.dtype != bool
    }
    keras = spec.keras(**copies(inputs))
    return Case(
        inputs,
        forward_call,
        (
            Reference(msg("the reference"), {"out": out, **arrays}),
            Reference(spec.keras_name, {"out": keras}, keras=True),
        ),
    )


def backward_call(f, case, grads):
    got = f(np.array(case.inputs["dout"]), copy.deepcopy(case.inputs["cache"]))
    got = got if isinstance(got, tuple) else (got,)
    if len(got) != len(grads):
        raise Wrong(
            _("returned {got} values, expected {want}").format(
                got=len(got), want=len(grads)
            )
        )
    return prefixed(dict(zip(grads, got, strict=True)), "d")


@cache
def backward_case(layer: str) -> Case:
    """On the forward case's inputs and cache, an upstream gradient of its own."""
    spec, inputs = LAYERS[layer], forward_case(layer).inputs
    out, cache_ = spec.forward(**copies(inputs))
    dout = rng(1).standard_normal(out.shape)
    arrays = {k: inputs[k] for k in spec.grads}
    backward = getattr(ref, f"{layer}_backward")(dout, cache_)
    backward = backward if isinstance(backward, tuple) else (backward,)
    backward = dict(zip(spec.grads, backward, strict=True))
    numerical = numeric(lambda **i: spec.forward(**i)[0], inputs, dout, spec.grads)
    auto = ref.autodiff(lambda p: K().ops.sum(spec.ops(p) * dout), arrays)
    return Case(
        dict(dout=dout, cache=cache_),
        functools.partial(backward_call, grads=spec.grads),
        (
            Reference(msg("central differences"), prefixed(numerical, "d")),
            Reference(msg("the reference"), prefixed(backward, "d")),
            Reference(msg("Keras' autodiff"), prefixed(auto, "d"), keras=True),
        ),
    )


def out_call(f, case):
    return {"out": f(**copies(case.inputs))}


@cache
def inference_case() -> Case:
    r = rng(3)
    inputs = dict(
        x=3 * r.standard_normal((N, D)) + 1,
        gamma=r.standard_normal(D),
        beta=r.standard_normal(D),
        mean=r.standard_normal(D),  # the moving averages, not this batch's
        var=r.uniform(0.5, 2, D),
        eps=BN_EPS,
    )
    keras = keras_batchnorm(**inputs, training=False)
    return Case(
        inputs,
        out_call,
        (
            Reference(msg("the reference"), {"out": ref.batchnorm_inference(**inputs)}),
            Reference(
                msg("Keras' BatchNormalization (training=False)"), {"out": keras}, True
            ),
        ),
    )


# ---------------------------------------------------------------- costs


@cache
def cost_inputs():
    r = rng(5)
    scores = r.standard_normal((N, M))
    scores[0] = [1000.0, 0.0, *[-1000.0] * (M - 2)]  # its softmax rounds to 0 but one
    t = np.eye(M)[(np.array([1, 0, 2, 1, 3, 2, 0, 1]) % M)[:N]]
    y = r.uniform(0, 1, (N, M))
    return scores, t, y


def softmax_call(f, case):
    y = f(np.array(case.inputs["scores"]))
    return {"y": y, "y[1:]": y[1:]}


@cache
def softmax_case() -> Case:
    """Keras' on the rows but the one of ±1000, which the reference covers."""
    scores = cost_inputs()[0]
    keras = keras_np(K().activations.softmax(f32(scores[1:])))
    return Case(
        dict(scores=scores),
        softmax_call,
        (
            Reference(msg("the reference"), {"y": ref.softmax(scores)}),
            Reference("keras.activations.softmax", {"y[1:]": keras}, keras=True),
        ),
    )


def cost_call(f, case):
    cost, grad = f(np.array(case.inputs["x"]), case.inputs["t"])
    return {COST: cost, ITS_GRADIENT: grad}


C = M  # the costs' classes
COST_FACTORS = {
    **FACTORS,
    1 / C: msg("×1/{c} = 1/C: a mean over all N·C numbers instead of the N rows?", c=C),
    C / 2: msg("×{c}/2 = C/2: a mean over the N rows, not N·C, without the ½?", c=C),
}


def cost_case(name: str, keras_cost: Callable, ops_cost: Callable, x, t) -> Case:
    """A cost's (cost, grad) against the reference, the reference's central
    differences of the cost, Keras' loss and the backend's autodiff."""
    x_ = np.array(x)
    numerical = ref.numerical_gradient(lambda: getattr(ref, name)(x_, t)[0], x_)
    auto = ref.autodiff(lambda p: ops_cost(p["x"], t), {"x": x})["x"]
    cost, grad = getattr(ref, name)(x, t)
    return Case(
        dict(x=x, t=t),
        cost_call,
        (
            Reference(msg("central differences"), {ITS_GRADIENT: numerical}),
            Reference(
                msg("the reference"),
                {COST: cost, ITS_GRADIENT: grad},
                factors=COST_FACTORS,
            ),
            Reference(msg("Keras' loss"), {COST: keras_cost(x, t)}, keras=True),
            Reference(msg("Keras' autodiff"), {ITS_GRADIENT: auto}, keras=True),
        ),
    )


def keras_loss(name: str, scale: Callable = lambda t: 1.0, **kwargs):
    def value(x, t):
        loss = getattr(K().losses, name)(**kwargs)
        return float(keras_np(loss(f32(t), f32(x)))) * scale(t)

    return value


def ops_cross_entropy(scores, t):
    keras = K()
    return -keras.ops.sum(t * keras.ops.log_softmax(scores, axis=1)) / len(t)


def ops_mse(y, t):
    keras = K()
    return 0.5 * keras.ops.sum((y - t) ** 2) / len(t)


@cache
def cross_entropy_case() -> Case:
    scores, t, _y = cost_inputs()
    keras = keras_loss("CategoricalCrossentropy", from_logits=True)
    return cost_case("softmax_cross_entropy", keras, ops_cross_entropy, scores, t)


@cache
def mse_case() -> Case:
    _scores, t, y = cost_inputs()
    # Keras': the mean of N·C squares, no ½: C/2 times ours
    keras = keras_loss("MeanSquaredError", lambda t: t.shape[1] / 2)
    return cost_case("mse", keras, ops_mse, y, t)


# ---------------------------------------------------------------- gradient


def cubic(x, c, ops=np):
    """f = Σ c·x³ + sin x, by NumPy or (ops=keras.ops) on tensors."""
    return ops.sum(c * x**3 + ops.sin(x))


def takes_nothing(f: Callable) -> Callable:
    """f as the checks pass it: called with an argument, it says how it is called."""

    def call(*args, **kwargs):
        if args or kwargs:
            raise Wrong(
                _("f takes no argument: x is changed in place (call f(), not f(x))")
            )
        return f()

    return call


AT = [(0, 1), (2, 3)]
WITH_AT = msg("the gradient at={at}", at=AT)


def gradient_call(f, case):
    """Twice: on all of x (which must be put back), then at AT only."""
    x0, c = case.inputs["x"], case.inputs["c"]
    x = np.array(x0)
    got = f(takes_nothing(lambda: cubic(x, c)), x)
    if not np.array_equal(x, x0):
        i = np.argwhere(x != x0)[0]
        where, was = list(map(int, i)), x0[tuple(i)]
        raise Wrong(
            _("x is not put back: x{where} is {now:.6g}, was {was:.6g}").format(
                where=where, now=x[tuple(i)], was=was
            )
        )
    only_at = f(takes_nothing(lambda: cubic(x, c)), x, at=AT)
    return {GRADIENT: got, WITH_AT: only_at}


@cache
def gradient_case() -> Case:
    """x, c; f' exact, and the reference's and the backend's gradients of f."""
    r = rng(6)
    x, c = r.uniform(-2, 2, CASES["grid"]), r.uniform(0.5, 2, CASES["grid"])
    x_ = np.array(x)
    exact = 3 * c * x**2 + np.cos(x)
    only_at = np.zeros_like(exact)
    for i in AT:
        only_at[i] = exact[i]
    auto = ref.autodiff(lambda p: cubic(p["x"], c, K().ops), {"x": x})["x"]
    return Case(
        dict(x=x, c=c),
        gradient_call,
        (
            Reference(
                msg("the exact derivative 3c·x² + cos x"),
                {GRADIENT: exact, WITH_AT: only_at},
            ),
            Reference(
                msg("the reference"),
                {GRADIENT: ref.numerical_gradient(lambda: cubic(x_, c), x_)},
            ),
            Reference(msg("Keras' autodiff"), {GRADIENT: auto}, keras=True),
        ),
    )


# ---------------------------------------------------------------- update rules


@dataclass(frozen=True)
class Rule:
    """An update rule's hyperparameters as the function names them, its state, and
    the Keras optimizer with the same ones."""

    hyper: dict
    states: tuple[str, ...]  # its arrays of state, named as the docstring names them
    optimizer: str
    keras: dict
    start: float = 0.0  # the state's value at the start
    counts_steps: bool = False  # takes t, the step from 1 (Adam)


LR, MU, RHO, BETAS, EPS = 0.1, 0.9, 0.8, (0.75, 0.875), 0.5  # ε large: see where
RULES = {
    "sgd": Rule({}, (), "SGD", {}),
    "momentum": Rule(dict(mu=MU), ("v",), "SGD", dict(momentum=MU)),
    "nesterov": Rule(dict(mu=MU), ("v",), "SGD", dict(momentum=MU, nesterov=True)),
    "adagrad": Rule(  # Keras' initial_accumulator_value
        dict(eps=EPS), ("h",), "Adagrad", dict(epsilon=EPS), start=0.1
    ),
    "rmsprop": Rule(
        dict(rho=RHO, eps=EPS), ("s",), "RMSprop", dict(rho=RHO, epsilon=EPS)
    ),
    "adam": Rule(
        dict(beta1=BETAS[0], beta2=BETAS[1], eps=EPS),
        ("m", "v"),
        "Adam",
        dict(beta_1=BETAS[0], beta_2=BETAS[1], epsilon=EPS),
        counts_steps=True,
    ),
}
STEPS = 5
CURVATURE = rng(7).uniform(0.2, 4, CASES["bowl"])  # a bowl, not round
START = rng(8).uniform(-3, 3, CASES["bowl"])


def steps(rule: str, f: Callable) -> dict:
    """f's w and state after each step from START on the bowl, by name: 'v after
    step 1', 'w after step 1', …"""
    spec, w, out = RULES[rule], START, {}
    state = tuple(np.full_like(w, spec.start) for _state in spec.states)
    for t in range(1, STEPS + 1):
        args = (*state, t) if spec.counts_steps else state
        result = f(w, CURVATURE * w, *args, lr=LR, **spec.hyper)
        if len(spec.states) != (len(result) - 1 if isinstance(result, tuple) else 0):
            raise Wrong(
                _("returned {got}, expected {want}").format(
                    got=describe(result), want=returns(rule)
                )
            )
        w, state = (result[0], result[1:]) if spec.states else (result, ())
        for k, s in zip(spec.states, state, strict=True):
            out[after(k, t)] = s
        out[after("w", t)] = w
    return out


def after(name: str, t: int) -> str:
    """'w after step 3': a value of an update rule's path."""
    return msg("{name} after step {t}", name=name, t=t)


def describe(result) -> str:
    if isinstance(result, tuple):
        return _("{n} values").format(n=len(result))
    return _("one value")


def returns(rule: str) -> str:
    states = RULES[rule].states
    return ", ".join(("w", *states)) if states else _("w alone")


def convention(rule: str, state: str) -> str:
    """The docstring's update of one state, e.g. 'v ← μ·v − η·dw'."""
    found = re.search(rf"\b{state} ← [^,]*", inspect.getdoc(getattr(ref, rule)))
    if found:
        return found.group(0)
    return _("{state} as the docstring writes it").format(state=state)


def same(a, b) -> bool:
    return np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-6)


def rule_call(f, case, rule: str):
    """The steps; a state of the other sign while w is right is the other sign
    convention, named as such."""
    got, want = steps(rule, f), case.references[0].values
    for t in range(1, STEPS + 1):
        for k in RULES[rule].states:
            s, s0 = got[after(k, t)], want[after(k, t)]
            w_right = same(got[after("w", t)], want[after("w", t)])
            if same(s, -s0) and np.any(s0) and w_right:
                other = _(
                    "w is right, but {state} has the other sign after step {t}: "
                    "the docstring's convention is {convention}"
                )
                raise Wrong(other.format(state=k, t=t, convention=convention(rule, k)))
    return got


@cache
def rule_case(rule: str) -> Case:
    spec = RULES[rule]
    opt = getattr(K().optimizers, spec.optimizer)(learning_rate=LR, **spec.keras)
    path, _unused = ref.keras_path(
        opt, START, lambda w: CURVATURE * w, STEPS, "float32"
    )
    keras = {after("w", t): w for t, w in enumerate(path[1:], 1)}
    eps = msg(" ({eps})", eps=msg(WITH_EPS, eps=EPS)) if "epsilon" in spec.keras else ""
    return Case(
        {},
        functools.partial(rule_call, rule=rule),
        (
            Reference(msg("the reference"), steps(rule, getattr(ref, rule))),
            Reference(
                msg("Keras' {optimizer}{eps}", optimizer=spec.optimizer, eps=eps),
                keras,
                keras=True,
            ),
        ),
    )


# ---------------------------------------------------------------- the net


def net_call(f, case):
    params = case.inputs["params"]
    cost, grads = f(copies(params), np.array(case.inputs["x"]), case.inputs["t"])
    return {COST: cost, **{f"d{k}": grads[k] for k in params if k in grads}}


@cache
def net_case() -> Case:
    r = rng(9)
    d, _h, c = CASES["net"]
    params = ref.two_layer_init(r, sizes=CASES["net"], std=0.5)
    params = {k: v + 0.1 * r.standard_normal(v.shape) for k, v in params.items()}
    x, t = r.standard_normal((N, d)), np.eye(c)[r.integers(0, c, N)]
    p = {k: np.array(v) for k, v in params.items()}
    numerical = {
        k: ref.numerical_gradient(lambda: ref.two_layer_loss(p, x, t)[0], v)
        for k, v in p.items()
    }
    auto = ref.autodiff(lambda p: ref.two_layer_ops(p, x, t), params)
    cost, grads = ref.two_layer_loss(params, x, t)
    return Case(
        dict(params=params, x=x, t=t),
        net_call,
        (
            Reference(msg("central differences"), prefixed(numerical, "d")),
            Reference(
                msg("the reference"),
                {COST: cost, **prefixed(grads, "d")},
                factors=COST_FACTORS,
            ),
            Reference(msg("Keras' autodiff"), prefixed(auto, "d"), keras=True),
        ),
    )


# Each exercise's case, built on its first check.
TABLE: dict[str, Callable[[], Case]] = {
    **{f"{k}_forward": functools.partial(forward_case, k) for k in LAYERS},
    **{f"{k}_backward": functools.partial(backward_case, k) for k in LAYERS},
    "batchnorm_inference": inference_case,
    "softmax": softmax_case,
    "softmax_cross_entropy": cross_entropy_case,
    "mse": mse_case,
    "numerical_gradient": gradient_case,
    **{rule: functools.partial(rule_case, rule) for rule in RULES},
    "two_layer_loss": net_case,
}


# ---------------------------------------------------------------- a file


def verdicts(module, seconds: float | None = TIME_LIMIT) -> Iterator[Verdict]:
    """A verdict per exercise, in scratch.py's order, each as soon as it is known
    ('missing' where not defined)."""
    for name in EXERCISES:
        f = getattr(module, name, None)
        yield (
            verify(f, name, seconds)
            if callable(f)
            else Verdict(name, False, _("missing"))
        )


def verify_all(module, seconds: float | None = TIME_LIMIT) -> list[Verdict]:
    return list(verdicts(module, seconds))


OWN_NET = msg("your net, your layers")


def own_net(module, failed=(), seconds: float | None = TIME_LIMIT) -> Verdict:
    """The file's two_layer_loss as the file runs it, on its own layers (nothing
    isolated): its cost against the reference's, its gradients against central
    differences. failed: the exercises that failed their own check, named where
    the net calls them."""
    f = getattr(module, "two_layer_loss", None)
    if not callable(f):
        return Verdict(OWN_NET, False, _("no two_layer_loss"))
    case = net_case()
    cost = case.references[1].values[COST]
    case = replace(
        case,
        references=(
            case.references[0],  # central differences
            Reference(msg("the reference"), {COST: cost}, factors=COST_FACTORS),
        ),
    )
    calls = [n for n in EXERCISES if n in f.__code__.co_names and n in failed]
    if len(calls) == 1:
        blame = _(" ({names} failed its own check)")
    else:
        blame = _(" ({names} failed their own check)")
    blame = blame.format(names=", ".join(calls))
    try:
        judge(case, Budget(seconds).timed(f))
    except TimeUp:
        return Verdict(OWN_NET, False, no_answer(seconds))
    except NotImplementedError:
        return Verdict(
            OWN_NET, False, _("not run yet: a function it calls is not implemented")
        )
    except Wrong as e:
        return Verdict(OWN_NET, False, str(e) + (blame if calls else ""))
    except Exception as e:  # noqa: BLE001 - a student's bug is a verdict
        message = raised(e, f.__code__.co_filename)
        return Verdict(OWN_NET, False, message + (blame if calls else ""))
    return Verdict(
        OWN_NET,
        True,
        _("two_layer_loss on your own layers matches central differences"),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dnnlab.exercises",
        description="Check each function of a student's scratch.py (one line each).",
    )
    parser.add_argument(
        "file",
        nargs="?",
        type=Path,
        default=Path("exercises/scratch.py"),
        help="the student's file (default: %(default)s, written by make exercises)",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=TIME_LIMIT,
        metavar="S",
        help="seconds each function's code may take in its check, after the check's "
        "own set-up (default: %(default)g; 0: no limit)",
    )
    args = parser.parse_args(argv)
    if not args.file.is_file():
        parser.error(
            _("no such file: {file} (make exercises writes it)").format(file=args.file)
        )
    seconds = args.time_limit or None
    try:
        module = load(args.file, seconds=seconds)
    except TimeUp:
        top = _("{file}: {problem} at its top level")
        parser.error(top.format(file=args.file, problem=no_answer(seconds)))
    except Exception as e:  # noqa: BLE001 - one line, not a traceback
        parser.error(f"{args.file}: {raised(e, str(args.file.resolve()))}")
    done: list[Verdict] = []
    try:
        for v in verdicts(module, seconds):
            done.append(v)
            print(v, flush=True)
        net = own_net(module, {v.name for v in done if not v.ok}, seconds)
        print(net, flush=True)
    except KeyboardInterrupt:
        stopped = _("interrupted after {done} of {all} checks")
        print(stopped.format(done=len(done), all=len(EXERCISES)), flush=True)
        return 130
    passed = sum(v.ok for v in done)
    summary = _("{passed} of {done} pass; your net: {net}")
    net_mark = _("pass") if net.ok else _("FAIL")
    print(summary.format(passed=passed, done=len(done), net=net_mark))
    return 0 if passed == len(done) and net.ok else 1


if __name__ == "__main__":
    sys.exit(main())
