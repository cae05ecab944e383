# The two commands a new user needs: `make demo` brings the platform up (the seed documents, a
# synthetic population, one demo account per role; prints the address and the logins),
# `make test` runs the lint and the whole test suite, on SQLite and on a throwaway PostgreSQL
# cluster (scripts/with-postgres.sh; needs the PostgreSQL server binaries installed).
# Both set up .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
SEEDS ?= ../shared/seeds

.PHONY: demo test lint score install

$(BIN)/huiqi: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/huiqi

install: $(BIN)/huiqi

demo: install
	$(BIN)/huiqi up --seeds $(SEEDS)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

test: lint
	scripts/with-postgres.sh $(BIN)/pytest

# Re-score the extractor against ../shared/gold and record the result in docs/extraction-score.md.
score: install
	$(BIN)/python bench/extraction_score.py --write docs/extraction-score.md
