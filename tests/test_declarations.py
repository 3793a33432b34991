"""A lab is data: every lab module ends with `LAB = Lab(...)` and `LAB.run()` under
`__main__`; importing all of them reads every declaration without training, loading
MNIST or Keras; and no tool patches run_lab, runs a lab file to learn what it
declares, or parses a lab's source (but the one reader of old commits' labs)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from dnnlab import Lab, registry

ROOT = Path(__file__).resolve().parent.parent
LEGACY = "legacy_digest.py"  # old commits' labs, for make stale: run_lab patched


def test_every_lab_reads_as_data_in_a_fresh_process_within_5_s():
    code = (
        "import sys, time\n"
        "start = time.perf_counter()\n"
        "from dnnlab import Lab, registry\n"
        "labs = [e.declaration() for e in registry.LABS]\n"
        "took = time.perf_counter() - start\n"
        "assert all(isinstance(lab, Lab) for lab in labs)\n"
        "loaded = [m for m in ('keras', 'tensorflow', 'jax') if m in sys.modules]\n"
        "print(len(labs), round(took, 2), loaded, 'dnnlab.data' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    fields = done.stdout.split()
    assert fields[0] == str(len(registry.LABS)) == "30"
    assert float(fields[1]) < 5, done.stdout
    assert done.stdout.strip().endswith("[] False"), done.stdout  # no Keras, no data


@pytest.mark.parametrize("entry", registry.LABS, ids=lambda e: e.path)
def test_each_lab_declares_its_text_and_ends_with_its_run(entry):
    lab = entry.declaration()
    assert isinstance(lab, Lab)
    assert lab.title and lab.description and lab.usage.startswith("python labs/")
    assert lab.slide or lab.book or lab.paper  # where it comes from
    assert entry.file.read_text().endswith(
        '\n\nif __name__ == "__main__":\n    LAB.run()\n'
    )
    assert '"""' not in entry.file.read_text().split("\n", 1)[0]  # no header docstring


def test_no_tool_patches_runs_or_parses_a_lab():
    found = []
    for path in sorted((ROOT / "scripts").glob("*.py")):
        for i, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"ast\.|monkeypatch|run_lab =|runpy|Title: ", line):
                found.append(f"{path.name}:{i}: {line.strip()}")
    assert all(f.startswith(LEGACY) for f in found), found
    assert any(f.startswith(LEGACY) for f in found)  # the one reader of the old form


MEASURING = {  # the labs that train no net: their flags, and whether they read MNIST
    "DNN_gradient_descent": (
        {"optimizer", "learning_rate", "steps", "adagrad_accumulator", "plain_keras"},
        False,
    ),
    "DNN_formulas": (set(), False),
    "textbook/weight_init_activation_histogram": (
        {"hidden_units", "activation", "initializer", "init_std"},
        False,
    ),
    "textbook/batch_norm_gradient_check": ({"batch_size"}, True),
}


def test_a_lab_that_trains_no_net_is_a_kind_of_its_own():
    got = {e.path: e.declaration() for e in registry.LABS}
    assert {path for path, lab in got.items() if not lab.net} == set(MEASURING)
    for path, (uses, mnist) in MEASURING.items():
        lab = got[path]
        assert set(lab.fields()) == uses | {"seed", "log_dir"} and lab.mnist == mnist
        assert lab.quick_run() == lab.quick  # no --limit, --epochs, --no-tensorboard
    with pytest.raises(ValueError, match="trains no net"):
        Lab(
            "t", "d", got["DNN_softmax"].variants, got["DNN_softmax"].claim, mnist=False
        )


@pytest.mark.parametrize("path", ["DNN_gradient_descent", "DNN_formulas"])
def test_the_bowl_and_the_formulas_run_without_mnist_and_refuse_a_net_flag(
    path, tmp_path, monkeypatch, capsys
):
    from conftest import run_lab

    from dnnlab import data
    from dnnlab.cli import parser

    lab = registry.BY_PATH[path].declaration()
    shown = parser(lab.variants, path, "", lab.fields()).format_help()
    for flag in ("--dropout", "--limit", "--epochs", "--tensorboard", "--hidden-units"):
        assert flag not in shown
    with pytest.raises(SystemExit) as bad:
        lab.run(argv=["--dropout", "0.5"])
    assert bad.value.code == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("unrecognized arguments: --dropout 0.5 (see --help)")
    )

    def no(*args, **kwargs):
        raise AssertionError("MNIST was read")

    monkeypatch.setattr(data, "load_mnist", no)
    monkeypatch.setattr(data, "prefetch", no)
    out, code = run_lab(path, tmp_path)
    assert code == 0 and out.splitlines()[-1].startswith("verdict: "), out[-2000:]
