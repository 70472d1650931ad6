"""Scans (primary-index queries): whole set, projection, no-bins, partition
filters and max_records pagination."""
import struct

import pytest

import aerospike

import wire

NS = "test"


def pid_of(set_name, key):
    d = aerospike.calc_digest(NS, set_name, key)
    return (d[0] | (d[1] << 8)) & 0x0FFF


def keys_in_partitions(set_name, pids, per_pid):
    """Find string keys landing in the given partitions (per_pid each)."""
    want = {p: [] for p in pids}
    i = 0
    while any(len(v) < per_pid for v in want.values()):
        k = "k%d" % i
        p = pid_of(set_name, k)
        if p in want and len(want[p]) < per_pid:
            want[p].append(k)
        i += 1
    return want


def digest_of(rec):
    return bytes(rec[0][3])


def test_scan_whole_set(client, set_name):
    for i in range(50):
        client.put((NS, set_name, i), {"i": i, "s": "v%d" % i})
    client.put((NS, set_name + "_other", 1), {"i": -1})
    recs = client.query(NS, set_name).results()
    assert len(recs) == 50
    assert sorted(r[2]["i"] for r in recs) == list(range(50))
    for (ns, st, _k, dig), meta, bins in recs:
        assert (ns, st) == (NS, set_name)
        assert bins == {"i": bins["i"], "s": "v%d" % bins["i"]}
        assert bytes(dig) == bytes(aerospike.calc_digest(NS, set_name, bins["i"]))
        assert meta["gen"] == 1
    # every digest exactly once
    assert len({digest_of(r) for r in recs}) == 50


def test_scan_api_and_foreach(client, set_name):
    for i in range(10):
        client.put((NS, set_name, i), {"i": i})
    got = []
    client.scan(NS, set_name).foreach(lambda rec: got.append(rec[2]["i"]))
    assert sorted(got) == list(range(10))
    assert sorted(r[2]["i"] for r in client.scan(NS, set_name).results()) == list(range(10))
    got2 = []
    client.query(NS, set_name).foreach(lambda rec: got2.append(rec[2]["i"]))
    assert sorted(got2) == list(range(10))


def test_scan_foreach_stop_early(client, set_name):
    for i in range(30):
        client.put((NS, set_name, i), {"i": i})
    got = []

    def cb(rec):
        got.append(rec)
        if len(got) == 5:
            return False
    client.query(NS, set_name).foreach(cb)
    assert len(got) == 5
    # the server connection is still usable afterwards
    assert len(client.query(NS, set_name).results()) == 30


def test_scan_unknown_set_is_empty(client, set_name):
    assert client.query(NS, set_name + "_nothing").results() == []


def test_scan_select_bins(client, set_name):
    for i in range(10):
        client.put((NS, set_name, i), {"a": i, "b": "x", "c": 1.5})
    # records without the projected bin are not returned at all
    client.put((NS, set_name, "nob"), {"b": "only b"})
    q = client.query(NS, set_name)
    q.select("a", "c")
    recs = q.results()
    assert len(recs) == 10
    for _, _, bins in recs:
        assert set(bins) == {"a", "c"}
        assert bins["c"] == 1.5


def test_scan_nobins(client, set_name):
    for i in range(7):
        client.put((NS, set_name, i), {"a": i})
    client.put((NS, set_name, 0), {"a": 0})        # gen 2 for one record
    recs = client.query(NS, set_name).results(options={"nobins": True})
    assert len(recs) == 7
    gens = sorted(r[1]["gen"] for r in recs)
    assert gens == [1] * 6 + [2]
    for r in recs:
        assert not r[2]
    got = []
    client.scan(NS, set_name).foreach(lambda rec: got.append(rec), options={"nobins": True})
    assert len(got) == 7
    assert all(not r[2] for r in got)


