"""make tensorboard: TensorBoard, with TensorFlow's C++ start-up lines kept out of
the terminal as the labs keep them (dnnlab.backend.CHATTER); every other line of
its stderr is passed on as it comes.

Usage: python scripts/quiet_tensorboard.py --logdir logs [any tensorboard flag]
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    read, write = os.pipe()
    terminal = os.dup(2)
    os.dup2(write, 2)  # TensorFlow's C++ writes to fd 2 itself
    os.close(write)
    from dnnlab.backend import CHATTER  # loads TensorFlow: its lines wait in the pipe

    def relay():
        with os.fdopen(read, "rb") as lines:
            for line in lines:
                if not CHATTER.search(line.decode(errors="replace")):
                    os.write(terminal, line)

    relaying = threading.Thread(target=relay, daemon=True)
    relaying.start()
    from tensorboard import main as tensorboard

    sys.argv[0] = "tensorboard"
    try:
        tensorboard.run_main()
    finally:  # the pipe's last lines out, then stderr is the terminal again
        sys.stderr.flush()
        os.dup2(terminal, 2)
        relaying.join(timeout=2)


if __name__ == "__main__":
    main()
