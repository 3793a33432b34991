"""Explorers: the lecture's mechanism under sliders, redrawn as a student moves them.

A notebook cell calls one of them:

    from dnnlab.explore import explore_bowl
    explore_bowl()

- explore_bowl(): an update rule on the bowl x²/20 + y² of DNN_gradient_descent
  (the book's Fig. 6-8): its path on the contour and its distance to the minimum,
  with the rate at which plain gradient descent and momentum stop converging.
- explore_activations(): each layer's activations at initialization, as the
  textbook's histogram lab draws them, for an activation, a start and a depth.
- explore_learning_rate(): the two-layer net of DNN_backprop trained by hand
  (dnnlab/scratch.py) for a few hundred steps, at a learning rate and a start.

Each is an Explorer: its controls, and an update(**values) that computes the
numbers with the same code as its lab, draws them and says what they show. In a
Jupyter front end with ipywidgets the controls are sliders; elsewhere (a script, a
plain kernel) it draws once at its defaults and says how to get the sliders.
"""

from __future__ import annotations

import html
import importlib.util
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from dnnlab import scratch as s
from dnnlab.i18n import _, msg
from dnnlab.plots import words

# --- the bowl: DNN_gradient_descent's f(x, y) = x²/20 + y² -------------------------

START = np.array([-7.0, 2.0])
MU = 0.9  # Momentum's and Nesterov's μ, Keras' and the book's
CURVATURE = 2.0  # the bowl's largest curvature, ∂²f/∂y² (∂²f/∂x² is 0.1)
RULES = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
NAMES = dict(sgd="SGD", momentum="Momentum", nesterov="Nesterov", adagrad="AdaGrad")
NAMES.update(rmsprop="RMSProp", adam="Adam")


def height(x, y):
    return x**2 / 20 + y**2


def gradient(w):
    return np.array([w[0] / 10, 2 * w[1]])


def f32(value: float) -> float:
    return float(np.float32(value))


def stability_limit(rule: str, mu: float = MU, curvature: float = CURVATURE):
    """The largest learning rate at which a fixed-rate rule still converges on a
    quadratic of this largest curvature λ: 2/λ for gradient descent, 2(1+μ)/λ for
    heavy-ball momentum, 2(1+μ)/((1+2μ)λ) for Nesterov in Keras' form. None for
    AdaGrad, RMSProp and Adam, whose step adapts to the gradient."""
    return {
        "sgd": 2 / curvature,
        "momentum": 2 * (1 + mu) / curvature,
        "nesterov": 2 * (1 + mu) / ((1 + 2 * mu) * curvature),
    }.get(rule)


@dataclass(frozen=True)
class Rule:
    """An update rule with its constants: Keras' defaults unless moved."""

    name: str
    learning_rate: float
    mu: float = MU  # Momentum, Nesterov
    rho: float = 0.9  # RMSProp
    beta1: float = 0.9  # Adam
    beta2: float = 0.999
    accumulator: float = 0.1  # AdaGrad's sum starts here, as Keras'

    def step(self, as_keras: bool = True):
        """One step (w, g, state, t) -> (w, state) by hand in Keras' convention
        (dnnlab/scratch.py), and the state to start from. With as_keras, Keras'
        float32 too: its learning rate is a float32 variable, its SGD casts μ
        through float32, and its Adam rounds β₁, β₂ to float32 in the bias
        correction; else the formula exactly."""
        rule, lr = self.name, self.learning_rate
        lr, mu = (f32(lr), f32(self.mu)) if as_keras else (lr, self.mu)
        b1, b2 = self.beta1, self.beta2

        def step(w, g, st, t):
            if rule == "sgd":
                return s.sgd(w, g, lr), st
            if rule in ("momentum", "nesterov"):
                return getattr(s, rule)(w, g, st, lr, mu)
            if rule == "adagrad":
                return s.adagrad(w, g, st, lr)
            if rule == "rmsprop":
                return s.rmsprop(w, g, st, lr, self.rho)
            w_exact, m, v = s.adam(w, g, *st, t, lr, b1, b2)  # m, v: the exact β's
            if not as_keras:
                return w_exact, (m, v)
            alpha = lr * np.sqrt(1 - f32(b2) ** t) / (1 - f32(b1) ** t)
            return w - alpha * m / (np.sqrt(v) + 1e-7), (m, v)

        zero = (np.zeros(2), np.zeros(2)) if rule == "adam" else np.zeros(2)
        if rule == "adagrad":
            zero = np.full(2, self.accumulator)
        return step, zero


def walk(step, state, steps: int) -> np.ndarray:
    """The path of `steps` updates from START: steps + 1 points."""
    w, path = START.copy(), [START.copy()]
    for t in range(1, steps + 1):
        w, state = step(w, gradient(w), state, t)
        path.append(w)
    return np.array(path)


def bowl(rule: Rule, steps: int = 30) -> dict:
    """The path, the distance to the minimum by step (over the start's), the rule's
    stability limit (None: it adapts) and where the distance first grows."""
    with np.errstate(over="ignore", invalid="ignore"):
        path = walk(*rule.step(), steps)
        distance = np.linalg.norm(path, axis=1)
    distance = distance / distance[0]
    grows = np.flatnonzero(~(np.diff(distance) <= 0))  # NaN counts as growing
    return dict(
        path=path,
        distance=distance,
        limit=stability_limit(rule.name, rule.mu),
        first_growth=int(grows[0]) + 1 if grows.size else None,
    )


def bowl_verdict(rule: Rule, state: dict) -> str:
    """What the path does, in a line: within or past the stability limit, or,
    for an adaptive rule, where the distance first grows (an oscillation)."""
    d, limit, lr = state["distance"], state["limit"], rule.learning_rate
    if np.isfinite(d[-1]):
        end = _("distance after {steps} steps: {d:.3g} × the start's")
    else:
        end = _("distance after {steps} steps: overflow")
    end = end.format(steps=len(d) - 1, d=d[-1])
    name = NAMES[rule.name]
    if limit is not None:
        if math.isclose(lr, limit, rel_tol=1e-9):
            line = _(
                "{name} at {lr:g}: at its stability limit {limit:.3g} (curvature "
                "{c:g}): the path neither converges nor diverges; {end}"
            )
        elif lr > limit:
            line = _(
                "{name} at {lr:g}: past its stability limit {limit:.3g} (curvature "
                "{c:g}): the path diverges; {end}"
            )
        else:
            line = _(
                "{name} at {lr:g}: within its stability limit {limit:.3g} "
                "(curvature {c:g}): the path converges; {end}"
            )
        return line.format(name=name, lr=lr, limit=limit, c=CURVATURE, end=end)
    grows = state["first_growth"]
    if grows:
        moves = _("the distance first grows at step {k}: an oscillation")
    else:
        moves = _("the distance falls at every step")
    line = _("{name} at {lr:g} (no fixed-rate limit, its step adapts): {moves}; {end}")
    return line.format(name=name, lr=lr, moves=moves.format(k=grows), end=end)


# --- activations at initialization: textbook/weight_init_activation_histogram -----

UNITS, IMAGES, BINS = 100, 1000, 30


def layer_activations(config) -> dict:
    """1,000 random inputs N(0, 1) of 100 values through Dense layers without
    biases (config's widths, activation, initializer and std; its seed draws the
    inputs and the weights): each layer's histogram on [0, 1] (BINS bins), its
    std, mean, share within 0.1 of 0 or 1, and its weights' std."""
    from dnnlab.backend import keras
    from dnnlab.model import initializer

    keras.utils.set_random_seed(config.seed)
    x = np.random.default_rng(config.seed).standard_normal((IMAGES, UNITS))
    layers = [
        keras.layers.Dense(
            n,
            activation=config.activation,
            use_bias=False,
            kernel_initializer=initializer(config),
        )
        for n in config.hidden_units
    ]
    acts, a = [], x.astype("float32")
    for layer in layers:
        a = layer(a)
        acts.append(keras.ops.convert_to_numpy(a))
    return {
        "histograms": [np.histogram(a, BINS, range=(0, 1))[0].tolist() for a in acts],
        "std": [float(a.std()) for a in acts],
        "mean": [float(a.mean()) for a in acts],
        "saturated": [float(np.mean((a < 0.1) | (a > 0.9))) for a in acts],
        "kernel_std": [
            float(np.std(keras.ops.convert_to_numpy(layer.kernel))) for layer in layers
        ],
        "activations": acts,
    }


