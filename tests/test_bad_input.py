"""Malformed input on raw sockets: the server must answer or close, and
never die or corrupt data."""
import random
import socket
import struct
import time
import zlib

import pytest

import wire

NS = "test"


def assert_server_ok(port, set_name, key="alive"):
    """A normal write+read on a fresh connection still works."""
    rep = wire.request(port, wire.put_frame(NS, set_name, key, {"ok": 1}))
    assert rep.result == 0, rep
    rep = wire.request(port, wire.get_frame(NS, set_name, key))
    assert rep.result == 0 and rep.bins() == {"ok": 1}, rep


def reply_or_close(sock, timeout=2.0):
    """'closed', 'hang', or ('reply', version, type, body)."""
    sock.settimeout(timeout)
    try:
        first = sock.recv(8)
    except (ConnectionResetError, BrokenPipeError):
        return "closed"
    except socket.timeout:
        return "hang"
    if not first:
        return "closed"
    try:
        hdr = first + wire.recv_exact(sock, 8 - len(first))
        (v,) = struct.unpack(">Q", hdr)
        body = wire.recv_exact(sock, v & 0xFFFFFFFFFFFF)
    except (EOFError, ConnectionResetError):
        return "closed"
    except socket.timeout:
        return "hang"
    return ("reply", v >> 56, (v >> 48) & 0xFF, body)


def valid_get_body(set_name, key="k"):
    return wire.as_msg(wire.key_fields(NS, set_name, key),
                       info1=wire.INFO1_READ | wire.INFO1_GET_ALL)


# ------------------------------------------------------------------ framing errors

@pytest.mark.parametrize("nbytes", [1, 3, 7])
def test_truncated_proto_header_then_close(raw, set_name, nbytes):
    frame = wire.get_frame(NS, set_name, "k")
    with raw.connect() as s:
        s.sendall(frame[:nbytes])
    time.sleep(0.05)
    assert_server_ok(raw.port, set_name)


def test_truncated_body_then_close(raw, set_name):
    frame = wire.put_frame(NS, set_name, "tb", {"a": 1})
    with raw.connect() as s:
        s.sendall(frame[:-5])
    time.sleep(0.05)
    # the partial write must not have been applied
    assert raw.request(wire.get_frame(NS, set_name, "tb")).result == wire.NOT_FOUND
    assert_server_ok(raw.port, set_name)


@pytest.mark.parametrize("version,ptype", [(0, 3), (1, 3), (3, 3), (255, 3), (1, 1), (3, 1)])
def test_wrong_proto_version_closes(raw, set_name, version, ptype):
    body = valid_get_body(set_name) if ptype == 3 else b"build\n"
    with raw.connect() as s:
        s.sendall(wire.proto(ptype, body, version=version))
        assert wire.wait_closed(s) is True
    assert_server_ok(raw.port, set_name)


@pytest.mark.parametrize("ptype", [0, 6, 7, 100, 255])
def test_wrong_proto_type_closes(raw, set_name, ptype):
    with raw.connect() as s:
        s.sendall(wire.proto(ptype, valid_get_body(set_name)))
        assert wire.wait_closed(s) is True
    assert_server_ok(raw.port, set_name)


@pytest.mark.parametrize("size", [wire.PROTO_SIZE_MAX + 1, 1 << 40, (1 << 48) - 1])
def test_oversized_body_closes(raw, set_name, size):
    with raw.connect() as s:
        s.sendall(wire.proto(wire.T_MSG, b"", size=size))
        s.sendall(b"\0" * 64)
        assert wire.wait_closed(s) is True
    assert_server_ok(raw.port, set_name)


def test_tls_client_hello_closes(raw, set_name):
    hello = bytes([0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03]) + b"\0" * 32
    with raw.connect() as s:
        s.sendall(hello)
        assert wire.wait_closed(s) is True
    assert_server_ok(raw.port, set_name)


# ------------------------------------------------------------------ AS_MSG parse errors -> 4

def test_field_size_past_end(raw, set_name):
    body = wire.as_msg([wire.field(wire.F_NAMESPACE, NS)],
                       info1=wire.INFO1_READ | wire.INFO1_GET_ALL, n_fields=2)
    body += struct.pack(">IB", 100, wire.F_DIGEST) + b"\x01" * 10
    with raw.connect() as s:
        s.sendall(wire.proto(wire.T_MSG, body))
        out = reply_or_close(s)
    assert out not in ("hang",)
    assert out != "closed", "expected a result-4 reply, connection was closed"
    rep = wire.parse_msgs(out[3])[0]
    assert rep.result == wire.PARAMETER, rep
    assert_server_ok(raw.port, set_name)


def test_op_size_past_end(raw, set_name):
    body = wire.as_msg(wire.key_fields(NS, set_name, "x"),
                       info2=wire.INFO2_WRITE, n_ops=1)
    body += struct.pack(">IBBBB", 200, wire.OP_WRITE, wire.PT_INTEGER, 0, 1) + b"a" + b"\0" * 8
    with raw.connect() as s:
        s.sendall(wire.proto(wire.T_MSG, body))
        out = reply_or_close(s)
    assert out not in ("hang", "closed"), out
    assert wire.parse_msgs(out[3])[0].result == wire.PARAMETER
    assert raw.request(wire.get_frame(NS, set_name, "x")).result == wire.NOT_FOUND


def test_more_fields_announced_than_present(raw, set_name):
    body = wire.as_msg(wire.key_fields(NS, set_name, "x"),
                       info1=wire.INFO1_READ | wire.INFO1_GET_ALL, n_fields=5)
    with raw.connect() as s:
        s.sendall(wire.proto(wire.T_MSG, body))
        out = reply_or_close(s)
    assert out not in ("hang", "closed"), out
    assert wire.parse_msgs(out[3])[0].result == wire.PARAMETER


@pytest.mark.parametrize("length", [0, 1, 21])
def test_body_shorter_than_msg_header(raw, set_name, length):
    """No complete 22-byte header: either a result-4 reply or a close."""
    body = valid_get_body(set_name)[:length]
    with raw.connect() as s:
        s.sendall(wire.proto(wire.T_MSG, body))
        out = reply_or_close(s)
    assert out != "hang"
    if out != "closed":
        assert wire.parse_msgs(out[3])[0].result == wire.PARAMETER
    assert_server_ok(raw.port, set_name)


@pytest.mark.parametrize("op_type", [6, 17, 18, 19, 20, 99, 255])
def test_unknown_op_type(raw, set_name, op_type):
    raw.request(wire.put_frame(NS, set_name, "u", {"a": 1}))
    frame = wire.msg_frame(wire.key_fields(NS, set_name, "u"),
                           [wire.op(op_type, "a", wire.PT_INTEGER, wire.int_value(1))],
                           info1=wire.INFO1_READ, info2=wire.INFO2_WRITE)
    with raw.connect() as s:
        s.sendall(frame)
        rep = wire.read_reply(s)
        assert rep.result == wire.PARAMETER, rep
        # same connection still serves requests
        s.sendall(wire.get_frame(NS, set_name, "u"))
        rep = wire.read_reply(s)
    assert rep.result == 0 and rep.bins() == {"a": 1}
    assert rep.generation == 1


def test_digest_19_bytes(raw, set_name):
    fields = [wire.field(wire.F_NAMESPACE, NS), wire.field(wire.F_SET, set_name),
              wire.field(wire.F_DIGEST, b"\x01" * 19)]
    rep = raw.request(wire.msg_frame(fields, info1=wire.INFO1_READ | wire.INFO1_GET_ALL))
    assert rep.result == wire.PARAMETER, rep
    rep = raw.request(wire.msg_frame(fields, [wire.write_int("a", 1)], info2=wire.INFO2_WRITE))
    assert rep.result == wire.PARAMETER, rep


def test_unknown_namespace(raw):
    rep = raw.request(wire.get_frame("nosuchns", "s", "k"))
    assert rep.result == wire.NAMESPACE, rep
    rep = raw.request(wire.put_frame("nosuchns", "s", "k", {"a": 1}))
    assert rep.result == wire.NAMESPACE, rep


