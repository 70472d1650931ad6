"""truncate / truncate-namespace."""
import time

import pytest

from aerospike import exception as ex

import wire

NS = "test"


def test_truncate_set_now(client, set_name):
    keys = [(NS, set_name, i) for i in range(20)]
    for k in keys:
        client.put(k, {"a": 1})
    other = (NS, set_name + "_keep", 1)
    client.put(other, {"a": 2})
    time.sleep(0.01)   # a record written in the same ms as the truncate survives
    assert client.truncate(NS, set_name, 0) == 0
    # effect is immediate
    with pytest.raises(ex.RecordNotFound):
        client.get(keys[0])
    assert [br.result for br in client.batch_read(keys).batch_records] == [2] * 20
    assert client.query(NS, set_name).results() == []
    assert client.get(other)[2] == {"a": 2}


def test_write_after_truncate_is_visible(client, set_name):
    k = (NS, set_name, "w")
    client.put(k, {"a": 1})
    client.put(k, {"a": 2})
    time.sleep(0.01)
    client.truncate(NS, set_name, 0)
    time.sleep(0.01)   # the cutoff is strict with ms resolution
    client.put(k, {"b": 3})
    _, meta, bins = client.get(k)
    assert bins == {"b": 3}
    assert meta["gen"] == 1


def test_truncate_with_cutoff_before_write_keeps_record(client, set_name):
    k = (NS, set_name, "old")
    client.put(k, {"a": 1})
    cutoff = int((time.time() - 10) * 1e9)
    assert client.truncate(NS, set_name, cutoff) == 0
    assert client.get(k)[2] == {"a": 1}


def test_truncate_namespace_none_set(client, server, set_name):
    """truncate(ns, None, 0) removes every set of the namespace.  Uses
    namespace `small` so the other tests' data in `test` stays put."""
    keys = [("small", set_name, i) for i in range(5)] + \
           [("small", set_name + "_2", i) for i in range(5)] + \
           [("small", None, set_name + "x")]
    for k in keys:
        client.put(k, {"a": 1})
    keep = (NS, set_name, "keep")
    client.put(keep, {"a": 1})
    time.sleep(0.01)
    assert client.truncate("small", None, 0) == 0
    assert [br.result for br in client.batch_read(keys).batch_records] == [2] * len(keys)
    assert client.query("small", None).results() == []
    assert client.get(keep)[2] == {"a": 1}


def test_truncate_namespace_with_old_cutoff(client, set_name):
    k = ("small", set_name, 1)
    client.put(k, {"a": 1})
    client.truncate("small", None, int((time.time() - 3600) * 1e9))
    assert client.get(k)[2] == {"a": 1}
    client.remove(k)


def test_truncate_unknown_namespace_ok(client):
    assert client.truncate("nosuchns", None, 0) == 0


def test_truncate_info_commands(raw, client, set_name):
    k = (NS, set_name, 1)
    client.put(k, {"a": 1})
    time.sleep(0.01)
    cmd = "truncate:namespace=%s;set=%s" % (NS, set_name)
    assert raw.info(cmd) == [(cmd, "ok")]
    with pytest.raises(ex.RecordNotFound):
        client.get(k)
    # truncate_lut shows up in the set stats (ms since 2010), non-zero now
    value = raw.info1("sets/%s/%s" % (NS, set_name))
    lut = [p for p in value.split(":") if p.startswith("truncate_lut=")]
    assert lut and int(lut[0].split("=")[1]) > 0, value
    cmd = "truncate-namespace:namespace=nosuchns"
    assert raw.info(cmd) == [(cmd, "ok")]
    cmd = "truncate-namespace:namespace=small;set=x"
    (name, value), = raw.info(cmd)
    assert name == cmd and value.startswith("ERROR:4"), value


def test_truncate_set_count_zero(server, client, set_name):
    for i in range(4):
        client.put((NS, set_name, i), {"a": i})
    time.sleep(0.01)
    client.truncate(NS, set_name, 0)
    # the real server deletes truncated records in the background: poll
    deadline = time.monotonic() + 3
    while True:
        value = server.info1("sets/%s/%s" % (NS, set_name))
        objs = [p for p in value.split(":") if p.startswith("objects=")]
        if objs == ["objects=0"] or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert objs == ["objects=0"], value
