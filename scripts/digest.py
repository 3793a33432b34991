"""What a lab's code does, as digests: a few training steps of each of its set-ups.

    python scripts/digest.py TREE LAB [LAB ...]

prints one JSON line per lab: {"lab", "lengths", "setups": {variant: digest},
"trained": [every config the probe trained], "seconds"}, or {"lab", "error"}.
TREE is a checkout (the working tree, or a commit's files): its dnnlab and labs/
are what runs; this file may be newer than TREE, so it uses no more of
dnnlab than a lab's declaration, Config.replace, train and a Result's fields.

Each variant trains shrunk (at most SHRINK's images, epochs and steps, no
TensorBoard, no checkpoint), through the lab's own `fit` where it has one, then
gets the lab's extras; its digest is a hash of every number the Result holds but
the wall time. The lengths the full run trains (epochs, steps, limit) go in
"lengths", as the probe cannot run them. Same tree, same machine, same libraries:
same digests (op determinism on). scripts/results.py --stale compares these digests
for the code that made the saved results and the code here, both on this machine.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib.util
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

SHRINK = dict(limit=300, epochs=2, steps=30)
TRAIN, TEST = 3000, 100  # images of MNIST a probe sees
# A lab's own flags (its `fit`'s options) for a probe: few trials, a short final
# training. The manual search runs its first 3 set-ups (the 3rd has batch norm).
OPTIONS = {
    "DNN_hyperparameter_search": dict(trials=3, final_epochs=1, final_limit=300),
    "textbook/hyperparameter_optimization": dict(trials=2),
}
NUMBERS = (
    "history",
    "test_loss",
    "test_accuracy",
    "train_accuracy",
    "params",
    "status",
    "diverged_at",
    "trace",
    "extras",
)


def spec(path: Path) -> dict:
    """What a lab declares (variants, claim, extras, figures, fit…): its LAB, read
    from its module; nothing trains. A tree from before LAB (an old commit's) is
    read by legacy_digest.py, the one reader of that form."""
    name = "probed_" + "__".join(path.with_suffix("").parts[-2:])
    module_spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    module_spec.loader.exec_module(module)
    lab = getattr(module, "LAB", None)
    if lab is None:
        import legacy_digest

        return legacy_digest.spec(path)
    fields = ("variants", "claim", "extras", "figures", "fit", "options", "detail")
    return {f: getattr(lab, f) for f in (*fields, "columns")}


def shrink(config):
    """The set-up, a few steps long."""
    small = dict(tensorboard=False, checkpoint=False, deterministic=True)
    if config.steps:
        small["steps"] = min(config.steps, SHRINK["steps"])
    else:
        small["epochs"] = min(config.epochs, SHRINK["epochs"])
        small["limit"] = min(config.limit or SHRINK["limit"], SHRINK["limit"])
    return config.replace(**small)


def digest(value) -> str:
    text = json.dumps(value, sort_keys=True, default=float)  # floats exactly (repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def probe(tree: Path, lab: str, data) -> dict:
    from dnnlab.training import train

    got = spec(tree / "labs" / f"{lab}.py")
    fit, extras = got.get("fit"), got.get("extras") or {}
    options = {k: o["default"] for k, o in (got.get("options") or {}).items()}
    options.update(OPTIONS.get(lab, {}))
    setups, trained = {}, []
    with tempfile.TemporaryDirectory() as tmp:
        for name, config in got["variants"].items():
            small, run_dir = shrink(config), Path(tmp) / name
            if fit is not None:
                r = fit(name, small, data, run_dir, **options)
            else:
                r = train(small, data, run_dir=run_dir, detail=got.get("detail", False))
            for extra, f in extras.items():
                if extra not in r.extras:
                    r.extras[extra] = f(r, data)
            numbers = r.to_dict()
            setups[name] = digest({k: numbers[k] for k in NUMBERS})
        for path in sorted(Path(tmp).rglob("config.json")):  # trials too
            config = json.loads(path.read_text())
            if config not in trained:
                trained.append(config)
    lengths = {
        name: dict(epochs=None if c.steps else c.epochs, steps=c.steps, limit=c.limit)
        for name, c in got["variants"].items()
    }
    return dict(lab=lab, lengths=digest(lengths), setups=setups, trained=trained)


def main(argv: list[str]) -> None:
    tree, labs = Path(argv[0]).resolve(), argv[1:]
    sys.path.insert(0, str(tree))
    os.chdir(tree)  # a lab's relative paths are its tree's
    from dnnlab.data import load_mnist

    full = load_mnist()
    # Fewer images than MNIST: each evaluation pass costs less; the first 3,000
    # training images keep their validation tail (300), the test set 100.
    data = dataclasses.replace(
        full,
        x_train=full.x_train[:TRAIN],
        y_train=full.y_train[:TRAIN],
        x_test=full.x_test[:TEST],
        y_test=full.y_test[:TEST],
    )
    for lab in labs:
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()) as said:
            try:
                line = probe(tree, lab, data)
            except Exception as e:  # the tree's code cannot be probed: stale
                line = dict(lab=lab, error=f"{type(e).__name__}: {e}")
        if "error" in line:
            line["output"] = said.getvalue()[-2000:]
        line["seconds"] = round(time.perf_counter() - started, 1)
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    os.environ["KERAS_BACKEND"] = "tensorflow"  # the saved results' backend
    main(sys.argv[1:])
