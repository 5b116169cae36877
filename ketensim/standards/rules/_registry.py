"""The rule registry: one :class:`Rule` per iStandaarden rule code, declared where it is written.

A rule module declares each rule with :func:`rule`::

    @rule("CD034", {"301": CONTACT}, "Een contact van soort 01 of 03 heeft een postcode nodig.", when="Soort")
    def _(d: Doc, contact: Element) -> Faults:
        ...

The second argument maps each message number the rule checks to the paths (local names, from
``Bericht``) of its *context* elements; the engine hands the check every element at those paths
and the check returns the violations it sees there, each as the nodes involved (its Locatie).
``when`` names a child without which the rule cannot fire, so the engine need not call the check.
The registry refuses a code twice, so the table of rules is also the list of codes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from ketensim.exceptions import KetensimError
from ketensim.standards.rules._doc import Doc, Element

__all__ = ["Finding", "Rule", "Fault", "Faults", "Check", "rule", "registry", "STANDARDS"]

STANDARDS: tuple[str, ...] = ("iwmo", "ijw")

Fault: TypeAlias = Sequence[Element | None]
"""One violation: the nodes involved (absent ones as None); they become the finding's locations."""
Faults: TypeAlias = list[Fault] | None
"""What a check returns: None (or an empty list) when the context element obeys the rule."""
Check: TypeAlias = Callable[[Doc, Element], Faults]


@dataclass(frozen=True, slots=True)
class Finding:
    """One business-rule violation in a message.

    Attributes:
        code: The rule code (``CD034``, ``CS002``, ``TR101`` ...).
        paths: The locations involved, in document order, in the rule set's notation
            (``/Bericht/Client/Contactgegevens/Contact[2]/Adres/Postcode``); may be empty.
        explanation: What the rule requires, in Dutch (ketensim's own wording).
        retourcode: The retourcode the rule set attaches (only TR342: ``0001``), else ``""``.
    """

    code: str
    paths: tuple[str, ...]
    explanation: str
    retourcode: str = ""

    def __str__(self) -> str:
        return f"{self.code} {','.join(self.paths) or '-'}: {self.explanation}"


@dataclass(frozen=True)
class Rule:
    """One rule code: where it looks (message number -> context paths), what it checks and why."""

    code: str
    contexts: Mapping[str, tuple[tuple[str, ...], ...]]
    check: Check
    explanation: str
    standards: tuple[str, ...] = STANDARDS
    retourcode: str = ""
    note: str = ""
    when: str = ""

    @property
    def messages(self) -> tuple[str, ...]:
        """The message numbers the rule checks, in order."""
        return tuple(sorted(self.contexts))

    def applies_to(self, standard: str, number: str) -> bool:
        return standard in self.standards and number in self.contexts


_RULES: dict[str, Rule] = {}


def _steps(path: str) -> tuple[str, ...]:
    return () if path in ("", ".") else tuple(path.split("/"))


def rule(
    code: str,
    contexts: Mapping[str, str | Sequence[str]],
    explanation: str,
    *,
    standards: tuple[str, ...] = STANDARDS,
    retourcode: str = "",
    note: str = "",
    when: str = "",
) -> Callable[[Check], Check]:
    """Register the decorated check as rule ``code``.

    Args:
        code: The rule code; registering a code twice is an error.
        contexts: Message number -> the path (or paths) of the elements the check runs on,
            local names separated by ``/`` from below ``Bericht`` (``"."`` is the root itself).
        explanation: The Dutch explanation every finding of this rule carries.
        standards: The standards the rule belongs to (``("ijw",)`` for the iJw-only rules).
        retourcode: The retourcode the rule set gives a violation, if any.
        note: Where ketensim's reading differs or needs a word (shown by ``catalogue --rules``).
        when: A child the context element must have for the rule to possibly fire (the check returns
            nothing without it); the engine then skips the check on a context element that lacks it.
            ``tests/standards/test_rule_guards.py`` checks the promise on every rule that makes it.
    """

    def register(check: Check) -> Check:
        if code in _RULES:
            raise KetensimError(f"rule {code} is registered twice")
        paths = {
            number: tuple(_steps(p) for p in ([where] if isinstance(where, str) else where))
            for number, where in contexts.items()
        }
        _RULES[code] = Rule(code, paths, check, explanation, standards, retourcode, note, when)
        return check

    return register


def registry() -> dict[str, Rule]:
    """Every registered rule by code (the rule modules must have been imported)."""
    return _RULES
