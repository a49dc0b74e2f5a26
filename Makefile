# Two entry points: `make demo` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APP_STAMP := $(VENV)/.installed-app

.PHONY: demo explore test docs chromium bench bench-scale bench-toy bench-backends lint golden schema fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# the explorer's extra (Panel), for its tests and its type checks
$(APP_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[app]"
	touch $(APP_STAMP)

demo: $(STAMP)
	$(BIN)/scorelab run --preset china-2022 --out out/demo --force

# the explorer on http://127.0.0.1:5006/ (Ctrl-C stops it)
explore: $(APP_STAMP)
	$(BIN)/scorelab explore

# the suite on TEST_WORKERS processes (pytest-xdist), each test module whole on one of them: a
# module's fixtures (a docs build, a claims run, a Ray, a browser) are made once, and the tests
# of one module never run beside each other. 2 by default, CI's cores (`make test
# TEST_WORKERS=4` on a larger machine, `TEST_WORKERS=0` for one process)
TEST_WORKERS ?= 2
test: $(STAMP) $(APP_STAMP) chromium
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

# the documentation site into site/: --strict (a warning or a broken link fails), executing
# every tutorial in docs/tutorials/ (one that raises fails the build)
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

# the browser tests drive Debian's chromium; install it when missing and we are root (elsewhere
# they are skipped, saying why)
CHROMIUM := /usr/bin/chromium
chromium:
	@if [ ! -x $(CHROMIUM) ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing chromium (apt-get) for the browser tests"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 || \
	  { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1; } || \
	  echo "could not install chromium: the browser tests will be skipped"; \
	fi

# rewrite the golden results of every preset: commit them saying why they changed
golden: $(STAMP)
	$(BIN)/python tests/golden/goldens.py

# rewrite the JSON Schema of summary.json in docs/ (a test checks it is current)
schema: $(STAMP)
	$(BIN)/scorelab schema > docs/summary.schema.json

# 2,000 fuzzed scenario files, 500 region tables and 500 sweep or sensitivity option sets
# (the test suite runs a few dozen)
fuzz: $(STAMP)
	SCORELAB_FUZZ_EXAMPLES=2000 $(BIN)/python -m pytest tests/properties/test_fuzz.py

bench: $(STAMP)
	$(BIN)/python bench/run.py

# sizes 1M-16M, both cores, and local vs Ray (several minutes)
bench-scale: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python bench/scale.py

# the toy model in Mesa (the bench extra), plain numpy and scorelab, both algorithms, at 1M
# and 10M persons, side by side (about half an hour on 2 cores; Mesa at 10M needs ~5 GiB)
bench-toy: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python bench/toy.py

# processes, Ray and local at equal shards, 10M persons, whole runs in turn (about 15 minutes)
bench-backends: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python bench/backends.py

lint: $(STAMP) $(APP_STAMP)
	$(BIN)/python -m pip install --quiet -e ".[lint]"
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) out site .cache
