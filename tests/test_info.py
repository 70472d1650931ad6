"""Info protocol (type 1) commands."""
import base64
import re
import time

import pytest

from aerospike import exception as ex

import wire

NS = "test"


def kv(value, sep=";"):
    out = {}
    for part in value.split(sep):
        if part:
            k, _, v = part.partition("=")
            out[k] = v
    return out


def test_namespaces(raw):
    assert raw.info("namespaces") == [("namespaces", raw.info1("namespaces"))]
    assert sorted(raw.info1("namespaces").split(";")) == ["small", "test"]


def test_namespace_stats_objects_count(raw, client, set_name):
    before = int(kv(raw.info1("namespace/test"))["objects"])
    for i in range(3):
        client.put((NS, set_name, i), {"a": i})
    stats = kv(raw.info1("namespace/test"))
    assert int(stats["objects"]) == before + 3
    client.remove((NS, set_name, 0))
    assert int(kv(raw.info1("namespace/test"))["objects"]) == before + 2


def test_namespace_stats_config_values(raw):
    stats = kv(raw.info1("namespace/test"))
    assert stats.get("replication-factor") == "1"
    assert stats.get("default-ttl") == "0"
    assert "objects" in stats


def test_namespace_unknown(raw):
    assert raw.info1("namespace/nosuchns") == "type=unknown"


def test_sets(raw, client, set_name):
    for i in range(3):
        client.put((NS, set_name, i), {"a": i})
    entries = [kv(e, ":") for e in raw.info1("sets").split(";") if e]
    mine = [e for e in entries if e.get("ns") == NS and e.get("set") == set_name]
    assert len(mine) == 1, entries
    assert mine[0]["objects"] == "3"
    one = kv(raw.info1("sets/%s/%s" % (NS, set_name)).rstrip(";"), ":")
    assert one["objects"] == "3"
    assert "truncate_lut" in one
    per_ns = raw.info1("sets/%s" % NS)
    assert "set=%s:" % set_name in per_ns


def test_statistics(raw):
    stats = kv(raw.info1("statistics"))
    assert stats["cluster_size"] == "1"
    assert "uptime" in stats


def test_build_and_version(raw):
    build = raw.info1("build")
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", build), build
    assert build.split(".")[:2] == ["8", "1"], build
    assert raw.info1("edition") == "Aerospike Community Edition"
    assert raw.info1("version") == "Aerospike Community Edition build " + build


def test_features(raw):
    feats = raw.info1("features").split(";")
    for f in ("pscans", "pquery", "batch-any", "query-show", "udf", "truncate-namespace"):
        assert f in feats, feats


@pytest.mark.parametrize("cmd", ["replicas", "replicas:max=1"])
def test_replicas_bitmap(raw, cmd):
    value = raw.info1(cmd)
    entries = value.split(";")
    seen = set()
    for e in entries:
        ns, _, rest = e.partition(":")
        regime, n_repl, bitmap = rest.split(",")
        assert regime == "0"
        assert n_repl == "1"
        assert len(bitmap) == 684
        assert base64.b64decode(bitmap) == b"\xff" * 512
        seen.add(ns)
    assert seen == {"test", "small"}


def test_tend_commands(raw):
    assert raw.info1("cluster-name") == "aerolite-test"
    assert int(raw.info1("partition-generation")) >= 0
    assert raw.info1("peers-generation").isdigit()
    assert raw.info1("peers-clear-std") == "0,3000,[]"
    assert raw.info1("partitions") == "4096"
    assert raw.info1("status") == "ok"


def test_node_stable(raw):
    n1 = raw.info1("node")
    assert re.fullmatch(r"[0-9A-F]+", n1), n1
    with raw.connect() as s:
        n2 = wire.info(raw.port, "node", sock=s)[0][1]
        time.sleep(0.2)
        n3 = wire.info(raw.port, "node", sock=s)[0][1]
    assert n1 == n2 == n3


def test_unknown_command(raw):
    assert raw.info("no-such-command") == [("no-such-command", "ERROR:4:unrecognized command")]
    assert raw.info("bins") == [("bins", "ERROR:4:unrecognized command")]


def test_multi_command_in_order(raw, set_name):
    cmds = ["build", "no-such-command", "node", "namespaces",
            "sets/%s/%s" % (NS, set_name), "namespace/nosuchns", "status"]
    pairs = raw.info(*cmds)
    assert [p[0] for p in pairs] == cmds
    assert pairs[0][1] == raw.info1("build")
    assert pairs[1][1] == "ERROR:4:unrecognized command"
    assert pairs[2][1] == raw.info1("node")
    assert pairs[5][1] == "type=unknown"
    assert pairs[6][1] == "ok"


