"""The vendor's party in the simulated chain: a simulated stand-in until the hand-over, then a mailbox.

A KTO rehearsal puts one gemeente or aanbieder of the scenario behind a vendor's own system. Until
the hand-over instant (``--start``) a simulated stand-in plays that party exactly as in ``ketensim
run``, so the vendor joins a warm chain. At the hand-over the stand-in stops: what was delivered to it
and not yet read, and every heen it read but did not yet answer, goes into the vendor's mailbox, and
whatever the stand-in had planned (reading, answering, sending, resending) does not happen. From then
on the hubs deliver into the mailbox, and the party sends only what the vendor's system sends
(:class:`ketensim.kto.session.Session` puts those messages into the chain).

The party is a :class:`~ketensim.chain.actors.SimParty` whose scheduled steps check one flag, so the
chain's engine is the same one ``ketensim run`` uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ketensim.chain.actors import SimParty
from ketensim.chain.message import Message

if TYPE_CHECKING:
    from ketensim.chain.caseload import Case

__all__ = ["VendorParty", "MailItem"]


@dataclass(slots=True, eq=False)
class MailItem:
    """A message waiting in the vendor's mailbox until the vendor confirms it."""

    msg: Message
    offered: float  # simulation minutes: when it entered the mailbox
    handed_over: bool = False  # the stand-in left it behind at the hand-over