# --- the two-layer net by hand: DNN_backprop --------------------------------------


def two_layer_start(rng, std: float, steps: int, batch_size: int, n: int):
    """DNN_backprop's start: the weights (std), then each step's batch of rows."""
    params = s.two_layer_init(rng, std=std)  # float64
    return params, rng.integers(0, n, (steps, batch_size))


def train_by_hand(params, x, t, batches, learning_rate):
    """The net trained by two_layer_loss and sgd on the batches, in float32 as
    Keras; its weights and each step's loss."""
    hand = {k: v.astype(np.float32) for k, v in params.items()}  # as Keras: float32
    losses = np.empty(len(batches))
    lr = np.float32(learning_rate)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for step, rows in enumerate(batches):
            losses[step], grads = s.two_layer_loss(hand, x[rows], t[rows])
            hand = {k: s.sgd(hand[k], grads[k], lr) for k in hand}
            if (step + 1) % 2000 == 0:
                loss = losses[step]
                line = _("  by hand: step {step}, loss {loss:.4f}")
                print(line.format(step=step + 1, loss=loss), flush=True)
    return hand, losses


def forward(params, images):
    h = s.relu_forward(s.affine_forward(images, params["W1"], params["b1"])[0])[0]
    return s.affine_forward(h, params["W2"], params["b2"])[0]


@lru_cache(maxsize=1)
def _mnist():
    from dnnlab.data import load_mnist, one_hot

    data = load_mnist()
    (x, y), _test = data.split(0, None)
    return x, one_hot(y), data.x_test[:2000], data.y_test[:2000]


@lru_cache(maxsize=16)
def hand_training(learning_rate: float, std: float, steps: int, seed: int = 1):
    """DNN_backprop's net, batches of 100, trained by hand for `steps` steps: each
    step's loss, and the accuracy on the first 2,000 test images (kept for a
    slider that comes back; do not change what it returns)."""
    x, t, x_test, y_test = _mnist()
    rng = np.random.default_rng(seed)
    params, batches = two_layer_start(rng, std, steps, 100, len(x))
    hand, losses = train_by_hand(params, x, t, batches, learning_rate)
    with np.errstate(over="ignore", invalid="ignore"):
        accuracy = float(np.mean(forward(hand, x_test).argmax(axis=1) == y_test))
    bad = np.flatnonzero(~np.isfinite(losses))
    return dict(
        losses=losses,
        test_accuracy=accuracy,
        diverged_at=int(bad[0]) + 1 if bad.size else None,
    )


# --- the explorers ----------------------------------------------------------------


@dataclass
class Control:
    """A slider or a choice: its label, default and range (or options)."""

    label: str
    default: object
    low: float | None = None
    high: float | None = None
    step: float | None = None
    options: tuple = ()
    log: bool = False  # a slider over powers of ten (low, high: the exponents)
    digits: str = ""  # the readout's format, e.g. ".4f"

    def widget(self):
        import ipywidgets as w

        look = dict(description=_(self.label), style={"description_width": "14em"})
        look["layout"] = w.Layout(width="34em")
        look["continuous_update"] = False
        if self.options:
            return w.Dropdown(options=self.options, value=self.default, **look)
        if self.log:
            kind = w.FloatLogSlider
            return kind(value=self.default, min=self.low, max=self.high, **look)
        kind = w.IntSlider if isinstance(self.default, int) else w.FloatSlider
        if self.digits:
            look["readout_format"] = self.digits
        return kind(
            value=self.default, min=self.low, max=self.high, step=self.step, **look
        )


