.PHONY: test lint typecheck validate check

test:
	pytest

lint:
	ruff check .
	ruff format --check .

typecheck:
	mypy

validate:
	tracker datasets validate

check: lint typecheck validate test
