# The two commands of the README: `make demo` and `make test`.
# Both build .venv from scratch on a machine with only python3, git and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := demo-output
DEMO_LA ?= 330
DEMO_YEARS ?= 2021-2025
DEMO_SCALE ?= 1
# The demo stands on DEMO_AS_AT, in 2025-26 (DEMO_NEXT): the in-year extracts of each month end to it are
# loaded and the 2025-26 return, not due until after 31 March 2026, is not (synth writes it: it is kept aside).
DEMO_NEXT ?= 2026
DEMO_EXTRACTS ?= 2025-04-30 2025-05-31 2025-06-30 2025-07-31 2025-08-31 2025-09-30 2025-10-31
DEMO_AS_AT ?= $(lastword $(DEMO_EXTRACTS))

# What the tests need from the system: PostgreSQL (a throw-away server per test run), Java
# (Spark's local mode) and Chromium (the report's PDF and browser tests; Debian's, never a
# downloaded browser). Installed with apt-get when missing, as root or through sudo.
APT_PACKAGES := postgresql default-jre-headless chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test venv clean bench system-deps report-assets check-assets lint serve

# GOV.UK Frontend's built CSS (the report) and JavaScript (the survey pages' "Exit this page", served from
# our origin) are committed in the package with their licence, so a wheel from a clean clone holds them.
# frontend/package-lock.json pins the version (and the tests' axe-core): after changing it, `make
# report-assets` copies the new files in; `make check-assets` (run by make test) fails when the committed
# files are not byte for byte the pinned package's.
GOVUK_DIST := frontend/node_modules/govuk-frontend/dist/govuk
REPORT_CSS := src/munro/report/assets/govuk-frontend.min.css
WEB_JS := src/munro/web/assets/govuk-frontend.min.js
AXE := frontend/node_modules/axe-core/axe.min.js
$(AXE): frontend/package.json frontend/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "installing npm for the pinned frontend packages"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends npm; }
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

report-assets: $(AXE)
	cp $(GOVUK_DIST)/govuk-frontend.min.css $(REPORT_CSS)
	cp $(GOVUK_DIST)/govuk-frontend.min.js $(WEB_JS)

check-assets: $(AXE)
	@cmp $(GOVUK_DIST)/govuk-frontend.min.css $(REPORT_CSS) && cmp $(GOVUK_DIST)/govuk-frontend.min.js $(WEB_JS) || \
		{ echo "the committed GOV.UK Frontend files differ from frontend/package-lock.json's: run make report-assets"; exit 1; }

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The build requirements too ([build-system] of pyproject.toml), so that tests/test_wheel.py builds
# the wheel offline (--no-build-isolation) with the same setuptools and Cython as pip would.
$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt setup.py src/munro/census/_fastwalk.pyx
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	$(BIN)/python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['build-system']['requires'], sep='\n')" \
		> $(VENV)/build-requires.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -r $(VENV)/build-requires.txt
	touch $@

venv: $(VENV)/.installed

