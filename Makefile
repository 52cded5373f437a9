# Two commands for a fresh machine (see README.md):
#   make start   set everything up, then open JupyterLab on the series
#   make test    set everything up, then run every test (pytest + nbval, real engine)
#   (make test-fast: the same less the slow tests, for quick loops)
# "Set up" = a virtual environment with the Python dependencies, a Docker Engine (the lab
# starts Debian's docker.io when none answers) and, when Docker Hub is unreachable, the lab
# registry mirror seeded with the images the lessons pull.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml lab/jupyterlab/overrides.json | cksum | cut -d" " -f1)
JUPYTER_PORT ?= 8888
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg
PYTEST_ARGS ?=

.PHONY: setup deps browser start test test-fast notebooks handouts lab-status lab-down bench lint

setup: deps
	$(PY) -m helpers.lab up

deps: $(STAMP)

$(STAMP):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "error: Python 3.11 or newer is needed as $(PYTHON): install it, or run make PYTHON=python3.12"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || \
	  { echo "error: $(PYTHON) cannot make a virtual environment: install python3-venv (apt-get install python3-venv)"; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@# The series' JupyterLab defaults (no news pop-up over the lesson): application-level
	@# overrides in this venv only; a learner's own settings still win.
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	@cp lab/jupyterlab/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@rm -f $(VENV)/.installed-*
	@touch $@

start: setup
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks --ip=127.0.0.1 --port=$(JUPYTER_PORT) \
	  --no-browser $(if $(filter 0,$(shell id -u)),--allow-root,)

# nbval checks the English notebooks here; tests/test_series_runs.py runs the Korean edition
# (notebooks/ko) under nbval strict as the second copy on the engine.
test: setup browser
	$(PY) -m pytest tests notebooks --ignore=notebooks/ko $(NBVAL) --durations=30 $(PYTEST_ARGS)

# The same without the tests marked slow (engine restarts, the two-copies series run).
test-fast: setup browser
	$(PY) -m pytest tests notebooks --ignore=notebooks/ko $(NBVAL) -m "not slow" $(PYTEST_ARGS)

notebooks: setup
	$(PY) tools/build_notebooks.py $(NB)

# Debian's chromium and a Korean font, for the handouts' PDFs and the browser tests.
browser: deps
	$(PY) -m helpers.lab.browser

# The handouts from the committed notebooks (no engine, no network): a site and PDFs, learner's
# and instructor's editions, in build/handouts/.
handouts: deps browser
	$(PY) tools/handouts.py $(HANDOUTS_ARGS)

lab-status: deps
	$(PY) -m helpers.lab status

lab-down: deps
	$(PY) -m helpers.lab down

bench: setup
	$(PY) -m bench $(BENCH_ARGS)

lint: deps
	$(VENV)/bin/ruff check helpers tests tools bench

# A room online behind one router: Docker Hub allows anonymous users 10 pulls per hour per
# address, so learners pull through this pull-through cache of Docker Hub instead (Debian's
# docker-registry in proxy mode, beside the lab registry; see docs/instructor-classroom-cache.md).
# It listens on loopback unless you choose another address, e.g. CACHE_LISTEN=0.0.0.0:5001 for
# the room; it prints the registry-mirrors line learners add. classroom-down stops only it.
CACHE_LISTEN ?= 127.0.0.1:5001
CACHE_UPSTREAM ?= https://registry-1.docker.io
.PHONY: classroom classroom-down

classroom: deps
	$(PY) -m helpers.lab.cache up --listen $(CACHE_LISTEN) --upstream $(CACHE_UPSTREAM)

classroom-down: deps
	$(PY) -m helpers.lab.cache down

# A classroom on one server (issue #15, docs/classroom.md): JupyterHub with SEATS learner seats,
# each a Unix user with a rootless Docker Engine of their own, started with their JupyterLab.
# It listens on loopback unless you choose the room's network, e.g.
# CLASSROOM_LISTEN=0.0.0.0:8000 (it then prints a warning). It prints the workshop password once.
# classroom-server-down stops and removes only what it made.
SEATS ?= 3
CLASSROOM_LISTEN ?= 127.0.0.1:8000
.PHONY: classroom-server classroom-server-down classroom-server-status

classroom-server: setup
	$(PY) -m helpers.lab.classroom up --seats $(SEATS) --listen $(CLASSROOM_LISTEN)

classroom-server-status: deps
	$(PY) -m helpers.lab.classroom status

classroom-server-down: setup
	$(PY) -m helpers.lab.classroom down

# The classroom's load bench (issue #15, bench/classroom.py): SEATS seats (5 unless given) log in
# at once, then run the whole series at once, each through its own engine, against one seat
# alone; it sets the classroom up and takes it down itself (root; no classroom may be up).
# BENCH_ARGS=--write keeps its table in bench/RESULTS.md; BENCH_ARGS="--notebooks 06" runs part.
.PHONY: bench-classroom

bench-classroom: SEATS = 5
bench-classroom: setup
	$(PY) -m bench.classroom --seats $(SEATS) $(BENCH_ARGS)

# The Korean edition in step with the English one (issue #14, tools/translations.py): extract
# the helpers' messages into their Korean catalog and compile it, rewrite the Korean lessons'
# code cells from English, then list what is untranslated or stale (exit 1 if anything is).
.PHONY: translations

translations: deps
	$(PY) tools/translations.py catalog
	$(PY) tools/translations.py sync
	$(PY) tools/translations.py status
