"""Scaling of replications over workers: replications per minute on 1 and 2 local workers and on Dask.

Runs the same ``-n`` replications of one scenario (default: ``2022-national`` in counting mode, as
sweeps run) three times, as ``ketensim run -n`` does:

* ``process``, 1 worker: every replication in this process, one after the other (the baseline);
* ``process``, 2 workers: the spawn pool of two worker processes;
* ``dask``, 2 workers: a Dask ``LocalCluster`` of two single-threaded worker processes, started for
  the run (needs ``pip install '.[dask]'``);

and prints the wall time of each (pool start and cluster start included, as a user waits for them),
replications per minute and the ratio to one worker (the target for national runs is at least 1.8
on two workers). It checks that the three give the same outcomes. The load average before and after
is printed too, with what two processes get out of the machine at that moment (a CPU-bound loop on
two processes against one; 2.0 on an idle machine with two free cores): on a machine shared with
other work the ratio is depressed, so quote it with both.

    python benchmarks/scaling.py [--scenario NAME] [-n N] [--xml off|on] [--seed R] [--no-dask]
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def _burn(units: int) -> float:
    """A pure-Python loop of ``units`` work units; returns its seconds."""
    started = time.perf_counter()
    total = 0
    for i in range(units * 5_000_000):
        total += i
    return time.perf_counter() - started


def _ceiling() -> float:
    """What two processes get out of this machine right now: a CPU-bound loop on 2 processes vs 1."""
    import multiprocessing

    one = _burn(2)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_burn, [1, 1])  # started and warm
        started = time.perf_counter()
        pool.map(_burn, [2, 2])
        two = time.perf_counter() - started
    return 2 * one / two


def _timed(scenario: Any, n: int, seed: int, xml: bool, workers: int, executor: Any) -> tuple[float, Any]:
    from ketensim.experiment import replicate

    started = time.perf_counter()
    result = replicate(scenario, n, root_seed=seed, workers=workers, xml=xml, progress=False, executor=executor)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="2022-national", help="bundled scenario name or file")
    parser.add_argument("-n", type=int, default=8, help="replications per measurement (default 8)")
    parser.add_argument("--xml", choices=["on", "off"], default="off")
    parser.add_argument("--seed", type=int, default=1, help="root seed")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask measurement")
    args = parser.parse_args()

    from ketensim.experiment.executors import ExecutorSpec
    from ketensim.lifetime import usable_cores
    from ketensim.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    runs = [("process (in this process)", 1, ExecutorSpec("process")),
            ("process (pool)", 2, ExecutorSpec("process"))]
    if not args.no_dask:
        runs.append(("dask (LocalCluster)", 2, ExecutorSpec("dask")))
    print(f"scenario {scenario.id}  xml {args.xml}  {args.n} replications  root seed {args.seed}  "
          f"usable cores {usable_cores()}")
    print(f"load average before: {_load()}; two processes get {_ceiling():.2f}x one on a CPU-bound loop")
    rows = []
    outcomes = []
    for label, workers, executor in runs:
        seconds, result = _timed(scenario, args.n, args.seed, args.xml == "on", workers, executor)
        outcomes.append(result.outcomes)
        rows.append((label, workers, seconds, 60.0 * args.n / seconds))
        print(f"  {label}, {workers} worker{'s' if workers > 1 else ''}: {seconds:.1f} s", flush=True)
    print(f"load average after: {_load()}; two processes get {_ceiling():.2f}x one on a CPU-bound loop")
    print("")
    base = rows[0][3]
    print(f"{'executor':<28}{'workers':>8}{'seconds':>10}{'replications/min':>18}{'ratio':>8}")
    for label, workers, seconds, per_minute in rows:
        print(f"{label:<28}{workers:>8}{seconds:>10.1f}{per_minute:>18.2f}{per_minute / base:>8.2f}")
    same = all(o == outcomes[0] for o in outcomes[1:])
    print(f"same outcomes on every executor: {'yes' if same else 'NO'}")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
