"""RESULTS.md is rendered from the labs' saved numbers by their own claims: no
training, and the page says what the numbers say."""

import json
import sys
from pathlib import Path

import pytest
from test_claims import CASES, PerSeed, fake

sys.path.insert(0, str(Path(__file__).parent.parent / "scripts"))
import places  # noqa: E402
import render  # noqa: E402
import results  # noqa: E402
import staleness  # noqa: E402

LAB = "DNN_cost_function"


@pytest.fixture
def docs(tmp_path, monkeypatch):
    for name in ("SAVED", "FIGURES"):
        monkeypatch.setattr(places, name, tmp_path / name.lower())
        (tmp_path / name.lower()).mkdir()
    monkeypatch.setattr(places, "PAGE", tmp_path / "RESULTS.md")
    readme = tmp_path / "README.md"
    readme.write_text(
        f"top\n{results.README_START}\nSTALE-ROW\n{results.README_END}\nend\n"
    )
    monkeypatch.setattr(places, "README", readme)
    return tmp_path


def save(docs: Path, case: int) -> None:
    variants = {}
    for variant, numbers in CASES[LAB][case].items():
        numbers = {"sum_error": 0.0, **numbers}
        variants[variant] = [
            fake(
                k + 1,
                **{
                    m: v[k] if isinstance(v, PerSeed) else v for m, v in numbers.items()
                },
            ).to_dict()
            for k in range(3)
        ]
    saved = {
        "lab": LAB,
        "seeds": 3,
        "target": 0.95,
        "changed": {},
        "versions": {"machine": "x86_64", "keras": "3", "tensorflow": "2"},
        "variants": variants,
        "wall": 60.0,
        "command": "python labs/x.py",
        "date": "2026-11-28",
        "code": "0",
    }
    (docs / "saved" / f"{LAB}.json").write_text(json.dumps(saved))
    (docs / "figures" / f"{LAB}__compare.png").write_bytes(b"png")


@pytest.mark.parametrize(
    "case, verdict", [(0, "holds"), (1, "does not hold"), (2, "within seed noise")]
)
def test_the_page_carries_the_claims_verdict(docs, case, verdict):
    save(docs, case)
    results.render([LAB], figures=False)
    page = (docs / "RESULTS.md").read_text()
    assert f"**Verdict: {verdict}**" in page and "over 3 seeds" in page
    assert (
        "![DNN_cost_function__compare](docs/figures/DNN_cost_function__compare.png)"
        in page
    )
    assert "| cross_entropy | " in page  # the table, from the saved numbers
    readme = (docs / "README.md").read_text()
    assert (
        readme.startswith("top\n")
        and readme.endswith("end\n")
        and "STALE-ROW" not in readme
    )
    assert "`make lab-cost`" in readme


def test_saved_results_of_the_same_bytes_and_command_are_fresh(docs):
    save(docs, 0)
    path = docs / "saved" / f"{LAB}.json"
    saved = json.loads(path.read_text())
    command = "python " + " ".join(results.command(LAB, 3))
    path.write_text(
        json.dumps({**saved, "command": command, "code": results.code_hash(LAB)})
    )
    assert results.staleness([LAB])[LAB] == (
        False,
        "the same bytes as the code that made them",
    )
    path.write_text(json.dumps({**saved, "code": results.code_hash(LAB)}))
    assert results.staleness([LAB])[LAB] == (True, "its command changed")
    path.unlink()
    assert results.staleness([LAB])[LAB] == (True, "no saved results")


def test_saved_results_without_a_commit_find_it_by_their_code_hash():
    if results.git("rev-parse", "--is-shallow-repository") == "true":
        pytest.skip("a shallow clone lacks the commits that made the saved results")
    real = results.ROOT / "docs" / "results" / f"{LAB}.json"
    saved = json.loads(real.read_text())
    recorded = saved.pop("commit")
    assert staleness.made_by(LAB, saved) == recorded
    assert results.code_hash(LAB, recorded) == saved["code"]
    assert staleness.made_by(LAB, {**saved, "code": "0" * 16}) is None


def test_figures_are_drawn_from_the_saved_numbers_by_the_figures_code(docs):
    lab = "DNN_optimizer"  # the compare figure and the lab's own
    real = results.ROOT / "docs" / "results" / "DNN_optimizer.json"
    (docs / "saved" / "DNN_optimizer.json").write_text(real.read_text())
    (docs / "figures" / "DNN_optimizer__old.png").write_bytes(b"png")
    render.draw(lab)
    drawn = sorted(p.name for p in (docs / "figures").iterdir())
    assert drawn == [
        "DNN_optimizer__compare.png",
        "DNN_optimizer__loss_by_iteration.png",
    ]
    assert all((docs / "figures" / p).stat().st_size > 10_000 for p in drawn)


def test_every_lab_has_a_make_target():
    import subprocess

    assert sorted(results.LABS) == sorted(
        p.stem for p in (results.ROOT / "labs").glob("DNN_*.py")
    )
    book = (results.ROOT / "labs" / "textbook").glob("*.py")
    assert sorted(results.BOOK) == sorted(f"textbook/{p.stem}" for p in book)
    done = subprocess.run(  # what make would run, for every target at once
        ["make", "-s", "-n", *results.TARGETS.values()],
        cwd=results.ROOT,
        capture_output=True,
        text=True,
    )
    ran = [line for line in done.stdout.splitlines() if "registry.py run " in line]
    assert [line.split()[-1] for line in ran] == list(results.TARGETS.values()), done
    for lab in results.TARGETS:
        assert (results.ROOT / "labs" / f"{lab}.py").is_file()


