"""Check an uploaded file against the warehouse before anything is written, listing every problem.

checks (what every check uses), reference (new regions and indicators), observations, file (the whole file in one
pass) and display (preview) hold the parts; callers use the names exported here.
"""

from metrics.ingest.validation.checks import Progress, problem_lines
from metrics.ingest.validation.display import preview
from metrics.ingest.validation.file import Validation, validate
from metrics.ingest.validation.observations import conflict_table
from metrics.ingest.validation.reference import INDICATOR_VOCABULARY, REGION_LEVELS

__all__ = ["INDICATOR_VOCABULARY", "REGION_LEVELS", "Progress", "Validation", "conflict_table", "preview",
           "problem_lines", "validate"]
