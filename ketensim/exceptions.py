"""The one exception hierarchy of ketensim.

Every error a user can cause (a bad scenario, an unknown message, an invalid XML file) is a
:class:`KetensimError`; the CLI turns it into a one-line message and a non-zero exit code.
Each class also subclasses the matching built-in so callers can catch either.
"""

from __future__ import annotations

__all__ = [
    "KetensimError",
    "ScenarioError",
    "ScenarioErrors",
    "UnknownMessageType",
    "SchemaViolation",
    "UnsafeXML",
    "ConservationError",
]


class KetensimError(Exception):
    """Root of every error ketensim raises on purpose."""


class ScenarioError(KetensimError, ValueError):
    """Raised when a scenario file is malformed or violates a draaiboek rule.

    The message is one line: ``<file>: <key or row>: <what is wrong>; expected <what>``.
    """

    def __init__(self, path: str, where: str, problem: str) -> None:
        self.path = path
        self.where = where
        self.problem = problem
        super().__init__(f"{path}: {where}: {problem}" if where else f"{path}: {problem}")


class ScenarioErrors(ScenarioError):
    """Raised when a scenario file has several problems; ``errors`` holds each, one line per error."""

    def __init__(self, errors: list[ScenarioError]) -> None:
        first = errors[0]
        super().__init__(first.path, first.where, first.problem)
        self.errors = list(errors)
        self.args = ("\n".join(str(e) for e in self.errors),)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


def raise_all(errors: list[ScenarioError]) -> None:
    """Raise nothing, the one error, or :class:`ScenarioErrors` for several (in the order found)."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ScenarioErrors(errors)


def flatten(err: ScenarioError) -> list[ScenarioError]:
    """The single errors inside ``err``."""
    return list(err.errors) if isinstance(err, ScenarioErrors) else [err]


class UnknownMessageType(KetensimError, KeyError):
    """Raised when a message code, standard or release is not in the catalogue."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class SchemaViolation(KetensimError):
    """Raised when a message fails its XSD; ``errors`` holds the individual findings."""

    def __init__(self, message: str, errors: list[str] | None = None) -> None:
        self.errors = list(errors or [])
        super().__init__(message)


class UnsafeXML(KetensimError, ValueError):
    """Raised when an input file is not safe or not possible to parse (DTD, entities, size, not XML)."""


class ConservationError(KetensimError, AssertionError):
    """Raised when the pair ledger does not balance at the end of a run (a bug, never bad input)."""
