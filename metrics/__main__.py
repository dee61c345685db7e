import os
import sys

from metrics.cli import main

status = main()
# DuckDB's bindings print a "nanobind: leaked …" report at interpreter exit when a reference
# cycle still holds one of their objects (as after some validation errors). Every file is
# closed by now, so the process ends without that finalisation.
sys.stdout.flush()
sys.stderr.flush()
os._exit(status)
