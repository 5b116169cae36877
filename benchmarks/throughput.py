"""Throughput, scale and memory of ketensim, measured in one run of this script.

Prints, for one scenario (default: the bundled 2022 draaiboek):

* messages per second of a full simulation with XML (every message built, serialized and
  validated against its XSD, next to everything the chain does), as ``ketensim run`` does it: on
  a machine with two cores the XML work runs in forked worker processes (two) alongside the
  simulation (``ketensim.chain.xmlwork``); the same run with the XML in the simulation's own
  process is printed too, with its ratio, so the cost of the simulation itself stays visible;
* messages per second of a bare loop over the same messages without the simulation: in the order
  the run encoded them (message types interleave, as in the chain), every heen's payload is made
  from population data and built, serialized and validated, and every retour is built from its
  heen's payload, serialized and validated (the clients, aanbieders and toewijzingen are drawn
  before the clock starts);
* peak memory (max RSS) of each measurement, which runs in its own process, and of the largest XML
  worker (they share the pages a worker inherited, so a sum would overstate the total);

each timing is the best of ``--repeat`` runs (each in a fresh process), the usual way to keep
other load on the machine out of a throughput figure; the full run, the in-process run and the bare
loop are measured in rounds (one of each per round), so a drift in the machine's speed over the
minute the script takes falls on all three alike;

and with ``--national`` also the national-size scenario with and without XML. The last line is
``ratio <full / bare>``: the median over the rounds of each round's own ratio (the line above it
gives the ratio of the best times and each round's ratio). Run it as::

    python benchmarks/throughput.py [--scenario NAME] [--seed N] [--clients N] [--repeat K] [--national]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _scenario(name: str, clients: int):  # type: ignore[no-untyped-def]
    """The bundled scenario ``name``; with ``clients`` > 0 a regional population of that size."""
    from dataclasses import replace

    from ketensim.scenario import load_scenario

    scenario = load_scenario(name)
    if clients > 0:
        population = replace(scenario.population, gemeenten=40, aanbieders=max(50, clients // 40), clients=clients)
        scenario = replace(scenario, population=population)
    return scenario


def measure_full(scenario_name: str, seed: int, xml: bool, clients: int = 0,
                 worker: bool | None = None) -> dict[str, object]:
    from ketensim.run import run_replication

    from ketensim.standards.catalogue_data import get_catalogue
    from ketensim.standards.validation import schema

    scenario = _scenario(scenario_name, clients)
    compiling = time.perf_counter()
    if xml:  # both loops compile their schemas before the clock starts; the time is reported apart
        for mt in get_catalogue().select():
            if mt.release in (scenario.from_release, scenario.to_release):
                schema(mt)
    compile_seconds = time.perf_counter() - compiling
    started = time.perf_counter()
    result = run_replication(scenario, seed, xml=xml, xml_worker=worker)
    seconds = time.perf_counter() - started
    # the encoded messages in the order the hubs checked them (submission time, then creation)
    encoded = sorted((m for m in result.messages if m.xml_bytes), key=lambda m: (m.submitted, m.message_id))
    return {
        "seconds": seconds,
        "compile_seconds": compile_seconds,
        "messages": len(result.messages),
        "per_second": len(result.messages) / seconds,
        "peak_mb": _peak_mb(),
        "worker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0 if result.xml_worker else 0.0,
        "sequence": [[m.standard, m.release, m.code[-3:], m.role, m.pair_id] for m in encoded],
    }


def measure_bare(scenario_name: str, seed: int, sequence: list[list[str]], clients: int) -> dict[str, float]:
    """lxml build + serialize + validate over the messages of the full run, in its order (data drawn beforehand)."""
    from lxml import etree

    from ketensim.population import build_population
    from ketensim.scenario import load_scenario
    from ketensim.standards.builders import build, build_retour
    from ketensim.standards.catalogue_data import get_catalogue
    from ketensim.standards.payload_factory import make_payload
    from ketensim.standards.validation import is_valid

    scenario = load_scenario(scenario_name)
    rng = random.Random(seed)
    # the same number of clients as the full run, so both pay for the same Faker-built personal data
    population = build_population(rng, year=scenario.window_start.year, n_clients=clients or 2000,
                                  n_aanbieders=max(50, (clients or 2000) // 40))
    catalogue = get_catalogue()
    start = scenario.window_start.date()
    by_standard = {s: [c for c in population.clients if c.standard == s] or list(population.clients)
                   for s in ("iwmo", "ijw")}
    work = []  # (message type, heen data or None for a retour, pair)
    for i, (standard, release, number, role, pair) in enumerate(sequence):
        mt = catalogue.get(standard, release, number)
        if role != "heen":
            work.append((mt, None, pair))
            continue
        client = rng.choice(by_standard[standard])
        aanbieder = population.sample_aanbieder(rng, standard)
        toewijzing = population.new_toewijzing(rng, client, aanbieder, start.replace(year=start.year - 1))
        work.append((mt, (client, aanbieder, toewijzing, f"B{i:09d}"), pair))
    for mt, _, _ in work:  # compile every schema before the clock starts
        is_valid(mt, etree.Element("x"))
    started = time.perf_counter()
    count = 0
    payloads: dict[str, object] = {}
    for mt, data, pair in work:
        if data is None:
            heen = payloads.pop(pair, None)
            if heen is None:  # its heen was not encoded (a message without XSD)
                continue
            element = build_retour(mt, heen, identificatie="R1", dagtekening=start)
        else:
            client, aanbieder, toewijzing, ident = data
            payload = payloads[pair] = make_payload(mt, gemeente=client.gemeente, aanbieder=aanbieder, client=client,
                                                    toewijzing=toewijzing, identificatie=ident, dagtekening=start,
                                                    rng=rng)
            element = build(mt, payload)
        etree.tostring(element, xml_declaration=True, encoding="UTF-8")
        is_valid(mt, element)
        count += 1
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "messages": count, "per_second": count / seconds, "peak_mb": _peak_mb()}


def _child(args: list[str]) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"throughput.py: measurement {' '.join(args[:4])} failed: {out.stderr.strip().splitlines()[-1:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _worker(result: dict[str, object]) -> str:
    peak = float(result.get("worker_peak_mb", 0.0))  # type: ignore[arg-type]
    return f" + XML workers {peak:.0f} MB (the larger)" if peak else ""


def _best(args: list[str], repeat: int) -> dict[str, object]:
    """The fastest of ``repeat`` measurements, each in a fresh process."""
    return max((_child(args) for _ in range(repeat)), key=lambda r: r["per_second"])  # type: ignore[arg-type,return-value]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="2022-3.0-3.1")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clients", type=int, default=15000,
                        help="caseload of the measured run (40 gemeenten; 0 = the scenario's own population)")
    parser.add_argument("--repeat", type=int, default=3, help="measurements per figure; the best one counts")
    parser.add_argument("--national", action="store_true", help="also time the national-size scenario")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, name, seed, *rest = args.child
        if kind in ("full", "inline"):
            result = measure_full(name, int(seed), rest[0] == "on", int(rest[1]), None if kind == "full" else False)
            sequence = result.pop("sequence")
            if len(rest) > 2:  # the bare loop replays this run's messages
                Path(rest[2]).write_text(json.dumps(sequence), encoding="utf-8")
            print(json.dumps(result))
        else:
            sequence = json.loads(Path(rest[0]).read_text(encoding="utf-8"))
            print(json.dumps(measure_bare(name, int(seed), sequence, int(rest[1]))))
        return

    repeat = max(1, args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        sequence = str(Path(tmp) / "sequence.json")
        kinds = {
            "full": ["full", args.scenario, str(args.seed), "on", str(args.clients), sequence],
            "inline": ["inline", args.scenario, str(args.seed), "on", str(args.clients)],
            "bare": ["bare", args.scenario, str(args.seed), sequence, str(args.clients)],
        }
        # rounds of one measurement of each kind, so a drift in the machine's speed falls on all of them
        measured: dict[str, list[dict[str, object]]] = {kind: [] for kind in kinds}
        for _ in range(repeat):
            for kind, child_args in kinds.items():
                measured[kind].append(_child(child_args))
        full, inline, bare = (max(measured[k], key=lambda r: r["per_second"]) for k in kinds)  # type: ignore[arg-type,return-value]
    print(f"scenario {args.scenario}, seed {args.seed}, clients {args.clients or 'as in the scenario'}, "
          f"best of {repeat}")
    print(f"full run with XML : {full['messages']:>8} messages in {full['seconds']:7.2f} s = "
          f"{full['per_second']:8.0f} msg/s, peak {full['peak_mb']:.0f} MB{_worker(full)} "
          f"(+{full['compile_seconds']:.2f} s compiling the XSDs first)")
    print(f"  same, XML in-process: {inline['seconds']:7.2f} s = {inline['per_second']:8.0f} msg/s "
          f"(ratio {inline['per_second'] / bare['per_second']:.3f} without the XML worker)")
    print(f"bare lxml loop    : {bare['messages']:>8} messages in {bare['seconds']:7.2f} s = "
          f"{bare['per_second']:8.0f} msg/s, peak {bare['peak_mb']:.0f} MB")
    if args.national:
        for xml, times in (("on", 1), ("off", repeat)):
            nat = _best(["full", "2022-national", str(args.seed), xml, "0"], times)
            print(f"national xml {xml:<3}  : {nat['messages']:>8} messages in {nat['seconds']:7.2f} s = "
                  f"{nat['per_second']:8.0f} msg/s, peak {nat['peak_mb']:.0f} MB{_worker(nat)}" + (f" (best of {times})" if times > 1 else ""))
    # the ratio within each round (the full run and the bare loop measured a minute apart at most), then
    # their median: a drift in the machine's speed between rounds cancels out of each round's own ratio
    per_round = [f["per_second"] / b["per_second"] for f, b in zip(measured["full"], measured["bare"])]  # type: ignore[operator]
    print(f"ratio of the best times {full['per_second'] / bare['per_second']:.3f}; per round "
          f"{', '.join(f'{r:.3f}' for r in per_round)}")
    print(f"ratio {statistics.median(per_round):.3f}")


if __name__ == "__main__":
    main()
