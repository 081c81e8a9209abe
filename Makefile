# Stackport: `make demo` brings the portal up on devcloud; `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip

.PHONY: install demo test test-unit test-scaled lint clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Tiny real guests (VNC and SPICE consoles) when qemu is there or apt-get can install it,
# else plain devcloud servers (VNC only); GUESTS=plain forces plain. See portal/demo_guests.py.
# Ctrl-C stops everything and exits 0: portal/demo.py runs in the terminal's foreground
# process group of its own, so the SIGINT is the demo's to handle, not make's.
demo: install
	$(PY) -m portal.demo

# The whole suite on SQLite, then the database tests again on PostgreSQL when one answers
# on 127.0.0.1:5432 (CI has one; set PG_URL to use another).
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
test: install
	$(VENV)/bin/ruff check .
	$(PY) -m pytest
	@if $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null; then \
		echo "--- the portal's database tests (sessions, audit, login, health, launch) on PostgreSQL ---"; \
		DATABASE_URL=$(PG_URL) $(PY) -m pytest -m django_db -p no:cacheprovider tests/portal tests/vms/test_launch.py; \
	else echo "--- PostgreSQL not reachable on 127.0.0.1:5432: database tests ran on SQLite only ---"; fi

# The integration and browser suites against the scaled-out layout of README "Production":
# Debian's HAProxy in front of two web processes, two Celery workers and one beat
# (tests/scaled.py): every request and socket may reach either web process.
SCALED_TESTS ?= tests/portal tests/vms tests/networks tests/consoles tests/browser
test-scaled: install
	@command -v haproxy >/dev/null || { echo "test-scaled needs HAProxy: apt-get install haproxy"; exit 1; }
	$(PY) -m pytest -p no:cacheprovider --layout=scaled $(wildcard $(SCALED_TESTS))

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf var .devcloud staticfiles

# The integration and browser suites against the real OpenStack control plane in
# ../shared/realcloud (installed and started when it is not running); afterwards the
# cloud must hold exactly what it held before.
REALCLOUD ?= ../shared/realcloud
REALCLOUD_TESTS ?= tests/portal tests/vms tests/networks tests/consoles tests/images tests/volumes tests/cloud tests/admin tests/browser
.PHONY: test-realcloud
test-realcloud: export REALCLOUD_DIR = $(abspath $(REALCLOUD))
test-realcloud: install
	$(PY) -m tests.realcloud ensure
	$(PY) -m tests.realcloud snapshot var/realcloud-before.json
	STACKPORT_CLOUD=realcloud $(PY) -m pytest -p no:cacheprovider $(wildcard $(REALCLOUD_TESTS)); \
		rc=$$?; $(PY) -m tests.realcloud check var/realcloud-before.json || rc=1; exit $$rc

# devcloud's tiny real guests (--guests tiny): a Debian cloud kernel + busybox initramfs built
# from Debian packages with apt-get download (no root needed); built once, rebuilt when a file
# is missing or the recipe (devcloud/guests/{image,initramfs,cpio}.py) changed.
GUEST_IMAGE ?= var/guest-image
.PHONY: guest-image
guest-image:
	STACKPORT_GUEST_IMAGE=$(GUEST_IMAGE) $(PYTHON) -m devcloud.guests build
