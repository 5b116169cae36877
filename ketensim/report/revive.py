"""Rebuild a :class:`~ketensim.scenario.model.Scenario` from the ``resolved_scenario`` of a results file.

Every results file stores the scenario that actually ran (every default filled in, sweep variants
included). The report draws its Gantt from that record, so it never depends on the scenario file
still being where it was, or unchanged. This is the inverse of :func:`ketensim.output.scenario_dict`,
driven by the dataclass type hints of the scenario model.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime, time
from typing import Any

from ketensim.scenario.model import Scenario
from ketensim.timeline import AMSTERDAM

__all__ = ["scenario_from_dict"]


def _revive(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _revive(options[0], value) if len(options) == 1 else value
    if origin is typing.Literal or hint is Any:
        return value
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_revive(args[0], v) for v in value)
        return tuple(_revive(a, v) for a, v in zip(args, value))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        fields = typing.get_type_hints(hint)
        known = {f.name for f in dataclasses.fields(hint) if f.init}
        return hint(**{k: _revive(fields[k], v) for k, v in value.items() if k in known})
    if hint is datetime:
        return datetime.fromisoformat(value).astimezone(AMSTERDAM)
    if hint is date:
        return date.fromisoformat(value)
    if hint is time:
        return time.fromisoformat(value)
    if hint is float and isinstance(value, int):
        return float(value)
    return value


def scenario_from_dict(data: dict[str, Any]) -> Scenario:
    """The scenario recorded as ``resolved_scenario`` in result.json / summary.json."""
    return typing.cast(Scenario, _revive(Scenario, data))
