# SPDX-License-Identifier: Apache-2.0
"""A one-line progress bar on stderr (rewritten in place on a terminal, one line per update
otherwise)."""

from __future__ import annotations

import sys
from typing import TextIO


class Progress:
    """``calibrating [#####.....] 5/10 batches``; :meth:`update` per step, :meth:`close` at the
    end."""

    def __init__(
        self, total: int, label: str = "calibrating", stream: TextIO | None = None, width: int = 30
    ) -> None:
        self.total = max(int(total), 1)
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.done = 0
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def _line(self) -> str:
        filled = self.width * self.done // self.total
        bar = "#" * filled + "." * (self.width - filled)
        return f"{self.label} [{bar}] {self.done}/{self.total} batches"

    def update(self, n: int = 1) -> None:
        self.done = min(self.done + n, self.total)
        if self._tty:
            self.stream.write("\r" + self._line())
        else:
            self.stream.write(self._line() + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self._tty:
            self.stream.write("\n")
            self.stream.flush()
