"""The one rule for seed noise, and every lab's claim on synthetic results: each
gives *holds*, *does not hold* and *within seed noise* when the numbers say so.
No training: a renamed variant fails here in seconds."""

import ast
import math
from pathlib import Path

import pytest
from conftest import LABS, lab_module

from dnnlab import Config, Result, Seeds, Stat
from dnnlab.claims import (
    CANNOT_TELL,
    FAILS,
    HOLDS,
    NOISE,
    Claim,
    Prediction,
    about,
    above,
    below,
    differ,
)

INF = math.inf


# --- the rule --------------------------------------------------------------------


def test_a_difference_counts_beyond_twice_its_standard_error():
    a, b = Stat((0.90, 0.91, 0.92)), Stat((0.80, 0.81, 0.82))
    assert differ(a, b) == 1 and differ(b, a) == -1
    wide = Stat((0.70, 0.90, 1.10))  # mean 0.90, standard error 0.115
    assert differ(wide, Stat((0.85,) * 3)) == 0
    assert differ(wide, Stat((0.50,) * 3)) == 1  # 0.40 > 2 × 0.115


def test_one_seed_or_zero_spread_lets_the_values_decide():
    assert differ(Stat((0.91,)), Stat((0.90,))) == 1
    assert differ(Stat((0.9, 0.9)), Stat((0.9001, 0.9001))) == -1
    assert differ(Stat((0.9,)), Stat((0.9,))) == 0  # equal: nothing to call
    assert Stat((0.5,)).std == 0.0


def test_a_target_never_reached_or_a_diverged_run_counts_as_infinite():
    never = Stat((INF, INF, INF))
    assert differ(never, Stat((3, 4, 5))) == 1  # slower than any finite count
    assert differ(Stat((3, 4, 5)), never) == -1
    assert differ(never, never) == 0  # two runs that never got there: no call
    diverged = Stat((INF, 0.3, 0.3))
    assert diverged.mean == INF and differ(diverged, Stat((0.4,))) == 1
    assert Stat((-INF,)).mean == INF  # ordered as +inf
    assert never.show() == "never" and diverged.show() == "never in 1 of 3"


def test_a_missing_number_fails_either_check_and_says_so():
    nan = math.nan
    for a, b in ((Stat((nan,)), 0.5), (0.5, Stat((nan,))), (Stat((0.9, nan)), 0.5)):
        for check in (above, below, about):
            c = check("x", a, b)
            assert c.outcome == FAILS and "missing" in c.numbers, c
    assert above("accuracy > 50 %", Stat((nan,)), 0.5).outcome == FAILS
    assert Stat((0.9, nan, 0.8)).show() == "missing in 1 of 3"
    assert math.isnan(Stat((nan,)).mean)


def test_about_equal_holds_only_when_the_noise_fits_inside_the_tolerance():
    a = Stat((0.020, 0.021, 0.022))  # standard error 0.00058
    assert about("", a, Stat((0.0205,) * 3), 0.003).outcome == HOLDS
    assert about("", a, Stat((0.030,) * 3), 0.003).outcome == FAILS
    assert about("", a, Stat((0.0235,) * 3), 0.003).outcome == NOISE  # 2.5 + 1.2
    assert about("", a, Stat((0.021,) * 3)).outcome == NOISE  # no tolerance, spread
    assert about("", Stat((0.5,)), Stat((0.5,))).outcome == HOLDS  # one seed, equal
    assert about("", Stat((INF,)), Stat((0.5,))).outcome == FAILS
    assert "tolerance 0.30 %" in about("", a, a, 0.003).numbers


def test_checks_and_verdicts():
    hi, lo = Stat((0.9, 0.91)), Stat((0.5, 0.52))
    assert above("", hi, lo).outcome == HOLDS
    assert above("", lo, hi).outcome == FAILS
    assert below("", lo, 0.6).outcome == HOLDS
    assert above("", Stat((0.4, 0.6)), 0.5).outcome == NOISE
    assert "90.50 ± 0.71 %" in above("", hi, lo).numbers


# --- every lab's claim on synthetic results --------------------------------------


def fake(
    seed: int,
    test_accuracy=0.9,
    train_accuracy=None,
    loss=0.3,
    epochs=2,
    iters=100,
    trace=None,
    history=None,
    **extras,
) -> Result:
    """A Result with the numbers a claim reads, and nothing trained."""
    history = {
        "loss": [loss],
        "accuracy": [0.5],
        # epochs_to(any target) is `epochs`: the validation accuracy jumps there.
        "val_accuracy": [0.0] * 9 if epochs == INF else [0.0] * (epochs - 1) + [1.0],
        **(history or {}),
    }
    return Result(
        config=Config(seed=seed),
        history=history,
        test_loss=0.3,
        test_accuracy=test_accuracy,
        train_accuracy=test_accuracy if train_accuracy is None else train_accuracy,
        params=1,
        wall_time=1.0,
        run_dir=Path("."),
        diverged_at=1 if loss == INF else None,
        trace=trace or ([(iters, 0.0)] if iters != INF else [(1, 9.0)]),
        extras=extras,
    )


