"""Static analysis of rule sets for their authors: what a rule set can and cannot do."""

from assessments.analysis.analyze import Analyzer, analyze
from assessments.analysis.report import Analysis, render_text

__all__ = ["Analysis", "Analyzer", "analyze", "render_text"]
