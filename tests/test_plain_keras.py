"""--plain-keras: every lab on Keras as it comes (its own Adam, fit loop, validation
and callbacks), none of dnnlab's speed-ups (dnnlab/speedups.py), the same losses."""

import math

import pytest
from conftest import run_lab

from dnnlab import Config, registry, train
from dnnlab.backend import keras
from dnnlab.speedups import Evaluate, FusedAdam

# Every lab whose flags have --plain-keras: the nets, and the bowl's optimizers.
QUICK = {
    lab.path: lab.declaration().quick_run()
    for lab in registry.LABS
    if lab.declaration().fields() is None or "plain_keras" in lab.declaration().fields()
}


@pytest.fixture
def fits(monkeypatch):
    """What each keras.Model.fit of a run was handed."""
    seen = []
    real = keras.Model.fit

    def fit(model, *args, callbacks=None, **kwargs):
        seen.append(
            dict(
                optimizer=type(model.optimizer),
                replaced=getattr(
                    getattr(model, "train_function", None), "__module__", ""
                ).startswith("dnnlab"),
                callbacks=[type(c) for c in callbacks or []],
            )
        )
        return real(model, *args, callbacks=callbacks, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", fit)
    return seen


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(QUICK))
def test_every_lab_runs_on_plain_keras(name, fits, mnist, tmp_path):
    out, code = run_lab(name, tmp_path, *QUICK[name], "--plain-keras")
    assert code == 0, out[-3000:]
    assert out.splitlines()[-1].startswith("verdict: "), out[-1000:]
    for fit in fits:
        assert fit["optimizer"] is not FusedAdam  # Keras' Adam where a lab uses Adam
        assert not fit["replaced"]  # Keras' own train function
        assert Evaluate not in fit["callbacks"]  # Keras' own validation


def test_plain_keras_uses_keras_adam_and_keras_validation(fits, mnist, tmp_path):
    config = Config(hidden_units=(32,), optimizer="adam", limit=600, epochs=2)
    r = train(config.replace(plain_keras=True), mnist, run_dir=tmp_path, verbose=0)
    (fit,) = fits
    assert fit["optimizer"] is keras.optimizers.Adam
    assert Evaluate not in fit["callbacks"] and not fit["replaced"]
    assert len(r.history["val_accuracy"]) == 2  # from Keras' own validation


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_both_paths_give_the_same_losses_step_by_step(optimizer, mnist, tmp_path):
    """The first 20 per-step losses of dnnlab's path (fused Adam, JAX's scanned
    steps, its own validation) and plain Keras' agree to rtol 1e-4."""
    config = Config(
        hidden_units=(64, 64),
        optimizer=optimizer,
        learning_rate=0.01,
        steps=20,
        trace_every=1,
        validation_split=0,
        tensorboard=False,
        checkpoint=False,
        deterministic=True,
    )
    fast = train(config, mnist, run_dir=tmp_path / "fast", verbose=0)
    plain = train(
        config.replace(plain_keras=True), mnist, run_dir=tmp_path / "plain", verbose=0
    )
    assert [s for s, _ in fast.trace] == list(range(1, 21))
    assert [s for s, _ in plain.trace] == list(range(1, 21))
    for (_, a), (_, b) in zip(fast.trace, plain.trace, strict=True):
        assert math.isclose(a, b, rel_tol=1e-4), (a, b)
