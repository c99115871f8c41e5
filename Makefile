# kuzzle-browser: set-up, tests and demo. Everything offline on 127.0.0.1; only package
# registries (Debian, PyPI, npm) are used, by `make setup`, which is quick once done.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# make demo switches: CDN=1 (PyScript + Pyodide from public CDNs, for deployment);
# KUZZLE_HOST=h [KUZZLE_PORT=7512] [KUZZLE_SSL=1] (a real Kuzzle instead of the dev server)
CDN ?=
KUZZLE_HOST ?=
KUZZLE_PORT ?= 7512
KUZZLE_SSL ?=
DEMO_ARGS := $(if $(CDN),--cdn) $(if $(KUZZLE_HOST),--kuzzle-host $(KUZZLE_HOST) --kuzzle-port $(KUZZLE_PORT)) \
             $(if $(KUZZLE_SSL),--ssl)

.PHONY: help setup chromium redis venv vendor officialsdk wheel test example demo lint fidelity bench bench-memory web lite docs soak

help:
	@echo "make demo   - dev server on 127.0.0.1:7512 + the demo page on 127.0.0.1:8080"
	@echo "make test   - every test: unit, integration, dev server, browser (headless Chromium), example"
	@echo "make example - examples/shoplist/ tested in its own venv with the plugin's wheel (testing/)"
	@echo "make setup  - Chromium, .venv, vendored Pyodide/micropip/PyScript (done by both)"
	@echo "make wheel  - build/wheels/kuzzle_browser-<version>-py3-none-any.whl"
	@echo "make web    - the wheel + build/simple/ (PEP 503 index) + build/pyodide-kb/ (lock lists it)"
	@echo "make lite   - JupyterLite site with the example notebook in build/lite/ (offline)"
	@echo "make docs   - API reference (mkdocs + mkdocstrings) in build/docs/"
	@echo "make lint   - ruff + mypy --strict kuzzle_browser testing"
	@echo "make fidelity - official kuzzle-sdk 7.17.1 vs kuzzle_browser, side by side (build/fidelity.md)"
	@echo "make bench  - raw JS vs kuzzle-sdk vs kuzzle_browser, one Chromium (bench/results/); QUICK=1 to iterate"
	@echo "make bench-memory - kuzzle_browser's memory over 1,000,000 requests and notifications (bench/results/memory/)"
	@echo "make soak   - the browser tests RUNS=20 times in a row, niced; evidence of red runs in build/test-artifacts/soak/"

setup: chromium redis venv vendor officialsdk

# Debian's Chromium, driven by Playwright through executable_path (never `playwright install`)
chromium:
	@if [ -n "$${KUZZLE_BROWSER_CHROMIUM:-}$${CHROMIUM:-}" ] || command -v chromium >/dev/null \
	    || [ -x /usr/lib/chromium/chromium ]; then :; else \
	  echo "setup: installing Debian's chromium"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; \
	fi

# Debian's redis-server: the dev server's ms tests run against it as well as fakeredis
redis:
	@if command -v redis-server >/dev/null; then :; else \
	  echo "setup: installing Debian's redis-server"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq redis-server >/dev/null; \
	fi

venv: $(VENV)/.requirements-installed

# the pytest plugin + dev server distribution (testing/), editable: `python -m kuzzle_devserver`
$(VENV)/.requirements-installed: requirements-dev.txt requirements-lite.txt requirements-docs.txt \
                                 testing/pyproject.toml
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt \
	  -r requirements-lite.txt -r requirements-docs.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-build-isolation --no-deps -e ./testing
	@touch $@

# Pyodide + micropip (sha256 patched in the lock) + PyScript into build/vendor/ (stamped)
vendor: venv
	@$(PY) tools/vendor.py

# the official JS SDK pinned in package.json/package-lock.json (npm ci), for tests/fidelity/
officialsdk:
	@$(PYTHON) tools/official_sdk.py >/dev/null

# rebuilt every time: the source changes
wheel: venv
	@$(PY) tools/build_wheel.py

test: setup wheel
	$(PY) -m pytest tests -ra $(PYTEST_ARGS)
	@$(MAKE) --no-print-directory example

# The example project, as another project would run it: a venv of its own (build/example-venv)
# with pytest-kuzzle-browser installed from the wheel built from testing/ (dependencies pinned
# like .venv's), its tests run from its folder; the plugin's vendor folder is build/vendor/.
EXAMPLE_VENV := build/example-venv
TESTING_DIST := build/testing-dist
example: setup wheel
	@rm -rf $(TESTING_DIST)
	@$(PY) -c 'import sys; from pathlib import Path; from pytest_kuzzle_browser.wheels import build_wheel; \
	  print(build_wheel(Path("testing"), Path(sys.argv[1])))' $(TESTING_DIST)
	@[ -x $(EXAMPLE_VENV)/bin/python ] || $(PYTHON) -m venv $(EXAMPLE_VENV)
	@$(EXAMPLE_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -c requirements-dev.txt \
	  $(TESTING_DIST)/pytest_kuzzle_browser-*.whl
	@$(EXAMPLE_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall \
	  $(TESTING_DIST)/pytest_kuzzle_browser-*.whl
	cd examples/shoplist && PYTEST_KUZZLE_BROWSER_VENDOR=$(CURDIR)/build/vendor \
	  $(CURDIR)/$(EXAMPLE_VENV)/bin/python -m pytest -ra -p no:cacheprovider $(PYTEST_ARGS)

# the simple index and a Pyodide whose lock lists the wheel (pyodide-lock; tools/web_packages.py)
web: vendor wheel
	@$(PY) tools/web_packages.py

demo: setup wheel
	$(PY) tools/run_demo.py $(DEMO_ARGS)

lite: setup wheel
	$(PY) tools/build_lite.py
	@echo "serve it: $(PY) tools/serve_static.py --port 8000 /=build/lite  (then open http://127.0.0.1:8000/)"

docs: venv
	$(PY) -m mkdocs build --strict --site-dir build/docs

fidelity: setup wheel
	$(PY) -m pytest tests/fidelity -q $(PYTEST_ARGS)

lint: venv
	$(PY) -m ruff check .
	$(PY) -m mypy --strict kuzzle_browser testing

# Not part of `make test`: long and noisy. One Chromium with nothing attached, the dev server
# and a minimal responder (bench/responder.mjs, Node + ws from package.json);
# matplotlib (the chart) comes from bench/requirements.txt, for these targets only.
bench: setup wheel
	$(PY) -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	$(PY) bench/run.py $(if $(QUICK),--quick) $(BENCH_ARGS)

bench-memory: setup wheel
	$(PY) bench/run.py --memory-only 1000000 --out bench/results/memory $(BENCH_ARGS)

# Not part of `make test`: the browser tests again and again (fresh process each run),
# counting consecutive green runs; a red run's output, Chromium logs and dmesg are kept.
RUNS ?= 20
soak: setup wheel
	nice -n 10 $(PY) tools/soak_browser_tests.py --runs $(RUNS) $(if $(KEEP_GOING),--keep-going) $(SOAK_ARGS)
