# kg — the two commands a new user needs:
#   make demo   set up, then run the news pipeline on the bundled sample (outputs in kg-out/)
#   make test   set up (Python packages, spaCy model, Neo4j jars, Chromium), then run the test suite
# Everything is installed by these targets; nothing needs to be installed by hand.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
NEO4J_DIR = tests/neo4j

.PHONY: demo test setup setup-test neo4j-jars chromium bench eval calibrate clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(BIN)/kg run pipelines/news.toml

# The real Neo4j 5.26 the tests start, built from Maven Central (no Docker needed).
neo4j-jars:
	@if [ -f $(NEO4J_DIR)/pom.xml ]; then \
	  mvn --batch-mode --quiet -f $(NEO4J_DIR)/pom.xml package -DskipTests; fi

# Debian's Chromium for the browser tests (Playwright drives it; its own browser download is not used).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

setup-test: setup neo4j-jars chromium

test: setup-test
	$(BIN)/python -m pytest -q

# The gold set shipped with kg, plus every set in ../shared/eval when that folder is there.
SHARED_EVAL ?= ../shared/eval
eval: setup
	@if [ -d $(SHARED_EVAL) ]; then $(BIN)/kg eval --bundled --shared $(SHARED_EVAL); \
	else $(BIN)/kg eval; fi

# Rule confidences from measured precision (kg/extractor/confidence.py): run after changing a rule.
calibrate: setup
	@if [ -d $(SHARED_EVAL) ]; then SETS="--bundled --shared $(SHARED_EVAL)"; else SETS=""; fi; \
	$(BIN)/kg eval $$SETS --no-baseline --write-precision kg/extractor/rule_precision.json > /dev/null

bench: setup-test
	$(BIN)/python bench/extract.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/view.py
	$(BIN)/python bench/hostile.py
	$(BIN)/python bench/scale.py --docs 2000
	$(BIN)/python bench/long_document.py

clean:
	rm -rf $(VENV) kg-out $(NEO4J_DIR)/target .pytest_cache
