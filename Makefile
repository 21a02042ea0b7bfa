# The two commands of the README: `make demo` and `make test`.
# Both build .venv from scratch on a machine with only python3, git and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := demo-output
DEMO_LA ?= 330
DEMO_YEARS ?= 2021-2025

.PHONY: demo test venv clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt setup.py src/munro/census/_fastwalk.pyx
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

venv: $(VENV)/.installed

demo: venv
	rm -rf $(DEMO) && mkdir -p $(DEMO)/returns
	$(BIN)/munro synth --la $(DEMO_LA) --years $(DEMO_YEARS) --seed 1 --out $(DEMO)/returns
	$(BIN)/munro --db $(DEMO)/munro.duckdb ingest $(DEMO)/returns/*.xml
	$(BIN)/munro --db $(DEMO)/munro.duckdb returns
	@echo
	@echo "Demo store: $(CURDIR)/$(DEMO)/munro.duckdb (synthetic returns in $(DEMO)/returns/)"

test: venv
	$(BIN)/python -m pytest

bench: venv
	$(BIN)/python benchmarks/ingest_throughput.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache
