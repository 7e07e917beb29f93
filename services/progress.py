"""Progress of a long command: a bar on a terminal, one plain line when the output is not one.

On a terminal (a person waiting) click's progress bar shows the label, the count done of the total,
a percentage and an estimate of the time left. Anywhere else (cron, CI, a pipe, a log file) nothing
is drawn: when the phase ends one plain line says what was done and how long it took, e.g.
``Anonymising expired clients: 1200 of 1200 in 4.1 s.`` Services report their steps through a plain
callable (``advance(n)``); only the command line and the benchmark create a :class:`Progress`.
"""
from __future__ import annotations

import sys
import time
from typing import IO

import click


class Progress:
    """One phase of a command, ``total`` steps long (``with Progress(...) as advance: advance(n)``)."""

    def __init__(self, label: str, total: int, *, file: IO[str] | None = None, unit: str = "") -> None:
        self.label, self.total, self.unit = label, max(0, int(total)), unit
        self.file = file if file is not None else sys.stderr
        self.done = 0
        self.started = 0.0
        self._bar = None

    @property
    def interactive(self) -> bool:
        isatty = getattr(self.file, "isatty", None)
        try:
            return bool(isatty and isatty())
        except ValueError:  # a closed stream
            return False

    def __enter__(self):
        self.started = time.monotonic()
        if self.interactive and self.total:
            self._bar = click.progressbar(length=self.total, label=self.label, show_eta=True, show_pos=True,
                                          show_percent=True, file=self.file, width=30,
                                          update_min_steps=max(1, self.total // 200))  # at most 200 redraws
            self._bar.__enter__()
        return self.advance

    def advance(self, steps: int = 1) -> None:
        """``steps`` more are done."""
        steps = min(steps, self.total - self.done) if self.total else steps
        if steps <= 0:
            return
        self.done += steps
        if self._bar is not None:
            self._bar.update(steps)

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._bar is not None:
            self._bar.__exit__(exc_type, exc, tb)
        if exc_type is None:
            click.echo(self.summary(), file=self.file)

    def summary(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.label}: {self.done} of {self.total}{unit} in {time.monotonic() - self.started:.1f} s."
