"""Draaiboek scenarios: the model, the strict loader and the draaiboek rules."""

from ketensim.scenario.loader import load_scenario, load_scenario_text, resolve_scenario_path
from ketensim.scenario.model import Scenario

__all__ = ["Scenario", "load_scenario", "load_scenario_text", "resolve_scenario_path"]
