"""A process's memory and CPU time, read from /proc (Linux): the benchmarks' view of the bot."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path


class Memory:
    """Samples a process's VmRSS (MB) every ``every`` seconds, in a thread."""

    def __init__(self, pid: int, every: float = 0.2):
        self.pid, self.every = pid, every
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "Memory":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def status(self, field: str) -> float | None:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = self.status("VmRSS")
            if rss is not None:
                self.samples.append((time.monotonic(), rss))
            self._stop.wait(self.every)

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process so far."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak(self, since: float = 0.0, until: float = float("inf")) -> float:
        return max((rss for at, rss in self.samples if since <= at <= until), default=float("nan"))
