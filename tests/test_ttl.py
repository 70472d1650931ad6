"""TTL and expiry, driven by the server's test clock
(`test-clock-advance:seconds=N`)."""
import time

import pytest

import aerospike
from aerospike import exception as ex

import wire
from conftest import NEVER_EXPIRE

NS = "test"


def set_objects(server, ns, set_name):
    """objects count of one set from `sets/<ns>/<set>` (0 if unknown)."""
    value = server.info1("sets/%s/%s" % (ns, set_name))
    for part in value.replace(";", ":").split(":"):
        if part.startswith("objects="):
            return int(part.split("=", 1)[1])
    return 0


def ns_stat(server, ns, name):
    value = server.info1("namespace/%s" % ns)
    for part in value.split(";"):
        k, _, v = part.partition("=")
        if k == name:
            return int(v)
    raise AssertionError("%s not in namespace/%s: %s" % (name, ns, value[:300]))


def poll(fn, timeout=3.5, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def test_test_clock_advance_reply(server):
    assert server.info1("test-clock-advance:seconds=0") == "ok"


def test_expired_record_is_gone_immediately(server, client, set_name):
    k = (NS, set_name, "e1")
    keep = (NS, set_name, "keep")
    client.put(k, {"a": 1}, meta={"ttl": 10})
    client.put(keep, {"a": 2}, meta={"ttl": 1000})
    client.put((NS, set_name, "never"), {"a": 3})
    assert client.get(k)[2] == {"a": 1}
    server.advance_clock(11)
    with pytest.raises(ex.RecordNotFound):
        client.get(k)
    assert client.exists(k)[1] is None
    with pytest.raises(ex.RecordNotFound):
        client.select(k, ["a"])
    # others untouched
    assert client.get(keep)[2] == {"a": 2}
    assert client.get((NS, set_name, "never"))[2] == {"a": 3}


def test_expired_record_not_in_scan_or_batch(server, client, set_name):
    keys = [(NS, set_name, i) for i in range(4)]
    for i, k in enumerate(keys):
        client.put(k, {"i": i}, meta={"ttl": 5 if i % 2 == 0 else 0})
    server.advance_clock(6)
    recs = client.query(NS, set_name).results()
    assert sorted(r[2]["i"] for r in recs) == [1, 3]
    res = client.batch_read(keys)
    assert [br.result for br in res.batch_records] == [2, 0, 2, 0]


def test_expired_record_removed_by_nsup(server, client, set_name):
    for i in range(3):
        client.put((NS, set_name, i), {"a": i}, meta={"ttl": 10})
    client.put((NS, set_name, "stay"), {"a": 9})
    assert set_objects(server, NS, set_name) == 4
    before = ns_stat(server, NS, "objects")
    server.advance_clock(11)
    # nsup-period is 1 s: within ~3 s the three records are reaped.
    assert poll(lambda: set_objects(server, NS, set_name) == 1), \
        server.info1("sets/%s/%s" % (NS, set_name))
    assert ns_stat(server, NS, "objects") <= before - 3
    assert client.get((NS, set_name, "stay"))[2] == {"a": 9}


def test_expired_record_can_be_recreated(server, client, set_name):
    k = (NS, set_name, "r")
    client.put(k, {"a": 1, "b": 2}, meta={"ttl": 3})
    client.put(k, {"a": 1, "b": 3}, meta={"ttl": 3})
    server.advance_clock(4)
    # create-only succeeds: the record is dead
    client.put(k, {"c": 1}, policy={"exists": aerospike.POLICY_EXISTS_CREATE})
    _, meta, bins = client.get(k)
    assert bins == {"c": 1}
    assert meta["gen"] == 1
    assert meta["ttl"] == NEVER_EXPIRE


def test_update_only_on_expired_record(server, client, set_name):
    k = (NS, set_name, "u")
    client.put(k, {"a": 1}, meta={"ttl": 3})
    server.advance_clock(4)
    with pytest.raises(ex.RecordNotFound):
        client.put(k, {"a": 2}, policy={"exists": aerospike.POLICY_EXISTS_UPDATE})
    with pytest.raises(ex.RecordNotFound):
        client.touch(k, 100)


def test_ttl_counts_down_with_clock(server, client, set_name):
    k = (NS, set_name, "c")
    client.put(k, {"a": 1}, meta={"ttl": 100})
    v1 = wire.request(server.port, wire.get_frame(NS, set_name, "c")).void_time
    server.advance_clock(30)
    rep = wire.request(server.port, wire.get_frame(NS, set_name, "c"))
    assert rep.result == 0
    assert rep.void_time == v1           # void time is absolute
    # python converts void time with its own clock -> still ~100 + offset
    _, meta, _ = client.get(k)
    assert abs(meta["ttl"] - server.expected_ttl(100 - 30)) <= 2


def test_touch_extends_life(server, client, set_name):
    k = (NS, set_name, "t")
    client.put(k, {"a": 1}, meta={"ttl": 10})
    server.advance_clock(8)
    client.touch(k, 10)
    server.advance_clock(8)
    _, meta, bins = client.get(k)
    assert bins == {"a": 1}
    assert meta["gen"] == 2
    server.advance_clock(3)
    with pytest.raises(ex.RecordNotFound):
        client.get(k)


def test_default_ttl_never_expires(server, client, set_name):
    k = (NS, set_name, "d")
    client.put(k, {"a": 1})                                  # ttl 0 -> namespace default (0)
    client.put((NS, set_name, "d2"), {"a": 2}, meta={"ttl": aerospike.TTL_NAMESPACE_DEFAULT})
    server.advance_clock(400)
    assert client.get(k)[2] == {"a": 1}
    _, meta, bins = client.get((NS, set_name, "d2"))
    assert bins == {"a": 2}
    assert meta["ttl"] == NEVER_EXPIRE


def test_read_touch_ttl_percent(server, client, set_name):
    """Observed on asd 8.1.2: a read with read_touch_ttl_percent resets the
    TTL when the remaining life is within that percent; the read that
    triggers it still shows the old void time, generation unchanged."""
    k = (NS, set_name, "rt")
    client.put(k, {"a": 1}, meta={"ttl": 100})
    v0 = wire.request(server.port, wire.get_frame(NS, set_name, "rt")).void_time
    # 10 s later: 90 s left > 80 % of 100 -> no touch
    server.advance_clock(10)
    client.get(k, policy={"read_touch_ttl_percent": 80})
    rep = wire.request(server.port, wire.get_frame(NS, set_name, "rt"))
    assert rep.void_time == v0
    # 40 s later: 60 s left <= 80 -> touched (void time moves to now + 100)
    server.advance_clock(30)
    client.get(k, policy={"read_touch_ttl_percent": 80})
    rep = wire.request(server.port, wire.get_frame(NS, set_name, "rt"))
    assert rep.result == 0
    assert v0 + 40 <= rep.void_time <= v0 + 42, (v0, rep.void_time)
    assert rep.generation == 1
