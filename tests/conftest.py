"""Fixtures: start the Aerolite server, clients, raw socket helper, clock."""
import collections
import itertools
import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid

import pytest

import aerospike

import wire

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
DEFAULT_BIN = os.path.join(REPO_ROOT, ".build", "release", "aerolite")

START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
READY_MARKER = "migrations: complete"

NEVER_EXPIRE = 0xFFFFFFFF   # ttl the python client reports for void time 0

# The service, logging and network contexts every test server shares; a template adds its
# namespaces after them ({work} and {port} are filled in per server).
SERVER_CONTEXTS = """\
service {{
    cluster-name aerolite-test
    work-directory {work}
    proto-fd-max 1000
}}

logging {{
    console {{
        context any info
    }}
}}

network {{
    service {{
        address 127.0.0.1
        port {port}
    }}
}}
"""

CONFIG_TEMPLATE = SERVER_CONTEXTS + """
namespace test {{
    replication-factor 1
    default-ttl 0
    nsup-period 1
    max-record-size 128K
    storage-engine memory {{
        data-size 256M
    }}
}}

namespace small {{
    replication-factor 1
    default-ttl 0
    nsup-period 1
    storage-engine memory {{
        data-size 1M
    }}
}}
"""


def server_binary():
    return os.environ.get("AEROLITE_BIN") or DEFAULT_BIN


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """One aerolite process.  `start()` / `stop()` / `restart()`; the work
    directory (and config) are kept across restarts."""

    def __init__(self, base_dir, port=None, config_template=CONFIG_TEMPLATE):
        self.base_dir = base_dir
        self.work_dir = os.path.join(base_dir, "work")
        os.makedirs(self.work_dir, exist_ok=True)
        self.port = port or free_port()
        self.config_path = os.path.join(base_dir, "aerospike.conf")
        with open(self.config_path, "w") as f:
            f.write(config_template.format(work=self.work_dir, port=self.port))
        self.proc = None
        self.lines = collections.deque(maxlen=400)
        self._ready = threading.Event()
        self._reader = None
        self.clock_offset = 0   # seconds the test clock was advanced

    # -- lifecycle

    def start(self):
        binary = server_binary()
        if not os.path.exists(binary):
            pytest.fail("aerolite binary not found: %s (set AEROLITE_BIN)" % binary)
        self._ready.clear()
        self.lines.append("---- start %s --config %s --test-clock" % (binary, self.config_path))
        self.proc = subprocess.Popen(
            [binary, "--config", self.config_path, "--test-clock"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, cwd=self.base_dir)
        self._reader = threading.Thread(target=self._drain, args=(self.proc,),
                                        daemon=True)
        self._reader.start()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._ready.wait(0.05):
                break
            if self.proc.poll() is not None:
                self._reader.join(1)
                pytest.fail("aerolite exited with %s during startup:\n%s"
                            % (self.proc.returncode, self.tail()))
        else:
            self.proc.kill()
            self.proc.wait()
            pytest.fail("aerolite did not log %r within %.0f s:\n%s"
                        % (READY_MARKER, START_TIMEOUT, self.tail()))
        self.clock_offset = 0
        return self

    def _drain(self, proc):
        for raw in iter(proc.stderr.readline, b""):
            line = raw.decode(errors="replace").rstrip("\n")
            self.lines.append(line)
            if READY_MARKER in line:
                self._ready.set()
        proc.stderr.close()

    def stop(self):
        """SIGTERM; returns the exit code (None if it had to be killed)."""
        if self.proc is None:
            return 0
        proc, self.proc = self.proc, None
        if proc.poll() is not None:
            self._reader.join(1)
            return proc.returncode
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            rc = None
        self._reader.join(2)
        return rc

    def restart(self):
        rc = self.stop()
        assert rc == 0, "aerolite exit code %r on SIGTERM:\n%s" % (rc, self.tail())
        return self.start()

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def tail(self, n=60):
        return "\n".join(list(self.lines)[-n:])

    # -- helpers

    @property
    def hosts(self):
        return [("127.0.0.1", self.port)]

    def info(self, *commands):
        return wire.info(self.port, *commands)

    def info1(self, command):
        return wire.info1(self.port, command)

    def advance_clock(self, seconds):
        """Move the server clock forward (needs --test-clock)."""
        value = self.info1("test-clock-advance:seconds=%d" % seconds)
        assert value == "ok", value
        self.clock_offset += seconds

    def expected_ttl(self, ttl):
        """What the python client reports right after a write with `ttl`
        (it converts the server's void time with its own wall clock)."""
        return ttl + self.clock_offset


# The python client copies modules it registers or fetches into its Lua user path
# (default: the current directory); keep those copies out of the work tree.
_CLIENT_LUA_DIR = tempfile.mkdtemp(prefix="aerolite-client-lua-")


def assert_ttl(server, meta, ttl):
    """The client's ttl metadata matches a write with `ttl` (allowing 2 s of drift)."""
    if ttl == NEVER_EXPIRE:
        assert meta["ttl"] == NEVER_EXPIRE, meta
    else:
        expected = server.expected_ttl(ttl)
        assert abs(meta["ttl"] - expected) <= 2, (meta, expected)


def _client_config(hosts, **extra):
    cfg = {"hosts": hosts, "lua": {"user_path": _CLIENT_LUA_DIR}}
    cfg.update(extra)
    return cfg


def make_client(srv, **extra):
    c = aerospike.client(_client_config(srv.hosts, **extra))
    if not c.is_connected():
        c.connect()
    return c


@pytest.fixture(scope="session")
def server():
    base = tempfile.mkdtemp(prefix="aerolite-test-")
    srv = ServerProcess(base)
    srv.start()
    yield srv
    alive = srv.alive()
    rc = srv.stop()
    assert alive, "aerolite died during the session:\n%s" % srv.tail()
    assert rc == 0, "aerolite exit code %r on SIGTERM:\n%s" % (rc, srv.tail())


@pytest.fixture
def server_factory():
    """Start extra, independent servers (own port + work dir)."""
    started = []

    def make(base_dir=None, **kwargs):
        base = base_dir or tempfile.mkdtemp(prefix="aerolite-extra-")
        srv = ServerProcess(base, **kwargs)
        srv.start()
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.stop()


@pytest.fixture(scope="session")
def client(server):
    c = make_client(server)
    yield c
    c.close()


@pytest.fixture(scope="session")
def aspy_client(server):
    import aerospike_py
    c = aerospike_py.client({"hosts": server.hosts,
                             "cluster_name": "aerolite-test"}).connect()
    yield c
    c.close()


@pytest.fixture
def raw(server):
    """Raw socket helper bound to the session server."""

    class Raw:
        port = server.port

        def connect(self, timeout=5.0):
            return wire.connect(server.port, timeout)

        def request(self, frame, timeout=5.0):
            return wire.request(server.port, frame, timeout)

        def info(self, *commands):
            return wire.info(server.port, *commands)

        def info1(self, command):
            return wire.info1(server.port, command)

    return Raw()


_set_counter = itertools.count()


@pytest.fixture
def set_name(request):
    """A set name unique to this test (<= 63 bytes)."""
    base = re.sub(r"[^A-Za-z0-9]", "", request.node.name)[:30]
    return "%s_%d_%s" % (base, next(_set_counter), uuid.uuid4().hex[:6])


@pytest.fixture(autouse=True)
def _server_still_alive(request):
    yield
    if "server" in request.fixturenames:
        srv = request.getfixturevalue("server")
        assert srv.alive(), "aerolite died during this test:\n%s" % srv.tail()


def pytest_runtest_makereport(item, call):
    # Attach the server log tail to failures for easier debugging.
    if call.when == "call" and call.excinfo is not None and "server" in item.fixturenames:
        srv = item.funcargs.get("server")
        if srv is not None:
            item.add_report_section("call", "aerolite stderr (tail)", srv.tail(40))
