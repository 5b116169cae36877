"""benchmarks/national_full.py prints the national-full figures (issue 15, item 2); a small caseload keeps it quick."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "national_full.py"


def test_the_benchmark_prints_time_rate_and_memory_of_a_counting_replication() -> None:
    out = subprocess.run([sys.executable, str(SCRIPT), "--clients", "3000", "--repeat", "2"], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    assert out[0].startswith("scenario 2022-national-full, seed 1, 3,000 clients")
    assert re.fullmatch(r"compiled: keyed random streams (yes|no \(Python\)), agenda (yes|no \(Python\)), "
                        r"ledger columns (yes|no \(Python\))", out[1]), out[1]
    lines = [line for line in out if line.startswith("xml off:")]
    assert len(lines) == 2
    pattern = re.compile(r"xml off: +(\d+) messages in +[\d.]+ s wall \( *[\d.]+ s CPU\) = +\d+ msg/s, peak (\d+) MB, "
                         r"load [\d.]+ -> [\d.]+, broken pairs \d+")
    counts = [pattern.match(line) for line in lines]
    assert all(counts), lines
    assert counts[0].group(1) == counts[1].group(1) and int(counts[0].group(1)) > 2000  # same seed, same run
    assert out[-1].startswith("best counting-mode run: ")
