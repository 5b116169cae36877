"""One replication of the whole country (``2022-national-full``): time, messages per second, peak memory.

Runs ``run_replication`` of the scenario (default: the bundled ``2022-national-full``, 1.56 million
clients) in counting mode (``--xml off``) in a fresh process per measurement and prints, per
measurement:

* wall-clock seconds of the replication (building the population, simulating the window, freezing
  the ledger and summing it up: what ``ketensim run`` reports as "simulated in"), and the CPU
  seconds the process used for it, which other load on a shared machine disturbs far less;
* messages, and messages per second of wall-clock time;
* peak memory (max RSS) of the measuring process;
* the load average when the measurement started and ended (the machine may be shared).

``--xml`` also measures one replication with XML on (every message built, serialized and validated;
in forked worker processes when two cores are available, as ``ketensim run`` does). It takes
minutes, so it is asked for explicitly. ``--clients N`` shrinks the caseload (the population file's
gemeenten, mergers and regions stay) for a quick look. Run it as::

    python benchmarks/national_full.py [--seed N] [--repeat K] [--xml] [--clients N] [--scenario NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time


def measure(scenario_name: str, seed: int, xml: bool, clients: int) -> dict[str, object]:
    """One replication in this process; the figures as a dict."""
    from dataclasses import replace

    from ketensim.chain import agenda, keyed, records
    from ketensim.run import run_replication
    from ketensim.scenario import load_scenario

    scenario = load_scenario(scenario_name)
    if clients > 0:
        aanbieders = max(50, round(scenario.population.aanbieders * clients / scenario.population.clients))
        scenario = replace(scenario, population=replace(scenario.population, clients=clients, aanbieders=aanbieders))
    load_before = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    result = run_replication(scenario, seed, xml=xml)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    usage = resource.getrusage(resource.RUSAGE_SELF)
    worker = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "scenario": scenario.id,
        "clients": scenario.population.clients,
        "xml": xml,
        "xml_worker": result.xml_worker,
        "seconds": wall,
        "cpu_seconds": cpu,
        "messages": len(result.messages),
        "per_second": len(result.messages) / wall,
        "peak_mb": usage.ru_maxrss / 1024.0,
        "worker_peak_mb": worker.ru_maxrss / 1024.0 if result.xml_worker else 0.0,
        "worker_cpu_seconds": worker.ru_utime + worker.ru_stime if result.xml_worker else 0.0,
        "load": [load_before, os.getloadavg()[0]],
        "broken": result.summary["outcome_broken"],
        "compiled": {"keyed random streams": keyed.COMPILED, "agenda": agenda.COMPILED,
                     "ledger columns": records._columns is not None},
    }


def _child(args: list[str]) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"national_full.py: measurement {' '.join(args)} failed: {out.stderr.strip().splitlines()[-1:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _line(r: dict[str, object]) -> str:
    worker = (f" + XML workers {r['worker_peak_mb']:.0f} MB (the larger), {r['worker_cpu_seconds']:.1f} s CPU"
              if r["xml_worker"] else "")
    load = r["load"]
    return (f"xml {'on ' if r['xml'] else 'off'}: {r['messages']:>9} messages in {r['seconds']:7.1f} s wall "
            f"({r['cpu_seconds']:6.1f} s CPU) = {r['per_second']:7.0f} msg/s, peak {r['peak_mb']:.0f} MB{worker}, "
            f"load {load[0]:.1f} -> {load[1]:.1f}, broken pairs {r['broken']}")  # type: ignore[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="2022-national-full")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="counting-mode measurements, each in a fresh process")
    parser.add_argument("--clients", type=int, default=0, help="shrink the caseload to N clients (0: as in the scenario)")
    parser.add_argument("--xml", action="store_true", help="also one replication with XML on (takes minutes)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        name, seed, xml, clients = args.child
        print(json.dumps(measure(name, int(seed), xml == "on", int(clients))))
        return
    common = [args.scenario, str(args.seed)]
    runs = [_child([*common, "off", str(args.clients)]) for _ in range(max(1, args.repeat))]
    first = runs[0]
    print(f"scenario {first['scenario']}, seed {args.seed}, {first['clients']:,} clients, "
          f"{os.cpu_count()} cores, {len(runs)} counting-mode measurement(s)")
    compiled = first["compiled"]
    print("compiled: " + ", ".join(f"{part} {'yes' if on else 'no (Python)'}" for part, on in compiled.items()))
    for r in runs:
        print(_line(r))
    best = min(runs, key=lambda r: r["seconds"])  # type: ignore[arg-type,return-value]
    if len(runs) > 1:
        print(f"best counting-mode run: {best['seconds']:.1f} s wall, {best['cpu_seconds']:.1f} s CPU")
    if args.xml:
        print(_line(_child([*common, "on", str(args.clients)])))


if __name__ == "__main__":
    main()