def results(name: str, spec: dict, seeds: int = 3) -> dict:
    """{variant: Seeds} for every variant of the lab; spec gives the numbers of some:
    {variant: {metric: value, or PerSeed values}}."""
    module = lab_module(name)
    variants = module.get("variants") or {"net": module["config"]}
    assert set(spec) <= set(variants), (
        f"not variants of {name}: {set(spec) - set(variants)}"
    )
    out = {}
    for variant in variants:
        numbers = spec.get(variant, {})
        out[variant] = Seeds(
            fake(
                k + 1,
                **{
                    m: v[k] if isinstance(v, PerSeed) else v for m, v in numbers.items()
                },
            )
            for k in range(seeds)
        )
    return out


class PerSeed(list):
    """One value per seed (other values are the same for every seed)."""


def curve(at5: float, at10: float, at20: float) -> list[float]:
    """A search's best-so-far over 20 trials, at5 up to trial 5, at10 up to 10, …"""
    return [at5] * 5 + [at10] * 5 + [at20] * 10


def spread(mean: float, d: float) -> PerSeed:
    """Three seeds around `mean`: a spread wide enough to hide a small difference."""
    return PerSeed([mean - d, mean, mean + d])


# Per lab: numbers under which the claim holds, then a change that makes one check
# fail, and a change that makes one check fall within seed noise.
CASES = {
    "DNN_backprop": tuple(
        {
            "net": dict(
                test_accuracy=acc,
                keras_test_accuracy=acc,
                numerical_W1=3e-5,  # saved, not judged: rounding at h = 1e-5
                absolute_W1=5e-11,
                autodiff_W1=5e-12,
                step_loss_difference=diff,
            )
        }
        for acc, diff in ((0.97, 2e-5), (0.97, 0.01), (spread(0.966, 0.003), 2e-5))
    ),
    "DNN_softmax": (
        {"net": dict(test_accuracy=0.92, tape_accuracy=0.921, sum_error=1e-7)},
        {"net": dict(test_accuracy=0.85, tape_accuracy=0.85, sum_error=1e-7)},
        {
            "net": dict(
                test_accuracy=spread(0.94, 0.01),
                tape_accuracy=spread(0.94, 0.01),
                sum_error=1e-7,
            )
        },
    ),
    "DNN_deep_hidden_layer3": (
        {"net": dict(test_accuracy=0.982)},
        {"net": dict(test_accuracy=0.96)},
        {"net": dict(test_accuracy=spread(0.975, 0.005))},
    ),
    "DNN_deep_hidden_layer5": (
        {"net": dict(test_accuracy=0.98, grad_ratio=1.7, sigmoid_ratio=0.003)},
        {"net": dict(test_accuracy=0.98, grad_ratio=1.7, sigmoid_ratio=0.5)},
        {
            "net": dict(
                test_accuracy=spread(0.975, 0.005), grad_ratio=1.7, sigmoid_ratio=0.003
            )
        },
    ),
    "DNN_deep_hidden_layer5_tensorboard": (
        {
            "relu": dict(grad_ratio=1.7, loss=0.05),
            "sigmoid": dict(grad_ratio=0.003, loss=0.2),
        },
        {
            "relu": dict(grad_ratio=1.7, loss=0.3),
            "sigmoid": dict(grad_ratio=0.003, loss=0.2),
        },
        {
            "relu": dict(grad_ratio=1.7, loss=spread(0.2, 0.1)),
            "sigmoid": dict(grad_ratio=0.003, loss=0.2),
        },
    ),
    "DNN_initializer": (
        {
            "normal_0.01": dict(test_accuracy=0.11, activation_std=[1.0, 1e-5]),
            "xavier": dict(test_accuracy=0.97, activation_std=[1.0, 0.3]),
            "he": dict(test_accuracy=0.975, activation_std=[1.0, 1.0]),
            "xavier_30": dict(test_accuracy=0.11, activation_std=[1.0, 1e-4]),
            "he_30": dict(test_accuracy=0.93, activation_std=[1.0, 0.8]),
        },
        {
            "normal_0.01": dict(test_accuracy=0.11, activation_std=[1.0, 1e-5]),
            "xavier": dict(test_accuracy=0.97, activation_std=[1.0, 0.3]),
            "he": dict(test_accuracy=0.96, activation_std=[1.0, 1.0]),
            "xavier_30": dict(test_accuracy=0.11, activation_std=[1.0, 1e-4]),
            "he_30": dict(test_accuracy=0.93, activation_std=[1.0, 0.8]),
        },
        {
            "normal_0.01": dict(test_accuracy=0.11, activation_std=[1.0, 1e-5]),
            "xavier": dict(test_accuracy=0.97, activation_std=[1.0, 0.3]),
            "he": dict(test_accuracy=spread(0.97, 0.01), activation_std=[1.0, 1.0]),
            "xavier_30": dict(test_accuracy=0.11, activation_std=[1.0, 1e-4]),
            "he_30": dict(test_accuracy=0.93, activation_std=[1.0, 0.8]),
        },
    ),
    "DNN_regularization": (
        {
            "none": dict(train_accuracy=1.0, test_accuracy=0.88),
            "l2_1e-2": dict(train_accuracy=0.95, test_accuracy=0.9),
            "l1_1e-3": dict(train_accuracy=0.96, test_accuracy=0.9),
        },
        {
            "none": dict(train_accuracy=1.0, test_accuracy=0.88),
            "l2_1e-2": dict(train_accuracy=1.0, test_accuracy=0.8),
            "l1_1e-3": dict(train_accuracy=0.96, test_accuracy=0.9),
        },
        {
            "none": dict(train_accuracy=1.0, test_accuracy=0.88),
            "l2_1e-2": dict(train_accuracy=1.0, test_accuracy=spread(0.88, 0.05)),
            "l1_1e-3": dict(train_accuracy=0.96, test_accuracy=0.9),
        },
    ),
    "DNN_batch_normalization": (
        {
            "he": dict(epochs=4),
            "he+bn": dict(epochs=2),
            "normal_0.01": dict(test_accuracy=0.11),
            "normal_0.01+bn": dict(test_accuracy=0.96),
        },
        {
            "he": dict(epochs=4),
            "he+bn": dict(epochs=6),
            "normal_0.01": dict(test_accuracy=0.11),
            "normal_0.01+bn": dict(test_accuracy=0.96),
        },
        {
            "he": dict(epochs=4),
            "he+bn": dict(epochs=PerSeed([3, 4, 5])),
            "normal_0.01": dict(test_accuracy=0.11),
            "normal_0.01+bn": dict(test_accuracy=0.96),
        },
    ),
    "DNN_cost_function": (
        {
            "cross_entropy": dict(sum_error=1e-7, epochs=2, test_accuracy=0.97),
            "mse": dict(epochs=INF, test_accuracy=0.9),
        },
        {
            "cross_entropy": dict(sum_error=1e-7, epochs=2, test_accuracy=0.8),
            "mse": dict(epochs=INF, test_accuracy=0.9),
        },
        {
            "cross_entropy": dict(sum_error=1e-7, epochs=INF, test_accuracy=0.97),
            "mse": dict(epochs=INF, test_accuracy=0.9),
        },
    ),
    "DNN_activation": (
        {
            "sigmoid": dict(grad_ratio=0.003),
            "relu": dict(grad_ratio=1.7, dead_units=0.07),
            "leaky_relu": dict(dead_units=0.0),
            "elu": dict(dead_units=0.0),
        },
        {
            "sigmoid": dict(grad_ratio=0.003),
            "relu": dict(grad_ratio=1.7, dead_units=0.0),
            "leaky_relu": dict(dead_units=0.05),
            "elu": dict(dead_units=0.0),
        },
        {
            "sigmoid": dict(grad_ratio=0.003),
            "relu": dict(grad_ratio=1.7, dead_units=spread(0.05, 0.05)),
            "leaky_relu": dict(dead_units=0.05),
            "elu": dict(dead_units=0.0),
        },
    ),
    "DNN_learning_rate": (
        {
            "sgd_10": dict(loss=INF),
            "sgd_0.1": dict(loss=0.1),
            "sgd_0.0001": dict(loss=2.0),
            "sgd_0.01": dict(loss=0.3),
            "adam_0.0001": dict(loss=0.4),
            "adam_0.001": dict(loss=0.1),
        },
        {
            "sgd_10": dict(loss=INF),
            "sgd_0.1": dict(loss=0.1),
            "sgd_0.0001": dict(loss=0.2),
            "sgd_0.01": dict(loss=0.3),
            "adam_0.0001": dict(loss=0.4),
            "adam_0.001": dict(loss=0.1),
        },
        {
            "sgd_10": dict(loss=INF),
            "sgd_0.1": dict(loss=0.1),
            "sgd_0.0001": dict(loss=2.0),
            "sgd_0.01": dict(loss=0.3),
            "adam_0.0001": dict(loss=spread(0.1, 0.05)),
            "adam_0.001": dict(loss=0.1),
        },
    ),
    "DNN_optimizer": (
        {
            "sgd": dict(iters=INF),
            "momentum": dict(iters=300),
            "rmsprop": dict(iters=200),
            "adam": dict(iters=150),
        },
        {
            "sgd": dict(iters=250),
            "momentum": dict(iters=300),
            "rmsprop": dict(iters=200),
            "adam": dict(iters=150),
        },
        {
            "sgd": dict(iters=INF),
            "momentum": dict(iters=INF),
            "rmsprop": dict(iters=200),
            "adam": dict(iters=150),
        },
    ),
    "DNN_best": (
        {"net": dict(test_accuracy=0.9895)},
        {"net": dict(test_accuracy=0.9850)},
        {"net": dict(test_accuracy=spread(0.9878, 0.003))},
    ),
    "DNN_dropout": (
        {
            "dropout_0": dict(train_accuracy=1.0, test_accuracy=0.85),
            "dropout_0.2": dict(train_accuracy=0.95, test_accuracy=0.87),
            "dropout_0.5": dict(train_accuracy=0.93, test_accuracy=0.88),
            "too_small": dict(train_accuracy=0.3),
        },
        {
            "dropout_0": dict(train_accuracy=1.0, test_accuracy=0.85),
            "dropout_0.2": dict(train_accuracy=0.95, test_accuracy=0.87),
            "dropout_0.5": dict(train_accuracy=0.93, test_accuracy=0.88),
            "too_small": dict(train_accuracy=0.95),
        },
        {
            "dropout_0": dict(train_accuracy=1.0, test_accuracy=0.85),
            "dropout_0.2": dict(train_accuracy=0.95, test_accuracy=0.87),
            "dropout_0.5": dict(train_accuracy=1.0, test_accuracy=spread(0.85, 0.05)),
            "too_small": dict(train_accuracy=0.3),
        },
    ),
    "DNN_hyperparameter_search": (  # best-so-far curves of 20 trials, 3 searches
        {
            "grid": dict(best_so_far=curve(0.80, 0.88, 0.92)),
            "random": dict(best_so_far=curve(0.90, 0.93, 0.94)),
            "bayesian": dict(best_so_far=curve(0.90, 0.95, 0.96)),
        },
        {  # random's best of 20 below grid's
            "grid": dict(best_so_far=curve(0.80, 0.88, 0.92)),
            "random": dict(best_so_far=curve(0.90, 0.91, 0.91)),
            "bayesian": dict(best_so_far=curve(0.90, 0.95, 0.96)),
        },
        {  # Bayesian's best of 20 over random's within the searches' spread
            "grid": dict(best_so_far=curve(0.80, 0.88, 0.92)),
            "random": dict(best_so_far=curve(0.90, 0.93, 0.94)),
            "bayesian": dict(
                best_so_far=PerSeed(curve(0.90, 0.95, b) for b in (0.93, 0.95, 0.97))
            ),
        },
    ),
}


