"""The synthetic population: gemeenten, aanbieders, clients and their toewijzingen.

Everything is drawn from the run's seeded :class:`random.Random`; see :func:`build_population`.
"""

from __future__ import annotations

from ketensim.population.aanbieders import Aanbieder, AanbiederSampler, new_aanbieders
from ketensim.population.gemeenten import GEMEENTE_YEARS, Gemeente, GemeenteSampler, list_year, load_gemeenten
from ketensim.population.identifiers import (
    is_valid_agb,
    is_valid_bsn,
    is_valid_postcode,
    new_bsn,
    new_postcode,
    unique_agb_codes,
    unique_bsns,
)
from ketensim.population.model import Population, build_population
from ketensim.population.people import Adres, Client, ClientDetails, Naam, new_client
from ketensim.population.products import (
    Omvang,
    Product,
    Toewijzing,
    ToewijzingNummers,
    UnitProfile,
    categories,
    new_toewijzing,
    products,
    unit_profile,
)

__all__ = [
    "Aanbieder",
    "AanbiederSampler",
    "Adres",
    "Client",
    "ClientDetails",
    "GEMEENTE_YEARS",
    "Gemeente",
    "GemeenteSampler",
    "Naam",
    "Omvang",
    "Population",
    "Product",
    "Toewijzing",
    "ToewijzingNummers",
    "UnitProfile",
    "build_population",
    "categories",
    "is_valid_agb",
    "is_valid_bsn",
    "is_valid_postcode",
    "list_year",
    "load_gemeenten",
    "new_aanbieders",
    "new_bsn",
    "new_client",
    "new_postcode",
    "new_toewijzing",
    "products",
    "unique_agb_codes",
    "unique_bsns",
    "unit_profile",
]