def test_the_textbook_labs_get_their_own_section_with_what_the_book_shows(docs):
    lab = "textbook/overfit_dropout"
    variants = {
        name: [fake(k + 1, **numbers).to_dict() for k in range(3)]
        for name, numbers in CASES[lab][0].items()
    }
    save(docs, 0)
    saved = json.loads((docs / "saved" / f"{LAB}.json").read_text())
    saved.update(lab="overfit_dropout", variants=variants)
    (docs / "saved" / "overfit_dropout.json").write_text(json.dumps(saved))
    results.render([LAB, lab], figures=False)
    page = (docs / "RESULTS.md").read_text()
    lecture, book = page.split("# The textbook, side by side")
    assert "## 1. " in lecture and "## 2. Dropout against overfitting" in book
    assert "**The book:** Deep Learning from Scratch (Saito), §6.4.3" in book
    assert "| 2 | dropout narrows the gap" in book and "`make book-dropout`" in book


# --- staleness by behaviour, in a clone of this tree ------------------------------


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """A clone of this repository with this working tree's files on top; its
    saved results name commits of the clone's history."""
    import shutil
    import subprocess

    root = results.ROOT
    if results.git("rev-parse", "--is-shallow-repository") == "true":
        pytest.skip("a shallow clone lacks the commits that made the saved results")
    path = tmp_path_factory.mktemp("clone") / "dnnlab"
    subprocess.run(["git", "clone", "-q", str(root), str(path)], check=True)
    files = results.git("ls-files", "-co", "--exclude-standard").splitlines()
    for f in files:
        if (root / f).is_file():
            (path / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / f, path / f)
    return path


# The labs these tests probe: every kind (a lecture lab, a paper's and a textbook's
# own fit, a search), the ones the edits below must hit and spare. All 25 took
# over 600 s on 2 cores without AVX-512 beside the other test worker (5 min alone).
PROBED = (
    "DNN_softmax",
    "DNN_deep_hidden_layer3",
    "DNN_batch_normalization",
    "textbook/batch_norm_test",
    "textbook/hyperparameter_optimization",
    "papers/kingma2015_fig2",
    "papers/ioffe2015_fig1",
)


def listed(clone: Path, edit: tuple[str, str, str]) -> tuple[set, dict]:
    """The labs `results.py --stale` lists after one edit (file, old, new), and the
    working tree's probe (what each lab trained); the edit is undone after."""
    import subprocess

    file, old, new = edit
    path = clone / file
    before = path.read_text()
    assert before.count(old) == 1, f"{old!r} is not once in {file}"
    path.write_text(before.replace(old, new))
    try:
        done = subprocess.run(
            [sys.executable, "scripts/results.py", "--stale", *PROBED],
            cwd=clone,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        path.write_text(before)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert len(lines) == len(PROBED), done.stdout
    stale = {line.split()[1].rstrip(":") for line in lines if line.startswith("stale")}
    probe = json.loads((clone / ".cache/digests/working-tree.json").read_text())
    return stale, probe


def uses(probe: dict, lab: str, check) -> bool:
    return any(check(config) for config in probe[lab]["trained"])


@pytest.mark.slow
@pytest.mark.xdist_group("clone")  # one clone, its commit probed once
def test_a_comment_only_edit_stales_no_lab(clone):
    stale, probe = listed(
        clone, ("dnnlab/evaluation.py", "EVAL_CHUNK = 10_000", "EVAL_CHUNK = 10_000  #")
    )
    assert stale == set()
    assert set(probe) == set(PROBED)  # every lab was probed, not skipped


EDITS = {  # an edit, what a lab's trained config must have to be hit, two labs
    # that must be hit and one that must not (so that the test sees something)
    "a new batch-norm default": (
        (
            "dnnlab/config.py",
            "bn_momentum: float = _field(\n        0.9,",
            "bn_momentum: float = _field(\n        0.8,",
        ),
        lambda c: c["batch_norm"] != "off" and c["bn_momentum"] == 0.8,
        {"DNN_batch_normalization"},
        "textbook/batch_norm_test",  # sets its own momentum
    ),
    "another Adam epsilon": (
        (
            "dnnlab/speedups.py",
            "epsilon=tf.cast(self.epsilon, dtype)",
            "epsilon=tf.cast(2 * self.epsilon, dtype)",
        ),
        lambda c: c["optimizer"] == "adam",
        {"DNN_deep_hidden_layer3", "papers/kingma2015_fig2"},
        "DNN_softmax",
    ),
}


@pytest.mark.slow
@pytest.mark.xdist_group("clone")  # one clone, its commit probed once
@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edit_stales_exactly_the_labs_whose_configs_it_touches(clone, edit):
    change, touches, hit, spared = EDITS[edit]
    stale, probe = listed(clone, change)
    expected = {lab for lab in probe if uses(probe, lab, touches)}
    assert hit <= expected
    assert spared not in expected
    assert stale == expected
