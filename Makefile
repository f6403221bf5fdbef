# casekit: two commands do all the set-up on a machine with python3 (3.11+) and make.
#   make demo   creates .venv, installs casekit and runs the J-hospital diagnosis -> reports/j_hospital/
#   make test   creates the same environment if missing and runs the test suite
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.casekit-installed

.PHONY: demo test env browser bench sample docs clean

$(STAMP): pyproject.toml requirements/constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e ".[test]"
	touch $(STAMP)

env: $(STAMP)

# Headless Chromium prints report.pdf and drives the browser test. As root it is installed from
# Debian's packages; without root, install it yourself or set CASEKIT_CHROMIUM=/path/to/chrome
# (casekit then falls back to a matplotlib-rendered PDF). See README "PDF and fonts".
browser:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || [ -n "$$CASEKIT_CHROMIUM" ]; then \
		true; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for PDF printing and the browser test"; \
		apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "note: no chromium found and not root; report.pdf will use the built-in fallback renderer"; \
	fi

demo: $(STAMP) browser
	$(BIN)/casekit run data/sample/j_hospital --out reports/j_hospital

test: $(STAMP) browser
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

sample: $(STAMP)
	$(BIN)/python -m casekit sample --all --out data/sample

docs: $(STAMP)
	$(BIN)/python -m casekit docs --out docs

clean:
	rm -rf $(VENV) reports/*/ .pytest_cache
