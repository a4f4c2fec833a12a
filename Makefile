# corridor — the two commands a new user needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test test-all check bench docs-img clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,web,sweep,postgres]'
	touch $(STAMP)

run: install
	$(BIN)/corridor analyze --out out

test: install
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

test-all: install
	$(BIN)/python -m pytest -q -n 2 --dist loadfile -m ""

check: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

# the README's screenshots (docs/img), regenerated on demand; `make test` leaves them alone
docs-img: install
	CORRIDOR_UPDATE_DOCS_IMG=1 $(BIN)/python -m pytest -q tests/web/test_report_layout_browser.py

bench: install
	$(BIN)/python -m pip install --quiet -e '.[dev,web,sweep,postgres,bench]'
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
