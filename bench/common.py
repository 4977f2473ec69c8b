"""What every benchmark module shares: timing, the report table and its ratios."""

import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orgportal.settings")


def setup_django():
    import django

    django.setup()


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


@dataclass
class Report:
    repeat: int = 5
    rows: list = field(default_factory=list)  # (name, median, min, max, note)
    ratios: list = field(default_factory=list)  # (name, value, goal text, holds: bool | None)

    def measure(self, name: str, fn, repeat: int | None = None, note: str = "") -> float:
        """Run `fn` several times; record median, min, max; return the median."""
        times = [timed(fn) for _ in range(repeat or self.repeat)]
        median = statistics.median(times)
        self.rows.append((name, median, min(times), max(times), note))
        return median

    def record(self, name: str, seconds: float, note: str = "") -> None:
        self.rows.append((name, seconds, seconds, seconds, note))

    def ratio(self, name: str, value: float, goal: str = "", holds: bool | None = None) -> None:
        self.ratios.append((name, value, goal, holds))

    def markdown(self, title: str) -> str:
        from django.db import connection

        header = (
            f"# {title}\n\n{time.strftime('%Y-%m-%d %H:%M')} · {platform.node()} · {os.cpu_count()} cores · "
            f"Python {platform.python_version()} · {connection.vendor} · {self.repeat} runs\n\n"
        )
        table = "| benchmark | median s | min s | max s | note |\n|---|---:|---:|---:|---|\n" + "\n".join(
            f"| {n} | {m:.3f} | {lo:.3f} | {hi:.3f} | {note} |" for n, m, lo, hi, note in self.rows
        )
        ratios = "\n\n| ratio | value | goal | holds |\n|---|---:|---|---|\n" + "\n".join(
            f"| {n} | {v:.2f}× | {g} | {'' if h is None else ('yes' if h else 'NO')} |"
            for n, v, g, h in self.ratios
        )
        return header + table + ratios + "\n"
