"""Throughput, scale and memory of ketensim, measured in one run of this script.

Prints, for one scenario (default: the bundled 2022 draaiboek):

* messages per second of a full simulation with XML (every message built, serialized and
  validated against its XSD, next to everything the chain does);
* messages per second of a bare loop over the same message mix without the simulation: for
  every heen its payload is made from population data and built, serialized and validated,
  then its retour is built, serialized and validated (the clients, aanbieders and toewijzingen
  are drawn before the clock starts);
* peak memory (max RSS) of each measurement, which runs in its own process;

and with ``--national`` also the national-size scenario with and without XML. The last line is
``ratio <full / bare>``. Run it as::

    python benchmarks/throughput.py [--scenario NAME] [--seed N] [--national]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from collections import Counter


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


def measure_full(scenario_name: str, seed: int, xml: bool, clients: int = 0) -> dict[str, float]:
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
    result = run_replication(scenario, seed, xml=xml)
    seconds = time.perf_counter() - started
    mix = Counter((m.standard, m.release, m.code[-3:], m.role) for m in result.messages if m.xml_bytes or not xml)
    return {
        "seconds": seconds,
        "compile_seconds": compile_seconds,
        "messages": len(result.messages),
        "per_second": len(result.messages) / seconds,
        "peak_mb": _peak_mb(),
        "mix": [[list(k), n] for k, n in sorted(mix.items())],
    }


def measure_bare(scenario_name: str, seed: int, mix: list[list[object]], clients: int) -> dict[str, float]:
    from ketensim.scenario import load_scenario

    """lxml build + serialize + validate over the message mix of the full run (payloads made beforehand)."""
    from lxml import etree

    from ketensim.population import build_population
    from ketensim.standards.builders import build, build_retour
    from ketensim.standards.catalogue_data import get_catalogue
    from ketensim.standards.payload_factory import make_payload
    from ketensim.standards.releases import RETOUR_OF
    from ketensim.standards.validation import is_valid

    scenario = load_scenario(scenario_name)
    rng = random.Random(seed)
    # the same number of clients as the full run, so both pay for the same Faker-built personal data
    population = build_population(rng, year=scenario.window_start.year, n_clients=clients or 2000,
                                  n_aanbieders=max(50, (clients or 2000) // 40))
    catalogue = get_catalogue()
    start = scenario.window_start.date()
    work = []
    for (standard, release, number, role), count in mix:
        if role != "heen":
            continue
        mt = catalogue.get(standard, release, number)
        retour = catalogue.get(standard, release, RETOUR_OF[number])
        clients = [c for c in population.clients if c.standard == standard] or list(population.clients)
        for i in range(int(count)):
            client = rng.choice(clients)
            aanbieder = population.sample_aanbieder(rng, standard)
            toewijzing = population.new_toewijzing(rng, client, aanbieder, start.replace(year=start.year - 1))
            work.append((mt, retour, client, aanbieder, toewijzing, f"B{i:09d}"))
    for mt, retour, client, aanbieder, toewijzing, ident in work:  # compile every schema before the clock starts
        is_valid(mt, etree.Element("x"))
        is_valid(retour, etree.Element("x"))
    started = time.perf_counter()
    count = 0
    for mt, retour, client, aanbieder, toewijzing, ident in work:
        payload = make_payload(mt, gemeente=client.gemeente, aanbieder=aanbieder, client=client,
                               toewijzing=toewijzing, identificatie=ident, dagtekening=start, rng=rng)
        for kind, element in ((mt, build(mt, payload)),
                              (retour, build_retour(retour, payload, identificatie="R1", dagtekening=start))):
            etree.tostring(element, xml_declaration=True, encoding="UTF-8")
            is_valid(kind, element)
            count += 1
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "messages": count, "per_second": count / seconds, "peak_mb": _peak_mb()}


def _child(args: list[str]) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="2022-3.0-3.1")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clients", type=int, default=15000,
                        help="caseload of the measured run (40 gemeenten; 0 = the scenario's own population)")
    parser.add_argument("--national", action="store_true", help="also time the national-size scenario")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, name, seed, *rest = args.child
        if kind == "full":
            print(json.dumps(measure_full(name, int(seed), rest[0] == "on", int(rest[1]) if len(rest) > 1 else 0)))
        else:
            print(json.dumps(measure_bare(name, int(seed), json.loads(rest[0]), int(rest[1]))))
        return

    full = _child(["full", args.scenario, str(args.seed), "on", str(args.clients)])
    bare = _child(["bare", args.scenario, str(args.seed), json.dumps(full["mix"]), str(args.clients)])
    print(f"scenario {args.scenario}, seed {args.seed}, clients {args.clients or 'as in the scenario'}")
    print(f"full run with XML : {full['messages']:>8} messages in {full['seconds']:7.2f} s = "
          f"{full['per_second']:8.0f} msg/s, peak {full['peak_mb']:.0f} MB "
          f"(+{full['compile_seconds']:.2f} s compiling the XSDs first)")
    print(f"bare lxml loop    : {bare['messages']:>8} messages in {bare['seconds']:7.2f} s = "
          f"{bare['per_second']:8.0f} msg/s, peak {bare['peak_mb']:.0f} MB")
    if args.national:
        for xml in ("on", "off"):
            nat = _child(["full", "2022-national", str(args.seed), xml, "0"])
            print(f"national xml {xml:<3}  : {nat['messages']:>8} messages in {nat['seconds']:7.2f} s = "
                  f"{nat['per_second']:8.0f} msg/s, peak {nat['peak_mb']:.0f} MB")
    print(f"ratio {full['per_second'] / bare['per_second']:.3f}")


if __name__ == "__main__":
    main()
