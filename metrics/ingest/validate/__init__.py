"""Check an uploaded file against the warehouse before anything is written, listing every problem."""

from metrics.ingest.validate.observations import (
    INDICATOR_VOCABULARY,
    REGION_LEVELS,
    Progress,
    Validation,
    preview,
    problem_lines,
    validate,
)

__all__ = ["INDICATOR_VOCABULARY", "REGION_LEVELS", "Progress", "Validation", "preview", "problem_lines", "validate"]