def test_tend_request_shape(raw):
    """The exact request the C client sends first (positional parsing)."""
    pairs = raw.info("node", "partition-generation", "build")
    assert [p[0] for p in pairs] == ["node", "partition-generation", "build"]
    pairs = raw.info("partition-generation", "replicas")
    assert [p[0] for p in pairs] == ["partition-generation", "replicas"]
    pairs = raw.info("replicas", "partition-generation")
    assert [p[0] for p in pairs] == ["replicas", "partition-generation"]


def test_user_agent_set(raw):
    value = base64.b64encode(b"1,pytest-1.0,not-set").decode()
    cmd = "user-agent-set:value=" + value
    with raw.connect() as s:
        assert wire.info(raw.port, cmd, sock=s) == [(cmd, "ok")]
        assert wire.info(raw.port, cmd, sock=s) == [(cmd, "ERROR:4:already set")]


def test_info_and_data_on_same_connection(raw, set_name):
    with raw.connect() as s:
        assert wire.info(raw.port, "status", sock=s) == [("status", "ok")]
        s.sendall(wire.put_frame(NS, set_name, "x", {"a": 1}))
        assert wire.read_reply(s).result == 0
        assert wire.info(raw.port, "status", sock=s) == [("status", "ok")]
        s.sendall(wire.get_frame(NS, set_name, "x"))
        assert wire.read_reply(s).bins() == {"a": 1}


def test_admin_login_without_security(raw):
    """Every admin (type 2) message gets a 16-byte admin header back and the
    connection stays open.  Real CE answers 51 SECURITY_NOT_SUPPORTED (and
    clients with credentials then fail to connect); Aerolite deliberately
    answers 52 SECURITY_NOT_ENABLED, the reply protocol/cluster-and-info.md
    recommends, which all clients treat as "log-in OK"."""
    for cmd in (20, 0, 9, 99):          # LOGIN, AUTHENTICATE, QUERY_USERS, unknown
        msg = wire.proto(wire.T_ADMIN, bytes([0, 0, cmd, 0]) + b"\0" * 12)
        with raw.connect() as s:
            s.sendall(msg)
            v, t, body = wire.read_frame(s)
            assert (v, t, len(body)) == (2, 2, 16)
            assert body[1] == 52, body[1]
            assert wire.info(raw.port, "status", sock=s) == [("status", "ok")]


def test_client_with_credentials_connects(server, set_name):
    from conftest import make_client
    c = make_client(server, user="admin", password="admin")
    try:
        c.put((NS, set_name, "u"), {"a": 1})
        assert c.get((NS, set_name, "u"))[2] == {"a": 1}
    finally:
        c.close()


COMPACT_CONFIG = """\
service {{
    cluster-name compact-test
    work-directory {work}
    proto-fd-max 1000
}}
logging {{ console {{ context any info }} }}
network {{ service {{ address 127.0.0.1  port {port} }} }}
namespace test {{
    replication-factor 1
    default-ttl 0
    nsup-period 1
    max-record-size 128K
    storage-engine memory {{ data-size 256M }}
}}
namespace other {{
    replication-factor 1
    default-ttl 100
    nsup-period 1
    storage-engine memory {{ data-size 1M }}
}}
"""


def test_compact_config_grammar(server_factory):
    """Stanzas closed on one line (`network { service { address A  port P } }`)
    as in the brief's config: the port and namespaces are honoured."""
    srv = server_factory(config_template=COMPACT_CONFIG)
    assert wire.info1(srv.port, "cluster-name") == "compact-test"
    assert sorted(wire.info1(srv.port, "namespaces").split(";")) == ["other", "test"]
    stats = kv(wire.info1(srv.port, "namespace/other"))
    assert stats.get("default-ttl") == "100"


# ------------------------------------------------------------------ python client

def test_client_info_all(client):
    res = client.info_all("namespaces")
    assert len(res) == 1
    (err, value), = res.values()
    assert err is None
    assert sorted(value.strip().split(";")) == ["small", "test"]


def test_client_info_random_node(client):
    value = client.info_random_node("build")
    assert value.startswith("build\t8.1.")


def test_client_info_unknown_command(client):
    with pytest.raises(ex.InvalidRequest):
        client.info_all("no-such-command")


def test_client_node_names(client, raw):
    assert client.get_node_names() and len(client.get_node_names()) == 1
    nodes = client.get_nodes()
    assert len(nodes) == 1