def flat(loss) -> list:
    """A loss trace of 100 iterations at `loss` (per seed if PerSeed)."""
    if isinstance(loss, PerSeed):
        return PerSeed(flat(v) for v in loss)
    return [(i, loss) for i in range(1, 101)]


def bn_grid(bn_learns, plain_learns, bn_lag=0.0) -> dict:
    """The batch-norm grid: how many of the 16 scales learn with and without BN (a
    number, or a list with one per seed); bn_lag, how far training-mode accuracy runs
    ahead of inference mode."""
    grid = {}
    for i, w in enumerate(lab_module("textbook/batch_norm_test")["SCALES"]):
        for kind, learns in (("bn", bn_learns), ("plain", plain_learns)):
            lag = bn_lag if kind == "bn" else 0.0
            per_seed = PerSeed(
                {"inference_accuracy": [acc], "accuracy": [acc + lag]}
                for n in (learns if isinstance(learns, list) else [learns] * 3)
                for acc in [0.99 if i < n else 0.1]
            )
            grid[f"{kind}_{w:.2g}"] = dict(history=per_seed)
    return grid


def trials(best_lr: float, best_decay: float, n: int = 10) -> list[dict]:
    """A search's trials: the 5 best at these rates, 5 poor ones elsewhere."""
    good = [dict(learning_rate=best_lr, weight_decay=best_decay, val=[0.9])] * 5
    poor = [dict(learning_rate=1e-6, weight_decay=1e-4, val=[0.1])] * (n - 5)
    return [dict(t, train=t["val"]) for t in good + poor]


