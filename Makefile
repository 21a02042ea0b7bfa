# The two commands of the README: `make demo` and `make test`.
# Both build .venv from scratch on a machine with only python3, git and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := demo-output
DEMO_LA ?= 330
DEMO_YEARS ?= 2021-2025
DEMO_SCALE ?= 1

# What the tests need from the system: PostgreSQL (a throw-away server per test run), Java
# (Spark's local mode) and Chromium (the report's PDF and browser tests; Debian's, never a
# downloaded browser). Installed with apt-get when missing, as root or through sudo.
APT_PACKAGES := postgresql default-jre-headless chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test venv clean bench system-deps report-assets serve

# The report's GOV.UK Frontend styles and the tests' axe-core: npm packages pinned in
# frontend/package-lock.json, installed with npm ci and the built CSS copied into the package.
REPORT_CSS := src/munro/report/assets/govuk-frontend.min.css
AXE := frontend/node_modules/axe-core/axe.min.js
$(AXE): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@
$(REPORT_CSS): $(AXE)
	cp frontend/node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css $@
# GOV.UK Frontend's JavaScript (an ES module) for the survey pages' "Exit this page", served from our origin.
WEB_JS := src/munro/web/assets/govuk-frontend.min.js
$(WEB_JS): $(AXE)
	cp frontend/node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $@

report-assets: $(REPORT_CSS) $(WEB_JS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt setup.py src/munro/census/_fastwalk.pyx
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

venv: $(VENV)/.installed $(REPORT_CSS) $(WEB_JS)

demo: venv
	@command -v chromium >/dev/null 2>&1 || { echo "installing chromium for the report's PDF"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium; }
	# Only the demo's own files are rebuilt: the web service's application database beside the store
	# (accounts, surveys, audits: munro.duckdb.app.sqlite) and anything else a user put here are kept.
	rm -rf $(DEMO)/returns $(DEMO)/report $(DEMO)/munro.duckdb $(DEMO)/munro.duckdb.wal $(DEMO)/indicators-*.json
	mkdir -p $(DEMO)/returns
	$(BIN)/munro synth --la $(DEMO_LA) --years $(DEMO_YEARS) --seed 1 --scale $(DEMO_SCALE) --out $(DEMO)/returns
	$(BIN)/munro --db $(DEMO)/munro.duckdb ingest $(DEMO)/returns/*.xml
	# the local records synth wrote from the same children (docs/local-data.md): 903, visits, core groups,
	# allocations, own figures; each file's year is in its name
	$(BIN)/munro --db $(DEMO)/munro.duckdb ingest --la $(DEMO_LA) $(DEMO)/returns/*.csv
	$(BIN)/munro --db $(DEMO)/munro.duckdb returns
	$(BIN)/munro --db $(DEMO)/munro.duckdb indicators --la $(DEMO_LA) --year 2025 --format json > $(DEMO)/indicators-$(DEMO_LA)-2025.json
	$(BIN)/munro --db $(DEMO)/munro.duckdb indicators --la $(DEMO_LA) --year 2025
	$(BIN)/munro --db $(DEMO)/munro.duckdb report --la $(DEMO_LA) --year 2025 --out $(DEMO)/report
	@echo
	@echo "Demo store: $(CURDIR)/$(DEMO)/munro.duckdb (synthetic returns and local records in $(DEMO)/returns/)"
	@echo "Items for LA $(DEMO_LA), 2024-25: $(CURDIR)/$(DEMO)/indicators-$(DEMO_LA)-2025.json"
	@echo "Report: $(CURDIR)/$(DEMO)/report/index.html, report.pdf and report.xlsx"

# The web service on the demo store, for this machine only (plain http, hence the insecure cookies).
# Create an account first: .venv/bin/munro --db $(DEMO)/munro.duckdb user add --la $(DEMO_LA) --role analyst you@example.gov.uk
serve: venv
	@test -f $(DEMO)/munro.duckdb || $(MAKE) demo
	MUNRO_INSECURE_COOKIES=1 $(BIN)/munro --db $(DEMO)/munro.duckdb serve

system-deps:
	@if ! command -v java >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1 || ! { ls /usr/lib/postgresql/*/bin/initdb || command -v initdb; } >/dev/null 2>&1; then \
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