demo: venv
	@command -v chromium >/dev/null 2>&1 || { echo "installing chromium for the report's PDF"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium; }
	# Only the demo's own files are rebuilt: the web service's application database beside the store
	# (accounts, surveys, audits: munro.duckdb.app.sqlite) and anything else a user put here are kept.
	rm -rf $(DEMO)/returns $(DEMO)/not-yet-due $(DEMO)/report $(DEMO)/report-as-at $(DEMO)/munro.duckdb \
		$(DEMO)/munro.duckdb.wal $(DEMO)/indicators-*.json $(DEMO)/indicators-*.csv
	mkdir -p $(DEMO)/returns $(DEMO)/not-yet-due
	$(BIN)/munro synth --la $(DEMO_LA) --years $(DEMO_YEARS),$(DEMO_NEXT) --seed 1 --scale $(DEMO_SCALE) \
		$(foreach d,$(DEMO_EXTRACTS),--in-year $(d)) --out $(DEMO)/returns
	mv $(DEMO)/returns/*_$(DEMO_LA)_$(DEMO_NEXT).* $(DEMO)/not-yet-due/
	# the annual returns, then the monthly in-year extracts of 2025-26 (each superseding the one before)
	$(BIN)/munro --db $(DEMO)/munro.duckdb ingest $(DEMO)/returns/*.xml
	# the local records synth wrote from the same children (docs/local-data.md): 903, visits, core groups,
	# allocations, own figures; each file's year is in its name
	$(BIN)/munro --db $(DEMO)/munro.duckdb ingest --la $(DEMO_LA) $(DEMO)/returns/*.csv
	# 2025-26's allocations, as the case management system gives them (what is dated after an as-at date
	# has not yet happened there): the drill-down by team as at DEMO_AS_AT reads who held each child that day
	$(BIN)/munro --db $(DEMO)/munro.duckdb ingest --la $(DEMO_LA) $(DEMO)/not-yet-due/sw_allocations_$(DEMO_LA)_$(DEMO_NEXT).csv
	$(BIN)/munro --db $(DEMO)/munro.duckdb returns
	$(BIN)/munro --db $(DEMO)/munro.duckdb indicators --la $(DEMO_LA) --year 2025 --format json > $(DEMO)/indicators-$(DEMO_LA)-2025.json
	$(BIN)/munro --db $(DEMO)/munro.duckdb indicators --la $(DEMO_LA) --year 2025
	$(BIN)/munro --db $(DEMO)/munro.duckdb report --la $(DEMO_LA) --year 2025 --out $(DEMO)/report
	# In-year: each item's monthly series of rolling 12-month figures to DEMO_AS_AT, the report as at that date
	# (each series with the published figures beside it, and the appendix of every item by team) and the
	# items by team that day
	$(BIN)/munro --db $(DEMO)/munro.duckdb indicators --la $(DEMO_LA) --as-at $(DEMO_AS_AT) --months 24 --format csv \
		> $(DEMO)/indicators-$(DEMO_LA)-series-$(DEMO_AS_AT).csv
	$(BIN)/munro --db $(DEMO)/munro.duckdb report --la $(DEMO_LA) --as-at $(DEMO_AS_AT) --by team --out $(DEMO)/report-as-at
	$(BIN)/munro --db $(DEMO)/munro.duckdb indicators --la $(DEMO_LA) --as-at $(DEMO_AS_AT) --by team
	@echo
	@echo "Demo store: $(CURDIR)/$(DEMO)/munro.duckdb (synthetic returns, in-year extracts and local records in $(DEMO)/returns/)"
	@echo "Items for LA $(DEMO_LA), 2024-25: $(CURDIR)/$(DEMO)/indicators-$(DEMO_LA)-2025.json"
	@echo "Report: $(CURDIR)/$(DEMO)/report/index.html, report.pdf and report.xlsx"
	@echo "Monthly series to $(DEMO_AS_AT): $(CURDIR)/$(DEMO)/indicators-$(DEMO_LA)-series-$(DEMO_AS_AT).csv"
	@echo "Report as at $(DEMO_AS_AT), with the breakdown by team: $(CURDIR)/$(DEMO)/report-as-at/index.html, report.pdf and report.xlsx"

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

# The style checker (ruff, [tool.ruff] of pyproject.toml) over the code, tests and benchmarks, the type
# checker (mypy, [tool.mypy]: the packages it lists, strictly), then the layers' contracts (import-linter,
# [tool.importlinter]; docs/architecture.md, "Layers"). make test runs it before the suite.
lint: venv
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

# Two worker processes (pytest-xdist), each taking whole test files, or the groups of files that share an
# expensive session fixture (tests/conftest.py), so that a store, a PostgreSQL server or a Spark session
# is built once per worker, and the longest first: the suite in about half the time on the 2 cores CI has.
# TEST_WORKERS=0 runs it in one process.
# Python's compiled modules written even where the environment says not to (PYTHONDONTWRITEBYTECODE): the
# suite starts munro in processes of its own (the CLI where a process matters, the web service, the
# wheel), each compiling every module again without them; pytest keeps its rewritten tests the same way.
TEST_WORKERS ?= 2
test: venv system-deps check-assets lint
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

bench: venv
	$(BIN)/python benchmarks/ingest_throughput.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache
