# The two commands of the README. Everything else is in scripts/.
SHELL := /bin/bash
.DEFAULT_GOAL := run
.PHONY: run test setup lint admin

setup:
	@scripts/setup.sh

## Command 1: set up, migrate, load demo data and run CyberHub on http://127.0.0.1:3000
run: setup
	@source scripts/env.sh && exec .venv/bin/python scripts/run.py

## Command 2: set up and run the whole test suite (lint, types, unit, integration, browser)
test: setup
	@source scripts/env.sh && scripts/test.sh

lint: setup
	@source scripts/env.sh && ruff check . && ruff format --check . && mypy

## Create a global admin (asks for the password, never echoed): make admin EMAIL=... NAME="..."
admin: setup
	@source scripts/env.sh && exec .venv/bin/python -m cyberhub.create_admin \
		$(if $(EMAIL),--email "$(EMAIL)") $(if $(NAME),--name "$(NAME)")
