"""The vendors' own caseloads: what each vendor party holds at the hand-over, and its cases as it sends.

A vendor's heen about a client names a BSN and a counterparty; the chain needs a
:class:`~ketensim.chain.caseload.Case` to route it and to let the simulated counterparty answer (a
gemeente's 301 on a 315 builds its toewijzing from the case). :class:`VendorCases` finds the
vendor's existing case of that client at that counterparty, or opens one: for a client the
population has, with that client; for a new client, with a client made from the BSN and the birth
date the message gives, its personal details drawn from a seed derived from the session seed and
the case. Every choice depends only on the inputs, so a replayed session opens the same cases.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from ketensim.chain.caseload import Case
from ketensim.chain.message import Party
from ketensim.chain.world import World
from ketensim.kto.party import VendorParty
from ketensim.population.people import Client

__all__ = ["VendorCases"]


class VendorCases:
    """Look-ups from a vendor's message to the case it is about."""

    def __init__(self, world: World, parties: dict[str, VendorParty], seed: int) -> None:
        self.world = world
        self.parties = parties
        self.seed = seed
        self._cases: dict[tuple[str, str, str, str], Case] = {}
        self._indexed = 0  # cases of the caseload's list looked at so far (traffic keeps adding cases)
        self._clients: dict[str, Client] | None = None
        self._made: dict[tuple[str, str, str], Client] = {}  # (bsn, gemeente, standard) -> a vendor's new client

    def at_handover(self, party: VendorParty) -> list[dict[str, Any]]:
        """``party``'s active cases when it takes over (their toewijzingen drawn now, in case order)."""
        world = self.world
        population = world.caseload.population
        out = []
        for case in world.caseload.cases:
            if not case.active or party not in world.parties_of(case):
                continue
            tw = case.toewijzing(population)
            out.append({"bsn": case.client.bsn, "standaard": case.standard, "gemeente": case.gemeente.code,
                        "aanbieder": case.aanbieder.agb, "toewijzingnummer": tw.toewijzingnummer,
                        "product": {"categorie": tw.product.categorie, "code": tw.product.code},
                        "ingangsdatum": tw.ingangsdatum.isoformat(),
                        "einddatum": tw.einddatum.isoformat() if tw.einddatum else None,
                        "gestart": case.started})
        return out

    def case_for(self, party: VendorParty, counterparty: Party, bsn: str, standard: str, geboortedatum: date | None,
                 today: date) -> Case:
        """The vendor's case of client ``bsn`` with ``counterparty``; a new one for a client it did not have."""
        world = self.world
        cases = world.caseload.cases
        for case in cases[self._indexed:]:
            for p in world.parties_of(case):
                if p.key in self.parties:
                    self._cases[(p.key, case.client.bsn, case.gemeente.code, case.aanbieder.agb)] = case
        self._indexed = len(cases)
        gemeente_code = counterparty.ident if party.kind == "aanbieder" else party.ident
        agb = party.ident if party.kind == "aanbieder" else counterparty.ident
        key = (party.key, bsn, gemeente_code, agb)
        case = self._cases.get(key)
        if case is None:
            # a gemeente's new client has a toewijzing still to start; an aanbieder's is in care already
            case = self._cases[key] = self._open(key, standard, geboortedatum, today, party.kind == "aanbieder")
        return case

    def _open(self, key: tuple[str, str, str, str], standard: str, geboortedatum: date | None, today: date,
              started: bool) -> Case:
        world = self.world
        _, bsn, gemeente_code, agb = key
        population = world.caseload.population
        if self._clients is None:
            self._clients = {c.bsn: c for c in population.clients}
        seed = int.from_bytes(hashlib.blake2b(f"{self.seed}:vendorclient:{key}".encode(), digest_size=8).digest(),
                              "big")
        known = self._clients.get(bsn)
        if known is not None and known.gemeente.code == gemeente_code and known.standard == standard:
            client = known
        else:
            # one client per BSN, gemeente and standard, also when the population has the BSN elsewhere
            client = self._made.get((bsn, gemeente_code, standard))
            if client is None:
                gemeente = next(g for g in world.caseload.gemeenten if g.code == gemeente_code)
                client = Client(bsn, standard, gemeente, geboortedatum or date(1980, 1, 1), "0", seed)
                self._made[(bsn, gemeente_code, standard)] = client
            if known is None:
                self._clients[bsn] = client
                world.codec.register_client(client)
        aanbieder = next(a for a in population.aanbieders if a.agb == agb)
        return world.caseload.open_case(client, aanbieder, today, seed, started=started)
