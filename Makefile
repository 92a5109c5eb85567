# village_stats — run `make` for the list of targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
#: The tested versions of every package installed (make lock refreshes it); pyproject.toml keeps ranges.
LOCK   := constraints.txt
VILLAGE ?= suoluoyu
PERIOD  ?= 2017H1

.DEFAULT_GOAL := help
.PHONY: help install lock report test test-browser lint bench fuzz lab codebook demo demo-county validate clean

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'

CHECK_PYTHON := $(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'

$(STAMP): pyproject.toml $(LOCK)
	@$(CHECK_PYTHON)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade -c $(LOCK) pip
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.[test,bench]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the package with its test and bench extras, at the versions of constraints.txt

lock: ## Refresh constraints.txt: the newest versions pyproject.toml allows, from a fresh venv (then make test, commit)
	@$(CHECK_PYTHON)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp" $(LOCK).new' EXIT && \
	$(PYTHON) -m venv "$$tmp/venv" && \
	"$$tmp/venv/bin/python" -m pip install --quiet --upgrade pip && \
	"$$tmp/venv/bin/python" -m pip install --quiet -e '.[test,bench,browser]' && \
	{ echo "# The tested versions: make install installs exactly these (pip install -c $(LOCK) -e '.[test,bench]')."; \
	  echo "# Made by make lock on $$(date -u +%Y-%m-%d) with Python $$("$$tmp/venv/bin/python" -c 'import platform; print(platform.python_version())'): a fresh venv, the newest versions"; \
	  echo "# pyproject.toml allows, then pip freeze. Refresh it with make lock, run make test, commit both."; \
	  "$$tmp/venv/bin/python" -m pip freeze --all --exclude-editable | grep -v -E '^(setuptools|wheel)=='; } > $(LOCK).new && \
	mv $(LOCK).new $(LOCK) && echo "wrote $(LOCK) ($$(grep -c '==' $(LOCK)) packages)"

report: $(STAMP) ## Run the period report (VILLAGE=suoluoyu PERIOD=2017H1): notebook, HTML, PDF, CSV
	$(BIN)/village-stats run --village $(VILLAGE) --period $(PERIOD)
	@echo "PDF for the meeting: output/$(VILLAGE)/$(PERIOD)/report.pdf"

lab: $(STAMP) ## Start JupyterLab with the project's kernel (notebooks/ are saved without outputs)
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (village_stats)"
	JUPYTER_CONFIG_PATH=$(CURDIR)/etc $(BIN)/jupyter lab --notebook-dir=. $$([ "$$(id -u)" = 0 ] && echo --allow-root)

#: Test files run side by side, one file per process (pytest-xdist: its module fixtures are made once): the
#: real-process suites (a Dask cluster, a Jupyter server, stopped batches) wait on processes more than they
#: compute. On 2 cores, 230 s instead of 362 s.
test: lint ## Run lint, then the tests (unit, doctests, notebook runs), one test file per core side by side
	$(BIN)/python -m pytest -n auto --dist loadfile

test-browser: ## Open the county site in headless Chromium (needs apt-get install chromium, pip install playwright; installs nothing)
	@test -x $(BIN)/python || { echo "no $(BIN)/python: run make install first"; exit 2; }
	$(BIN)/python -m pytest tests/test_site_browser.py -m browser -p no:cacheprovider -rs
	@echo "screenshots: output/site-browser/"

lint: $(STAMP) ## Check the code with ruff (rules in pyproject.toml)
	$(BIN)/ruff check village_stats tests scripts

fuzz: $(STAMP) ## Fuzz the loaders (10,000 generated inputs), SIGKILL real report runs (20+ timings), stop run-all at 5 more instants
	VILLAGE_STATS_FUZZ_EXAMPLES=2000 VILLAGE_STATS_FUZZ_KILL=1 $(BIN)/python -m pytest tests/test_fuzz.py \
		tests/test_kill_run.py tests/test_batch_stop.py -p no:cacheprovider -q --durations=10 -o addopts="--strict-markers -ra" \
		--hypothesis-show-statistics

bench: $(STAMP) ## Run the benchmarks in tests/benchmarks (writes output/benchmarks/results.json)
	$(BIN)/python -m pytest tests/benchmarks -p no:cacheprovider -s

validate: $(STAMP) ## Check every village and period in data/
	$(BIN)/village-stats validate

codebook: $(STAMP) ## Regenerate the codebooks: data/README.md (schema), docs/indicators.md (catalogue), docs/checks.md (rules)
	$(BIN)/village-stats codebook --write data/README.md
	$(BIN)/village-stats codebook --indicators --write docs/indicators.md
	$(BIN)/python -m village_stats.checks.docs docs/checks.md

demo: $(STAMP) ## Regenerate data/demo/ (fictional village, fixed seed)
	$(BIN)/python scripts/make_demo.py

demo-county: $(STAMP) ## Regenerate examples/demo_county/ (fictional county of 24 villages, fixed seed)
	$(BIN)/python scripts/make_demo_county.py

clean: ## Remove what the project made here: the contents of output/ (runs, benchmarks) and the test caches
	[ ! -d output ] || find output -mindepth 1 -maxdepth 1 ! -name .gitkeep -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache .hypothesis