CASES.update(
    {
        "textbook/weight_init_compare": (
            {
                "std_0.01": dict(trace=flat(2.30)),
                "xavier": dict(trace=flat(0.33)),
                "he": dict(trace=flat(0.23)),
            },
            {
                "std_0.01": dict(trace=flat(2.30)),
                "xavier": dict(trace=flat(0.23)),
                "he": dict(trace=flat(0.33)),
            },
            {
                "std_0.01": dict(trace=flat(2.30)),
                "xavier": dict(trace=flat(0.33)),
                "he": dict(trace=flat(spread(0.30, 0.1))),
            },
        ),
        "textbook/optimizer_compare_mnist": (
            {
                "sgd": dict(trace=flat(0.23)),
                "momentum": dict(trace=flat(0.08)),
                "adagrad": dict(trace=flat(0.05)),
                "adam": dict(trace=flat(0.06)),
            },
            {
                "sgd": dict(trace=flat(0.23)),
                "momentum": dict(trace=flat(0.08)),
                "adagrad": dict(trace=flat(0.05)),
                "adam": dict(trace=flat(0.04)),
            },
            {
                "sgd": dict(trace=flat(0.23)),
                "momentum": dict(trace=flat(0.08)),
                "adagrad": dict(trace=flat(0.05)),
                "adam": dict(trace=flat(spread(0.06, 0.02))),
            },
        ),
        "textbook/batch_norm_test": (
            bn_grid(14, 3),
            bn_grid(14, 3, bn_lag=0.04),
            bn_grid([14, 3, 8], 3),
        ),
        "textbook/overfit_weight_decay": (
            {
                "none": dict(train_accuracy=1.0, test_accuracy=0.77),
                "decay_0.1": dict(train_accuracy=0.8, test_accuracy=0.66),
            },
            {
                "none": dict(train_accuracy=0.95, test_accuracy=0.77),
                "decay_0.1": dict(train_accuracy=0.8, test_accuracy=0.66),
            },
            {
                "none": dict(train_accuracy=1.0, test_accuracy=0.77),
                "decay_0.1": dict(train_accuracy=0.8, test_accuracy=spread(0.6, 0.1)),
            },
        ),
        "textbook/overfit_dropout": (
            {
                "none": dict(train_accuracy=1.0, test_accuracy=0.77),
                "dropout_0.2": dict(train_accuracy=0.95, test_accuracy=0.8),
            },
            {
                "none": dict(train_accuracy=1.0, test_accuracy=0.77),
                "dropout_0.2": dict(train_accuracy=0.95, test_accuracy=0.7),
            },
            {
                "none": dict(train_accuracy=1.0, test_accuracy=0.77),
                "dropout_0.2": dict(
                    train_accuracy=0.95, test_accuracy=spread(0.72, 0.1)
                ),
            },
        ),
        "textbook/hyperparameter_optimization": (
            {"random": dict(trials=trials(5e-3, 1e-7))},
            {"random": dict(trials=trials(5e-3, 1e-5))},
            {
                "random": dict(
                    trials=PerSeed(
                        [trials(5e-3, 1e-7), trials(5e-3, 1e-7), trials(5e-4, 1e-7)]
                    )
                )
            },
        ),
    }
)


