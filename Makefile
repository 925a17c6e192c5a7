# tthc-metrics task runner. CI calls `make test` verbatim (see .ci/run).
# Every target documents itself: `make help`.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

$(VENV)/.deps: bindings/python/requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -r bindings/python/requirements-dev.txt
	touch $@

venv: $(VENV)/.deps ## create the project virtual environment with the test dependencies

develop: venv ## build the Python extension (release) into the virtual environment
	cd bindings/python && ../../$(VPY) -m maturin develop --release -q

demo: develop ## build everything and run the main job: the seed's district table and the chart
	$(CARGO) run --release -q -p tthc-sample --example krong_no
	$(VPY) examples/krong_no_2023.py

test: develop ## run every test: Rust (unit, doc, integration, property), benches in test mode, pytest, stubtest
	$(CARGO) test --workspace --all-targets -q
	$(CARGO) test --workspace --doc -q
	HYPOTHESIS_PROFILE=ci $(VPY) -m pytest -q bindings/python/tests
	$(VPY) -m pytest -q --doctest-modules bindings/python/tthc_metrics
	$(VPY) -m mypy.stubtest tthc_metrics --mypy-config-file bindings/python/mypy.ini --allowlist bindings/python/stubtest-allowlist.txt

fuzz: develop ## fuzz targets deep (20,000 cases, optimised, overflow checks on), memory measurements, 2,000-example differential tests, the Python API fuzz (200 examples a family, FUZZ_EXAMPLES; about 25 min)
	PROPTEST_CASES=$${PROPTEST_CASES:-20000} $(CARGO) test --profile fuzz -p tthc-metrics-tests --test 'fuzz_*' --test kernels --test forms --test limits -- --include-ignored
	PROPTEST_CASES=$${PROPTEST_CASES:-5000} $(CARGO) test --profile fuzz -p tthc-io --test fuzz
	HYPOTHESIS_PROFILE=deep $(VPY) -m pytest -q bindings/python/tests/test_differential.py bindings/python/tests/test_fuzz_api.py

lint: ## cargo fmt --check and clippy with warnings as errors
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

bench: ## criterion benchmarks of the Rust hot paths
	$(CARGO) bench -p tthc-metrics-benches

bench-peers: develop ## tm.report and Calendar vs polars, DuckDB, pandas, numpy on one 10M-dossier dataset
	$(VPY) -m pip install -q -r benches/peers/requirements.txt
	$(VPY) benches/peers/run.py

clean: ## remove build output and the virtual environment
	$(CARGO) clean
	rm -rf $(VENV) out

.PHONY: help venv develop demo test fuzz lint bench bench-peers clean
