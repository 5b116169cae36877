"""The frozen ledger: records as the simulation left them, and a conservation check that catches every imbalance."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ketensim.chain.records import _Stamps
from ketensim.exceptions import ConservationError
from ketensim.ledger import MessageRecord, PairRecord, check_conservation
from ketensim.run import run_replication
from ketensim.scenario import load_scenario


def _stamp(origin: float, t: float) -> str:
    """The plain formula the column formatter must agree with."""
    if t < 0:
        return ""
    return datetime.fromtimestamp(int(origin + t * 60.0 + 0.0005), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_stamps_agree_with_datetime_across_days_years_and_leap_days() -> None:
    origin = datetime(2023, 12, 31, 22, 58, 59, tzinfo=timezone.utc).timestamp()
    times = [-1.0, 0.0, 0.0166, 0.01666667, 1.0, 61.0 + 59.999 / 60, 1440.0 * 60 + 0.5, 1440.0 * 366, 1e-9, 123456.789]
    stamps = _Stamps(origin)
    assert stamps(times) == [_stamp(origin, t) for t in times]
    created = [5.0, -1.0, 7.25]
    assert stamps.like([5.0, 3.0, 7.25], created, stamps(created)) == [_stamp(origin, t) for t in (5.0, 3.0, 7.25)]


@pytest.fixture(scope="module")
def ledger() -> tuple[list[MessageRecord], list[PairRecord]]:
    result = run_replication(load_scenario("whatif-mix"), 3, xml=False)
    return result.messages, result.pairs


def test_a_real_ledger_balances(ledger: tuple[list[MessageRecord], list[PairRecord]]) -> None:
    messages, pairs = ledger
    check_conservation(messages, pairs)
    assert any(p.retour_id for p in pairs) and any(p.resent_as for p in pairs)


def _retour_pair(pairs: list[PairRecord]) -> int:
    return next(i for i, p in enumerate(pairs) if p.retour_id)


@pytest.mark.parametrize("damage, error", [
    ("pair twice", "has 2 pair outcomes"),
    ("pair lost", "has no pair outcome"),
    ("unknown heen", "pair outcome for unknown heen"),
    ("retour elsewhere", "does not belong to exactly one heen"),
    ("retour twice", "more than one retour"),
    ("resent nowhere", "which is not in the ledger"),
    ("odd outcome", "unknown outcome"),
    ("retour lost", "names retour"),
])
def test_every_imbalance_is_caught(ledger: tuple[list[MessageRecord], list[PairRecord]], damage: str,
                                   error: str) -> None:
    messages, pairs = list(ledger[0]), list(ledger[1])
    i = _retour_pair(pairs)
    retour = next(j for j, m in enumerate(messages) if m.message_id == pairs[i].retour_id)
    if damage == "pair twice":
        pairs.append(pairs[i]._replace(pair_id="P9999999"))
    elif damage == "pair lost":
        del pairs[i]
    elif damage == "unknown heen":
        pairs.append(pairs[i]._replace(pair_id="P9999999", heen_id="M9999999"))
    elif damage == "retour elsewhere":
        messages[retour] = messages[retour]._replace(pair_id="P9999999")
    elif damage == "retour twice":
        messages.append(messages[retour])
    elif damage == "resent nowhere":
        pairs[i] = pairs[i]._replace(resent_as="P9999999")
    elif damage == "odd outcome":
        pairs[i] = pairs[i]._replace(outcome="vanished")
    else:
        del messages[retour]
    with pytest.raises(ConservationError, match=error):
        check_conservation(messages, pairs)


def test_compiled_and_python_columns_write_the_same_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The C stamps and ids against the Python ones (and the plain formulas), on times around every boundary."""
    import random

    from ketensim.chain import message, records
    from ketensim.chain.message import MESSAGE_ID, message_ids

    if records._columns is None:
        pytest.skip("built without the C extensions")
    origin = datetime(2023, 12, 31, 22, 58, 59, tzinfo=timezone.utc).timestamp()
    rng = random.Random(8)
    times = [-1.0, 0, 0.0, float("nan"), 1e-9, 59.99999, 60.0, 1440.0 * 366, *(rng.uniform(0, 2e5) for _ in range(3000)),
             *(float(rng.randrange(0, 200_000)) for _ in range(1000)), *(m / 60.0 for m in range(0, 7300))]
    seqs = [0, 1, 9_999_999, 10_000_000, *(rng.randrange(0, 10**9) for _ in range(2000))]
    compiled = records._Stamps(origin)(times), message_ids(seqs)
    monkeypatch.setattr(records, "_columns", None)
    monkeypatch.setattr(message, "_columns", None)
    python = records._Stamps(origin)(times), message_ids(seqs)
    assert compiled == python
    assert compiled[0] == [_stamp(origin, t) if t == t else "" for t in times]
    assert compiled[1] == [MESSAGE_ID(s) for s in seqs]


def test_id_columns_are_the_formatted_ids() -> None:
    from ketensim.chain.message import MESSAGE_ID, PAIR_ID, message_ids, pair_ids

    seqs = [*range(0, 2100), 9_999_998, 9_999_999, 10_000_000, 10_000_001, 123_456_789, 17, 5]
    assert message_ids(seqs) == [MESSAGE_ID(s) for s in seqs]
    assert pair_ids(seqs) == [PAIR_ID(s) for s in seqs]
    assert message_ids([]) == []


def test_stamps_need_a_clock_after_1970() -> None:
    with pytest.raises(ValueError, match="before 1970"):
        _Stamps(-60.0)