def kingma(adam_loss, rmsprop_best=0.3) -> dict:
    """Adam's three rates at one final training cost, the others at 0.3 but
    RMSProp at 0.001."""
    spec = {f"adam_{r:g}": dict(loss=adam_loss) for r in (1e-4, 3e-4, 1e-3)}
    return {**spec, "rmsprop_0.001": dict(loss=rmsprop_best)}


def glorot(saturation=0.02, normalized_grads=(1.0, 1.0)) -> dict:
    """Glorot & Bengio's records: the sigmoid's top-layer means (the fake config
    has 3 hidden layers), each tanh's gradient and activation spread by layer."""
    means = (
        PerSeed([0.5, low, 0.3] for low in saturation)
        if isinstance(saturation, PerSeed)
        else [0.5, saturation, 0.3]
    )
    spreads = dict(activation_spread=[1.0, 1.0], gradient_spread=[1.0, 1.0])
    return {
        "sigmoid": dict(spreads, mean_3=means),
        "tanh_standard": dict(activation_spread=[1.0, 0.1], gradient_spread=[0.1, 1]),
        "tanh_normalized": dict(spreads, gradient_spread=list(normalized_grads)),
    }


def ioffe(bn_accuracy=0.97) -> dict:
    """Ioffe & Szegedy's records: the plain net's percentiles drift, BN's stay."""
    return {
        "plain": dict(
            test_accuracy=0.9,
            test_accuracy_by_step=[0.1, 0.5, 0.9],
            p15=[-1, -2, -3],
            p50=[0, -1, -2],
            p85=[1, 0, -1],
        ),
        "bn": dict(
            test_accuracy=bn_accuracy,
            test_accuracy_by_step=[0.9, 0.95, 0.97],
            p15=[-1] * 3,
            p50=[0] * 3,
            p85=[1] * 3,
        ),
    }


