# The two commands of the README: `make demo` and `make test`.
# Both build .venv from scratch on a machine with only python3, git and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := demo-output
DEMO_LA ?= 330
DEMO_YEARS ?= 2021-2025

# What the tests need from the system: PostgreSQL (a throw-away server per test run) and Java
# (Spark's local mode). Installed with apt-get when missing, as root or through sudo.
APT_PACKAGES := postgresql default-jre-headless
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test venv clean bench system-deps

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

system-deps:
	@if ! command -v java >/dev/null 2>&1 || ! { ls /usr/lib/postgresql/*/bin/initdb || command -v initdb; } >/dev/null 2>&1; then \
		echo "installing $(APT_PACKAGES) for the engine tests"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(APT_PACKAGES); \
	fi

test: venv system-deps
	$(BIN)/python -m pytest

bench: venv
	$(BIN)/python benchmarks/ingest_throughput.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache
