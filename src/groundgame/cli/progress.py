"""A progress line for long jobs on the command line: done/total, rate and time left."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Call ``update(stage, done, total)`` as often as you like; it redraws at most 4 times a
    second on a terminal and every 10 % otherwise (so logs stay short)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.stage = ""
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.last_decile = -1

    def update(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage != self.stage:
            if self.stage and self.tty:
                self.stream.write("\n")
            self.stage, self.started, self.last_decile = stage, now, -1
        decile = (10 * done // total) if total else 10
        finished = total and done >= total
        if self.tty:
            if now - self.last_draw < 0.25 and not finished:
                return
        elif decile == self.last_decile and not finished:
            return
        self.last_draw, self.last_decile = now, decile
        elapsed = now - self.started
        pct = 100 * done / total if total else 100.0
        line = f"{stage}: {done:,}/{total:,} ({pct:5.1f}%)"
        # A rate from the first instants of a stage is noise; wait for half a second of data.
        if elapsed >= 0.5 and done:
            rate = done / elapsed
            line += f" {rate:,.0f}/s, {(total - done) / rate:,.0f}s left"
        if self.tty:
            self.stream.write("\r" + line.ljust(78))
            if finished:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