PRE = '<pre style="white-space: pre-wrap">'  # the line under the figure


@dataclass
class Explorer:
    """Controls and what they move: compute(values) -> state, draw(values, state,
    fig), say(values, state) -> a line. update(**values) does all three."""

    title: str
    controls: dict[str, Control]
    compute: Callable
    draw: Callable
    say: Callable
    size: tuple = (11, 4)
    state: dict = field(default_factory=dict)

    def defaults(self) -> dict:
        return {k: c.default for k, c in self.controls.items()}

    def update(self, fig=None, **values) -> tuple[dict, str]:
        """The state at these values (the rest at their defaults) and its line;
        draws into fig if given."""
        values = {**self.defaults(), **values}
        state = self.compute(**values)
        if fig is not None:
            fig.clear()
            self.draw(values, state, fig)
        self.state = state
        return state, self.say(values, state)

    def figure(self, **values):
        """A new figure at these values (no pyplot: no window, any backend), and
        its line."""
        from matplotlib.figure import Figure

        from dnnlab import plots

        plots.use_fonts()  # Korean where it is spoken and a Hangul font is there
        fig = Figure(figsize=self.size)
        _state, line = self.update(fig, **values)
        return fig, line

    def png(self, **values) -> tuple[bytes, str]:
        """The figure at these values as PNG bytes, and its line."""
        fig, line = self.figure(**values)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=90)
        return buffer.getvalue(), line

    def show(self, name: str = "explorer"):
        """Sliders in a Jupyter front end with ipywidgets (shown, nothing returned);
        elsewhere the figure at the defaults (shown under the cell in a kernel, saved as
        logs/explore/NAME.png from a script) and how to get the sliders."""
        from dnnlab import notebook

        if notebook.active() and importlib.util.find_spec("ipywidgets"):
            from IPython.display import display

            display(self.widget())
            return None
        fig, line = self.figure()
        print(line)
        if not notebook.active():
            from dnnlab.files import write

            path = Path("logs") / "explore" / f"{name}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            write(path, self.png()[0])
            print(_("figure: {path}").format(path=path))
        print(
            _(
                "(sliders: run this in a Jupyter notebook with ipywidgets installed, "
                "pip install ipywidgets)"
            )
        )
        return fig

    def widget(self):
        """The controls above the figure (a PNG in an Image widget) and its line;
        each change of a control redraws both."""
        import ipywidgets as w

        controls = {k: c.widget() for k, c in self.controls.items()}
        figure, said = w.Image(format="png"), w.HTML()

        def redraw(change=None):
            png, line = self.png(**{k: c.value for k, c in controls.items()})
            figure.value, said.value = png, f"{PRE}{html.escape(line)}</pre>"

        for control in controls.values():
            control.observe(redraw, names="value")
        redraw()
        title = w.HTML(f"<b>{_(self.title)}</b>")
        return w.VBox([title, *controls.values(), figure, said])


def _bowl_rule(rule, learning_rate, steps=None, **constants):
    """The controls' rule (steps is the walk's, not the rule's)."""
    return Rule(rule, learning_rate, **constants)


def _bowl_compute(steps, **values):
    return bowl(_bowl_rule(steps=steps, **values), steps)


