# Crypto Trader Pro — the two commands: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := run

SWIFT ?= swift
CONFIG ?= etc/trader.yaml
# System packages the build and the tests need (Debian names). chromium and chromium-driver run
# the browser test (Tests/browser/dashboard.py, driven by Selenium from the test venv);
# libjs-chart.js draws the dashboard's charts.
APT_PACKAGES := libsqlite3-dev libssl-dev pkg-config chromium chromium-driver libjs-chart.js
# For `make test` and `make run-cluster` only: the tests start throwaway PostgreSQL clusters (the
# central database on PostgreSQL); `make run` needs no database server and does not install one.
TEST_APT_PACKAGES := postgresql
# Executables are installed where other uids can reach them: the data directory and the
# binaries must stay reachable when workers run under their own uids.
ifeq ($(shell id -u),0)
BIN_DIR ?= /usr/local/lib/crypto-trader-pro/bin
else
BIN_DIR ?= $(CURDIR)/.build/install/bin
endif
TEST_BIN_DIR ?= /tmp/crypto-trader-pro-test/bin
# Third-party Binance clients the simulator must satisfy (Tests/compat) and Selenium for the
# browser test (Tests/browser), from PyPI.
PY_VENV ?= .build/py-venv
# numpy, pandas, scikit-learn and backtesting.py: the references `make bench` measures beside ours.
BENCH_VENV ?= var/bench-venv
TEST_TIMEOUT ?= 1500

.PHONY: run run-cluster test bench soak clean deps test-deps install-apt build-release build-tests install-release install-test-bin stop-test-postgres

## Install the missing system packages (only those missing; needs root for apt-get).
deps:
	@$(MAKE) --no-print-directory install-apt PACKAGES="$(APT_PACKAGES)"

test-deps: deps
	@$(MAKE) --no-print-directory install-apt PACKAGES="$(TEST_APT_PACKAGES)"

install-apt:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then echo "missing packages:$$missing — install them as root (apt-get install -y$$missing)"; exit 1; fi; \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build-release: deps
	$(SWIFT) build -c release

install-release: build-release
	@install -d -m 0755 $(BIN_DIR)
	@for exe in supervisor worker web exchange-sim; do install -m 0755 .build/release/$$exe $(BIN_DIR)/$$exe; done
	@# The web's page templates travel with it.
	@rm -rf $(BIN_DIR)/crypto-trader-pro_Web.resources && cp -R .build/release/crypto-trader-pro_Web.resources $(BIN_DIR)/ && chmod -R a+rX $(BIN_DIR)/crypto-trader-pro_Web.resources
	@echo "installed the executables in $(BIN_DIR)"

## Build in release mode and run the supervisor with etc/trader.yaml; Ctrl-C stops everything.
run: install-release
	@mkdir -p var
	exec $(BIN_DIR)/supervisor --config $(CONFIG)

## Several hosts on this machine (README, "Several hosts"): PostgreSQL (installed when missing),
## one simulator, three supervisors and two dashboards under var/cluster; Ctrl-C stops them all.
run-cluster: install-release
	@$(MAKE) --no-print-directory install-apt PACKAGES="$(TEST_APT_PACKAGES)"
	exec bash etc/run-cluster.sh $(BIN_DIR) $(CONFIG)

build-tests: deps
	$(SWIFT) build --build-tests

install-test-bin: build-tests
	@install -d -m 0755 $(TEST_BIN_DIR)
	@for exe in supervisor worker web exchange-sim trader-bench; do install -m 0755 .build/debug/$$exe $(TEST_BIN_DIR)/$$exe; done
	@rm -rf $(TEST_BIN_DIR)/crypto-trader-pro_Web.resources && cp -R .build/debug/crypto-trader-pro_Web.resources $(TEST_BIN_DIR)/ && chmod -R a+rX $(TEST_BIN_DIR)/crypto-trader-pro_Web.resources

$(PY_VENV)/.installed: Tests/compat/requirements.txt
	@python3 -m venv $(PY_VENV) || (apt-get install -y -qq python3-venv && python3 -m venv $(PY_VENV))
	$(PY_VENV)/bin/pip install -q --disable-pip-version-check -r Tests/compat/requirements.txt
	@touch $@

## Every test: unit and integration (real processes, HTTP, SQLite files), serially; then every
## log and output of the run is searched for every secret the tests used (Tests/scan_logs.py).
test: test-deps install-test-bin $(PY_VENV)/.installed
	@mkdir -p var/test-artifacts && rm -rf var/test-artifacts/run-logs var/test-artifacts/secrets-seen.txt
	@# The PostgreSQL clusters the tests start (under var/pg-test) are stopped by the test
	@# process at its exit; any a killed run left are stopped here, whatever the tests' outcome.
	status=0; TRADER_BIN_DIR=$(TEST_BIN_DIR) TRADER_TEST_PYTHON=$(CURDIR)/$(PY_VENV)/bin/python timeout $(TEST_TIMEOUT) $(SWIFT) test --skip-build --no-parallel || status=$$?; \
	  $(MAKE) --no-print-directory stop-test-postgres; exit $$status
	python3 Tests/scan_logs.py var/test-artifacts

## Stops every PostgreSQL cluster a test run left under var/pg-test and removes them.
stop-test-postgres:
	@for d in var/pg-test/cluster-*; do \
	  [ -d "$$d/data" ] || continue; \
	  if [ "$$(id -u)" = 0 ]; then runuser -u postgres -- $$(ls -d /usr/lib/postgresql/*/bin | tail -1)/pg_ctl -D "$$d/data" -m immediate stop >/dev/null 2>&1; \
	  else $$(ls -d /usr/lib/postgresql/*/bin | tail -1)/pg_ctl -D "$$d/data" -m immediate stop >/dev/null 2>&1; fi; \
	  rm -rf "$$d"; \
	done; true

## Performance figures (README, "Benchmarks"): every benchmark BENCH_RUNS times (3), one table of
## medians with their spreads, the references (numpy, pandas, scikit-learn, backtesting.py from
## PyPI, in a virtual environment under var/) measured in the same runs; kept in var/bench/.
bench: test-deps
	$(SWIFT) build -c release
	@command -v wrk >/dev/null || apt-get install -y -qq wrk
	@test -x $(BENCH_VENV)/bin/python || python3 -m venv $(BENCH_VENV) || (apt-get install -y -qq python3-venv && python3 -m venv $(BENCH_VENV))
	@$(BENCH_VENV)/bin/pip install -q --disable-pip-version-check -r Tests/bench/requirements.txt
	.build/release/trader-bench all --bin-dir .build/release --python $(BENCH_VENV)/bin/python --runs $${BENCH_RUNS:-3}

## A long unattended run with faults and its report under var/soak/ (SOAK_SECONDS, default 1800;
## SOAK_USERS, default 20). The executables are installed where the workers' uids reach them.
soak: install-release
	.build/release/trader-bench soak --bin-dir $(BIN_DIR) --seconds $${SOAK_SECONDS:-1800} --users $${SOAK_USERS:-20} --out var/soak

clean:
	rm -rf .build var/test-artifacts $(TEST_BIN_DIR)