def fig9(changes: dict | None = None) -> dict:
    """Srivastava et al.'s Fig. 9: test accuracy by retention p."""
    accuracy = {"p_0.1": 0.93, "p_0.2": 0.96, "p_0.4": 0.984, "p_0.6": 0.985}
    accuracy.update({"p_0.8": 0.984, "p_1": 0.98, **(changes or {})})
    return {p: dict(test_accuracy=a) for p, a in accuracy.items()}


CASES.update(
    {
        "papers/kingma2015_fig2": (
            kingma(0.05),
            kingma(0.05, rmsprop_best=0.01),
            kingma(spread(0.28, 0.05)),
        ),
        "papers/glorot2010_fig2": (
            glorot(),
            glorot(normalized_grads=(0.1, 1.0)),
            glorot(saturation=PerSeed([0.05, 0.1, 0.15])),
        ),
        "papers/ioffe2015_fig1": (ioffe(), ioffe(0.85), ioffe(spread(0.9, 0.05))),
        "papers/srivastava2014_table2": tuple(
            {
                "standard_2x800": dict(test_accuracy=0.986),
                "dropout_3x1024": dict(test_accuracy=0.990),
                "dropout_maxnorm_3x1024": dict(test_accuracy=maxnorm),
            }
            for maxnorm in (0.992, 0.989, spread(0.9905, 0.002))
        ),
        "papers/srivastava2014_fig9": (
            fig9(),
            fig9({"p_1": 0.99}),
            fig9({"p_0.8": spread(0.984, 0.003)}),  # flat, or not: noise decides
        ),
    }
)


def bowl(**distances) -> dict:
    """The bowl lab: each variant's distance after 30 steps over the start's."""
    return {name: dict(distance=[1.0, d]) for name, d in distances.items()}


BOWL = dict(gd_too_small=0.7, gd_too_large=4.8, gd_usual=0.05)


def seeds_of(values) -> PerSeed:
    return PerSeed([[1.0, v] for v in values])


def histogram(**changes) -> dict:
    """The six initializations' layer-1 and layer-5 spreads and saturation, as the
    book draws them; changes: {variant: {metric: value}}."""
    spec = {
        "sigmoid_std_1": dict(std=[0.46, 0.44], saturated=[0.7, 0.75]),
        "sigmoid_std_0.01": dict(std=[0.025, 0.013], saturated=[0.0, 0.0]),
        "sigmoid_xavier": dict(std=[0.21, 0.13], saturated=[0.0, 0.0]),
        "relu_std_0.01": dict(std=[0.06, 1e-6], saturated=[1.0, 1.0]),
        "relu_xavier": dict(std=[0.6, 0.12], saturated=[0.7, 0.7]),
        "relu_he": dict(std=[0.83, 0.69], saturated=[0.75, 0.75]),
    }
    for name, numbers in changes.items():
        spec[name] = {**spec[name], **numbers}
    return spec


PARAMS = ("W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3")


def bn_check(batch=None, one=None) -> dict:
    """The batch-norm gradient check: batch_100 agrees to rounding, b1 and b2 get a
    gradient of 0; one_image has 9 gradients of 0 and β₂ on ReLU's kink."""
    batch_100, one_image = {}, {}
    for k in PARAMS:
        before = k in ("b1", "b2")
        batch_100.update(
            {
                f"absolute_{k}": 5e-11,
                f"numerical_{k}": 1e-5,  # saved, not judged
                f"autodiff_{k}": 1e-8 if before else 1e-11,
                f"largest_{k}": 1e-17 if before else 0.1,
                f"mean_{k}": 1e-11,
            }
        )
        one_image.update(
            {
                f"absolute_{k}": 0.1 if k == "beta2" else 0.0,
                f"numerical_{k}": 1.0 if k == "beta2" else 0.0,
                f"autodiff_{k}": 0.0,
                f"largest_{k}": 0.9 if k == "b3" else 0.0,
                f"mean_{k}": 0.05 if k == "beta2" else 1e-11,
            }
        )
    return {
        "batch_100": {**batch_100, **(batch or {})},
        "one_image": {**one_image, **(one or {})},
    }


