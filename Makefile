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
	$(BIN)/munro --db $(DEMO)/munro.duckdb indicators --la $(DEMO_LA) --year 2025 --format json > $(DEMO)/indicators-$(DEMO_LA)-2025.json
	$(BIN)/munro --db $(DEMO)/munro.duckdb indicators --la $(DEMO_LA) --year 2025
	@echo
	@echo "Demo store: $(CURDIR)/$(DEMO)/munro.duckdb (synthetic returns in $(DEMO)/returns/)"
	@echo "Items for LA $(DEMO_LA), 2024-25: $(CURDIR)/$(DEMO)/indicators-$(DEMO_LA)-2025.json"

test: venv
	$(BIN)/python -m pytest

bench: venv
	$(BIN)/python benchmarks/ingest_throughput.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache
