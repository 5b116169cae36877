"""The Dutch stuurgroep report: one self-contained HTML page from any ketensim output directory.

``write_report(output_dir, "report.html")`` reads what ``ketensim run`` (one run or ``-n``),
``ketensim compare`` or ``ketensim sweep`` wrote and lays it out with Jinja2 templates and inline
matplotlib charts; the page loads nothing from outside.
"""

from __future__ import annotations

from ketensim.report.html import SECTIONS, render_report, write_report
from ketensim.report.load import ReportInputError, load_output

__all__ = ["render_report", "write_report", "load_output", "ReportInputError", "SECTIONS"]