def test_missing_namespace_field(raw, set_name):
    fields = [wire.field(wire.F_SET, set_name),
              wire.field(wire.F_DIGEST, wire.digest(NS, set_name, "k"))]
    rep = raw.request(wire.msg_frame(fields, info1=wire.INFO1_READ | wire.INFO1_GET_ALL))
    assert rep.result == wire.NAMESPACE, rep


def test_neither_read_nor_write(raw, set_name):
    raw.request(wire.put_frame(NS, set_name, "n", {"a": 1}))
    rep = raw.request(wire.msg_frame(wire.key_fields(NS, set_name, "n")))
    assert rep.result == wire.PARAMETER, rep


def test_write_without_ops(raw, set_name):
    rep = raw.request(wire.msg_frame(wire.key_fields(NS, set_name, "w"),
                                     info2=wire.INFO2_WRITE))
    assert rep.result == wire.PARAMETER, rep
    assert raw.request(wire.get_frame(NS, set_name, "w")).result == wire.NOT_FOUND


def test_read_op_without_read_flag(raw, set_name):
    raw.request(wire.put_frame(NS, set_name, "r", {"a": 1}))
    rep = raw.request(wire.msg_frame(wire.key_fields(NS, set_name, "r"),
                                     [wire.write_int("b", 2), wire.read_bin("a")],
                                     info2=wire.INFO2_WRITE))
    assert rep.result == wire.PARAMETER, rep
    rep = raw.request(wire.get_frame(NS, set_name, "r"))
    assert rep.bins() == {"a": 1}


def test_unknown_field_type_is_skipped(raw, set_name):
    raw.request(wire.put_frame(NS, set_name, "f", {"a": 1}))
    fields = wire.key_fields(NS, set_name, "f") + [wire.field(200, b"whatever"),
                                                   wire.field(45, b"\x80")]
    rep = raw.request(wire.msg_frame(fields, info1=wire.INFO1_READ | wire.INFO1_GET_ALL))
    assert rep.result == 0, rep
    assert rep.bins() == {"a": 1}


def test_error_detail_bits_ignored(raw, set_name):
    fields = wire.key_fields(NS, set_name, "missing")
    rep = raw.request(wire.msg_frame(fields, info1=wire.INFO1_READ | wire.INFO1_GET_ALL,
                                     info4=0x60))
    assert rep.result == wire.NOT_FOUND
    assert rep.fields == [] and rep.ops == []


def test_batch_without_batch_field(raw):
    frame = wire.msg_frame([], info1=wire.INFO1_BATCH)
    with raw.connect() as s:
        s.sendall(frame)
        msgs = wire.read_stream(s)
    assert msgs[-1].info3 & wire.INFO3_LAST
    assert msgs[-1].result == wire.PARAMETER, msgs


# ------------------------------------------------------------------ fuzz

def fuzz_body(rng, set_name):
    kind = rng.randrange(4)
    if kind == 0:                                   # pure noise
        return bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 120)))
    hdr = bytearray(wire.as_msg(info1=rng.getrandbits(8), info2=rng.getrandbits(8),
                                info3=rng.getrandbits(8), info4=rng.getrandbits(8),
                                gen=rng.getrandbits(32), ttl=rng.getrandbits(32),
                                timeout=rng.randrange(0, 2000),
                                n_fields=rng.randrange(0, 6), n_ops=rng.randrange(0, 6)))
    if kind == 1:                                   # header + noise
        return bytes(hdr) + bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 100)))
    # header + plausible fields in namespace `small` (never `test`), always a
    # digest so it can only touch single records, then random ops
    hdr[1] &= ~wire.INFO1_BATCH & 0xFF
    fields = [wire.field(wire.F_NAMESPACE, "small"), wire.field(wire.F_SET, set_name),
              wire.field(wire.F_DIGEST, bytes(rng.getrandbits(8) for _ in range(20)))]
    ops = []
    for _ in range(rng.randrange(0, 4)):
        name = bytes(rng.choice(b"abcxyz") for _ in range(rng.randrange(0, 18)))
        value = bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 12)))
        ops.append(wire.op(rng.randrange(0, 20), name, rng.choice(
            [0, 1, 2, 3, 4, 5, 17, 19, 20, 23, rng.randrange(256)]), value))
    n_fields = len(fields) if kind == 2 else rng.randrange(0, 5)
    n_ops = len(ops) if kind == 2 else rng.randrange(0, 6)
    hdr[18:22] = struct.pack(">HH", n_fields, n_ops)
    body = bytes(hdr) + b"".join(fields) + b"".join(ops)
    if kind == 3 and body and rng.random() < 0.5:   # chop or corrupt one byte
        i = rng.randrange(len(body))
        body = body[:i] + bytes([rng.getrandbits(8)]) + body[i + 1:]
    return body


