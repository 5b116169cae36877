"""ketensim: a chain-test simulator for the Dutch iWmo/iJw berichtenverkeer.

It simulates gemeenten, zorgaanbieders, VECOZO and the Inlichtingenbureau exchanging XSD-valid
message pairs through a landelijk draaiboek for a release migration, and measures how many
pairs break.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
