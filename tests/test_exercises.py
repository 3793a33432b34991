"""The exercises: the reference passes every check, the student's version fails
every one with "not implemented", and each planted mistake (a mutation of the
reference's source) fails its own function's check and no other; the notebooks run
in a kernel, filled in with the reference (slow set; make test-jax runs them on JAX)."""

import inspect
import subprocess
import sys
import types

import nbformat
import pytest
from conftest import LABS

from dnnlab import exercises as ex
from dnnlab import scratch

sys.path.insert(0, str(LABS.parent / "scripts"))
import make_exercises as make  # noqa: E402

import notebooks  # noqa: E402

SOURCE = inspect.getsource(scratch)


def module(source: str) -> types.ModuleType:
    m = types.ModuleType("student")
    exec(compile(source, "student.py", "exec"), m.__dict__)  # noqa: S102
    return m


def failed(source: str) -> dict[str, str]:
    return {v.name: v.message for v in ex.verify_all(module(source)) if not v.ok}


def test_the_reference_passes_every_check():
    verdicts = ex.verify_all(scratch)
    assert [v.name for v in verdicts] == list(ex.EXERCISES)
    assert set(ex.TABLE) == set(ex.EXERCISES)  # a check for each, none for a tool
    assert len(verdicts) == 22
    assert all(v.ok for v in verdicts), [str(v) for v in verdicts if not v.ok]
    assert all("the reference" in v.message for v in verdicts)


def test_the_student_version_fails_every_check_as_not_implemented():
    source = make.student(SOURCE)
    assert "# solution\n" not in source
    assert source.count("raise NotImplementedError\n") == 22
    assert failed(source) == dict.fromkeys(ex.EXERCISES, "not implemented")


# function: (the reference's text, the mistake): each occurs once in its function.
MUTATIONS = {
    "bias forgotten": ("affine_forward", "out = x @ W + b", "out = x @ W"),
    "transposed weight": ("affine_backward", "dW = x.T @ dout", "dW = dout.T @ x"),
    "relu kept the negatives": ("relu_forward", "np.maximum(0, x)", "np.minimum(0, x)"),
    "dout forgotten": ("relu_backward", "dx = dout * (x > 0)", "dx = 1.0 * (x > 0)"),
    "e^x for e^-x": ("sigmoid_forward", "np.exp(-x)", "np.exp(x)"),
    "wrong sign in a backward": ("sigmoid_backward", "y * (1 - y)", "y * (y - 1)"),
    "softmax not shifted": (
        "softmax",
        "np.exp(x - x.max(axis=1, keepdims=True))",
        "np.exp(x)",
    ),
    "log of softmax": (
        "softmax_cross_entropy",
        "cost = -np.sum(t * log_y) / n",
        "cost = -np.sum(t * np.log(np.exp(log_y))) / n",
    ),
    "gradient not over N": (
        "softmax_cross_entropy",
        "dscores = (np.exp(log_y) - t) / n",
        "dscores = np.exp(log_y) - t",
    ),
    "missing ½": ("mse", "cost = 0.5 * np.sum(", "cost = np.sum("),
    "unbiased variance": (
        "batchnorm_forward",
        "x.var(axis=0)",
        "x.var(axis=0, ddof=1)",
    ),
    "ε outside the root in batch norm": (
        "batchnorm_forward",
        "np.sqrt(var + eps)",
        "(np.sqrt(var) + eps)",
    ),
    "γ counted twice in batch norm's dx (the docstring before issue 38)": (
        "batchnorm_backward",
        "/ np.sqrt(var + eps)",
        "* gamma / np.sqrt(var + eps)",
    ),
    "batch norm's backward forgets the mean's gradient": (
        "batchnorm_backward",
        "n * dxhat - dxhat.sum(axis=0) - xhat",
        "n * dxhat - xhat",
    ),
    "the batch's mean at inference": (
        "batchnorm_inference",
        "(x - mean)",
        "(x - x.mean(axis=0))",
    ),
    "dropout without its scaling": (
        "dropout_forward",
        "x * mask / (1 - p)",
        "x * mask",
    ),
    "dropout's backward ignores the mask": (
        "dropout_backward",
        "dout * mask / (1 - p)",
        "dout / (1 - p)",
    ),
    "x not put back": (
        "numerical_gradient",
        "        x[i] = keep\n        grad[i]",
        "        grad[i]",
    ),
    "a forward difference": (
        "numerical_gradient",
        "x[i] = keep - h\n        down = f()",
        "x[i] = keep\n        down = f()\n        h = h / 2",
    ),
    "uphill": ("sgd", "w = w - lr * dw", "w = w + lr * dw"),
    "Momentum with the velocity's sign flipped": ("momentum", "w = w + v", "w = w - v"),
    "Nesterov as plain Momentum": ("nesterov", "w = w + mu * v - lr * dw", "w = w + v"),
    "ε outside the root in AdaGrad (the textbook's)": (
        "adagrad",
        "np.sqrt(h + eps)",
        "(np.sqrt(h) + eps)",
    ),
    "RMSProp without 1 − ρ": ("rmsprop", "(1 - rho) * dw**2", "dw**2"),
    "ε inside instead of outside the root": (
        "adam",
        "(np.sqrt(v) + eps)",
        "np.sqrt(v + eps)",
    ),
    "Adam without its bias correction": (
        "adam",
        "alpha = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)",
        "alpha = lr",
    ),
    "ReLU's backward skipped in the net": (
        "two_layer_loss",
        "dh = relu_backward(da, cache_relu)",
        "dh = da",
    ),
}


