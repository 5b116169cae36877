"""How long ``ketensim validate`` takes on hostile files: it must grow linearly with the file.

Builds a valid WMO301 3.1 message and hostile variants of it, writes them to a temporary
directory and times ``check_file`` (what ``ketensim validate`` runs per file) on each, best of
``--repeat``. Before the bounds of :mod:`ketensim.standards.limits`, 4 000 attributes on one element
(41 kB) took 104 s and 1 000 000 unexpected elements (22 MB) more than two minutes. Run it as::

    python benchmarks/hostile_validate.py [--repeat K]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ketensim.standards.samples import generate_samples
from ketensim.standards.validation import check_file

XSI = b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'


def _insert(data: bytes, after: bytes, text: bytes) -> bytes:
    i = data.index(after) + len(after)
    return data[:i] + text + data[i:]


CASES: dict[str, Callable[[bytes], bytes]] = {
    "valid message": lambda d: d,
    "4 000 attributes on one element": lambda d: _insert(d, b"<wmo301:Header",
                                                         b"".join(b' a%d="x"' % i for i in range(4000))),
    "1 000 000 unexpected elements": lambda d: _insert(d, b"</wmo301:Header>",
                                                       b"<wmo301:Onverwacht/>" * 1_000_000),
    "4 000 unexpected elements": lambda d: _insert(d, b"</wmo301:Header>", b"<x/>" * 4000),
    "5 000 unexpected elements": lambda d: _insert(d, b"</wmo301:Header>", b"<x/>" * 5000),
    "20 000 unexpected elements": lambda d: _insert(d, b"</wmo301:Header>", b"<x/>" * 20_000),
    "200 levels deep": lambda d: _insert(d, b"</wmo301:Header>", b"<x>" * 200 + b"</x>" * 200),
    "unknown xsi:type": lambda d: _insert(d, b"<wmo301:Afzender", XSI + b' xsi:type="wmo301:Nope"'),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    message = next(s.data for s in generate_samples("iwmo", "3.1", "301", 1, seed=7)
                   if s.filename.startswith("WMO301"))
    check_file_warm = Path(tempfile.mkdtemp()) / "warm.xml"
    check_file_warm.write_bytes(message)
    check_file(check_file_warm)  # compile the schemas before the clock starts
    with tempfile.TemporaryDirectory() as folder:
        for name, make in CASES.items():
            path = Path(folder) / "m.xml"
            path.write_bytes(make(message))
            best = float("inf")
            for _ in range(args.repeat):
                started = time.perf_counter()
                report = check_file(path)
                best = min(best, time.perf_counter() - started)
            verdict = "PASS" if report.ok else f"FAIL, {len(report.findings)} findings"
            print(f"{name:34s} {path.stat().st_size / 1e6:8.3f} MB  {best:7.3f} s  ({verdict})")


if __name__ == "__main__":
    main()