CASES.update(
    {
        "DNN_gradient_descent": (
            bowl(**BOWL),
            bowl(**{**BOWL, "gd_too_large": 0.5}),  # it converged after all
            {**bowl(**BOWL), "gd_too_small": dict(distance=seeds_of([0.3, 0.5, 0.7]))},
        ),
        "DNN_formulas": (
            {},
            {"mse": dict(difference=1e-3)},  # ½Σ vs the mean, not converted
            {"cross_entropy": dict(clipped=PerSeed([15.0, 17.0, 19.0]))},
        ),
        "textbook/weight_init_activation_histogram": (
            histogram(),
            histogram(relu_he=dict(std=[0.83, 0.2])),  # He shrank too
            histogram(
                sigmoid_std_1=dict(saturated=PerSeed([[0, 0.3], [0, 0.5], [0, 0.7]]))
            ),
        ),
        "textbook/batch_norm_gradient_check": (
            bn_check(),
            bn_check(batch={"absolute_W1": 1e-6}),  # a backward gone wrong
            bn_check(one={"mean_beta2": PerSeed([0.0, 1e-3, 2e-3])}),
        ),
    }
)


def test_every_lab_has_its_cases():
    labs = [p.stem for p in LABS.glob("DNN_*.py")]
    labs += [f"textbook/{p.stem}" for p in LABS.glob("textbook/*.py")]
    labs += [f"papers/{p.stem}" for p in LABS.glob("papers/*.py")]
    assert sorted(CASES) == sorted(labs)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("case, verdict", [(0, HOLDS), (1, FAILS), (2, NOISE)])
def test_claim_follows_the_numbers(name, case, verdict):
    spec = {v: dict(n) for v, n in CASES[name][case].items()}
    defaults = {  # numbers every variant of these labs must have
        "DNN_activation": dict(grad_ratio=1.0, dead_units=0.0),
        "DNN_initializer": dict(activation_std=[1.0, 0.5]),
        "DNN_hyperparameter_search": dict(best_so_far=[0.9]),
        "DNN_cost_function": dict(sum_error=0.0),
        "DNN_gradient_descent": dict(
            distance=[1.0, 0.1],
            hand_vs_keras=1e-15,
            dtype="float64",
            fused=True,
            dnnlab_vs_formula=2e-7,
        ),
        "DNN_formulas": dict(
            difference=1e-16, dtype="float64", other=0.5, clipped=16.1
        ),
    }.get(name, {})
    module = lab_module(name)
    for variant in module.get("variants") or {"net": None}:
        spec[variant] = {**defaults, **spec.get(variant, {})}
    claim = module["claim"](results(name, spec))
    assert claim.verdict == verdict, "\n".join(claim.lines())
    assert claim.checks and all(c.numbers for c in claim.checks)
    # The prediction's answers follow the same verdict: the one the claim holding
    # implies matches only when it holds, the one its failing implies only when it
    # fails, and within noise only "the seeds cannot tell".
    asked = module["LAB"].prediction
    for answer, when in ((asked.holds, HOLDS), (asked.fails, FAILS)):
        said = asked.review(answer, claim)
        assert ("It matches." in said) == (verdict == when), said
    assert ("It matches." in asked.review(CANNOT_TELL, claim)) == (verdict == NOISE)


def test_the_table_counts_epochs_only_for_runs_counted_in_epochs():
    from dataclasses import replace

    from dnnlab.lab import table

    by_epoch = {"a": Seeds([fake(0, epochs=2)])}
    assert "epochs to 97%" in table(by_epoch, 0.97).head
    by_step = [replace(fake(0), config=Config(steps=100)) for _ in range(2)]
    shown = table({"a": Seeds(by_step)}, 0.97)
    assert shown.head == ["train acc", "test acc", "gap", "time"]
    assert shown.rows == {
        "a": ["90.00 ± 0.00 %", "90.00 ± 0.00 %", "0.00 ± 0.00 %", "1.0 ± 0.0s"]
    }


def test_one_table_is_shown_as_text_markdown_and_json():
    """The rows are data: each form shows the same cells, none is parsed back."""
    import json

    from dnnlab.lab import Table

    shown = Table(
        "variant",
        ["|x|", "time"],
        {"a": ["1 ± 0", "2.0s"], "b": ["3", "4.0s"]},
        {"a": "diverged at epoch 1", "b": ""},
    )
    text = shown.text().splitlines()
    assert text[0].split() == ["variant", "|x|", "time"]
    assert text[1].split() == [
        "a",
        "1",
        "±",
        "0",
        "2.0s",
        "diverged",
        "at",
        "epoch",
        "1",
    ]
    assert shown.markdown().splitlines() == [
        "| variant | \\|x\\| | time |",
        "|---|---|---|",
        "| a (diverged at epoch 1) | 1 ± 0 | 2.0s |",
        "| b | 3 | 4.0s |",
    ]
    assert Table(**json.loads(json.dumps(shown.to_dict()))) == shown


