"""Record size limit (max-record-size 128K in `test`) and running namespace
`small` (data-size 1M) out of space."""
import time

import pytest

from aerospike import exception as ex

import wire

NS = "test"


def test_record_too_big(client, set_name):
    k = (NS, set_name, "big")
    with pytest.raises(ex.RecordTooBig) as ei:
        client.put(k, {"b": bytearray(200 * 1024)})
    assert ei.value.code == 13
    assert client.exists(k)[1] is None


def test_record_below_limit_ok(client, set_name):
    k = (NS, set_name, "ok")
    client.put(k, {"b": bytearray(b"\x01" * (100 * 1024))})
    assert bytes(client.get(k)[2]["b"]) == b"\x01" * (100 * 1024)


def test_record_grows_past_limit(client, set_name):
    k = (NS, set_name, "grow")
    client.put(k, {"a": "x" * (100 * 1024)})
    with pytest.raises(ex.RecordTooBig):
        client.put(k, {"b": "y" * (60 * 1024)})
    with pytest.raises(ex.RecordTooBig):
        client.append(k, "a", "z" * (60 * 1024))
    _, meta, bins = client.get(k)
    assert bins == {"a": "x" * (100 * 1024)}
    assert meta["gen"] == 1


def test_record_too_big_raw(raw, set_name):
    rep = raw.request(wire.msg_frame(
        wire.key_fields(NS, set_name, "rawbig"),
        [wire.op(wire.OP_WRITE, "b", wire.PT_BLOB, b"\0" * (129 * 1024))],
        info2=wire.INFO2_WRITE))
    assert rep.result == 13, rep


def test_namespace_full_stop_writes(server, client, set_name):
    """Fill `small` (data-size 1M) until writes fail.  The real server
    fails writes with 8 OUT_OF_SPACE (write.c: ns->stop_writes ->
    AS_ERR_OUT_OF_SPACE) which the python client raises as ServerFull."""
    payload = bytearray(20 * 1024)
    written = []
    err = None
    try:
        for i in range(400):           # up to ~8 MB, 8x the namespace size
            k = ("small", set_name, i)
            try:
                client.put(k, {"p": payload})
            except ex.AerospikeError as e:
                err = e
                break
            written.append(k)
            if i == 199:
                # a server that sets stop-writes from its nsup thread
                # (every nsup-period = 1 s) gets a chance here
                time.sleep(1.5)
        assert err is not None, "no write failed after %d x 20 KiB into a 1 MiB namespace" % len(written)
        assert isinstance(err, ex.ServerFull), repr(err)
        assert err.code == 8
        assert len(written) >= 10
        # reads still work while writes are stopped
        assert bytes(client.get(written[0])[2]["p"]) == bytes(payload)
        # the other namespace is unaffected
        client.put((NS, set_name, "other"), {"a": 1})
        assert client.get((NS, set_name, "other"))[2] == {"a": 1}
    finally:
        time.sleep(0.01)
        client.truncate("small", None, 0)
    # after emptying the namespace, writes are accepted again (the real
    # server clears stop-writes on its next nsup pass)
    deadline = time.monotonic() + 4
    while True:
        try:
            client.put(("small", set_name, "after"), {"a": 1})
            break
        except ex.ServerFull:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    assert client.get(("small", set_name, "after"))[2] == {"a": 1}
    client.remove(("small", set_name, "after"))


def test_proto_fd_max_refuses_extra_connections(server_factory):
    """proto-fd-max 4: a fifth connection is closed at once; the others keep working,
    and a slot freed by a close can be used again."""
    from conftest import CONFIG_TEMPLATE
    srv = server_factory(config_template=CONFIG_TEMPLATE.replace("proto-fd-max 1000", "proto-fd-max 4"))
    socks = [wire.connect(srv.port) for _ in range(4)]
    for s in socks:  # every admitted connection answers
        s.sendall(wire.info_frame("status"))
        assert wire.read_frame(s)[2] == b"status\tok\n"
    extra = wire.connect(srv.port)
    assert wire.wait_closed(extra) is True
    socks[0].close()
    time.sleep(0.2)
    again = wire.connect(srv.port)
    again.sendall(wire.info_frame("status"))
    assert wire.read_frame(again)[2] == b"status\tok\n"
    for s in socks[1:] + [again]:
        s.close()
