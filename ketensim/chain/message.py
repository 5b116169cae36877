"""Working state of messages and pairs while a run is in progress.

These objects are mutable and internal to the chain; the ledger freezes them into records when
the run ends. A :class:`Pair` is created with its heen; a retour joins the pair of its heen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ketensim.standards.releases import LAW_PREFIX, RETOUR_OF

if TYPE_CHECKING:
    from ketensim.chain.caseload import Case

__all__ = ["Message", "Pair", "HubResult", "Party", "MESSAGE_ID", "PAIR_ID", "message_ids", "pair_ids"]

MESSAGE_ID = "M{:07d}".format
"""A message's id in the ledger from its sequence number ("M0000123")."""
PAIR_ID = "P{:07d}".format
"""A pair's id in the ledger from its sequence number ("P0000045")."""

def _id_column(letter: str, seqs: list[int]) -> list[str]:
    if _columns is not None:  # written in C
        return _columns.ids(letter, seqs)
    # an id is the prefix of its thousand ("M0001") and the last three digits ("234"): two lookups and one
    # concatenation instead of formatting a number, for the million ids of a national ledger
    prefixes = [f"{letter}{n:04d}" for n in range(max(seqs, default=0) // 1000 + 1)]
    return [prefixes[seq // 1000] + _THREE_DIGITS[seq % 1000] for seq in seqs]


try:
    from ketensim.chain import _columns
except ImportError:  # installed with KETENSIM_NO_COMPILE=1, or a source tree that was never built
    _columns = None

_THREE_DIGITS = tuple(f"{n:03d}" for n in range(1000))


def message_ids(seqs: list[int]) -> list[str]:
    """``[MESSAGE_ID(seq) for seq in seqs]`` (sequence numbers are not negative), faster."""
    return _id_column("M", seqs)


def pair_ids(seqs: list[int]) -> list[str]:
    """``[PAIR_ID(seq) for seq in seqs]`` (sequence numbers are not negative), faster."""
    return _id_column("P", seqs)


HubResult = str  # accepted | rejected_block | rejected_release | foutmelding | held


@dataclass(slots=True, eq=False)
class Pair:
    """A heen and (eventually) its retour."""

    seq: int
    heen: Message | None = None
    retour: Message | None = None
    late: bool = False  # heen or retour sent after its procedural deadline
    cause: str = ""
    resent_as: Pair | None = None
    resent_of: Pair | None = None
    unread: bool = False

    @property
    def pair_id(self) -> str:
        return PAIR_ID(self.seq)


@dataclass(slots=True, eq=False)
class Message:
    """One message on its way through the chain."""

    seq: int
    number: str
    standard: str
    role: str  # heen | retour
    sender: Party
    receiver: Party
    case: Case
    pair: Pair
    created: float
    key: str  # stable name of the message across variants of a run; its random draws derive from it
    release: str = ""
    submitted: float = -1.0
    hub_result: HubResult = ""
    delivered: float = -1.0
    read: float = -1.0
    xml_bytes: int = 0
    spoed: bool = False
    intent: str = ""  # what the heen means: toewijzing, wijziging, einde, vot, vow, declaratie, start, stop, antwoord
    answer_to: Message | None = None  # the request a 301/319 answers
    injections: tuple[str, ...] = ()  # kinds of the injections that touched it (rarely any: no list per message)

    @property
    def message_id(self) -> str:
        return MESSAGE_ID(self.seq)

    @property
    def identificatie(self) -> str:
        """The BerichtIdentificatie: unique per sender, at most 12 characters."""
        return f"KS{self.seq:010d}"

    @property
    def code(self) -> str:
        return LAW_PREFIX[self.standard] + self.number

    @property
    def retour_number(self) -> str:
        return RETOUR_OF[self.number]


class Party(Protocol):
    """What the chain needs from a gemeente or aanbieder."""

    kind: str  # gemeente | aanbieder
    ident: str  # CBS gemeentecode or AGB code
    key: str
    external: bool  # its messages come from a vendor's system, not from the simulation

    def on_delivered(self, msg: Message) -> None:
        """A hub made ``msg`` available to this party."""

    def on_rejected(self, msg: Message, verdict: str) -> None:
        """The sender's hub refused ``msg`` (IB103 block, wrong release, or XSD foutmelding)."""

    def on_bounced(self, msg: Message, until: float) -> None:
        """The sender's hub was down and did not take ``msg``; it is up again at ``until``."""

    def answers_itself(self, request: Message) -> bool:
        """Whether a vendor's system, not the simulation, gives the functional answer to ``request``."""

    def send_heen(self, number: str, receiver: Party, case: Case, intent: str, key: str,
                  answer_to: Message | None = None, spoed: bool = False) -> Message | None:
        """Create a heen now and send it (or hold or drop it, as the party's behaviour says)."""
