"""What the business rules cost per message, next to lxml XSD validation of the same messages, in one run.

Runs one replication of a scenario (default: the bundled 2022 draaiboek) with XML and keeps every
document the chain built, in the order the hubs checked them, so the message mix is the chain's own
(heen and retour, every type, both standards). Each document is parsed once before the clock
starts. Then, over the whole mix and best of ``--repeat`` rounds (the two alternate within a round):

* ``xsd``: validation against the message's compiled XSD (what every hub does to every message);
* ``rules``: the business rules (:func:`ketensim.standards.rules.engine.run`) on the same parsed
  message, including the messages that have no rules (retours, 2.x), where the check costs the look-up;

and the same two figures over the messages that do have rules (3.x heen messages and the 325), over
those the default hubs check (VECOZO, on what aanbieders submit), then per message type. Prints microseconds per message and the ratio rules / xsd. Run it as::

    python benchmarks/rules.py [--scenario NAME] [--seed N] [--repeat K]
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Callable, Sequence

from lxml import etree


def _best(repeat: int, *works: Callable[[], object]) -> list[float]:
    """The best time of each of ``works`` over ``repeat`` rounds; the works alternate within a round,
    so a change in the machine's load falls on both alike."""
    best = [float("inf")] * len(works)
    for _ in range(repeat):
        for i, work in enumerate(works):
            started = time.perf_counter()
            work()
            best[i] = min(best[i], time.perf_counter() - started)
    return best


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
    for mt, root, _ in docs:  # compile every plan before the clock starts, as the chain does once
        run_rules(root, mt)
    checked = [d for d in docs if applies(d[0])]

    def xsd(batch: list) -> Callable[[], object]:
        return lambda: [xs.validate(root) for _, root, xs in batch]

    def rules(batch: list) -> Callable[[], object]:
        return lambda: [run_rules(root, mt) for mt, root, _ in batch]

    print(f"scenario {args.scenario}  seed {args.seed}  best of {args.repeat}")
    print(f"{'mix':<36}{'messages':>9}{'xsd us/msg':>12}{'rules us/msg':>14}{'rules/xsd':>11}")
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
    for label, batch in rows:
        if not batch:
            continue
        t_xsd, t_rules = (t / len(batch) * 1e6 for t in _best(args.repeat, xsd(batch), rules(batch)))
        print(f"{label:<36}{len(batch):>9}{t_xsd:>12.1f}{t_rules:>14.1f}{t_rules / t_xsd:>11.2f}")
    findings = sum(len(run_rules(root, mt)) for mt, root, _ in checked)
    print(f"rule findings in the run's own traffic: {findings}")


if __name__ == "__main__":
    main()
