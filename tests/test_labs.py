"""Every lab end to end in quick mode, in this process, once per session."""

import json
import os
import re
import sys

import pytest
from conftest import LABS, lab_module
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.util import tensor_util

from dnnlab import registry

sys.path.insert(0, str(LABS.parent / "scripts"))
from digest import spec  # noqa: E402  what a lab declares

NAMES = sorted(p.stem for p in LABS.glob("DNN_*.py"))
# `make test-jax` runs these tests again on Keras' JAX backend.
BACKEND = os.environ.get("KERAS_BACKEND", "tensorflow")
# Each lab's quick run: its own flags, from its LAB.
OWN = {lab.path: lab.declaration().quick for lab in registry.section("lecture")}


def extras(run, variant: str) -> dict:
    saved = json.loads((run.root / "results.json").read_text())
    return saved["variants"][variant][0]["extras"]


def sigmoid_gradient_vanishes_toward_the_input(run):
    numbers = extras(run, "net")
    assert numbers["sigmoid_ratio"] < 0.1 < numbers["grad_ratio"], numbers


def softmax_outputs_sum_to_one_and_both_formulations_learn(run):
    numbers = extras(run, "net")
    assert numbers["sum_error"] < 1e-5
    assert numbers["tape_accuracy"] > 0.6


def a_small_normal_shrinks_the_signal(run):
    std = extras(run, "normal_0.01")["activation_std"]
    assert len(std) == 5 and std[-1] < std[0] / 100
    assert (run.root / "activations.png").stat().st_size > 10_000


def dead_units_and_gradient_ratios_are_numbers(run):
    for variant in ("relu", "sigmoid", "elu"):
        numbers = extras(run, variant)
        assert 0 <= numbers["dead_units"] <= 1 and numbers["grad_ratio"] > 0


def search_tests_once_per_strategy_and_never_in_trials(run):
    for strategy in ("manual", "grid", "random", "bayesian"):
        folder = run.root / strategy / "seed-1"
        trials = sorted((folder / "trials").iterdir())
        assert len(trials) == 1
        for trial in trials:  # scored on validation only: test accuracy NaN
            result = json.loads((trial / "result.json").read_text())
            assert result["test_accuracy"] != result["test_accuracy"]
        best = json.loads((folder / "best" / "result.json").read_text())
        assert 0 <= best["test_accuracy"] <= 1  # tested once, on 600 images
        assert len(best["extras"]["best_so_far"]) == 1
    assert (run.root / "best_so_far.png").stat().st_size > 10_000


def compared_with_the_published_rows(run):
    assert "Srivastava et al. 2014's 3 × 1,024 dropout net (98.75 %)" in run.out
    assert "the Keras example mnist_mlp (98.40 %)" in run.out


def the_bowl_paths_agree_with_keras(run):
    tolerance = 1e-6 if BACKEND == "tensorflow" else 1e-5  # JAX: float32 variables
    for variant in lab_module("DNN_gradient_descent")["variants"]:
        numbers = extras(run, variant)
        assert numbers["hand_vs_keras"] <= tolerance, (variant, numbers)
        assert len(numbers["paths"]["Keras"]) == 31  # the start and 30 updates
    assert extras(run, "gd_too_large")["distance"][-1] > 1
    assert extras(run, "gd_too_small")["distance"][-1] > 0.5
    assert extras(run, "nesterov")["textbook_vs_keras"] > 0.1  # the book's form
    assert (run.root / "paths.png").stat().st_size > 10_000


def every_formula_is_what_keras_computes(run):
    tolerance = 1e-12 if BACKEND == "tensorflow" else 1e-6
    for variant in lab_module("DNN_formulas")["FORMULAS"]:
        numbers = extras(run, variant)
        assert numbers["difference"] <= tolerance, (variant, numbers)
        assert numbers.get("other", 1) > 1e-6, variant
    assert 16 < extras(run, "cross_entropy")["clipped"] < 16.2
    assert "½ Σₖ (yₖ − tₖ)², mean over the batch  vs  keras.losses" in run.out


def gradients_agree_and_keras_trains_the_same_net(run):
    numbers = extras(run, "net")
    assert max(numbers[f"autodiff_{k}"] for k in ("W1", "b1", "W2", "b2")) < 1e-10
    assert max(numbers[f"absolute_{k}"] for k in ("W1", "b1", "W2", "b2")) < 1e-9
    assert numbers["step_loss_difference"] < 1e-4
    assert (run.root / "hand_vs_keras.png").stat().st_size > 10_000


def figure(name):
    def check(run):
        assert (run.root / name).stat().st_size > 10_000

    return check


