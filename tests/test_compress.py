"""Compressed (type 4) requests.

A real CE server answers a compressed request with 25 ENTERPRISE_ONLY;
Aerolite deliberately inflates it and executes it, so success is asserted.
"""
import struct
import zlib

import aerospike

import wire

NS = "test"


def test_client_compressed_put_and_get(client, set_name):
    k = (NS, set_name, "z1")
    big = "x" * 400
    assert client.put(k, {"big": big, "n": 1}, policy={"compress": True}) == 0
    _, meta, bins = client.get(k, policy={"compress": True})
    assert bins == {"big": big, "n": 1}
    assert meta["gen"] == 1


def test_client_compressed_batch_and_query(client, set_name):
    keys = [(NS, set_name, i) for i in range(5)]
    for i, k in enumerate(keys):
        client.put(k, {"big": "y" * 300, "i": i}, policy={"compress": True})
    brs = client.batch_read(keys, policy={"compress": True}).batch_records
    assert [br.result for br in brs] == [0] * 5
    assert [br.record[2]["i"] for br in brs] == list(range(5))
    recs = client.query(NS, set_name).results({"compress": True})
    assert sorted(r[2]["i"] for r in recs) == list(range(5))


def test_client_compressed_operate(client, set_name):
    from aerospike_helpers.operations import operations as op
    k = (NS, set_name, "op")
    _, meta, bins = client.operate(
        k, [op.write("s", "q" * 500), op.append("s", "!"), op.read("s")],
        policy={"compress": True})
    assert bins == {"s": "q" * 500 + "!"}


def test_client_with_compression_in_config(server, set_name):
    from conftest import make_client
    c = make_client(server, policies={"write": {"compress": True},
                                      "read": {"compress": True}})
    try:
        k = (NS, set_name, "cfg")
        c.put(k, {"v": list(range(200))})
        assert c.get(k)[2] == {"v": list(range(200))}
    finally:
        c.close()


def test_raw_compressed_put(raw, set_name):
    inner = wire.put_frame(NS, set_name, "raw", {"s": "z" * 1000, "n": 42})
    frame = wire.compressed_frame(inner)
    assert len(frame) < len(inner)
    with raw.connect() as s:
        s.sendall(frame)
        rep = wire.read_reply(s)
        assert rep.result == 0, rep
        assert rep.generation == 1
        # the connection keeps working with plain frames afterwards
        s.sendall(wire.get_frame(NS, set_name, "raw"))
        rep = wire.read_reply(s)
    assert rep.bins() == {"s": "z" * 1000, "n": 42}


def test_raw_compressed_get_and_compress_response_flag(raw, set_name):
    raw.request(wire.put_frame(NS, set_name, "r2", {"s": "w" * 2000}))
    inner = wire.msg_frame(wire.key_fields(NS, set_name, "r2"),
                           info1=wire.INFO1_READ | wire.INFO1_GET_ALL | 0x80)
    with raw.connect() as s:
        s.sendall(wire.compressed_frame(inner))
        rep = wire.read_reply(s)      # accepts a type-3 or type-4 reply
    assert rep.result == 0
    assert rep.bins() == {"s": "w" * 2000}
