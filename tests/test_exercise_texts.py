"""What a student reads is tested as typed. For each exercise, TYPED holds the body
a student types from its docstring alone, symbol for symbol; the lines marked
`# doc` are the docstring's formulas, and written back in the docstring's symbols
(render) each appears in the docstring, in order. Each typed body passes its
exercise's check. What the unmarked lines rely on (which axis Σ sums, how f is
called, where a state starts) is a convention the docstring or a hint states
(STATED). Every exercise is listed: those whose docstring writes the result as an
expression, and the one in prose (PROSE), which states its conventions instead."""

import inspect
import re
import types
from dataclasses import dataclass, field

import pytest

from dnnlab import exercises as ex
from dnnlab import scratch

SOURCE = inspect.getsource(scratch)


@dataclass(frozen=True)
class Typed:
    code: str
    names: dict = field(default_factory=dict)  # this docstring's own symbols


SUM_ALL = "S = np.sum\n"
SUM_BATCH = "S = lambda a: a.sum(axis=0)\n"
ROWS = (
    "M = lambda a: a.max(axis=1, keepdims=True)\n"
    "Sj = lambda a: a.sum(axis=1, keepdims=True)\n"
)
TYPED = {
    "affine_forward": Typed("out = x @ W + b  # doc"),
    "affine_backward": Typed(
        SUM_BATCH
        + "dx = dout @ W.T  # doc\ndW = x.T @ dout  # doc\ndb = S(dout)  # doc"
    ),
    "relu_forward": Typed("out = np.maximum(0, x)  # doc: rhs"),
    "relu_backward": Typed("dx = dout * (x > 0)  # doc"),
    "sigmoid_forward": Typed("out = 1 / (1 + np.exp(-x))  # doc", {"out": "σ(x)"}),
    "sigmoid_backward": Typed("dx = dout * y * (1 - y)  # doc: rhs", {"y": "σ(x)"}),
    "softmax": Typed(ROWS + "y = np.exp(x - M(x)) / Sj(np.exp(x - M(x)))  # doc"),
    "softmax_cross_entropy": Typed(
        ROWS
        + SUM_ALL
        + "s = scores - M(scores)  # doc\n"
        + "log_y = s - np.log(Sj(np.exp(s)))  # doc\n"
        + "cost = -S(t * log_y) / n  # doc\n"
        + "y = np.exp(log_y)  # doc\n"
        + "dscores = (y - t) / n  # doc",
        {"cost": "E", "dscores": "dE/dscores"},
    ),
    "mse": Typed(
        SUM_ALL + "cost = 0.5 * S((y - t) ** 2) / n  # doc\ndy = (y - t) / n  # doc",
        {"cost": "E", "dy": "dE/dy"},
    ),
    "batchnorm_forward": Typed(
        "mu = x.mean(axis=0)\nvar = x.var(axis=0)\n"
        "xhat = (x - mu) / np.sqrt(var + eps)  # doc\n"
        "out = gamma * xhat + beta  # doc"
    ),
    "batchnorm_backward": Typed(
        SUM_BATCH + "dgamma = S(dout * xhat)  # doc\n"
        "dbeta = S(dout)  # doc\n"
        "dxhat = dout * gamma  # doc\n"
        "dx = (1 / n) * (1 / np.sqrt(var + eps)) * "
        "(n * dxhat - S(dxhat) - xhat * S(dxhat * xhat))  # doc"
    ),
    "batchnorm_inference": Typed(
        "out = gamma * (x - mean) / np.sqrt(var + eps) + beta  # doc", {"var": "var"}
    ),
    "dropout_forward": Typed("out = x * mask / (1 - p)  # doc"),
    "dropout_backward": Typed("dx = dout * mask / (1 - p)  # doc"),
    "numerical_gradient": Typed(
        "for i in np.ndindex(x.shape) if at is None else at:\n"
        "    keep = x[i]\n"
        "    x[i] = keep + h\n"
        "    up = f()\n"
        "    x[i] = keep - h\n"
        "    down = f()\n"
        "    x[i] = keep\n"
        "    grad[i] = (up - down) / (2 * h)  # doc",
        {"up": "f₊", "down": "f₋"},
    ),
    "sgd": Typed("w = w - lr * dw  # doc"),
    "momentum": Typed("v = mu * v - lr * dw  # doc\nw = w + v  # doc"),
    "nesterov": Typed("v = mu * v - lr * dw  # doc\nw = w + mu * v - lr * dw  # doc"),
    "adagrad": Typed("h = h + dw**2  # doc\nw = w - lr * dw / np.sqrt(h + eps)  # doc"),
    "rmsprop": Typed(
        "s = rho * s + (1 - rho) * dw**2  # doc\n"
        "w = w - lr * dw / np.sqrt(s + eps)  # doc"
    ),
    "adam": Typed(
        "m = beta1 * m + (1 - beta1) * dw  # doc\n"
        "v = beta2 * v + (1 - beta2) * dw**2  # doc\n"
        "alpha = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)  # doc\n"
        "w = w - alpha * m / (np.sqrt(v) + eps)  # doc"
    ),
    "two_layer_loss": Typed(
        'h, cache1 = affine_forward(x, params["W1"], params["b1"])\n'
        "a, cache_relu = relu_forward(h)\n"
        'scores, cache2 = affine_forward(a, params["W2"], params["b2"])\n'
        "cost, dscores = softmax_cross_entropy(scores, t)\n"
        "da, dW2, db2 = affine_backward(dscores, cache2)\n"
        "dh = relu_backward(da, cache_relu)\n"
        "_, dW1, db1 = affine_backward(dh, cache1)"
    ),
}
PROSE = {"two_layer_loss"}  # in words: the net's layers, in order, and its keys
# What each typed body relies on beyond its formulas, as the docstring or hints say it.
BATCH_AXIS = "Σ being the sum over the batch (axis 0)"
ROW_AXIS = "over each row (axis 1, keepdims=True)"
STATED = {
    "affine_backward": [BATCH_AXIS],
    "relu_backward": ["the cache is the forward's x"],
    "sigmoid_backward": ["the cache is y = σ(x)"],
    "softmax": [ROW_AXIS],
    "softmax_cross_entropy": [ROW_AXIS, "Σ over all N·C numbers", "N the batch's rows"],
    "mse": ["Σ over all N·C numbers", "N the batch's rows"],
    "batchnorm_forward": ["over the batch (axis 0; σ² divides by N, as np.var)"],
    "batchnorm_backward": [BATCH_AXIS],
    "numerical_gradient": [
        "f takes no argument",
        "changes in place",
        "puts back",
        "a list of index tuples",
        "f() with x[i] + h",
    ],
    "momentum": ["The caller starts v at 0", "with the new v"],
    "nesterov": ["The caller starts v at 0", "uses the new v"],
    "adagrad": ["The caller starts h at 0.1", "with the new h"],
    "rmsprop": ["The caller starts s at 0", "with the new s"],
    "adam": ["the caller starts m and v at 0", "this step's number (t = 1, 2, …)"],
    "two_layer_loss": [
        "affine → ReLU → affine → softmax cross-entropy",
        "the keys W1, b1, W2, b2",
    ],
}
SYMBOLS = {  # a typed name: how the docstrings write it
    "lr": "η",
    "mu": "μ",
    "rho": "ρ",
    "eps": "ε",
    "beta1": "β₁",
    "beta2": "β₂",
    "alpha": "α",
    "gamma": "γ",
    "beta": "β",
    "var": "σ²",
    "xhat": "x̂",
    "dxhat": "dx̂",
    "dgamma": "dγ",
    "dbeta": "dβ",
    "log_y": "log y",
    "n": "N",
    "S": "Σ",
    "Sj": "Σⱼ",
    "M": "max",
}
OPERATORS = [  # NumPy: the docstrings' notation, in this order
    (r"np\.exp\(-x\)", "e⁻ˣ"),
    (r"np\.sqrt", "√"),
    (r"np\.exp", "e^"),
    (r"np\.log", "log"),
    (r"np\.maximum", "max"),
    (r"\s*\*\*\s*2", "²"),
    (r"\*\*t\b", "ᵗ"),
    (r"\.T\b", "ᵀ"),
    (r"\s*[@*]\s*", "·"),
    (r"\b0\.5\b", "½"),
]


