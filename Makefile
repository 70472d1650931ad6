# Aerolite: `make run` starts the server, `make test` runs every test, `make bench` measures.
SHELL := /bin/bash
SWIFT ?= swift
PYTHON ?= python3
VENV := .venv
BIN := .build/release/aerolite
BENCH_BIN := .build/release/aerolite-bench
DEB_PACKAGES := zlib1g-dev libssl-dev liblz4-dev

.PHONY: all build run test unit-test py-test deps venv bench clean

all: build

# Debian -dev packages the C shim links against (zlib, OpenSSL's libcrypto, lz4).
deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -c release

run: build
	mkdir -p data/work
	exec $(BIN) --config config/aerolite.conf

# The official clients, pinned, in a private venv.
$(VENV)/.installed: tests/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r tests/requirements.txt
	touch $@

venv: $(VENV)/.installed

unit-test: deps
	$(SWIFT) test

py-test: build venv
	AEROLITE_BIN=$(CURDIR)/$(BIN) $(VENV)/bin/python -m pytest -q tests

test: unit-test py-test

bench: build venv
	$(PYTHON) scripts/bench.py

clean:
	rm -rf .build data
