"""The textbook's chapter-6 labs end to end in quick mode, and the Config options
their set-ups need (steps, a loss per iteration, learning curves, AdaGrad's start)."""

import json

import pytest
from conftest import LABS

from dnnlab import Config, registry, train

# Each lab's own flags for a quick run, beside --limit 600 --epochs 1.
QUICK = {lab.path: lab.declaration().quick for lab in registry.section("textbook")}


OWN_TABLE = ("weight_init_activation_histogram", "batch_norm_gradient_check")


def test_every_textbook_lab_has_a_quick_run():
    assert sorted(QUICK) == sorted(
        f"textbook/{p.stem}" for p in LABS.glob("textbook/*.py")
    )


@pytest.mark.parametrize("name", sorted(QUICK))
def test_textbook_lab_runs_and_ends_with_its_verdict(name, lab_run):
    run = lab_run(name, *QUICK[name])
    lines = run.out.splitlines()
    assert lines[0].startswith("dnnlab: backend "), lines[:3]
    assert lines[-1].startswith("verdict: "), lines[-3:]
    saved = json.loads((run.root / "results.json").read_text())
    pngs = sorted(p.name for p in run.root.glob("*.png"))
    net = not name.endswith(OWN_TABLE)  # a net's learning curves, in compare.png
    assert ("compare.png" in pngs) == net, pngs
    assert len(pngs) >= 1 + net, pngs  # the book's figure too
    for png in pngs:
        assert (run.root / png).stat().st_size > 10_000, png
    first = next(iter(saved["variants"].values()))[0]
    if "--steps" in QUICK[name]:  # a loss at every one of exactly 30 iterations
        assert [step for step, _ in first["trace"]] == list(range(1, 31))
    if name.endswith(("batch_norm_test", "overfit_weight_decay", "overfit_dropout")):
        for key in ("inference_accuracy", "test_accuracy"):
            assert len(first["history"][key]) == 2, key  # one per epoch
    if name.endswith("batch_norm_test"):
        assert "not judged" in run.out  # two of 32 variants
    if name.endswith("weight_init_activation_histogram"):
        for variant in saved["variants"].values():
            numbers = variant[0]["extras"]
            assert len(numbers["histograms"]) == 5
            assert all(len(h) == 30 for h in numbers["histograms"])
            assert all(sum(h) <= 100 * 1000 for h in numbers["histograms"])
        he = saved["variants"]["relu_he"][0]["extras"]["kernel_std"]
        assert all(abs(s - (2 / 100) ** 0.5) < 0.01 for s in he), he  # He: √(2/n)
    if name.endswith("batch_norm_gradient_check"):
        numbers = saved["variants"]["batch_100"][0]["extras"]  # 20 images here
        params = ("W1", "b1", "gamma1", "beta1", "W2", "gamma2", "beta2", "W3", "b3")
        assert max(numbers[f"absolute_{k}"] for k in params) < 1e-9, numbers
        skip = ("b1", "b2")  # before batch norm: a gradient of 0, rounding apart
        assert max(numbers[f"autodiff_{k}"] for k in params if k not in skip) < 1e-10
        assert max(numbers[f"largest_{k}"] for k in skip) < 1e-12
    if name.endswith("hyperparameter_optimization"):
        assert len(first["extras"]["trials"]) == 2
        assert first["test_accuracy"] == first["test_accuracy"]  # the best, tested once


def quick(**changes) -> Config:
    base = dict(
        hidden_units=(32,),
        limit=600,
        tensorboard=False,
        validation_split=0,
        checkpoint=False,
    )
    return Config(**{**base, **changes})


def test_steps_train_exactly_that_many_iterations_across_passes(mnist, tmp_path):
    # 600 images in batches of 100: 6 per pass; 15 steps cross two pass boundaries.
    r = train(quick(steps=15, trace_every=1, batch_size=100), mnist, run_dir=tmp_path)
    assert [s for s, _ in r.trace] == list(range(1, 16))
    assert int(r.model.optimizer.iterations) == 15
    assert len(r.history["loss"]) == 1 and not list(tmp_path.glob("*checkpoint*"))


def test_curves_measure_training_and_test_accuracy_after_every_epoch(mnist, tmp_path):
    r = train(quick(epochs=2, curves=True, dropout=0.5), mnist, run_dir=tmp_path)
    curves = r.history["inference_accuracy"]
    assert len(curves) == 2 and len(r.history["test_accuracy"]) == 2
    # the last point is the model at the end, as Keras' own evaluate measures it
    from dnnlab.data import one_hot

    (x, y), _ = mnist.split(0, 600)
    _, train_acc = r.model.evaluate(x, one_hot(y), verbose=0)
    _, test_acc = r.model.evaluate(mnist.x_test, one_hot(mnist.y_test), verbose=0)
    assert curves[-1] == pytest.approx(train_acc, abs=1e-6) == r.train_accuracy
    assert r.history["test_accuracy"][-1] == pytest.approx(test_acc, abs=1e-6)
    assert len(r.history["test_loss"]) == len(r.history["inference_loss"]) == 2


def test_adagrad_starts_its_accumulator_where_asked():
    from dnnlab.model import optimizer

    book = optimizer(Config(optimizer="adagrad", adagrad_accumulator=0.0))
    assert book.initial_accumulator_value == 0.0
    assert optimizer(Config(optimizer="adagrad")).initial_accumulator_value == 0.1


def test_steps_are_exact_when_executions_do_not_divide_them(mnist, tmp_path):
    # Keras runs whole executions of trace_every steps from an endless stream: 15
    # steps in executions of 4 must stop at 15, not 16.
    r = train(quick(steps=15, trace_every=4), mnist, run_dir=tmp_path)
    assert int(r.model.optimizer.iterations) == 15
    assert [s for s, _ in r.trace] == [4, 8, 12, 15]