def test_fuzz_random_bodies(server, client, raw, set_name):
    sentinel = (NS, set_name, "sentinel")
    bins = {"i": 12345, "s": "intact", "l": [1, 2, {"k": "v"}], "b": bytearray(b"\0\1\2")}
    client.put(sentinel, bins)
    rng = random.Random(0xAE201)
    hangs = []
    outcomes = {"reply": 0, "closed": 0}
    try:
        for batch in range(6):
            for i in range(50):
                body = fuzz_body(rng, set_name)
                with raw.connect() as s:
                    try:
                        s.sendall(wire.proto(wire.T_MSG, body))
                    except (ConnectionResetError, BrokenPipeError):
                        outcomes["closed"] += 1
                        continue
                    out = reply_or_close(s, timeout=2.0)
                if out == "hang":
                    hangs.append(body.hex())
                    assert len(hangs) < 3, "server neither answered nor closed: %s" % hangs
                else:
                    outcomes["reply" if isinstance(out, tuple) else "closed"] += 1
                    if isinstance(out, tuple):
                        assert out[1] == 2 and out[2] in (wire.T_MSG, wire.T_MSG_COMPRESSED), out[:3]
            assert server.alive(), server.tail()
            assert_server_ok(raw.port, set_name, "alive%d" % batch)
        # random info text as well
        for i in range(50):
            text = bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz-:;=/\n\t ")
                         for _ in range(rng.randrange(1, 60)))
            with raw.connect() as s:
                s.sendall(wire.proto(wire.T_INFO, text))
                out = reply_or_close(s, timeout=2.0)
            assert out != "hang", text
        assert_server_ok(raw.port, set_name, "alive-info")
        assert not hangs, hangs
        print("fuzz outcomes:", outcomes)
        assert outcomes["reply"] > 0
        # the record written before all this is intact
        _, meta, got = client.get(sentinel)
        assert got == {"i": 12345, "s": "intact", "l": [1, 2, {"k": "v"}], "b": b"\0\1\2"}
        assert meta["gen"] == 1
    finally:
        # fuzz writes landed in `small`; drop them (odd particle types there
        # would upset other tests' scans)
        time.sleep(0.01)
        client.truncate("small", None, 0)


def _compressed(declared_size, payload):
    import struct as _s
    body = _s.pack(">Q", declared_size) + zlib.compress(payload)
    return wire.proto(wire.T_MSG_COMPRESSED, body)


def test_zlib_bomb_is_bounded(server, client, raw, set_name):
    """A compressed body that inflates far beyond the size it declares closes only that
    connection; the server keeps serving and earlier data is intact."""
    key = (NS, set_name, "bomb-witness")
    client.put(key, {"v": 1})
    bomb = _compressed(64, b"\x00" * (64 * 1024 * 1024))
    with wire.connect(server.port) as s:
        s.sendall(bomb)
        assert wire.wait_closed(s) is True
    # declared size larger than the limit (128 MiB + header): closed without inflating
    with wire.connect(server.port) as s:
        s.sendall(_compressed(1 << 40, b"x"))
        assert wire.wait_closed(s) is True
    # declared size that does not match the inflated bytes
    inner = wire.get_frame(NS, set_name, "bomb-witness")
    with wire.connect(server.port) as s:
        s.sendall(_compressed(len(inner) + 10, inner))
        assert wire.wait_closed(s) is True
    # corrupt zlib data
    with wire.connect(server.port) as s:
        s.sendall(wire.proto(wire.T_MSG_COMPRESSED, b"\x00" * 7 + b"\x40" + b"not zlib at all"))
        assert wire.wait_closed(s) is True
    assert client.get(key)[2] == {"v": 1}


