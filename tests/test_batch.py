"""Batch-index commands (python client + one raw check)."""
import struct

import pytest

import aerospike
from aerospike import exception as ex
from aerospike_helpers.operations import operations as op
from aerospike_helpers.batch.records import BatchRecords, Write, Read, Remove

import wire
from conftest import NEVER_EXPIRE

NS = "test"


def seed(client, set_name, n=3):
    keys = [(NS, set_name, i) for i in range(n)]
    for i, k in enumerate(keys):
        client.put(k, {"v": i, "w": "x%d" % i})
    return keys


def assert_missing(br):
    assert br.result == 2, (br.result, br.record)
    assert br.record is None, br.record


def test_batch_read_all_bins_with_missing(client, set_name):
    keys = seed(client, set_name) + [(NS, set_name, "missing")]
    res = client.batch_read(keys)
    assert res.result == 0
    brs = res.batch_records
    assert len(brs) == 4
    for i in range(3):
        assert brs[i].result == 0
        assert brs[i].key[:3] == keys[i]
        _, meta, bins = brs[i].record
        assert bins == {"v": i, "w": "x%d" % i}
        assert meta["gen"] == 1
        assert meta["ttl"] == NEVER_EXPIRE
    assert_missing(brs[3])


def test_batch_read_named_bins(client, set_name):
    keys = seed(client, set_name) + [(NS, set_name, "missing")]
    res = client.batch_read(keys, ["v", "nope"])
    brs = res.batch_records
    assert [br.result for br in brs] == [0, 0, 0, 2]
    assert [br.record[2] for br in brs[:3]] == [{"v": 0}, {"v": 1}, {"v": 2}]


def test_batch_exists(client, set_name):
    keys = seed(client, set_name, 2)
    client.put(keys[1], {"v": 11})
    keys.append((NS, set_name, "missing"))
    res = client.batch_read(keys, [])
    brs = res.batch_records
    assert [br.result for br in brs] == [0, 0, 2]
    assert brs[0].record[1]["gen"] == 1
    assert brs[1].record[1]["gen"] == 2
    # header-only reads come back as (key, meta)
    assert len(brs[0].record) == 2 and len(brs[1].record) == 2
    assert brs[2].record is None


def test_batch_read_duplicate_keys_and_mixed_sets(client, set_name):
    keys = seed(client, set_name, 2)
    other = (NS, set_name + "_b", "o")
    small = ("small", set_name, "s")
    client.put(other, {"o": 1})
    client.put(small, {"s": 2})
    req = [keys[0], keys[0], other, keys[1], small, keys[0]]
    brs = client.batch_read(req).batch_records
    assert [br.result for br in brs] == [0] * 6
    assert [br.record[2] for br in brs] == [
        {"v": 0, "w": "x0"}, {"v": 0, "w": "x0"}, {"o": 1},
        {"v": 1, "w": "x1"}, {"s": 2}, {"v": 0, "w": "x0"}]
    client.remove(small)


def test_batch_read_many_records_multi_frame(client, set_name):
    keys = [(NS, set_name, i) for i in range(400)]
    payload = "y" * 1000
    for i, k in enumerate(keys):
        client.put(k, {"i": i, "p": payload})
    brs = client.batch_read(keys + [(NS, set_name, "gone")]).batch_records
    assert len(brs) == 401
    for i in range(400):
        assert brs[i].result == 0
        assert brs[i].record[2] == {"i": i, "p": payload}
    assert brs[400].result == 2


def test_batch_operate(client, set_name):
    keys = seed(client, set_name, 2) + [(NS, set_name, "new")]
    res = client.batch_operate(keys, [op.increment("v", 100), op.read("v")])
    brs = res.batch_records
    assert [br.result for br in brs] == [0, 0, 0]
    assert [br.record[2]["v"] for br in brs] == [100, 101, 100]
    assert [br.record[1]["gen"] for br in brs] == [2, 2, 1]
    # the write really happened
    assert client.get(keys[2])[2] == {"v": 100}
    assert client.get(keys[0])[2] == {"v": 100, "w": "x0"}


def test_batch_operate_incompatible_type_per_row(client, set_name):
    keys = seed(client, set_name, 1)
    client.put((NS, set_name, "s"), {"v": "string"})
    keys.append((NS, set_name, "s"))
    brs = client.batch_operate(keys, [op.increment("v", 1)]).batch_records
    assert [br.result for br in brs] == [0, 12]
    assert client.get(keys[1])[2] == {"v": "string"}