def test_scan_whole_namespace(client, set_name):
    # records without a set and with a set both show up in a namespace scan
    client.put(("small", None, set_name + "a"), {"z": 1})
    client.put(("small", set_name, "b"), {"z": 2})
    recs = client.query("small", None).results()
    digests = {digest_of(r) for r in recs}
    assert bytes(aerospike.calc_digest("small", "", set_name + "a")) in digests
    assert bytes(aerospike.calc_digest("small", set_name, "b")) in digests
    client.remove(("small", None, set_name + "a"))
    client.remove(("small", set_name, "b"))


def test_scan_partition_filter(client, set_name):
    want = keys_in_partitions(set_name, [1000, 1001, 1002, 1003, 5, 4095], 3)
    for pid, ks in want.items():
        for k in ks:
            client.put((NS, set_name, k), {"k": k, "pid": pid})
    recs = client.query(NS, set_name).results(
        {"partition_filter": {"begin": 1000, "count": 4}})
    assert sorted(r[2]["k"] for r in recs) == sorted(
        k for p in (1000, 1001, 1002, 1003) for k in want[p])
    recs = client.query(NS, set_name).results(
        {"partition_filter": {"begin": 1001, "count": 1}})
    assert sorted(r[2]["k"] for r in recs) == sorted(want[1001])
    recs = client.query(NS, set_name).results(
        {"partition_filter": {"begin": 4095, "count": 1}})
    assert sorted(r[2]["k"] for r in recs) == sorted(want[4095])
    recs = client.query(NS, set_name).results(
        {"partition_filter": {"begin": 0, "count": 4096}})
    assert len(recs) == 18


def test_scan_pagination_partition_range(client, set_name):
    want = keys_in_partitions(set_name, [1000, 1001, 1002, 1003], 5)
    all_keys = set()
    for pid, ks in want.items():
        for k in ks:
            client.put((NS, set_name, k), {"k": k})
            all_keys.add(k)
    q = client.query(NS, set_name)
    q.max_records = 8
    q.paginate()
    pages = []
    for _ in range(10):
        recs = q.results({"partition_filter": {"begin": 1000, "count": 4}})
        pages.append([r[2]["k"] for r in recs])
        if q.is_done():
            break
    assert q.is_done()
    flat = [k for p in pages for k in p]
    assert len(flat) == len(set(flat)), pages        # nothing twice
    assert set(flat) == all_keys                       # nothing missing
    assert all(len(p) <= 8 for p in pages), pages
    assert len(pages[0]) == 8 and len(pages[1]) == 8, pages


def test_scan_pagination_whole_set(client, set_name):
    n = 45
    for i in range(n):
        client.put((NS, set_name, i), {"i": i})
    q = client.query(NS, set_name)
    q.max_records = 10
    q.paginate()
    seen = []
    pages = 0
    while not q.is_done() and pages < 20:
        recs = q.results()
        pages += 1
        assert len(recs) <= 10
        seen.extend(r[2]["i"] for r in recs)
    assert q.is_done()
    assert sorted(seen) == list(range(n))


def test_scan_max_records_without_pagination(client, set_name):
    for i in range(30):
        client.put((NS, set_name, i), {"i": i})
    q = client.query(NS, set_name)
    q.max_records = 12
    recs = q.results()
    assert len(recs) == 12
    assert len({r[2]["i"] for r in recs}) == 12


# ------------------------------------------------------------------ raw scans

def scan_frame(set_name, pids=None, digests=None, info3=wire.INFO3_PARTITION_DONE,
               max_records=None, ops=(), info1=wire.INFO1_READ):
    fields = [wire.field(wire.F_NAMESPACE, NS)]
    if set_name is not None:
        fields.append(wire.field(wire.F_SET, set_name))
    fields.append(wire.field(9, struct.pack(">I", 10000)))          # socket timeout
    fields.append(wire.field(7, struct.pack(">Q", 0x1234567)))      # task id
    if pids is not None:
        fields.append(wire.field(11, b"".join(struct.pack("<H", p) for p in pids)))
    if digests is not None:
        fields.append(wire.field(12, b"".join(digests)))
    if max_records is not None:
        fields.append(wire.field(13, struct.pack(">Q", max_records)))
    return wire.msg_frame(fields, list(ops), info1=info1, info3=info3,
                          ttl=0xFFFFFFFF, timeout=10000)


