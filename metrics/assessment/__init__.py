"""The provincial assessment (高效办成一件事): results as reported, and the scheme's rules and scoring."""

from metrics.assessment.reported import reported_points, reported_ranks

__all__ = ["reported_points", "reported_ranks"]