def _bowl_draw(values, state, fig):
    left, right = fig.subplots(1, 2, gridspec_kw=dict(width_ratios=(1.6, 1)))
    x, y = np.meshgrid(np.linspace(-10, 10, 300), np.linspace(-5, 5, 200))
    left.contour(x, y, height(x, y), levels=[0.1, 0.5, 1, 2, 3, 4, 5, 7], alpha=0.5)
    p = np.clip(np.nan_to_num(state["path"], nan=10.0), -10, 10)  # leaves the frame
    left.plot(p[:, 0], p[:, 1], "o-", color="C3", ms=3, lw=1)
    left.plot(0, 0, "k+", ms=10)
    left.set(xlim=(-10, 10), ylim=(-5, 5), title=words(msg("the path on x²/20 + y²")))
    limit, lr = state["limit"], values["learning_rate"]
    if limit is not None and lr > limit and not math.isclose(lr, limit):
        past = msg("past the stability limit {limit:.3g}: it diverges", limit=limit)
        left.set_title(words(past), color="C3")
    d = np.nan_to_num(state["distance"], nan=np.inf, posinf=1e30)
    right.plot(range(len(d)), d, "o-", color="C3", ms=3)
    right.axhline(1.0, color="grey", lw=0.8, ls=":")
    if state["first_growth"] and state["limit"] is None:
        k = state["first_growth"]
        grows = words(msg("first grows: oscillation"))
        right.plot(k, d[k], "v", color="k", ms=8, label=grows)
        right.legend(fontsize=8)
    right.set(yscale="log", xlabel=words(msg("step")))
    right.set(ylabel=words(msg("distance to the minimum / start")))
    rule = NAMES[values["rule"]]
    if limit is not None:
        at = msg(
            "{rule} at {lr:g} (stability limit {limit:.3g})",
            rule=rule,
            lr=lr,
            limit=limit,
        )
    else:
        at = msg("{rule} at {lr:g}", rule=rule, lr=lr)
    right.set_title(words(at), fontsize=10)
    fig.tight_layout()


def explore_bowl(show: bool = True):
    """An update rule on DNN_gradient_descent's bowl: the rule, its learning rate,
    μ (Momentum, Nesterov), ρ (RMSProp), the β's (Adam) and the steps."""
    ex = Explorer(
        "An update rule on the bowl x²/20 + y², from (−7, 2)",
        dict(
            rule=Control("rule", "sgd", options=RULES),
            learning_rate=Control("learning rate", 0.95, 0.05, 2.0, 0.05),
            mu=Control("μ (Momentum, Nesterov)", MU, 0.0, 0.99, 0.01),
            rho=Control("ρ (RMSProp)", 0.9, 0.0, 0.999, 0.001, digits=".3f"),
            beta1=Control("β₁ (Adam)", 0.9, 0.0, 0.999, 0.001, digits=".3f"),
            beta2=Control("β₂ (Adam)", 0.999, 0.9, 0.9999, 0.0001, digits=".4f"),
            steps=Control("steps", 30, 5, 200, 5),
        ),
        _bowl_compute,
        _bowl_draw,
        lambda values, state: bowl_verdict(_bowl_rule(**values), state),
    )
    return ex.show("bowl") if show else ex


ACTIVATIONS = ("sigmoid", "tanh", "relu", "elu")
STARTS = ("random_normal", "xavier", "he")  # normal with its std; the slide's two


def _activation_config(activation, initializer, init_std, depth, seed=1):
    from dnnlab.config import Config

    return Config(
        hidden_units=(UNITS,) * depth,
        activation=activation,
        initializer=initializer,
        init_std=init_std,
        seed=seed,
    )


def _activations_compute(**values):
    return layer_activations(_activation_config(**values))


def _activations_draw(values, state, fig):
    acts, std = state["activations"], state["std"]
    shown = np.unique(np.linspace(0, len(acts) - 1, min(len(acts), 6)).astype(int))
    grid = fig.add_gridspec(2, len(shown), height_ratios=(1, 1.1))
    low = -1 if values["activation"] == "tanh" else 0
    for j, k in enumerate(shown):
        ax = fig.add_subplot(grid[0, j])
        ax.hist(acts[k].ravel(), BINS, range=(low, 1), color="C0")
        ax.set_yticks([])
        label = msg("layer {layer}: std {std:.2g}", layer=k + 1, std=std[k])
        ax.set_title(words(label), fontsize=8)
    ax = fig.add_subplot(grid[1, :])
    ax.plot(range(1, len(std) + 1), std, "o-", ms=3)
    ax.set(yscale="log", xlabel=words(msg("layer")))
    ax.set(ylabel=words(msg("std of the activations")))
    fig.suptitle(_activations_line(values, state, words=True), fontsize=9)
    fig.tight_layout()


