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

# Headless Chromium prints report.pdf and drives the browser test; poppler-utils (pdffonts,
# pdftotext, pdftoppm) lets the tests read the PDF back. As root both are installed from Debian's
# packages; without root, install them yourself or set CASEKIT_CHROMIUM=/path/to/chrome (casekit
# then falls back to a matplotlib-rendered PDF and the PDF tests are skipped). See README "PDF and fonts".
BROWSER_PKGS := $(if $(shell command -v chromium || command -v chromium-browser || printf '%s' "$$CASEKIT_CHROMIUM"),,chromium) \
	$(if $(shell command -v pdftotext),,poppler-utils)
browser:
	@if [ -z "$(strip $(BROWSER_PKGS))" ]; then \
		true; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's $(strip $(BROWSER_PKGS)) for PDF printing and the PDF/browser tests"; \
		apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(strip $(BROWSER_PKGS)) >/dev/null; \
	else \
		echo "note: not root, so $(strip $(BROWSER_PKGS)) cannot be installed; report.pdf may use the built-in fallback renderer and the PDF tests are skipped"; \
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