CHECKS = {  # what a lab's quick run must show beyond the shape
    "DNN_backprop": gradients_agree_and_keras_trains_the_same_net,
    "DNN_formulas": every_formula_is_what_keras_computes,
    "DNN_gradient_descent": the_bowl_paths_agree_with_keras,
    "DNN_deep_hidden_layer5": sigmoid_gradient_vanishes_toward_the_input,
    "DNN_softmax": softmax_outputs_sum_to_one_and_both_formulations_learn,
    "DNN_initializer": a_small_normal_shrinks_the_signal,
    "DNN_activation": dead_units_and_gradient_ratios_are_numbers,
    "DNN_hyperparameter_search": search_tests_once_per_strategy_and_never_in_trials,
    "DNN_learning_rate": figure("loss_by_iteration.png"),
    "DNN_optimizer": figure("loss_by_iteration.png"),
    "DNN_dropout": figure("train_vs_validation.png"),
    "DNN_best": compared_with_the_published_rows,
}


def test_every_lab_file_is_in_the_registry_once():
    files = sorted(str(p.relative_to(LABS))[:-3] for p in LABS.rglob("*.py"))
    assert sorted(lab.path for lab in registry.LABS) == files
    assert len(registry.BY_TARGET) == len(registry.LABS)  # one target each


def test_there_are_seventeen_labs():  # the lecture's 16 and the capstone
    assert len(NAMES) == 17


@pytest.mark.parametrize("name", NAMES)
def test_lab_runs_in_one_shape_and_ends_with_its_verdict(name, lab_run):
    run = lab_run(name, *OWN.get(name, ()))
    lines = run.out.splitlines()
    assert lines[0].startswith("dnnlab: backend "), lines[:3]  # its own first line
    columns = spec(LABS / f"{name}.py").get("columns")  # a lab that trains no net
    assert lines[1].startswith("Keras model of ") == (columns is None), lines[:3]
    heads = list(columns or ("train acc", "test acc", "gap"))
    header = rf"^{name}\s+" + r"\s+".join(map(re.escape, heads))
    assert re.search(header, run.out, re.M), run.out[-2000:]
    assert "tensorboard --logdir" not in run.out  # TensorBoard was off
    claim = next(i for i, line in enumerate(lines) if line.startswith("claim: "))
    assert lines[-1].startswith("verdict: "), lines[-3:]
    assert all(line.startswith("  ") for line in lines[claim + 1 : -1])
    assert "rests on one seed" in lines[-1]
    quick = registry.BY_PATH[name].declaration().quick_run()
    assert ("flags changed epochs, limit" in lines[-1]) == ("--limit" in quick)

    module = lab_module(name)
    variants = module.get("variants") or {"net": module["config"]}
    assert [d.name for d in run.variant_dirs()] == sorted(variants)
    saved = json.loads((run.root / "results.json").read_text())
    assert list(saved["variants"]) == list(variants)
    assert saved["claim"]["verdict"] in lines[-1]
    from dnnlab.lab import Table

    shown = Table(**saved["table"])  # the printed table, as data
    assert shown.text() in run.out and list(shown.rows) == list(variants)
    for runs in saved["variants"].values():
        (result,) = runs  # one seed
        assert isinstance(result["test_accuracy"], float)
        if columns is None:
            assert 0.0 <= result["train_accuracy"] <= 1.0
            assert all(
                isinstance(v, (int, float, list)) for v in result["extras"].values()
            )
    assert (run.root / "compare.png").is_file() == (columns is None)
    if columns is None:
        assert (run.root / "compare.png").stat().st_size > 10_000
    CHECKS.get(name, lambda run: None)(run)


@pytest.mark.skipif(
    BACKEND == "jax",
    reason="Keras' cross-entropy on JAX clips the probabilities: a rate too large "
    "stalls at a loss near 16 instead of reaching NaN",
)
def test_a_diverging_rate_is_reported_and_the_lab_goes_on(lab_run):
    run = lab_run(
        "DNN_learning_rate",
        "--learning-rate",
        "1e6",
        "--activation",
        "linear",
        "--variants",
        "sgd_0.1,adam_0.01",
    )
    rows = [
        line for line in run.out.splitlines() if line.startswith(("  sgd_", "  adam_"))
    ]
    assert len(rows) == 2 and "diverged at epoch 1" in rows[0], rows
    assert "in inference mode (the progress bar's: a\n  running mean" in run.out
    assert "not judged: it needs variant" in run.out  # two of nine variants ran


def test_seeds_give_one_folder_each_and_mean_and_spread(lab_run):
    run = lab_run("DNN_cost_function", "--seeds", "2")
    for variant in run.variant_dirs():
        assert sorted(p.name for p in variant.iterdir()) == ["seed-1", "seed-2"]
    row = next(line for line in run.out.splitlines() if line.startswith("  mse"))
    assert row.count("±") >= 3, row
    assert "rests on one seed" not in run.out.splitlines()[-1]


def tags(folder) -> set:
    acc = EventAccumulator(str(folder), size_guidance={"tensors": 0})
    acc.Reload()
    return acc


