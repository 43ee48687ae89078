# The two commands the README gives: `make run` and `make test`.
.PHONY: setup run test lint bench

setup:
	@bash scripts/setup.sh

run: setup
	.venv/bin/rekindle score should-i-try --answers examples/should-i-try.yaml

test: setup
	.venv/bin/python -m pytest -q

lint: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

bench: setup
	.venv/bin/python bench/engine.py
