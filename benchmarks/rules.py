"""What the business rules cost per message, next to lxml XSD validation of the same messages, in one run.

Runs one replication of a scenario (default: the bundled 2022 draaiboek) with XML and keeps every
document the chain built, in the order the hubs checked them, so the message mix is the chain's own
(heen and retour, every type, both standards). Each document is parsed once before the clock
starts, and the simulation's own objects are dropped (as in the XML worker process, where the
checks run in a run). Then, per batch of messages, ``--repeat`` rounds in which the two alternate
(so a change in the machine's load falls on both alike):

* ``xsd``: validation against the message's compiled XSD (what every hub does to every message);
* ``rules``: the business rules (:func:`ketensim.standards.rules.engine.run`) on the same parsed
  message, including the messages that have no rules (retours, 2.x), where the check costs the look-up:
  as the chain runs them, with the compiled screen clearing the checks it can prove clean;
* ``python``: the same rules with every check in Python (``screen=False``), for comparison.

Times are the process's CPU time (``time.process_time``), so other work on a shared machine does not
count. Per batch it prints the best (minimum) time per message of each over the rounds and the ratio rules/xsd,
over the whole mix, over the messages that do have rules (3.x heen messages and the 325), over
those the default hubs check (VECOZO, on what aanbieders submit), then per message type. The last
lines give the ratio over the whole mix twice: from the best times, and as the median over the
rounds of each round's own ratio (the two measured back to back), with the target (at most 1).
Run it as::

    python benchmarks/rules.py [--scenario NAME] [--seed N] [--repeat K]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence

from lxml import etree


def _rounds(repeat: int, *works: Callable[[], object]) -> list[list[float]]:
    """The CPU time of each of ``works`` in each of ``repeat`` rounds; the works alternate within a
    round, so a change in the machine's load falls on both alike.

    CPU time, not wall time: on a shared machine a longer batch is more often interrupted by other
    processes, which would count against the slower of the two."""
    times: list[list[float]] = [[] for _ in works]
    for _ in range(repeat):
        for i, work in enumerate(works):
            started = time.process_time()
            work()
            times[i].append(time.process_time() - started)
    return times


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", default="2022-3.0-3.1")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)

    from ketensim.run import run_replication
    from ketensim.scenario import load_scenario
    from ketensim.standards.rules import applies
    from ketensim.standards.rules.engine import run as run_rules
    from ketensim.standards.validation import detect, schema

    result = run_replication(load_scenario(args.scenario), args.seed, keep_xml=True, xml_worker=False)
    order = sorted((m for m in result.messages if m.message_id in result.xml_documents),
                   key=lambda m: (m.submitted, m.message_id))
    parser_ = etree.XMLParser(resolve_entities=False, no_network=True)
    docs = []
    for m in order:
        root = etree.fromstring(result.xml_documents[m.message_id], parser_)
        mt = detect(root)
        docs.append((mt, root, schema(mt)))
    del result, order  # only the parsed documents stay, as in the XML worker process
    gc.collect()
    for mt, root, _ in docs:  # compile every plan before the clock starts, as the chain does once
        run_rules(root, mt)
    checked = [d for d in docs if applies(d[0])]

    def xsd(batch: list) -> Callable[[], object]:
        return lambda: [xs.validate(root) for _, root, xs in batch]

    def rules(batch: list) -> Callable[[], object]:
        return lambda: [run_rules(root, mt) for mt, root, _ in batch]

    def python(batch: list) -> Callable[[], object]:
        return lambda: [run_rules(root, mt, screen=False) for mt, root, _ in batch]

    from ketensim.standards.rules.engine import SCREEN

    screen = f"compiled screen in use (built against lxml {SCREEN.LXML_BUILT})" if SCREEN else "NO compiled screen"
    print(f"scenario {args.scenario}  seed {args.seed}  best of {args.repeat} rounds (minimum CPU time per message)")
    print(f"rules: {screen}; python: every check in Python")
    print(f"{'mix':<36}{'messages':>9}{'xsd us/msg':>12}{'rules us/msg':>14}{'rules/xsd':>11}{'python us/msg':>15}")
    # the default hubs: VECOZO checks the rules on what aanbieders submit (A2G), the IB does not
    vecozo = [d for d in checked if d[0].direction == "A2G"]
    rows = [
        ("all messages of the run", docs),
        ("messages with rules (3.x heen, 325)", checked),
        ("  of which VECOZO checks (A2G)", vecozo),
    ]
    by_type: dict[str, list] = defaultdict(list)
    for d in checked:
        by_type[f"    {d[0].code} {d[0].release}"].append(d)
    rows += sorted(by_type.items())
    whole: list[list[float]] = []
    for label, batch in rows:
        if not batch:
            continue
        rounds = _rounds(args.repeat, xsd(batch), rules(batch), python(batch))
        whole = whole or rounds  # the first row: all messages of the run
        t_xsd, t_rules, t_python = (min(t) / len(batch) * 1e6 for t in rounds)
        print(f"{label:<36}{len(batch):>9}{t_xsd:>12.1f}{t_rules:>14.1f}{t_rules / t_xsd:>11.2f}{t_python:>15.1f}")
    findings = sum(len(run_rules(root, mt)) for mt, root, _ in checked)
    print(f"rule findings in the run's own traffic: {findings}")
    best = min(whole[1]) / min(whole[0])
    median = statistics.median(r / x for x, r in zip(whole[0], whole[1]))
    verdict = "met" if best <= 1 else "not met"
    python_ratio = min(whole[2]) / min(whole[0])
    print(f"python / xsd over all {len(docs)} messages (every check in Python): {python_ratio:.2f} from the best times")
    print(f"rules / xsd over all {len(docs)} messages: {best:.2f} from the best times, "
          f"{median:.2f} median of the {args.repeat} rounds' own ratios (target <= 1.00: {verdict})")


if __name__ == "__main__":
    main()