def test_a_claim_in_markdown_has_its_verdict_notes_and_every_check():
    claim = Claim(
        "a beats b",
        [above("a > b", [2, 2.1], [1, 1.1]), below("a < c", [2, 2.1], [2, 2.1])],
        ["flags changed epochs"],
    )
    assert claim.markdown(2).splitlines() == [
        "**Claim:** a beats b.",
        "",
        f"**Verdict: {NOISE}** (flags changed epochs), over 2 seeds (mean ± std):",
        "",
        "- a > b: 205.00 ± 7.07 % vs 105.00 ± 7.07 % — *holds*",
        f"- a < c: 205.00 ± 7.07 % vs 205.00 ± 7.07 % — *{NOISE}*",
    ]
    assert "over one seed:" in claim.markdown(1)


def test_the_search_claim_says_its_numbers_are_standard_errors():
    """Its checks show each mean ± its SE (with_se), and the header says so."""
    spec = {"manual": dict(best_so_far=[0.9]), **CASES["DNN_hyperparameter_search"][2]}
    claim = lab_module("DNN_hyperparameter_search")["claim"](
        results("DNN_hyperparameter_search", {v: dict(n) for v, n in spec.items()})
    )
    assert "over 3 seeds (mean ± SE):" in claim.markdown(3)


# --- no lab goes round the noise rule --------------------------------------------

CHECKS = {"above", "below", "about"}


def by_hand(source: str) -> list[str]:
    """Checks whose numbers a lab computed from means, or from seeds collapsed into
    one value by max/min (unless the check's text says it is about the best seed),
    and Stats of one value made by hand: numbers the noise rule cannot weigh."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        line = f"line {node.lineno}: {ast.unparse(node)[:80]}"
        if node.func.id == "Stat" and node.args:
            (values,) = node.args[:1]
            if isinstance(values, ast.Tuple) and len(values.elts) == 1:
                found.append(line)
        if node.func.id not in CHECKS or not node.args:
            continue
        text = ast.unparse(node.args[0])
        for arg in node.args[1:3]:
            for sub in ast.walk(arg):
                mean = isinstance(sub, ast.Attribute) and sub.attr == "mean"
                collapsed = (
                    isinstance(sub, ast.Call)
                    and getattr(sub.func, "id", "") in ("max", "min")
                    and "best" not in text
                )
                if mean or collapsed:
                    found.append(line)
    return found


def test_the_check_for_numbers_by_hand_finds_them():
    assert by_hand('below("flat", abs(a.mean - b.mean), 0.003)')
    assert by_hand('below("largest", Stat((max(x.values),)), 0.02)')
    assert by_hand('above("mean", max(a.values), 0.9)')
    assert not by_hand('above("best seed > 98.8 %", max(a.values), 0.988)')
    assert not by_hand('about("flat", err(0.4), err(0.8), 0.003)')


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_lab_judges_numbers_by_hand(name):
    assert by_hand((LABS / f"{name}.py").read_text()) == []


def test_the_learning_rate_labs_saved_results_still_hold():
    """'SGD at 10 diverges': its final loss is +inf, above every finite one."""
    from dnnlab.lab import load

    saved = LABS.parent / "docs" / "results" / "DNN_learning_rate.json"
    claim = lab_module("DNN_learning_rate")["claim"](load(saved))
    assert claim.verdict == HOLDS, "\n".join(claim.lines())
    assert "diverged" in claim.checks[0].numbers


def test_a_prediction_offers_one_answer_per_verdict():
    asked = Prediction("which?", ("a", "b", "c"), holds="a", fails="c")
    assert asked.options == ("a", "b", "c", CANNOT_TELL)
    assert asked.implies == {HOLDS: "a", FAILS: "c", NOISE: CANNOT_TELL}
    claim = Claim("a beats b", [above("a > b", [2, 2.1], [1, 1.1])])
    assert "No prediction was given. The verdict, holds, answers 'a'" in (
        asked.review("", claim)
    )
    assert "'b'. It does not match." in asked.review("b", claim)
    assert "not one of the choices" in asked.review("d", claim)
    assert "  ✓ a > b" in asked.review("a", claim)  # why: each check
    for bad in (("a", "a"), ("a", "z")):
        with pytest.raises(ValueError):
            Prediction("which?", ("a", "b"), *bad)