def test_tensorboard_lab_logs_histograms_batches_and_graph(lab_run):
    run = lab_run(
        "DNN_deep_hidden_layer5_tensorboard", "--tensorboard", "--limit", "6000"
    )
    assert f"tensorboard --logdir {run.root}" in run.out
    acc = tags(run.root / "relu" / "seed-1" / "train")
    names = set(acc.Tags()["tensors"])
    assert {f"activations/act_{i}" for i in range(1, 6)} <= names
    for weights in ("dense_1/kernel/histogram", "dense_5/bias/histogram"):
        assert any(name.endswith(weights) for name in names), sorted(names)
    assert {"batch_loss", "batch_learning_rate", "epoch_learning_rate"} <= names
    assert [e.step for e in acc.Tensors("batch_loss")] == [50]  # every 50 of 54
    layers = [f"dense_{i}" for i in range(1, 6)] + ["output"]
    assert {f"gradient_norm/{n}" for n in layers} <= names, sorted(names)
    assert {f"gradients/{n}" for n in layers} <= names
    sigmoid = tags(run.root / "sigmoid" / "seed-1" / "train")

    def ratio(events):  # first hidden layer's gradient norm over the last's, at init
        first, last = (
            events.Tensors(t)[0]
            for t in ("gradient_norm/dense_1", "gradient_norm/dense_5")
        )
        assert first.step == last.step == 0
        return float(tensor_util.make_ndarray(first.tensor_proto)) / float(
            tensor_util.make_ndarray(last.tensor_proto)
        )

    assert ratio(sigmoid) < ratio(acc), (ratio(sigmoid), ratio(acc))  # the slide
    assert "keras" in names  # the model graph
    validation = set(
        tags(run.root / "sigmoid" / "seed-1" / "validation").Tags()["tensors"]
    )
    assert "epoch_accuracy" in validation


def test_tensorboard_lab_writes_an_op_graph_and_hparams_sessions(lab_run):
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    run = lab_run(
        "DNN_deep_hidden_layer5_tensorboard", "--tensorboard", "--limit", "6000"
    )
    if BACKEND != "tensorflow":  # traced by TensorFlow: said in one line instead
        assert "dnnlab: no op graph in TensorBoard on JAX" in run.out
    for variant in ("relu", "sigmoid"):
        acc = tags(run.root / variant / "seed-1" / "train")
        if BACKEND == "tensorflow":
            assert acc.Tags()["graph"], variant  # the op graph, beside Keras' own
            graph = GraphDef.FromString(acc.Graph().SerializeToString())
            names = " ".join(node.name for node in graph.node)
            assert all(f"dense_{i}" in names for i in range(1, 6)), names[:500]
        session = tags(run.root / variant / "seed-1")
        content = session.PluginTagToContent("hparams")
        assert "_hparams_/session_start_info" in content
        assert "final/test_accuracy" in session.Tags()["tensors"]
        images = tags(run.root / variant / "seed-1" / "test")  # a run of its own
        assert {"confusion", "misclassified"} <= set(
            images.PluginTagToContent("images")
        )
        for png in ("confusion.png", "misclassified.png"):
            assert (run.root / variant / "seed-1" / png).stat().st_size > 10_000


@pytest.mark.slow
def test_tensorboard_serves_every_dashboard_of_a_lab(lab_run):
    """The real tensorboard on a lab's fresh logs, asked through its HTTP API for
    each dashboard the lab promises: scalars (epoch and batch), histograms and
    distributions, the op graph, HParams sessions, images."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    run = lab_run(
        "DNN_deep_hidden_layer5_tensorboard", "--tensorboard", "--limit", "6000"
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tensorboard.main",
            "--logdir",
            str(run.root),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/data"

    def get(path, body=None):
        request = urllib.request.Request(
            url + path,
            data=body and json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        return json.loads(urllib.request.urlopen(request, timeout=10).read())

    try:
        for _ in range(120):  # up to a minute to start
            try:
                graphs = get("/plugin/graphs/info")
                break
            except OSError:
                time.sleep(0.5)
        assert {r["run_graph"] for r in graphs.values()} == {True}, graphs
        assert len(graphs) == 2
        scalars = get("/plugin/scalars/tags")
        assert any("epoch_accuracy" in tags for tags in scalars.values())
        assert any("batch_loss" in tags for tags in scalars.values())
        assert any("gradient_norm/dense_1" in tags for tags in scalars.values())
        gradients = {f"gradient_norm/dense_{i}" for i in (1, 5)}
        for run_name, tags in scalars.items():  # the slide's picture, per run
            if gradients <= set(tags):
                ask = f"/plugin/scalars/scalars?run={run_name}&tag="
                first, last = (get(ask + t)[-1][2] for t in sorted(gradients))
                assert first > 0 and last > 0, (run_name, first, last)
        for plugin in ("histograms", "distributions"):  # weights and activations
            served = get(f"/plugin/{plugin}/tags")
            served = {tag for tags in served.values() for tag in tags}
            assert "activations/act_1" in served, (plugin, sorted(served)[:10])
            assert "gradients/dense_1" in served, (plugin, sorted(served)[:10])
            assert any(t.endswith("dense_1/kernel/histogram") for t in served)
        images = get("/plugin/images/tags")
        assert {"confusion", "misclassified"} <= {
            tag for tags in images.values() for tag in tags
        }, images
        experiment = get("/plugin/hparams/experiment", {"experimentName": ""})
        names = {h["name"] for h in experiment["hparamInfos"]}
        assert {"activation", "variant", "seed"} <= names, names
    finally:
        server.kill()