def _activations_line(values, state, words: bool = False) -> str:
    """The line under the figure (words: as the figure's title, in the language a
    figure speaks)."""
    std = state["std"]
    start = values["initializer"]
    if start == "random_normal":
        start = msg("normal, std {std:g}", std=values["init_std"])
    kept = std[-1] / std[0] if std[0] else float("nan")
    line = msg(
        "{activation}, {start}, {n} layers: the last layer keeps {kept:.3g} × the "
        "first's spread (std {first:.3g} → {last:.3g})",
        activation=values["activation"],
        start=start,
        n=len(std),
        kept=kept,
        first=std[0],
        last=std[-1],
    )
    from dnnlab import plots

    return plots.words(line) if words else _(line)


def explore_activations(show: bool = True):
    """Each layer's activations at initialization: the activation, the start
    (normal with its std, Xavier, He) and the depth, as the textbook's histogram
    lab (1,000 random inputs, 100 units a layer, no biases)."""
    ex = Explorer(
        "Activations at initialization, layer by layer",
        dict(
            activation=Control("activation", "sigmoid", options=ACTIVATIONS),
            initializer=Control("start", "random_normal", options=STARTS),
            init_std=Control("std (normal)", 1.0, -3, 0.5, log=True),
            depth=Control("layers", 5, 1, 30, 1),
        ),
        _activations_compute,
        _activations_draw,
        _activations_line,
        size=(12, 5),
    )
    return ex.show("activations") if show else ex


LAB_RATE = 0.1  # DNN_backprop's learning rate, drawn for comparison


def _rate_draw(values, state, fig):
    ax = fig.subplots()
    lab = hand_training(LAB_RATE, values["init_std"], values["steps"])
    for what, run, look in (
        (msg("the lab's rate {lr:g}", lr=LAB_RATE), lab, dict(color="grey", lw=1)),
        (
            msg("rate {lr:g}", lr=values["learning_rate"]),
            state,
            dict(color="C3", lw=1.2),
        ),
    ):
        what = words(what)
        losses = np.nan_to_num(run["losses"], nan=np.inf, posinf=np.inf)
        ax.plot(range(1, len(losses) + 1), losses, label=what, **look)
    ax.set(xlabel=words(msg("step (a batch of 100)")), ylim=(0, 3))
    ax.set(ylabel=words(msg("training loss")))
    ax.legend(fontsize=8)
    ax.set_title(_rate_line(values, state, words=True), fontsize=9)
    fig.tight_layout()


def _rate_line(values, state, words: bool = False) -> str:
    """The line under the figure (words: as its title, as for activations)."""
    from dnnlab import plots

    lr, steps = values["learning_rate"], values["steps"]
    if state["diverged_at"]:
        line = msg(
            "learning rate {lr:g}: the loss overflowed at step {step}",
            lr=lr,
            step=state["diverged_at"],
        )
    else:
        line = msg(
            "learning rate {lr:g}: loss over the last 20 of {steps} steps {loss:.3f}; "
            "test accuracy (2,000 images) {accuracy:.1f} %",
            lr=lr,
            steps=steps,
            loss=state["losses"][-20:].mean(),
            accuracy=100 * state["test_accuracy"],
        )
    return plots.words(line) if words else _(line)


def explore_learning_rate(show: bool = True):
    """DNN_backprop's two-layer net (784-50-10, ReLU, softmax) trained by hand on
    MNIST: the learning rate, the weights' starting std and the steps."""
    ex = Explorer(
        "The two-layer net trained by hand: the learning rate",
        dict(
            learning_rate=Control("learning rate", LAB_RATE, -3, 1, log=True),
            init_std=Control("weights' std", 0.01, -3, 0, log=True),
            steps=Control("steps", 300, 100, 1000, 100),
        ),
        lambda learning_rate, init_std, steps: hand_training(
            learning_rate, init_std, steps
        ),
        _rate_draw,
        _rate_line,
        size=(8, 4),
    )
    return ex.show("learning_rate") if show else ex
