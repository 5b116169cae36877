"""KTO rehearsal: a vendor's own gemeente or aanbieder system in the simulated chain, over the hubs' interfaces.

The simulation stays pure: :mod:`ketensim.kto.session` wraps one :class:`~ketensim.chain.world.World`
in which one party (:mod:`ketensim.kto.party`) is the vendor's system, journals every input
(:mod:`ketensim.kto.journal`) and judges what the vendor sends (:mod:`ketensim.kto.judge`). The
interface modules (:mod:`ketensim.kto.vecozo` for the VECOZO-style REST interface) only translate
HTTP to session calls; :mod:`ketensim.kto.server` runs them with a clock (:mod:`ketensim.kto.clock`).
"""