def mutate(function: str, old: str, new: str) -> str:
    """The reference with one edit inside one function's marked body."""
    start = SOURCE.index(f"\ndef {function}(")
    end = SOURCE.index("# end solution", start)
    body = SOURCE[start:end]
    assert body.count(old) == 1, (function, old)
    return SOURCE[:start] + body.replace(old, new) + SOURCE[end:]


def test_every_function_has_a_planted_mistake():
    assert {f for f, _, _ in MUTATIONS.values()} == set(ex.EXERCISES)


@pytest.mark.parametrize("mistake", MUTATIONS)
def test_a_planted_mistake_fails_its_own_check_only(mistake):
    function, old, new = MUTATIONS[mistake]
    wrong = failed(mutate(function, old, new))
    assert list(wrong) == [function], wrong
    assert wrong[function] != "not implemented"


def test_a_verdict_says_what_is_wrong_where_and_by_how_much():
    wrong = failed(mutate(*MUTATIONS["transposed weight"]))
    assert wrong["affine_backward"] == (
        "dW has shape (3, 5), expected (5, 3) (transposed)"
    )
    wrong = failed(mutate(*MUTATIONS["wrong sign in a backward"]))
    message = wrong["sigmoid_backward"]
    assert message.startswith("dx vs central differences: rel error 1 at [")
    assert message.endswith(" (the sign flipped)")
    values = message.split(": expected ")[1].removesuffix(" (the sign flipped)")
    expected, got = (float(v) for v in values.split(", got "))
    assert got == pytest.approx(-expected)
    assert "flipped" not in failed(mutate(*MUTATIONS["missing ½"]))["mse"]
    wrong = failed(mutate(*MUTATIONS["x not put back"]))
    assert wrong["numerical_gradient"].startswith("x is not put back: x[0, 0] is ")
    wrong = failed(mutate(*MUTATIONS["softmax not shifted"]))
    assert wrong["softmax"] == "y is nan at [0, 0], expected finite"
    wrong = failed(mutate("affine_forward", "out = x @ W + b", "out = x @ W.T + b"))
    assert wrong["affine_forward"].startswith("raised ValueError: ")
    assert wrong["affine_forward"].endswith(")") and "(line " in wrong["affine_forward"]


