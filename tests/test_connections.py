"""Connection handling: pipelined requests, split writes, many clients."""
import socket
import threading
import time

import wire

NS = "test"


def test_pipelined_requests_answered_in_order(raw, set_name):
    frames = []
    for i in range(5):
        frames.append(wire.put_frame(NS, set_name, "p%d" % i, {"v": i * 10}))
    for i in range(5):
        frames.append(wire.get_frame(NS, set_name, "p%d" % i))
    frames.append(wire.get_frame(NS, set_name, "missing"))
    frames.append(wire.put_frame(NS, set_name, "p0", {"w": 1}))
    frames.append(wire.get_frame(NS, set_name, "p0"))
    with raw.connect() as s:
        s.sendall(b"".join(frames))
        replies = [wire.read_reply(s) for _ in frames]
    assert [r.result for r in replies[:5]] == [0] * 5
    assert [r.bins() for r in replies[5:10]] == [{"v": i * 10} for i in range(5)]
    assert replies[10].result == wire.NOT_FOUND
    assert replies[11].result == 0 and replies[11].generation == 2
    assert replies[12].bins() == {"v": 0, "w": 1}


def test_pipelined_mixed_info_and_data(raw, set_name):
    payload = (wire.info_frame("status") +
               wire.put_frame(NS, set_name, "m", {"a": 1}) +
               wire.info_frame("build", "node") +
               wire.get_frame(NS, set_name, "m"))
    with raw.connect() as s:
        s.sendall(payload)
        v, t, body = wire.read_frame(s)
        assert t == wire.T_INFO and wire.parse_info(body) == [("status", "ok")]
        assert wire.read_reply(s).result == 0
        v, t, body = wire.read_frame(s)
        assert t == wire.T_INFO
        assert [n for n, _ in wire.parse_info(body)] == ["build", "node"]
        assert wire.read_reply(s).bins() == {"a": 1}


def test_request_split_into_single_bytes(raw, set_name):
    put = wire.put_frame(NS, set_name, "split", {"s": "hello", "n": 7})
    get = wire.get_frame(NS, set_name, "split")
    with raw.connect() as s:
        for b in put:
            s.sendall(bytes([b]))
            time.sleep(0.001)
        assert wire.read_reply(s).result == 0
        for b in get:
            s.sendall(bytes([b]))
        rep = wire.read_reply(s)
    assert rep.bins() == {"s": "hello", "n": 7}


def test_request_split_across_header_boundary(raw, set_name):
    raw.request(wire.put_frame(NS, set_name, "hb", {"a": 5}))
    frame = wire.get_frame(NS, set_name, "hb")
    with raw.connect() as s:
        for chunk in (frame[:3], frame[3:8], frame[8:30], frame[30:]):
            s.sendall(chunk)
            time.sleep(0.05)
        assert wire.read_reply(s).bins() == {"a": 5}


def test_partial_frame_followed_by_next_frame(raw, set_name):
    f1 = wire.put_frame(NS, set_name, "c1", {"a": 1})
    f2 = wire.get_frame(NS, set_name, "c1")
    data = f1 + f2
    with raw.connect() as s:
        s.sendall(data[:len(f1) + 4])
        time.sleep(0.05)
        s.sendall(data[len(f1) + 4:])
        assert wire.read_reply(s).result == 0
        assert wire.read_reply(s).bins() == {"a": 1}


def test_many_requests_on_one_connection(raw, set_name):
    with raw.connect() as s:
        for i in range(200):
            s.sendall(wire.put_frame(NS, set_name, "k", {"i": i}))
            rep = wire.read_reply(s)
            assert rep.result == 0 and rep.generation == i + 1


def test_many_concurrent_connections(raw, set_name):
    errors = []

    def worker(n):
        try:
            with raw.connect() as s:
                for i in range(20):
                    s.sendall(wire.put_frame(NS, set_name, "w%d" % n, {"i": i}))
                    assert wire.read_reply(s).result == 0
                s.sendall(wire.get_frame(NS, set_name, "w%d" % n))
                assert wire.read_reply(s).bins() == {"i": 19}
        except Exception as e:   # noqa: BLE001
            errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors


def test_idle_connections_kept_open(raw, set_name):
    socks = [raw.connect() for _ in range(50)]
    try:
        time.sleep(0.3)
        for i, s in enumerate(socks):
            s.sendall(wire.info_frame("status"))
        for s in socks:
            _, t, body = wire.read_frame(s)
            assert wire.parse_info(body) == [("status", "ok")]
    finally:
        for s in socks:
            s.close()


def test_client_closes_mid_response(raw, set_name):
    """Ask for a large batch of records and close without reading."""
    for i in range(50):
        raw.request(wire.put_frame(NS, set_name, "b%d" % i, {"p": "x" * 2000}))
    with raw.connect() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        for i in range(50):
            s.sendall(wire.get_frame(NS, set_name, "b%d" % i))
    rep = raw.request(wire.get_frame(NS, set_name, "b0"))
    assert rep.bins() == {"p": "x" * 2000}