class VendorParty(SimParty):
    """A gemeente or aanbieder whose messages come from a vendor's system once it has been handed over."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.external = False
        self.handover_at = -1.0
        self.mailbox: dict[int, MailItem] = {}  # message seq -> item, oldest first
        self.confirmed: dict[int, float] = {}  # message seq -> when the vendor confirmed it
        self.offered: list[MailItem] = []  # every item that ever entered the mailbox, in order
        self.offered_seqs: set[int] = set()
        self.expected: set[int] = set()  # requests whose functional answer this vendor gemeente owes

    def _offer(self, item: MailItem) -> None:
        self.mailbox[item.msg.seq] = item
        self.offered.append(item)
        self.offered_seqs.add(item.msg.seq)

    def hand_over(self) -> None:
        """The vendor takes over now: collect the stand-in's unfinished work into the mailbox."""
        world = self.world
        now = world.env.now
        self.external = True
        self.handover_at = now
        dr = world.draaiboek
        cutoff = dr.portal_cutoff[self.kind]
        for msg in world.messages:
            if msg.receiver is not self or msg.hub_result != "accepted" or msg.delivered < 0:
                continue
            unanswered_heen = msg.role == "heen" and msg.pair.retour is None
            if msg.read >= 0 and not unanswered_heen:
                continue
            if msg.pair.unread:
                if msg.release != dr.old or now >= cutoff:
                    continue  # its read-in window has closed: it stays unread
                # the stand-in would have read it too late; the vendor may still be in time
                msg.pair.unread = False
                world.in_flight += 1
            self._offer(MailItem(msg, now, handed_over=True))
        if now < cutoff:
            world.at(cutoff, self._close_read_window)

    # --- the hubs deliver into the mailbox ----------------------------------------------------
    def on_delivered(self, msg: Message) -> None:
        if not self.external:
            super().on_delivered(msg)
            return
        world = self.world
        self._offer(MailItem(msg, world.env.now))
        dr = world.draaiboek
        if msg.release == dr.old and world.env.now >= dr.portal_cutoff[self.kind]:
            msg.pair.unread = True
            world.unread_at_transition(msg, self)

    def _close_read_window(self) -> None:
        """The read-in window before the transition closes: what the vendor has not confirmed stays unread."""
        world = self.world
        for item in self.mailbox.values():
            msg = item.msg
            if msg.release == world.draaiboek.old and msg.read < 0 and not msg.pair.unread:
                msg.pair.unread = True
                world.unread_at_transition(msg, self)

    def confirm(self, msg: Message) -> None:
        """The vendor confirmed receipt of ``msg`` now: it has been read in."""
        world = self.world
        self.mailbox.pop(msg.seq, None)
        self.confirmed[msg.seq] = world.env.now
        if msg.read < 0:
            msg.read = world.env.now
            if not msg.pair.unread:
                world.message_read(msg)
            self.expect(msg)

    def expect(self, request: Message) -> None:
        """A gemeente vendor got a 315/317: a functional answer (301 or 319) is now due from it (once)."""
        if (self.kind == "gemeente" and request.role == "heen" and request.number in ("315", "317")
                and request.seq not in self.expected and not self.world.awaits_answer(request)):
            self.expected.add(request.seq)
            self.world.expect_answer(request)

    # --- what the vendor sends ------------------------------------------------------------------
    def vendor_message(self, number: str, standard: str, role: str, receiver: SimParty, case: Case,
                       heen: Message | None, release: str, key: str) -> Message:
        """A message the vendor's system sent now, as the chain's working state (not yet offered to a hub)."""
        world = self.world
        pair = heen.pair if heen is not None else None
        msg = world.new_message(number, standard, role, self, receiver, case, pair, key)
        msg.release = release
        if role == "heen":
            msg.intent = "vendor"
        self.mark_late(msg)
        return msg

    def mark_late(self, msg: Message) -> None:
        """An old-release message sent after its procedural deadline makes its pair late, as for everyone."""
        dr, now = self.world.draaiboek, self.world.env.now
        if msg.release == dr.old and now > dr.deadline(msg.number, self.kind):
            msg.pair.late = True

    def withdraw(self, msg: Message) -> None:
        """A message that never entered the chain after all (its hub was down, or the stand-in's): out of the ledger."""
        if msg.role == "retour":
            msg.hub_result = "withdrawn"
            if msg.pair.retour is msg:
                msg.pair.retour = None
        else:
            self.world.drop(msg)  # also unlinks a refused original it would have resent

    # --- what the stand-in had planned does not happen after the hand-over -----------------------
    # except the functional answers (301/319) to requests the stand-in read and answered with their
    # 316/318: it finishes those, because the vendor's system never got the request

    def answers_itself(self, request: Message) -> bool:
        """Whether the vendor's system gives the functional answer to ``request``: it got the request."""
        return self.external and request.seq in self.offered_seqs

    def _stand_in_answer(self, msg: Message) -> bool:
        return msg.answer_to is not None and not self.answers_itself(msg.answer_to)

    def _read(self, msg: Message) -> None:
        if not self.external:
            super()._read(msg)

    def _send_retour(self, heen: Message) -> None:
        if not self.external:
            super()._send_retour(heen)

    def send_heen(self, number: str, receiver: SimParty, case: Case, intent: str, key: str,
                  answer_to: Message | None = None, spoed: bool = False) -> Message | None:
        if self.external and (answer_to is None or self.answers_itself(answer_to)):
            return None  # the vendor's system decides what it sends
        return super().send_heen(number, receiver, case, intent, key, answer_to, spoed)

    def dispatch(self, msg: Message) -> None:
        if self.external and not self._stand_in_answer(msg):
            self.withdraw(msg)  # the stand-in's bounced heen: the vendor did not send it
            return
        super().dispatch(msg)

    def _release_held(self, msg: Message) -> None:
        if self.external and not self._stand_in_answer(msg):
            self.world.held -= 1
            self.withdraw(msg)
            return
        super()._release_held(msg)

    def _resend(self, old: Message) -> None:
        if not self.external or self._stand_in_answer(old):
            super()._resend(old)

    def on_rejected(self, msg: Message, verdict: str) -> None:
        # a refused retour only gets its cause; a refused heen is resent by the vendor, or not at all
        if not self.external or msg.role == "retour" or self._stand_in_answer(msg):
            super().on_rejected(msg, verdict)

    def on_bounced(self, msg: Message, until: float) -> None:
        if self.external and not self._stand_in_answer(msg):
            self.withdraw(msg)  # the session tells the vendor the hub is down; it may offer it again
            return
        super().on_bounced(msg, until)