def test_fuzz_cdt_expression_and_index_payloads(server, client, raw, set_name):
    """Mutated and random payloads for the newer decoders (CDT ops, EXP ops, filter
    expressions, index ranges): every request gets an answer or a closed connection, the
    server keeps serving, and a record written before is intact."""
    rng = random.Random(20261122)
    key = (NS, set_name, "fuzz-witness")
    client.put(key, {"l": [1, 2, 3], "m": {"a": 1}, "i": 7})
    before = client.get(key)[2]
    # Well-formed seeds to mutate: a list append, a map get with a context, an EXP_READ,
    # a filter, an index range.
    seeds = [
        (4, b"\x93\x01\x05\x00"),                                    # [1, 5, 0]  list append
        (3, b"\x93\xcc\xff\x92\x22\xa2\x03a\x92\x61\x07"),    # [0xff, [0x22,"a"], [97, 7]]
        (7, b"\x92\x93\x01\x93\x51\x02\xa1i\x07\x00"),          # [[EQ, [BIN, INT, "i"], 7], 0]
    ]
    digest = wire.digest(NS, set_name, "fuzz-witness")
    answered = closed = 0
    for n in range(400):
        op_type, seed = rng.choice(seeds)
        payload = bytearray(seed)
        kind = rng.randrange(4)
        if kind == 0:      # flip bytes
            for _ in range(rng.randint(1, 3)):
                payload[rng.randrange(len(payload))] = rng.randrange(256)
        elif kind == 1:    # truncate
            payload = payload[:rng.randrange(len(payload))]
        elif kind == 2:    # random bytes
            payload = bytearray(rng.randrange(256) for _ in range(rng.randint(0, 40)))
        else:              # deep nesting
            payload = bytearray(b"\x91" * rng.randint(100, 5000) + b"\x01")
        fields = [wire.field(0, NS.encode()), wire.field(1, set_name.encode()), wire.field(4, digest)]
        if n % 5 == 0:     # the payload as a filter expression instead of an op
            fields.append(wire.field(43, bytes(payload)))
            frame = wire.msg_frame(fields=fields, ops=[wire.read_bin("i")], info1=1)
        else:
            bin_name = b"l" if op_type == 4 else (b"m" if op_type == 3 else b"r")
            frame = wire.msg_frame(fields=fields, ops=[wire.op(op_type, bin_name, 4, bytes(payload))],
                                   info1=0 if op_type == 4 else 1, info2=1 if op_type == 4 else 0)
        with wire.connect(server.port) as s:
            s.sendall(frame)
            try:
                reply = wire.read_reply(s)
                answered += 1
                assert reply.result in (0, 2, 4, 12, 16, 23, 24, 26, 27), reply.result
            except (EOFError, ConnectionResetError):
                closed += 1
    # Index ranges: mutated INDEX_RANGE fields on a scan-shaped message.
    for n in range(100):
        rng_field = bytearray(b"\x01\x01n\x01\x00\x00\x00\x08" + bytes(8) + b"\x00\x00\x00\x08" + bytes(8))
        for _ in range(rng.randint(1, 4)):
            rng_field[rng.randrange(len(rng_field))] = rng.randrange(256)
        fields = [wire.field(0, NS.encode()), wire.field(1, set_name.encode()), wire.field(22, bytes(rng_field)),
                  wire.field(11, b"\x00\x00")]
        with wire.connect(server.port) as s:
            s.sendall(wire.msg_frame(fields=fields, info1=1, info3=4))
            version, ptype, body = wire.read_frame(s)
            msgs = wire.parse_msgs(body)
            assert msgs and msgs[0].result in (0, 4, 201), msgs[0].result
    assert answered > 300, (answered, closed)
    rec = client.get(key)
    assert rec[2]["i"] == before["i"] and rec[2]["m"] == before["m"]
    assert rec[2]["l"][:3] == [1, 2, 3]
