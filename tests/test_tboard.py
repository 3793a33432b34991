"""`make tensorboard` (scripts/quiet_tensorboard.py) as a student starts it."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
# What TensorFlow's C++ prints when it loads (dnnlab.backend.CHATTER drops these).
CPP = ("absl::InitializeLog", "cudart_stub", "cuInit", "oneDNN", "cpu_feature_guard")


def serve(argv: list[str], logdir: Path) -> str:
    """What a TensorBoard command prints until it serves, then it is stopped."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    flags = ["--logdir", str(logdir), "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(
        [*argv, *flags], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    shown, deadline = [], time.monotonic() + 120
    try:
        for line in proc.stdout:
            shown.append(line)
            if "http://" in line or time.monotonic() > deadline:
                break
    finally:
        proc.kill()
        proc.wait()
    return "".join(shown)


@pytest.mark.slow
def test_make_tensorboard_prints_no_tensorflow_cpp_line(tmp_path):
    quiet = ROOT / "scripts" / "quiet_tensorboard.py"
    shown = serve([sys.executable, str(quiet)], tmp_path)
    assert "http://127.0.0.1:" in shown, shown
    assert not [line for line in shown.splitlines() if any(c in line for c in CPP)]
    raw = serve([sys.executable, "-m", "tensorboard.main"], tmp_path)
    assert any(c in raw for c in CPP), raw  # what the student would see without it