def test_raw_scan_response_layout(raw, client, set_name):
    want = keys_in_partitions(set_name, [7], 3)
    for k in want[7]:
        client.put((NS, set_name, k), {"k": k}, policy={"key": aerospike.POLICY_KEY_SEND})
    with raw.connect() as s:
        s.sendall(scan_frame(set_name, pids=[7, 8]))
        msgs = wire.read_stream(s)
    last = msgs[-1]
    assert last.info3 & wire.INFO3_LAST and last.result == 0
    recs = [m for m in msgs[:-1] if not m.info3 & wire.INFO3_PARTITION_DONE]
    assert len(recs) == 3
    for m in recs:
        assert m.result == 0
        assert m.field(wire.F_NAMESPACE) == NS.encode()
        assert m.field(wire.F_SET) == set_name.encode()
        assert len(m.field(wire.F_DIGEST)) == 20
        k = m.bins()["k"]
        assert m.field(wire.F_KEY) == bytes([wire.PT_STRING]) + k.encode()
        assert m.field(wire.F_DIGEST) == wire.digest(NS, set_name, k)
    # no partition of ours may be reported unavailable
    for m in msgs:
        if m.info3 & wire.INFO3_PARTITION_DONE:
            assert m.result != 11, m


def test_raw_scan_resume_after_digest(raw, client, set_name):
    want = keys_in_partitions(set_name, [9], 6)
    for k in want[9]:
        client.put((NS, set_name, k), {"k": k})
    with raw.connect() as s:
        s.sendall(scan_frame(set_name, pids=[9], max_records=2))
        first = [m for m in wire.read_stream(s)[:-1]
                 if not m.info3 & wire.INFO3_PARTITION_DONE]
        assert len(first) == 2
        resume = first[-1].field(wire.F_DIGEST)
        s.sendall(scan_frame(set_name, digests=[resume]))
        rest = [m for m in wire.read_stream(s)[:-1]
                if not m.info3 & wire.INFO3_PARTITION_DONE]
    got = [m.bins()["k"] for m in first + rest]
    assert len(got) == 6 and set(got) == set(want[9]), got


def test_raw_scan_requires_partition_done_flag(raw, set_name):
    with raw.connect() as s:
        s.sendall(scan_frame(set_name, pids=[1], info3=0))
        msgs = [wire.parse_msgs(wire.read_frame(s)[2])][0]
    assert msgs[0].result == wire.UNSUPPORTED_FEATURE, msgs


def test_raw_scan_requires_pid_or_digest_array(raw, set_name):
    with raw.connect() as s:
        s.sendall(scan_frame(set_name))
        msgs = wire.parse_msgs(wire.read_frame(s)[2])
    assert msgs[0].result == wire.UNSUPPORTED_FEATURE, msgs


def test_raw_scan_duplicate_pid(raw, set_name):
    with raw.connect() as s:
        s.sendall(scan_frame(set_name, pids=[3, 3]))
        msgs = wire.parse_msgs(wire.read_frame(s)[2])
    assert msgs[0].result == wire.PARAMETER, msgs


def test_raw_scan_write_op_refused(raw, set_name):
    with raw.connect() as s:
        s.sendall(scan_frame(set_name, pids=[3], ops=[wire.write_int("a", 1)]))
        msgs = wire.parse_msgs(wire.read_frame(s)[2])
    assert msgs[0].result == wire.PARAMETER, msgs


def test_records_per_second_throttles_a_scan(client, set_name):
    """records_per_second 40 over 40 records: the scan takes about a second, and every
    record still arrives once."""
    import time
    for i in range(40):
        client.put((NS, set_name, i), {"n": i})
    t = time.monotonic()
    recs = client.scan(NS, set_name).results({"records_per_second": 40})
    elapsed = time.monotonic() - t
    assert sorted(r[2]["n"] for r in recs) == list(range(40))
    assert 0.8 <= elapsed < 3.0, elapsed
    t = time.monotonic()
    assert len(client.scan(NS, set_name).results()) == 40
    assert time.monotonic() - t < 0.5
