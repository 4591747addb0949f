# Two commands do everything on a fresh machine (Python 3.11 and make present):
#   make report   set up .venv, build the tables from data/raw/, regenerate every report (Chinese and English)
#   make test     set up .venv, run the test suite
# .venv is installed from requirements.lock (the pinned environment CI tests); `make lock`
# regenerates the lock from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: report build test bench lock clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name qcompare --display-name "qcompare (.venv)" > /dev/null
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/qcompare build

report: build
	$(BIN)/qcompare report --jobs 2
	$(BIN)/qcompare report --jobs 2 --lang en

test: $(STAMP)
	$(BIN)/python -m pytest

# make bench: build throughput, reports, and issue 16 (incremental builds at 1,000 plans, memory, report
# keys, the themes report at 100 and 1,000 plans), about 12 minutes. The 10,000-plan memory point
# takes several more: make bench BENCH_FLAGS="--memory-sizes 10000 --no-build --no-report"
BENCH_FLAGS ?=
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --incremental 1000 $(BENCH_FLAGS)

lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet '.[dev]'
	{ echo "# The environment \`make\` installs and CI tests: every package, pinned. Generated from pyproject.toml"; \
	  echo "# (dependencies + the dev extra) by \`make lock\`, which installs them into a throwaway venv and"; \
	  echo "# freezes it. Regenerate after changing pyproject.toml: make lock"; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^qcompare'; } > requirements.lock
	rm -rf .lock-venv build

clean:
	rm -rf $(VENV) reports
