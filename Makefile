# The two commands the README gives: `make run` and `make test`.
.PHONY: setup run test lint bench

setup:
	@bash scripts/setup.sh

run: setup
	.venv/bin/rekindle serve

test: setup
	.venv/bin/python -m pytest -q

lint: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

bench: setup
	.venv/bin/python bench/engine.py
	.venv/bin/python bench/web.py
	.venv/bin/python bench/reports.py
	.venv/bin/python bench/cli.py
	.venv/bin/python bench/load.py
	taskset -c 0 .venv/bin/python bench/analyze.py