def render(line: str, names: dict) -> str:
    """A typed line in the docstrings' symbols."""
    for name, symbol in {**SYMBOLS, **names}.items():
        line = re.sub(rf"\b{name}\b", lambda _, s=symbol: s, line)
    for pattern, symbol in OPERATORS:
        line = re.sub(pattern, symbol, line)
    return line


def normal(text: str) -> str:
    """Text without what a formula's reading does not depend on: spaces, the
    multiplication dot, brackets, commas; ← as =, - as −."""
    text = text.replace("←", "=").replace("-", "−")
    return re.sub(r"[\s·(),;.]", "", text)


def shown(name: str) -> list[str]:
    """The docstring's formulas as the typed body's marked lines render them."""
    out = []
    for line in TYPED[name].code.splitlines():
        code, _, mark = line.partition("  # doc")
        if _:
            code = code.split(" = ", 1)[1] if mark == ": rhs" else code
            out.append(render(code.strip(), TYPED[name].names))
    return out


def body(name: str) -> str:
    """The marked body of name in scratch.py: the text between its markers."""
    start = SOURCE.index(f"\ndef {name}(")
    begin = SOURCE.index("# solution\n", start) + len("# solution\n")
    return SOURCE[begin : SOURCE.index("    # end solution", begin)]


def typed_module(name: str) -> types.ModuleType:
    """scratch.py with name's body replaced by the typed one."""
    start = SOURCE.index(f"\ndef {name}(")
    old = body(name)
    at = SOURCE.index(old, start)
    new = "".join(f"    {line}\n" for line in TYPED[name].code.splitlines())
    m = types.ModuleType(f"typed_{name}")
    source = SOURCE[:at] + new + SOURCE[at + len(old) :]
    exec(compile(source, f"typed_{name}.py", "exec"), m.__dict__)  # noqa: S102
    return m


