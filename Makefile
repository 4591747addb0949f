# Two commands do everything on a fresh machine (Python 3.11 and make present):
#   make report   set up .venv, build the tables from data/raw/, regenerate every report (Chinese and English)
#   make test     set up .venv, run the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: report build test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name qcompare --display-name "qcompare (.venv)" > /dev/null
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/qcompare build

report: build
	$(BIN)/qcompare report --jobs 2
	$(BIN)/qcompare report --jobs 2 --lang en

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) reports
