"""Time limits for code that is not ours (a student's function): a verdict, not a
hang. A limit counts only that code's own time: a check's set-up is not in it."""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from functools import wraps

TIME_LIMIT = 10.0  # seconds of the student's own code per check (--time-limit)


class TimeUp(BaseException):
    """The student's code ran past its time limit (a BaseException, so that no
    `except Exception` in their code swallows it)."""


@contextmanager
def time_limit(seconds: float | None):
    """Raise TimeUp in the block after `seconds` (None: no limit): SIGALRM in the
    main thread, else a trace function that looks at the clock on every line."""
    if not seconds:
        yield
        return
    if (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    ):

        def alarm(signum, frame):
            raise TimeUp

        old = signal.signal(signal.SIGALRM, alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
        return
    end = time.monotonic() + seconds

    def trace(frame, event, arg):
        if time.monotonic() > end:
            raise TimeUp
        return trace

    old = sys.gettrace()
    sys.settrace(trace)
    try:
        yield
    finally:
        sys.settrace(old)


class Budget:
    """One check's time for the student's code: each call of their function is
    timed, the calls add up, the check's own set-up is not counted."""

    def __init__(self, seconds: float | None):
        self.left = seconds

    def timed(self, f: Callable) -> Callable:
        if not self.left:
            return f

        @wraps(f)
        def call(*args, **kwargs):
            if self.left <= 0:
                raise TimeUp
            start = time.monotonic()
            try:
                with time_limit(self.left):
                    return f(*args, **kwargs)
            finally:
                self.left -= time.monotonic() - start

        return call
