"""The agenda runs the chain's calls and SimPy's events in exactly the order SimPy's own loop would."""

from __future__ import annotations

import math
import os
import random

import pytest
import simpy
from simpy.core import NORMAL

from ketensim.chain.agenda import COMPILED, Agenda, PythonAgenda

# the compiled agenda when it was built, and the Python one always: every test runs on both
IMPLEMENTATIONS = [PythonAgenda, Agenda] if COMPILED else [PythonAgenda]
both = pytest.mark.parametrize("make", IMPLEMENTATIONS, ids=lambda cls: cls.__module__.rsplit(".", 1)[-1])


class _Script:
    """A random web of calls: each call logs itself and schedules more, some in the past, many tied in time."""

    def __init__(self, seed: int, schedule) -> None:  # type: ignore[no-untyped-def]
        self.rng = random.Random(seed)
        self.schedule = schedule  # (t, fn, args) -> None
        self.log: list[tuple[float, str]] = []
        self.count = 0

    def when(self, now: float) -> float:
        r = self.rng.random()
        if r < 0.25:
            return now  # a call in the minute being run
        if r < 0.35:
            return now - 5.0  # in the past: runs now
        if r < 0.6:  # on a whole half hour, tied with each other and with the sampler (a portal read, a batch)
            return (now // 30.0 + self.rng.randrange(0, 6)) * 30.0
        return now + self.rng.uniform(0.0, 300.0)

    def call(self, env: simpy.Environment, label: str) -> None:
        self.log.append((env.now, label))
        for k in range(self.rng.choice((0, 1, 1, 2, 3))):
            if self.count >= 4000:
                return
            self.count += 1
            self.schedule(self.when(env.now), self.call, (env, f"{label}.{k}"))


def _process(env: simpy.Environment, log: list[tuple[float, str]], step: float, name: str):  # type: ignore[no-untyped-def]
    while True:
        log.append((env.now, name))
        yield env.timeout(step)


def _trace(seed: int, with_agenda: bool, cuts: list[float], make=PythonAgenda) -> list[tuple[float, str]]:  # type: ignore[no-untyped-def]
    env = simpy.Environment()
    agenda = make(env)

    def on_simpy_heap(t: float, fn, args) -> None:  # type: ignore[no-untyped-def]
        # what the chain did before the agenda: SimPy's own entry, (t, NORMAL, eid, event)
        event = env.event()
        event._ok, event._value = True, None
        event.callbacks.append(lambda _e: fn(*args))
        env.schedule(event, NORMAL, max(t, env.now) - env.now)

    script = _Script(seed, (lambda t, fn, args: agenda.at(t, fn, *args)) if with_agenda else on_simpy_heap)
    env.process(_process(env, script.log, 30.0, "sampler"))  # ties with the calls on whole half hours
    env.process(_process(env, script.log, 61.5, "days"))
    for i in range(20):
        script.schedule(script.rng.uniform(0, 100), script.call, (env, f"r{i}"))
    for cut in cuts:  # run_until in pieces, as a KTO rehearsal does
        if with_agenda:
            agenda.run(cut)
        else:
            env.run(until=cut)
        script.log.append((env.now, "cut"))
        if cut == cuts[len(cuts) // 2]:  # an input from outside between two pieces, at the cut itself
            script.schedule(env.now, script.call, (env, "outside"))
    return script.log


@both
@pytest.mark.parametrize("seed", range(6))
def test_same_order_as_simpy(seed: int, make) -> None:  # type: ignore[no-untyped-def]
    cuts = [37.0, 60.0, 61.0, 200.5, 900.0, 5000.0]
    expected = _trace(seed, False, cuts)
    assert len(expected) > 3000  # the script really ran
    assert _trace(seed, True, cuts, make) == expected


@both
def test_a_call_in_the_past_runs_now_and_stop_is_exclusive(make) -> None:  # type: ignore[no-untyped-def]
    env = simpy.Environment()
    agenda = make(env)
    seen: list[tuple[str, float]] = []
    agenda.at(10.0, lambda: agenda.at(3.0, lambda: seen.append(("late", env.now))))
    agenda.at(20.0, lambda: seen.append(("at stop", env.now)))
    agenda.run(20.0)
    assert seen == [("late", 10.0)]
    assert env.now == 20.0 and len(agenda) == 1
    agenda.run(21.0)
    assert seen[-1] == ("at stop", 20.0) and len(agenda) == 0


@both
def test_a_failed_simpy_event_ends_the_run(make) -> None:  # type: ignore[no-untyped-def]
    env = simpy.Environment()
    agenda = make(env)

    def failing():  # type: ignore[no-untyped-def]
        yield env.timeout(5)
        raise KeyError("boom")

    env.process(failing())
    agenda.at(10.0, lambda: None)
    with pytest.raises(KeyError, match="boom"):
        agenda.run(100.0)


@both
def test_until_must_be_ahead(make) -> None:  # type: ignore[no-untyped-def]
    env = simpy.Environment()
    with pytest.raises(ValueError, match="must be greater"):
        make(env).run(0.0)


@both
def test_a_call_at_infinity_waits_without_holding_up_the_others(make) -> None:  # type: ignore[no-untyped-def]
    """inf // 1.0 is NaN: a bucket keyed by it once came first and stopped every later call (SimPy just never reaches it)."""
    env = simpy.Environment()
    agenda = make(env)
    seen: list[tuple[str, float]] = []
    agenda.at(math.inf, lambda: seen.append(("never", env.now)))
    agenda.at(5.0, lambda: seen.append(("five", env.now)))
    agenda.run(10.0)
    agenda.at(12.0, lambda: seen.append(("twelve", env.now)))
    agenda.at(math.inf, lambda: seen.append(("never", env.now)))
    agenda.at(15.5, lambda: seen.append(("fifteen", env.now)))
    agenda.run(20.0)
    assert seen == [("five", 5.0), ("twelve", 12.0), ("fifteen", 15.5)]
    assert len(agenda) == 2


@both
def test_a_call_at_no_number_or_at_now_runs_now_as_simpy_would(make) -> None:  # type: ignore[no-untyped-def]
    env = simpy.Environment()
    agenda = make(env)
    seen: list[tuple[str, object]] = []
    agenda.run(3.0)
    agenda.at(math.nan, lambda: seen.append(("nan", env.now)))
    agenda.at(3, lambda: seen.append(("int now", env.now)))  # the int 3 == now: runs at now, the float
    agenda.at(4.5, lambda: seen.append(("later", env.now)))
    agenda.run(10.0)
    assert seen == [("nan", 3.0), ("int now", 3.0), ("later", 4.5)]
    assert all(type(t) is float for _, t in seen)


@both
def test_thousands_of_pending_calls_run_in_time_and_id_order(make) -> None:  # type: ignore[no-untyped-def]
    """More calls than the compiled heap starts with (1024), many tied in time, some run in between."""
    env = simpy.Environment()
    agenda = make(env)
    rng = random.Random(5)
    seen: list[tuple[float, int]] = []
    planned = []
    for n in range(5000):
        t = float(rng.randrange(1, 400)) if n % 3 else rng.uniform(1, 400)
        planned.append((t, n))
        agenda.at(t, lambda t=t, n=n: seen.append((t, n)))
    assert len(agenda) == 5000
    agenda.run(200.0)
    for n in range(5000, 6000):  # slots freed by the first half are taken again
        t = rng.uniform(200, 500)
        planned.append((t, n))
        agenda.at(t, lambda t=t, n=n: seen.append((t, n)))
    agenda.run(1000.0)
    assert seen == sorted(planned) and len(agenda) == 0


@both
def test_a_failing_call_leaves_the_agenda_usable(make) -> None:  # type: ignore[no-untyped-def]
    env = simpy.Environment()
    agenda = make(env)
    seen: list[float] = []
    agenda.at(2.0, lambda: seen.append(env.now))
    agenda.at(3.0, lambda: 1 / 0)
    agenda.at(4.0, lambda: seen.append(env.now))
    with pytest.raises(ZeroDivisionError):
        agenda.run(10.0)
    assert env.now == 3.0 and len(agenda) == 1
    agenda.run(10.0)
    assert seen == [2.0, 4.0] and env.now == 10.0


@both
def test_a_world_that_holds_its_agenda_is_garbage_once_dropped(make) -> None:  # type: ignore[no-untyped-def]
    """The calls refer back to their owner (a party, its world, the agenda): the collector must see that cycle."""
    import gc
    import weakref

    class Owner:
        pass

    owner = Owner()
    owner.agenda = make(simpy.Environment())  # type: ignore[attr-defined]
    owner.agenda.at(5.0, lambda o=owner: o)  # type: ignore[attr-defined]
    gone = weakref.ref(owner)
    del owner
    gc.collect()
    assert gone() is None


@pytest.mark.skipif(not COMPILED and bool(os.environ.get("KETENSIM_NO_COMPILE") or os.environ.get("KETENSIM_NO_SCREEN")),
                    reason="built without the C extensions on purpose")
def test_the_compiled_agenda_is_in_use() -> None:
    assert COMPILED and Agenda is not PythonAgenda
