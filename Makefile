# Two commands do all the set-up on a fresh machine:
#   make run    install, build the warehouse if absent, start the dashboard
#   make test   install with test tools, run every test (browser tests need chromium)
#   make test-fast  the unit and AppTest layers only, for the edit-test loop
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test test-fast install install-test warehouse bench bench-scale lint cluster cluster-stop

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

install: $(PY)
	$(PY) -m pip install -q -c constraints.txt -e .

install-test: $(PY)
	$(PY) -m pip install -q -c constraints.txt -e '.[test]'

warehouse: install
	$(PY) -m metrics ensure

run: warehouse
	$(PY) -m streamlit run server.py --server.port $(PORT)

# Both cores; a file's tests stay on one worker, so module-scoped warehouses and servers are made once. Files go out
# in the order tests/conftest.py sorts them (the slow ones first): xdist's default order, by number of tests, sent
# the one-test files (the kill test, the property test, the cluster) last, to run alone while the other core idled.
PYTEST_PARALLEL ?= -n 2 --dist loadfile --no-loadscope-reorder

test: install-test
	$(PY) -m pytest $(PYTEST_PARALLEL)

test-fast: install-test
	$(PY) -m pytest $(PYTEST_PARALLEL) -m "not slow"

bench: install
	$(PY) -m scripts.bench_pages

# Synthetic warehouses of 10^6 and 10^7 observations (issue #14); e.g. BENCH_SCALE_ARGS="--sizes 1e6 --keep /tmp/scale"
bench-scale: install
	$(PY) -m scripts.bench_scale $(BENCH_SCALE_ARGS)

lint: install-test
	$(PY) -m ruff check .

# Two app servers behind nginx (HTTPS) sharing accounts and sessions in a throwaway PostgreSQL, all under
# .cluster/ (deploy/README.md); needs Debian's postgresql, nginx and openssl
cluster: install
	$(PY) -m scripts.cluster start

cluster-stop:
	$(PY) -m scripts.cluster stop