def test_batch_write_mixed(client, set_name):
    k0, k1, k2 = seed(client, set_name, 3)
    k3 = (NS, set_name, 3)
    kmiss = (NS, set_name, "missing")
    recs = BatchRecords([
        Write(k0, [op.write("v", 100), op.read("v")]),
        Write(k3, [op.write("v", 3)], meta={"ttl": 60}),
        Read(k1, [op.read("w")]),
        Read(k2, None, read_all_bins=True),
        Remove(kmiss),
    ])
    res = client.batch_write(recs)
    brs = res.batch_records
    assert [br.result for br in brs] == [0, 0, 0, 0, 2]
    assert brs[0].record[2] == {"v": 100}
    assert brs[0].record[1]["gen"] == 2
    assert brs[1].record[1]["gen"] == 1
    assert brs[1].record[2] == {"v": None}      # write op result, no value
    assert brs[2].record[2] == {"w": "x1"}
    assert brs[3].record[2] == {"v": 2, "w": "x2"}
    assert client.get(k3)[2] == {"v": 3}
    assert client.get(k0)[2] == {"v": 100, "w": "x0"}


def test_batch_write_policies_per_row(client, set_name):
    k0, k1 = seed(client, set_name, 2)
    knew = (NS, set_name, "new")
    recs = BatchRecords([
        Write(k0, [op.write("z", 1)],
              policy={"exists": aerospike.POLICY_EXISTS_CREATE}),
        Write(knew, [op.write("z", 2)],
              policy={"exists": aerospike.POLICY_EXISTS_UPDATE}),
        Write(k1, [op.write("z", 3)], meta={"gen": 5},
              policy={"gen": aerospike.POLICY_GEN_EQ}),
    ])
    brs = client.batch_write(recs).batch_records
    assert [br.result for br in brs] == [5, 2, 3]
    assert client.get(k0)[2] == {"v": 0, "w": "x0"}
    assert client.exists(knew)[1] is None
    assert client.get(k1)[2] == {"v": 1, "w": "x1"}


def test_batch_remove(client, set_name):
    keys = seed(client, set_name, 3)
    res = client.batch_remove([keys[0], keys[2], (NS, set_name, "missing")])
    brs = res.batch_records
    assert [br.result for br in brs] == [0, 0, 2]
    assert brs[0].record[1]["gen"] == 0
    after = client.batch_read(keys).batch_records
    assert [br.result for br in after] == [2, 0, 2]
    assert after[1].record[2] == {"v": 1, "w": "x1"}


def test_batch_raw_response_layout(raw, set_name):
    """Rows answered with transaction_ttl = row index, then a LAST message."""
    keys = ["a", "b", "c"]
    for i, k in enumerate(keys[:2]):
        assert raw.request(wire.put_frame(NS, set_name, k, {"n": i})).result == 0
    rows = b""
    for i, k in enumerate(keys):
        rows += struct.pack(">I", i) + wire.digest(NS, set_name, k)
        # row flags INFO|TTL, info1 READ|GET_ALL, info2 0, info3 0, ttl 0
        rows += bytes([0x02 | 0x08, wire.INFO1_READ | wire.INFO1_GET_ALL, 0, 0])
        rows += struct.pack(">I", 0)
        rows += struct.pack(">HH", 2, 0)
        rows += wire.field(wire.F_NAMESPACE, NS) + wire.field(wire.F_SET, set_name)
    batch = struct.pack(">IB", len(keys), 0x04 | 0x08) + rows
    frame = wire.msg_frame([wire.field(41, batch)], info1=wire.INFO1_BATCH)
    with raw.connect() as s:
        s.sendall(frame)
        msgs = wire.read_stream(s)
    assert msgs[-1].info3 & wire.INFO3_LAST
    assert msgs[-1].result == 0
    rows_out = {m.transaction_ttl: m for m in msgs[:-1]}
    assert len(msgs) - 1 == 3
    assert sorted(rows_out) == [0, 1, 2]
    assert rows_out[0].result == 0 and rows_out[0].bins() == {"n": 0}
    assert rows_out[1].result == 0 and rows_out[1].bins() == {"n": 1}
    assert rows_out[2].result == 2 and rows_out[2].ops == []
    assert rows_out[0].generation == 1