def test_a_function_is_checked_alone():
    """Its calls go to the reference: the net's check passes with a wrong layer."""
    student = module(mutate(*MUTATIONS["transposed weight"]))
    assert ex.verify(student.two_layer_loss).ok
    params, x, t = ex.net_case().inputs.values()
    _, grads = student.two_layer_loss(params, x, t)  # as the file runs it: wrong
    assert grads["W1"].shape == params["W1"].shape[::-1]


def test_a_mistake_patched_into_the_reference_module_is_checked_not_believed(
    monkeypatch,
):
    right = scratch.affine_backward

    def wrong(dout, cache):
        dx, dW, db = right(dout, cache)
        return dx, -dW, db

    monkeypatch.setattr(scratch, "affine_backward", wrong)
    verdicts = [v for v in ex.verify_all(scratch) if not v.ok]
    assert [v.name for v in verdicts] == ["affine_backward"]
    assert verdicts[0].message.startswith("dW vs central differences: rel error 1 ")


def test_the_terminal_check_prints_a_line_per_function(tmp_path, capsys):
    make.write(tmp_path)
    assert ex.main([str(tmp_path / "scratch.py")]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 24 and lines[-1] == "0 of 22 pass; your net: FAIL"
    assert lines[0] == "FAIL  affine_forward: not implemented"
    assert lines[-2] == (
        "FAIL  your net, your layers: not run yet: a function it calls is not "
        "implemented"
    )
    assert ex.main([inspect.getfile(scratch)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2].startswith("pass  your net, your layers: ")
    assert lines[-1] == "22 of 22 pass; your net: pass"


def student_file(tmp_path, source: str):
    path = tmp_path / "scratch.py"
    path.write_text(source)
    return str(path)


def test_a_wrong_layer_fails_the_own_net_line_while_the_nets_own_check_passes(
    tmp_path, capsys
):
    wrong = mutate(*MUTATIONS["transposed weight"])
    assert ex.main([student_file(tmp_path, wrong)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert "pass  two_layer_loss: matches " in "\n".join(lines)
    assert lines[-2] == (
        "FAIL  your net, your layers: dW1 has shape (5, 6), expected (6, 5) "
        "(transposed) (affine_backward failed its own check)"
    )
    assert lines[-1] == "21 of 22 pass; your net: FAIL"


def test_a_sum_for_a_mean_names_the_factor():
    wrong = failed(
        mutate(
            "softmax_cross_entropy",
            "cost = -np.sum(t * log_y) / n",
            "cost = -np.sum(t * log_y)",
        )
    )
    assert wrong["softmax_cross_entropy"].startswith("the cost vs the reference: ")
    assert wrong["softmax_cross_entropy"].endswith(
        " (×4 = N: a sum over the batch instead of a mean?)"
    )
    wrong = failed(
        mutate(
            "mse",
            "cost = 0.5 * np.sum((y - t) ** 2) / n",
            "cost = 0.5 * np.mean((y - t) ** 2)",
        )
    )
    assert (
        "(×1/3 = 1/C: a mean over all N·C numbers instead of the N rows?)"
        in wrong["mse"]
    )
    assert wrong["mse"].startswith("the cost vs the reference: ")
    wrong = failed(mutate(*MUTATIONS["missing ½"]))
    assert wrong["mse"].endswith(" (×2: a ½ left out?)")


def test_momentum_in_the_other_sign_convention_names_v_and_says_w_is_right():
    other = mutate(
        "momentum",
        "v = mu * v - lr * dw\n    w = w + v",
        "v = mu * v + lr * dw\n    w = w - v",
    )
    assert failed(other)["momentum"] == (
        "w is right, but v has the other sign after step 1: the docstring's "
        "convention is v ← μ·v − η·dw"
    )
    wrong = failed(
        mutate("adam", "m = beta1 * m + (1 - beta1) * dw", "m = beta1 * m + dw")
    )
    assert wrong["adam"].startswith("m after step 1 vs the reference: ")


def test_numerical_gradient_calling_f_with_x_is_told_f_takes_no_argument():
    wrong = failed(mutate("numerical_gradient", "up = f()", "up = f(x)"))
    assert wrong["numerical_gradient"] == (
        "f takes no argument: x is changed in place (call f(), not f(x))"
    )


ENDLESS = ("sgd", "w = w - lr * dw", "while True:\n        pass")


def test_an_endless_loop_is_a_verdict_within_its_time_limit():
    student = module(mutate(*ENDLESS))
    verdict = ex.verify(student.sgd, seconds=1)
    assert str(verdict) == "FAIL  sgd: no answer in 1 s (an endless loop?)"
    swallow = mutate(
        "sgd",
        "w = w - lr * dw",
        "while True:\n        try:\n            pass\n"
        "        except Exception:\n            pass",
    )
    assert not ex.verify(module(swallow).sgd, seconds=1).ok


def test_the_time_limit_holds_outside_the_main_thread_too():
    """There no SIGALRM: the limit looks at the clock on every line instead."""
    import threading

    student, out = module(mutate(*ENDLESS)), []
    worker = threading.Thread(
        target=lambda: out.append(ex.verify(student.sgd, seconds=1))
    )
    worker.start()
    worker.join(timeout=30)
    assert [str(v) for v in out] == ["FAIL  sgd: no answer in 1 s (an endless loop?)"]


def test_a_check_cell_prints_each_line_as_it_is_known(capsys):
    student = module(mutate(*ENDLESS))
    ex.check(student.affine_forward, student.sgd, seconds=1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("pass  affine_forward")
    assert lines[1] == "FAIL  sgd: no answer in 1 s (an endless loop?)"


def read_lines(process, until: str | None = None) -> list[tuple[float, str]]:
    """(seconds since the start, line) for each line of its stdout, up to `until`."""
    import time

    start, out = time.monotonic(), []
    for line in process.stdout:
        out.append((time.monotonic() - start, line.rstrip("\n")))
        if until and line.startswith(until):
            break
    return out


@pytest.mark.slow
def test_make_check_on_an_endless_sgd_ends_within_60_s_with_every_line(tmp_path):
    path = student_file(tmp_path, mutate(*ENDLESS))
    process = subprocess.Popen(
        ["make", "-s", "-C", str(LABS.parent), "check", f"FILE={path}"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines = read_lines(process)
        assert process.wait(timeout=60) == 2  # make: the check's exit 1
    finally:
        process.kill()
    text = [line for _, line in lines]
    assert lines[-1][0] < 60, lines
    verdicts = [t for t in text if t.startswith(("pass  ", "FAIL  "))]
    assert len(verdicts) == 23, text  # 22 functions and the own net
    assert "FAIL  sgd: no answer in 10 s (an endless loop?)" in verdicts
    assert sum(v.startswith("pass  ") for v in verdicts) == 21 + 1, text
    assert text[-1] == "21 of 22 pass; your net: pass"
    # each line came when it was known: the ones before sgd ~10 s before sgd's
    at = {line: t for t, line in lines}
    sgd = at["FAIL  sgd: no answer in 10 s (an endless loop?)"]
    assert at[text[0]] < sgd - 8


@pytest.mark.slow
def test_ctrl_c_ends_the_checks_with_one_line(tmp_path):
    import signal

    path = student_file(tmp_path, mutate(*ENDLESS))
    process = subprocess.Popen(
        [sys.executable, "-m", "dnnlab.exercises", "--time-limit", "0", path],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a child of a background job starts with SIGINT ignored: as a terminal's
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        before = read_lines(process, until="pass  numerical_gradient")
        process.send_signal(signal.SIGINT)
        rest, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert before[-1][1].startswith("pass  numerical_gradient"), before
    assert rest.splitlines() == ["interrupted after 15 of 22 checks"], rest
    assert process.returncode == 130
    assert "Traceback" not in err, err


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (None, "no such file: "),
        ("def f(:\n", "raised SyntaxError: invalid syntax (line 1)"),
        ("import nothing_here\n", "raised ModuleNotFoundError: No module named"),
    ],
)
def test_a_bad_file_is_one_line(tmp_path, capsys, content, error):
    path = tmp_path / "scratch.py"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SystemExit) as e:
        ex.main([str(path)])
    assert e.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert error in err[-1] and "Traceback" not in "".join(err)


def test_a_bad_file_is_refused_before_keras_loads(tmp_path):
    code = (
        "import sys\nfrom dnnlab import exercises\n"
        "try:\n    exercises.main([sys.argv[1]])\n"
        "except SystemExit as e:\n    print('EXIT', e.code)\n"
        "print('LOADED', 'keras' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "missing.py")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "EXIT 2" in done.stdout and "LOADED False" in done.stdout, done


def test_make_exercises_keeps_a_students_work(tmp_path):
    written = make.write(tmp_path)
    assert [p.name for p, w in written if w] == [
        "scratch.py",
        *(f"{t}.ipynb" for t in make.TOPICS),
    ]
    (tmp_path / "scratch.py").write_text("# mine\n")
    assert not any(w for _, w in make.write(tmp_path))
    assert (tmp_path / "scratch.py").read_text() == "# mine\n"


def test_every_function_is_in_one_notebook_with_its_check():
    names = [n for _, _, fs in make.TOPICS.values() for n in fs]
    assert sorted(names) == sorted(ex.EXERCISES)
    for topic in make.TOPICS:
        nb = make.notebook(topic)
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        for name in make.TOPICS[topic][2]:
            i = code.index(next(c for c in code if c.startswith(f"def {name}(")))
            assert "raise NotImplementedError" in code[i] and '"""' not in code[i]
            assert code[i + 1] == f"check({name})"
    imports = [c for c in make.notebook("02_losses").cells if "import" in c.source]
    net = "affine_backward, affine_forward, relu_backward, relu_forward"
    assert f"from dnnlab.scratch import {net}\n" in imports[-1].source + "\n"


def filled(nb):
    """The notebook with each exercise cell holding the reference's function."""
    for cell in nb.cells:
        if "exercise" in cell.metadata:
            cell.source = inspect.getsource(getattr(scratch, cell.metadata.exercise))
    return nb


def check_lines(nb) -> list[str]:
    out = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not any(o.output_type == "error" for o in out)
    return [
        line
        for o in out
        if o.output_type == "stream"
        for line in o.text.splitlines()
        if line.startswith(("pass  ", "FAIL  "))
    ]


@pytest.mark.slow
@pytest.mark.parametrize("topic", make.TOPICS)
@pytest.mark.kernel
def test_exercise_notebook_runs_in_a_kernel(topic, tmp_path):
    names = make.TOPICS[topic][2]
    cells = 2 if len(names) > 1 else 1  # each function's check, then all of them
    done = notebooks.execute(filled(make.notebook(topic)), tmp_path, timeout=300)
    lines = check_lines(done)
    assert len(lines) == cells * len(names), lines
    assert all(line.startswith("pass  ") for line in lines), lines
    todo = check_lines(notebooks.execute(make.notebook(topic), tmp_path, timeout=300))
    assert todo and all(line.endswith(": not implemented") for line in todo), todo


@pytest.mark.parametrize("topic", make.TOPICS)
def test_the_committed_exercise_notebooks_are_current(topic):
    saved = nbformat.read(make.committed(topic), 4)
    assert notebooks.sources(saved) == notebooks.sources(make.notebook(topic)), (
        f"{make.committed(topic)}: run make notebooks"
    )
    assert not any(c.get("outputs") for c in saved.cells)  # to fill in, not run


def test_the_written_notebook_is_the_generated_one(tmp_path):
    make.write(tmp_path)
    saved = nbformat.read(tmp_path / "01_layers.ipynb", 4)
    assert notebooks.sources(saved) == notebooks.sources(make.notebook("01_layers"))
