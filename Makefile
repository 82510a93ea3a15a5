# The few commands people run. Everything installs into .venv.
.PHONY: install lint test test-quick eval bench

install:
	python3 -m venv .venv && .venv/bin/pip install -e '.[dev]'

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

test:
	.venv/bin/pytest -q

# Everything but the tests with a real Redis and real workers (tests/integration/, marker `integration`).
test-quick:
	.venv/bin/pytest -q -m "not integration"

eval:
	.venv/bin/jobmatch eval ../shared/eval/postings.jsonl ../shared/eval/labels.jsonl --pay-in-text ../shared/eval/pay_in_text.jsonl
	.venv/bin/jobmatch eval ../shared/eval/near_miss.jsonl ../shared/eval/near_miss_labels.jsonl

bench:
	.venv/bin/python bench/throughput.py