def test_every_exercise_is_typed_and_listed_as_formula_or_prose():
    assert set(TYPED) == set(ex.EXERCISES)
    assert {n for n in TYPED if not shown(n)} == PROSE


@pytest.mark.parametrize("name", ex.EXERCISES)
def test_each_formula_typed_as_its_docstring_writes_it_passes_its_check(name):
    verdict = ex.verify(getattr(typed_module(name), name), name)
    assert verdict.ok, verdict


@pytest.mark.parametrize("name", sorted(set(ex.EXERCISES) - PROSE))
def test_the_docstring_writes_the_typed_formulas_in_order(name):
    doc = normal(inspect.getdoc(getattr(scratch, name)))
    at = 0
    for formula in shown(name):
        found = doc.find(normal(formula), at)
        assert found >= 0, f"{name}'s docstring does not write {formula!r} (after {at})"
        at = found + len(normal(formula))


@pytest.mark.parametrize("name", STATED)
def test_each_convention_a_typed_body_relies_on_is_stated(name):
    hints = [
        line.strip().removeprefix("# hint: ")
        for line in body(name).splitlines()
        if line.strip().startswith("# hint:")
    ]
    text = " ".join([inspect.getdoc(getattr(scratch, name)), *hints])
    text = " ".join(text.split())
    for phrase in STATED[name]:
        assert phrase in text, (name, phrase)


@pytest.mark.parametrize("rule", ex.RULES)
def test_each_state_starts_where_its_docstring_says(rule):
    doc = " ".join(inspect.getdoc(getattr(scratch, rule)).split())
    starts = {
        s: float(v)
        for names, v in re.findall(r"starts (\w(?: and \w)*) at ([\d.]*\d)", doc)
        for s in names.split(" and ")
    }
    assert starts == dict.fromkeys(ex.RULES[rule].states, ex.RULES[rule].start)


def test_the_renderer_writes_the_docstrings_symbols():
    assert render("alpha = lr * np.sqrt(1 - beta2**t)", {}) == "α = η·√(1 - β₂ᵗ)"
    assert normal("x̂ ← (x − μ) / √(σ² + ε)") == normal("x̂ = (x-μ)/√(σ²+ε)")
    assert normal("γ/√(σ²+ε)") != normal("1/√(σ²+ε)")
