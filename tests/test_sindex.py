"""Secondary indexes and secondary-index queries through the official Python client.

Expected behaviour is the real Aerospike 8.1 server's: batch-scan-query.md §2
(INDEX_RANGE semantics, list/mapkeys/mapvalues, each record once, partition filters,
max_records pages with resume, projection, 201 for a missing index), cluster-and-info.md §7
(sindex-* info formats), the `query` capture and the `dup-*` probes.

The client's `index_*_create` helpers poll `sindex-stat` only after a ~2 s sleep, so they
are exercised together (in threads) in one test; the other tests create their indexes with
the same info command the client sends and wait for `load_pct=100` themselves.
"""
import concurrent.futures
import json
import struct
import time
import uuid

import pytest

import aerospike
from aerospike import exception as ex
from aerospike import predicates as p
from aerospike_helpers import cdt_ctx
from aerospike_helpers import expressions as exp
from aerospike_helpers.operations import list_operations as lo
from aerospike_helpers.operations import operations as op

from conftest import make_client
import wire

NS = "test"


# ------------------------------------------------------------------ helpers

def info_kv(value, sep=";"):
    out = {}
    for part in value.strip().strip(sep).split(sep):
        k, _, v = part.partition("=")
        out[k] = v
    return out


def sindex_stat(server, name):
    return server.info1("sindex-stat:namespace=%s;indexname=%s" % (NS, name))


def wait_loaded(server, name, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        value = sindex_stat(server, name)
        if "load_pct=100" in value.split(";"):
            return info_kv(value)
        assert time.monotonic() < deadline, "index %s not loaded: %r" % (name, value)
        time.sleep(0.02)


def entries(server, name):
    return int(info_kv(sindex_stat(server, name))["entries"])


def sindex_list(server, command="sindex-list"):
    """{indexname: {key: value}} from sindex-list."""
    value = server.info1(command)
    out = {}
    for entry in value.split(";"):
        if not entry:
            continue
        kv = dict(part.partition("=")[::2] for part in entry.split(":"))
        out[kv.get("indexname")] = kv
    return out


def create_cmd(set_name, name, bin_name, btype, itype="DEFAULT", ctx_b64=None):
    """The >= 8.1 syntax the Python client sends."""
    cmd = "sindex-create:namespace=%s;set=%s;indexname=%s;" % (NS, set_name, name)
    if ctx_b64:
        cmd += "context=%s;" % ctx_b64
    return cmd + "indextype=%s;bin=%s;type=%s" % (itype, bin_name, btype)


@pytest.fixture
def sindex(server, set_name):
    """mk(bin, type, itype='DEFAULT', ctx_b64=None) -> index name (dropped afterwards)."""
    made = []

    def mk(bin_name, btype, itype="DEFAULT", ctx_b64=None, set_=None):
        name = "ix_%s" % uuid.uuid4().hex[:12]
        reply = server.info1(create_cmd(set_ or set_name, name, bin_name, btype, itype, ctx_b64))
        assert reply == "ok", reply
        made.append(name)
        wait_loaded(server, name)
        return name

    yield mk
    for name in made:
        server.info1("sindex-delete:namespace=%s;indexname=%s" % (NS, name))


def run(client, set_name, pred, ctx=None, policy=None, options=None, select=None):
    q = client.query(NS, set_name)
    if select:
        q.select(*select)
    if ctx is not None:
        q.where(pred, ctx)
    else:
        q.where(pred)
    return q.results(policy or {}, options or {})


def keys(recs, bin_name="k"):
    """Sorted values of the bin that identifies each record; asserts no record repeats."""
    vals = [r[2][bin_name] for r in recs]
    assert len(vals) == len(set(vals)), "record returned more than once: %r" % vals
    return sorted(vals)


def digests(recs):
    ds = [bytes(r[0][3]) for r in recs]
    assert len(ds) == len(set(ds)), "record returned more than once"
    return set(ds)


def pid_of(set_name, key):
    d = aerospike.calc_digest(NS, set_name, key)
    return (d[0] | (d[1] << 8)) & 0x0FFF


def point(lng, lat):
    return aerospike.GeoJSON({"type": "Point", "coordinates": [lng, lat]})


def square(x0, y0, x1, y1):
    return {"type": "Polygon",
            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


# ------------------------------------------------------------------ client helpers

def test_client_index_helpers_every_kind(server, client, set_name):
    """Every index_*_create helper (run concurrently: each waits ~2 s client-side), then
    sindex-list, one query per index, and index_remove."""
    s = set_name
    ctx = [cdt_ctx.cdt_ctx_map_key("addr")]
    names = {kind: "c%s_%s" % (kind, uuid.uuid4().hex[:8]) for kind in
             ("int", "str", "blob", "geo", "list", "mk", "mv", "ctx")}
    calls = [
        lambda: client.index_integer_create(NS, s, "n", names["int"]),
        lambda: client.index_string_create(NS, s, "s", names["str"]),
        lambda: client.index_blob_create(NS, s, "b", names["blob"]),
        lambda: client.index_geo2dsphere_create(NS, s, "g", names["geo"]),
        lambda: client.index_list_create(NS, s, "l", aerospike.INDEX_NUMERIC, names["list"]),
        lambda: client.index_map_keys_create(NS, s, "m", aerospike.INDEX_STRING, names["mk"]),
        lambda: client.index_map_values_create(NS, s, "m", aerospike.INDEX_NUMERIC, names["mv"]),
        lambda: client.index_cdt_create(NS, s, "doc", aerospike.INDEX_TYPE_DEFAULT,
                                        aerospike.INDEX_NUMERIC, names["ctx"], ctx),
    ]
    try:
        with concurrent.futures.ThreadPoolExecutor(len(calls)) as pool:
            for fut in [pool.submit(c) for c in calls]:
                fut.result()

        listed = sindex_list(server, "sindex-list:ns=%s" % NS)
        want = {"int": ("n", "numeric", "default"), "str": ("s", "string", "default"),
                "blob": ("b", "blob", "default"), "geo": ("g", "geo2dsphere", "default"),
                "list": ("l", "numeric", "list"), "mk": ("m", "string", "mapkeys"),
                "mv": ("m", "numeric", "mapvalues"), "ctx": ("doc", "numeric", "default")}
        for kind, (b, t, it) in want.items():
            e = listed.get(names[kind])
            assert e is not None, (kind, listed.keys())
            assert (e["ns"], e["set"], e["bin"], e["type"].lower(), e["indextype"].lower(),
                    e["state"]) == (NS, s, b, t, it, "RW"), e
            assert e["exp"] == "null", e
            if kind == "ctx":
                assert e["context"] == client.get_cdtctx_base64(ctx), e
            else:
                assert e["context"] == "null", e

        client.put((NS, s, 1), {"k": 1, "n": 10, "s": "red", "b": bytearray(b"\x00\x01"),
                                "g": point(1.0, 1.0), "l": [1, 2], "m": {"x": 7},
                                "doc": {"addr": 100}})
        client.put((NS, s, 2), {"k": 2, "n": 20, "s": "blue", "b": bytearray(b"\x00\x02"),
                                "g": point(50.0, 50.0), "l": [3], "m": {"y": 8},
                                "doc": {"addr": 200, "other": 100}})
        assert keys(run(client, s, p.equals("n", 10))) == [1]
        assert keys(run(client, s, p.equals("s", "blue"))) == [2]
        assert keys(run(client, s, p.equals("b", bytearray(b"\x00\x02")))) == [2]
        assert keys(run(client, s, p.geo_within_geojson_region(
            "g", json.dumps(square(0, 0, 2, 2))))) == [1]
        assert keys(run(client, s, p.contains("l", aerospike.INDEX_TYPE_LIST, 3))) == [2]
        assert keys(run(client, s, p.contains("m", aerospike.INDEX_TYPE_MAPKEYS, "x"))) == [1]
        assert keys(run(client, s, p.range("m", aerospike.INDEX_TYPE_MAPVALUES, 8, 9))) == [2]
        assert keys(run(client, s, p.equals("doc", 100), ctx=ctx)) == [1]
    finally:
        for name in names.values():
            client.index_remove(NS, name)
    for name in names.values():
        assert server.info1("sindex-exists:namespace=%s;indexname=%s" % (NS, name)) == "false"
    with pytest.raises(ex.IndexNotFound):
        run(client, s, p.equals("n", 10))


# ------------------------------------------------------------------ query kinds

def test_numeric_range_inclusive_and_equality(server, client, sindex, set_name):
    sindex("n", "NUMERIC")
    for i in range(-5, 25):
        client.put((NS, set_name, i), {"k": i, "n": i, "x": "v%d" % i},
                   policy={"key": aerospike.POLICY_KEY_SEND})
    client.put((NS, set_name, "big"), {"k": 1000, "n": 2**63 - 1})
    client.put((NS, set_name, "small"), {"k": -1000, "n": -2**63})
    client.put((NS, set_name, "nobin"), {"k": 999})
    client.put((NS, set_name + "_other", 5), {"k": 5555, "n": 5})   # another set: not indexed

    assert keys(run(client, set_name, p.between("n", 0, 9))) == list(range(10))
    assert keys(run(client, set_name, p.between("n", -5, -1))) == list(range(-5, 0))
    assert keys(run(client, set_name, p.between("n", 24, 24))) == [24]
    assert keys(run(client, set_name, p.between("n", 25, 10**6))) == []
    assert keys(run(client, set_name, p.between("n", -2**63, 2**63 - 1))) == \
        [-1000] + list(range(-5, 25)) + [1000]
    assert keys(run(client, set_name, p.between("n", 2**63 - 1, 2**63 - 1))) == [1000]
    assert keys(run(client, set_name, p.between("n", -2**63, -6))) == [-1000]
    recs = run(client, set_name, p.equals("n", 7))
    assert len(recs) == 1
    (ns, st, key, dig), meta, bins = recs[0]
    assert (ns, st, key) == (NS, set_name, 7)
    assert bytes(dig) == bytes(aerospike.calc_digest(NS, set_name, 7))
    assert meta["gen"] == 1
    assert bins == {"k": 7, "n": 7, "x": "v7"}
    assert run(client, set_name, p.equals("n", 12345)) == []


def test_string_equality(client, sindex, set_name):
    sindex("s", "STRING")
    vals = {1: "v3", 2: "v3", 3: "v30", 4: "V3", 5: "", 6: "ünï©ødé",
            7: "a-rather-long-common-prefix-1", 8: "a-rather-long-common-prefix-2",
            9: "x" * 3000, 10: "v"}
    for k, v in vals.items():
        client.put((NS, set_name, k), {"k": k, "s": v})
    assert keys(run(client, set_name, p.equals("s", "v3"))) == [1, 2]
    assert keys(run(client, set_name, p.equals("s", "V3"))) == [4]
    assert keys(run(client, set_name, p.equals("s", "v"))) == [10]       # no prefix match
    assert keys(run(client, set_name, p.equals("s", "ünï©ødé"))) == [6]
    assert keys(run(client, set_name, p.equals("s", "a-rather-long-common-prefix-2"))) == [8]
    assert keys(run(client, set_name, p.equals("s", "x" * 3000))) == [9]
    assert run(client, set_name, p.equals("s", "nothing")) == []


def test_blob_equality(client, sindex, set_name):
    sindex("b", "BLOB")
    vals = {1: b"\x00\x01", 2: b"\x00\x01", 3: b"\x00\x01\x02", 4: b"\xff" * 100, 5: b"\x00"}
    for k, v in vals.items():
        client.put((NS, set_name, k), {"k": k, "b": bytearray(v)})
    client.put((NS, set_name, 6), {"k": 6, "b": "\x00\x01"})   # string, not a blob
    assert keys(run(client, set_name, p.equals("b", bytearray(b"\x00\x01")))) == [1, 2]
    assert keys(run(client, set_name, p.equals("b", bytearray(b"\xff" * 100)))) == [4]
    assert keys(run(client, set_name, p.equals("b", bytearray(b"\x00")))) == [5]
    assert run(client, set_name, p.equals("b", bytearray(b"\x01"))) == []


def test_geo_points_within_region(client, sindex, set_name):
    sindex("g", "GEO2DSPHERE")
    client.put((NS, set_name, 1), {"k": 1, "g": point(10.0, 10.0)})
    client.put((NS, set_name, 2), {"k": 2, "g": point(10.001, 10.001)})
    client.put((NS, set_name, 3), {"k": 3, "g": point(-120.0, 40.0)})
    client.put((NS, set_name, 4), {"k": 4, "g": point(14.5, 14.5)})
    # a region inside the query region is not a point: never matches a within query
    client.put((NS, set_name, 5), {"k": 5, "g": aerospike.GeoJSON(square(11, 11, 12, 12))})
    client.put((NS, set_name, 6), {"k": 6, "g": "not geo"})
    region = json.dumps(square(5, 5, 15, 15))
    assert keys(run(client, set_name, p.geo_within_geojson_region("g", region))) == [1, 2, 4]
    small = json.dumps(square(9.99, 9.99, 10.0005, 10.0005))
    assert keys(run(client, set_name, p.geo_within_geojson_region("g", small))) == [1]
    # AeroCircle: ~157 m between points 1 and 2
    assert keys(run(client, set_name, p.geo_within_radius("g", 10.0, 10.0, 50.0))) == [1]
    assert keys(run(client, set_name, p.geo_within_radius("g", 10.0, 10.0, 1000.0))) == [1, 2]
    assert keys(run(client, set_name, p.geo_within_radius("g", -120.0, 40.0, 10.0))) == [3]
    assert run(client, set_name, p.geo_within_geojson_region(
        "g", json.dumps(square(100, -10, 110, 0)))) == []


def test_geo_regions_containing_point(client, sindex, set_name):
    sindex("g", "GEO2DSPHERE")
    client.put((NS, set_name, 1), {"k": 1, "g": aerospike.GeoJSON(square(0, 0, 10, 10))})
    client.put((NS, set_name, 2), {"k": 2, "g": aerospike.GeoJSON(square(5, 5, 20, 20))})
    client.put((NS, set_name, 3), {"k": 3, "g": aerospike.GeoJSON(square(-50, -50, -40, -40))})
    client.put((NS, set_name, 4), {"k": 4, "g": point(7.0, 7.0)})   # a point contains nothing
    pt = json.dumps({"type": "Point", "coordinates": [7.0, 7.0]})
    assert keys(run(client, set_name, p.geo_contains_geojson_point("g", pt))) == [1, 2]
    assert keys(run(client, set_name, p.geo_contains_point("g", 1.0, 1.0))) == [1]
    assert keys(run(client, set_name, p.geo_contains_point("g", 15.0, 15.0))) == [2]
    assert keys(run(client, set_name, p.geo_contains_point("g", -45.0, -45.0))) == [3]
    assert run(client, set_name, p.geo_contains_point("g", 30.0, 30.0)) == []


def test_list_index_each_record_once(server, client, sindex, set_name):
    name = sindex("l", "NUMERIC", "LIST")
    client.put((NS, set_name, "d1"), {"k": 1, "l": [5, 5, 7]})
    client.put((NS, set_name, "d2"), {"k": 2, "l": [5]})
    client.put((NS, set_name, "d3"), {"k": 3, "l": [6, 7, 7]})
    client.put((NS, set_name, "d4"), {"k": 4, "l": [100, "5", 8.0, [5], {"a": 5}]})
    client.put((NS, set_name, "d5"), {"k": 5, "l": 5})                 # not a list
    LIST = aerospike.INDEX_TYPE_LIST
    assert keys(run(client, set_name, p.contains("l", LIST, 5))) == [1, 2]
    assert keys(run(client, set_name, p.contains("l", LIST, 7))) == [1, 3]
    assert keys(run(client, set_name, p.range("l", LIST, 5, 7))) == [1, 2, 3]
    assert keys(run(client, set_name, p.range("l", LIST, 0, 1000))) == [1, 2, 3, 4]
    assert keys(run(client, set_name, p.contains("l", LIST, 100))) == [4]
    assert keys(run(client, set_name, p.range("l", LIST, 8, 99))) == []
    # one entry per distinct integer per record (as on asd 8.1.2: [5,5,7],[5],[6,7,7] -> 5)
    assert entries(server, name) == 5 + 1


def test_list_index_strings(client, sindex, set_name):
    sindex("tags", "STRING", "LIST")
    client.put((NS, set_name, 1), {"k": 1, "tags": ["a", "b", "a"]})
    client.put((NS, set_name, 2), {"k": 2, "tags": ["b", 1]})
    client.put((NS, set_name, 3), {"k": 3, "tags": "a"})
    LIST = aerospike.INDEX_TYPE_LIST
    assert keys(run(client, set_name, p.contains("tags", LIST, "a"))) == [1]
    assert keys(run(client, set_name, p.contains("tags", LIST, "b"))) == [1, 2]
    assert run(client, set_name, p.contains("tags", LIST, "c")) == []


def test_mapkeys_index(client, sindex, set_name):
    sindex("m", "STRING", "MAPKEYS")
    sindex("mi", "NUMERIC", "MAPKEYS")
    client.put((NS, set_name, 1), {"k": 1, "m": {"red": 1, "blue": 2}, "mi": {1: "a", 5: "b"}})
    client.put((NS, set_name, 2), {"k": 2, "m": {"blue": 3}, "mi": {6: "a", 7: "b", 8: "c"}})
    client.put((NS, set_name, 3), {"k": 3, "m": {"green": "red"}, "mi": {"5": 5}})
    MK = aerospike.INDEX_TYPE_MAPKEYS
    assert keys(run(client, set_name, p.contains("m", MK, "red"))) == [1]    # keys, not values
    assert keys(run(client, set_name, p.contains("m", MK, "blue"))) == [1, 2]
    assert keys(run(client, set_name, p.range("mi", MK, 4, 7))) == [1, 2]
    assert keys(run(client, set_name, p.contains("mi", MK, 8))) == [2]
    assert run(client, set_name, p.contains("mi", MK, 2)) == []


def test_mapvalues_index_each_record_once(server, client, sindex, set_name):
    name = sindex("m", "NUMERIC", "MAPVALUES")
    sindex("ms", "STRING", "MAPVALUES")
    for k in (1, 2, 3):
        client.put((NS, set_name, k), {"k": k, "m": {"a": 5, "b": 5, "c": 9}})
    client.put((NS, set_name, 4), {"k": 4, "m": {5: "x", "z": 11}, "ms": {"a": "x", "b": "x"}})
    client.put((NS, set_name, 5), {"k": 5, "m": [5], "ms": {"a": "y"}})
    MV = aerospike.INDEX_TYPE_MAPVALUES
    assert keys(run(client, set_name, p.contains("m", MV, 5))) == [1, 2, 3]
    assert keys(run(client, set_name, p.range("m", MV, 0, 10))) == [1, 2, 3]
    assert keys(run(client, set_name, p.range("m", MV, 9, 11))) == [1, 2, 3, 4]
    assert keys(run(client, set_name, p.contains("ms", MV, "x"))) == [4]
    assert run(client, set_name, p.contains("ms", MV, "a")) == []
    assert entries(server, name) == 3 * 2 + 1


def test_context_indexes(client, sindex, set_name):
    ctx = [cdt_ctx.cdt_ctx_map_key("addr")]
    sindex("doc", "NUMERIC", ctx_b64=client.get_cdtctx_base64(ctx))
    tctx = [cdt_ctx.cdt_ctx_map_key("tags")]
    sindex("doc", "STRING", "LIST", ctx_b64=client.get_cdtctx_base64(tctx))
    client.put((NS, set_name, 1), {"k": 1, "doc": {"addr": 5, "tags": ["x", "y"]}})
    client.put((NS, set_name, 2), {"k": 2, "doc": {"addr": 7, "other": 5, "tags": ["y"]}})
    client.put((NS, set_name, 3), {"k": 3, "doc": {"other": 5, "tags": "x"}})
    client.put((NS, set_name, 4), {"k": 4, "doc": 5})
    client.put((NS, set_name, 5), {"k": 5, "doc": {"addr": "5", "tags": [["x"]]}})
    assert keys(run(client, set_name, p.equals("doc", 5), ctx=ctx)) == [1]
    assert keys(run(client, set_name, p.between("doc", 0, 10), ctx=ctx)) == [1, 2]
    LIST = aerospike.INDEX_TYPE_LIST
    assert keys(run(client, set_name, p.contains("doc", LIST, "x"), ctx=tctx)) == [1]
    assert keys(run(client, set_name, p.contains("doc", LIST, "y"), ctx=tctx)) == [1, 2]
    # no index on the bin itself (without context)
    with pytest.raises(ex.IndexNotFound):
        run(client, set_name, p.equals("doc", 5))


def test_query_without_index_is_201(client, sindex, set_name):
    sindex("n", "NUMERIC")
    client.put((NS, set_name, 1), {"k": 1, "n": 1, "s": "a"})
    with pytest.raises(ex.IndexNotFound):
        run(client, set_name, p.equals("nope", 1))
    with pytest.raises(ex.IndexNotFound):            # wrong index type for the bin
        run(client, set_name, p.equals("n", "1"))
    with pytest.raises(ex.IndexNotFound):            # wrong collection type
        run(client, set_name, p.contains("n", aerospike.INDEX_TYPE_LIST, 1))
    with pytest.raises(ex.IndexNotFound):
        run(client, set_name + "_x", p.equals("n", 1))
    assert keys(run(client, set_name, p.equals("n", 1))) == [1]


def test_query_by_index_name(client, sindex, set_name):
    name = sindex("n", "NUMERIC")
    for i in range(6):
        client.put((NS, set_name, i), {"k": i, "n": i * 10})
    q = client.query(NS, set_name)
    q.where_with_index_name(name, p.between(None, 10, 30))
    assert keys(q.results()) == [1, 2, 3]
    q = client.query(NS, set_name)
    q.where_with_index_name(name + "_missing", p.between(None, 10, 30))
    with pytest.raises(ex.IndexNotFound):
        q.results()


@pytest.mark.xfail(strict=True, reason="expression indexes (exp=, INDEX_EXPRESSION) are not built yet")
def test_expression_index(server, client, set_name):
    expr = exp.Add(exp.IntBin("a"), exp.IntBin("b"))
    name = "ix_exp_%s" % uuid.uuid4().hex[:8]
    # exactly what the client's index_expr_create sends (no bin)
    cmd = "sindex-create:namespace=%s;set=%s;indexname=%s;exp=%s;indextype=DEFAULT;type=NUMERIC" % (
        NS, set_name, name, client.get_expression_base64(expr.compile()))
    try:
        assert server.info1(cmd) == "ok"
        wait_loaded(server, name)
        e = sindex_list(server)[name]
        assert e["exp"] != "null" and e["state"] == "RW", e
        client.put((NS, set_name, 1), {"k": 1, "a": 1, "b": 2})
        client.put((NS, set_name, 2), {"k": 2, "a": 10, "b": 5})
        client.put((NS, set_name, 3), {"k": 3, "a": 4})              # expression fails
        client.put((NS, set_name, 4), {"k": 4, "a": 7, "b": "x"})    # expression fails
        assert entries(server, name) == 2
        q = client.query(NS, set_name)
        q.where_with_expr(expr.compile(), p.between(None, 0, 10))
        assert keys(q.results()) == [1]
        q = client.query(NS, set_name)
        q.where_with_expr(expr.compile(), p.equals(None, 15))
        assert keys(q.results()) == [2]
    finally:
        server.info1("sindex-delete:namespace=%s;indexname=%s" % (NS, name))


# ------------------------------------------------------------------ raw wire

def index_query_frame(set_name, bin_name, begin, end, pids=None, digests_=None, bvals=None,
                      max_records=None, index_type=None):
    fields = [wire.field(wire.F_NAMESPACE, NS), wire.field(wire.F_SET, set_name),
              wire.field(9, struct.pack(">I", 10000)),
              wire.field(7, struct.pack(">Q", 0x5151))]
    if index_type is not None:
        fields.append(wire.field(26, bytes([index_type])))
    rng = (bytes([1, len(bin_name)]) + bin_name.encode() + bytes([wire.PT_INTEGER])
           + struct.pack(">Iq", 8, begin) + struct.pack(">Iq", 8, end))
    fields.append(wire.field(22, rng))
    if pids is not None:
        fields.append(wire.field(11, b"".join(struct.pack("<H", x) for x in pids)))
    if digests_ is not None:
        fields.append(wire.field(12, b"".join(digests_)))
    if bvals is not None:
        fields.append(wire.field(15, b"".join(struct.pack("<q", b) for b in bvals)))
    if max_records is not None:
        fields.append(wire.field(13, struct.pack(">Q", max_records)))
    return wire.msg_frame(fields, [], info1=wire.INFO1_READ, info3=wire.INFO3_PARTITION_DONE,
                          ttl=0xFFFFFFFF, timeout=10000)


def records_of(msgs):
    assert msgs[-1].info3 & wire.INFO3_LAST and msgs[-1].result == 0, msgs[-1]
    out = [m for m in msgs[:-1] if not m.info3 & wire.INFO3_PARTITION_DONE]
    assert all(m.result == 0 for m in out), out
    return out


def test_raw_index_query_bval_and_resume(raw, client, sindex, set_name):
    sindex("n", "NUMERIC")
    ks = []
    i = 0
    while len(ks) < 6:
        if pid_of(set_name, "r%d" % i) == 777:
            ks.append("r%d" % i)
        i += 1
    values = {k: v for k, v in zip(ks, [-3, 10, 11, 12, 12, 40])}
    for k, v in values.items():
        client.put((NS, set_name, k), {"n": v})
    with raw.connect() as s:
        s.sendall(index_query_frame(set_name, "n", -10, 20, pids=[777, 778]))
        recs = records_of(wire.read_stream(s))
        assert sorted(m.bins()["n"] for m in recs) == [-3, 10, 11, 12, 12]
        for m in recs:
            assert m.field(wire.F_NAMESPACE) == NS.encode()
            assert m.field(wire.F_SET) == set_name.encode()
            assert m.field(15) == struct.pack("<q", m.bins()["n"]), m     # bval = the value
        # pages of 2, resuming after (bval, digest) of the last record seen
        seen = []
        frame = index_query_frame(set_name, "n", -10, 20, pids=[777], max_records=2)
        for _ in range(6):
            s.sendall(frame)
            page = records_of(wire.read_stream(s))
            assert len(page) <= 2
            if not page:
                break
            seen.extend(page)
            last = page[-1]
            frame = index_query_frame(set_name, "n", -10, 20, digests_=[last.field(wire.F_DIGEST)],
                                      bvals=[struct.unpack("<q", last.field(15))[0]],
                                      max_records=2)
        got = [m.field(wire.F_DIGEST) for m in seen]
        assert len(got) == len(set(got)) == 5, seen


@pytest.mark.parametrize("case", ["digests-without-bvals", "bvals-without-digests",
                                  "count-mismatch"])
def test_raw_index_query_resume_fields_must_pair(raw, client, sindex, set_name, case):
    """BVAL_ARRAY is required with DIGEST_ARRAY on an index query, forbidden without it,
    and must have as many entries (the real server answers 4)."""
    sindex("n", "NUMERIC")
    client.put((NS, set_name, "a"), {"n": 1})
    d = wire.digest(NS, set_name, "a")
    d2 = wire.digest(NS, set_name, "b")
    if case == "digests-without-bvals":
        frame = index_query_frame(set_name, "n", 0, 10, digests_=[d])
    elif case == "bvals-without-digests":
        frame = index_query_frame(set_name, "n", 0, 10, pids=[pid_of(set_name, "a")], bvals=[1])
    else:
        frame = index_query_frame(set_name, "n", 0, 10, digests_=[d, d2], bvals=[1])
    with raw.connect() as s:
        s.sendall(frame)
        msgs = wire.parse_msgs(wire.read_frame(s)[2])
    assert msgs[0].result == wire.PARAMETER, msgs


def test_raw_index_query_missing_index(raw, set_name):
    with raw.connect() as s:
        s.sendall(index_query_frame(set_name, "nope", 0, 1, pids=[1]))
        msgs = wire.parse_msgs(wire.read_frame(s)[2])
    assert msgs[0].result == 201, msgs
    assert not msgs[0].info3 & wire.INFO3_LAST


# ------------------------------------------------------------------ partitions and pages

def test_partition_filter(client, sindex, set_name):
    sindex("n", "NUMERIC")
    by_pid = {}
    i = 0
    while len(by_pid.get(2000, [])) < 3 or len(by_pid.get(2001, [])) < 3:
        pid = pid_of(set_name, i)
        if pid in (2000, 2001):
            by_pid.setdefault(pid, []).append(i)
        i += 1
    for k in range(40):
        client.put((NS, set_name, k), {"k": k, "n": k % 4})
    for pid, ks in by_pid.items():
        for k in ks:
            client.put((NS, set_name, k), {"k": k, "n": 100})
    want = sorted(k for ks in by_pid.values() for k in ks)
    pf = {"partition_filter": {"begin": 2000, "count": 2}}
    assert keys(run(client, set_name, p.equals("n", 100), policy=pf)) == want
    pf = {"partition_filter": {"begin": 2001, "count": 1}}
    assert keys(run(client, set_name, p.between("n", 0, 1000), policy=pf)) == sorted(by_pid[2001])
    all_keys = set(range(40)) | set(want)
    pf = {"partition_filter": {"begin": 0, "count": 2000}}
    got = keys(run(client, set_name, p.between("n", 0, 1000), policy=pf))
    assert got == sorted(k for k in all_keys if pid_of(set_name, k) < 2000)
    pf = {"partition_filter": {"begin": 0, "count": 4096}}
    assert keys(run(client, set_name, p.between("n", 0, 1000), policy=pf)) == sorted(all_keys)


@pytest.mark.parametrize("kind", ["numeric-dup-values", "string-same-value", "list"])
def test_pagination_every_record_once(client, sindex, set_name, kind):
    n = 43
    if kind == "numeric-dup-values":        # many records per bval: resume on (bval, digest)
        sindex("n", "NUMERIC")
        for i in range(n):
            client.put((NS, set_name, i), {"k": i, "n": i % 5})
        pred = p.between("n", 0, 4)
    elif kind == "string-same-value":
        sindex("s", "STRING")
        for i in range(n):
            client.put((NS, set_name, i), {"k": i, "s": "same"})
        client.put((NS, set_name, "other"), {"k": -1, "s": "other"})
        pred = p.equals("s", "same")
    else:
        sindex("l", "NUMERIC", "LIST")
        for i in range(n):
            client.put((NS, set_name, i), {"k": i, "l": [i % 3, 50]})
        pred = p.contains("l", aerospike.INDEX_TYPE_LIST, 50)
    q = client.query(NS, set_name)
    q.where(pred)
    q.max_records = 10
    q.paginate()
    pages = []
    while not q.is_done() and len(pages) < 20:
        pages.append([r[2]["k"] for r in q.results()])
    assert q.is_done()
    flat = [k for pg in pages for k in pg]
    assert len(flat) == len(set(flat)), pages
    assert sorted(flat) == list(range(n)), pages
    assert [len(pg) for pg in pages[:4]] == [10, 10, 10, 10], pages
    assert all(len(pg) <= 10 for pg in pages)


def test_pagination_resume_from_partition_status(client, sindex, set_name):
    sindex("n", "NUMERIC")
    for i in range(30):
        client.put((NS, set_name, i), {"k": i, "n": i})
    q = client.query(NS, set_name)
    q.where(p.between("n", 0, 100))
    q.max_records = 12
    q.paginate()
    first = q.results()
    assert len(first) == 12
    assert not q.is_done()
    status = q.get_partitions_status()
    q2 = client.query(NS, set_name)
    q2.where(p.between("n", 0, 100))
    q2.paginate()
    rest = q2.results({"partition_filter": {"begin": 0, "count": 4096,
                                            "partition_status": status}})
    assert q2.is_done()
    assert keys(first + rest) == list(range(30))


def test_max_records_without_pagination(client, sindex, set_name):
    sindex("n", "NUMERIC")
    for i in range(30):
        client.put((NS, set_name, i), {"k": i, "n": i})
    q = client.query(NS, set_name)
    q.where(p.between("n", 5, 24))
    q.max_records = 7
    recs = q.results()
    assert len(recs) == 7
    assert all(5 <= k <= 24 for k in keys(recs))
    recs = run(client, set_name, p.between("n", 5, 24), policy={"max_records": 100})
    assert keys(recs) == list(range(5, 25))


# ------------------------------------------------------------------ projection, filters

def test_select_bins(client, sindex, set_name):
    sindex("n", "NUMERIC")
    for i in range(6):
        client.put((NS, set_name, i), {"k": i, "n": i, "a": "a%d" % i, "b": 1.5})
    client.put((NS, set_name, "noa"), {"k": 99, "n": 3, "b": 2.5})
    recs = run(client, set_name, p.between("n", 0, 10), select=["a", "k"])
    assert keys(recs) == list(range(6)) + [99]
    recs = run(client, set_name, p.between("n", 0, 10), select=["a"])
    # a record holding none of the selected bins is not sent
    assert sorted(r[2]["a"] for r in recs) == ["a%d" % i for i in range(6)]
    for _, meta, bins in recs:
        assert set(bins) == {"a"}
        assert meta["gen"] == 1


def test_nobins(client, sindex, set_name):
    sindex("n", "NUMERIC")
    for i in range(5):
        client.put((NS, set_name, i), {"k": i, "n": i})
    client.put((NS, set_name, 2), {"k": 2, "n": 2})            # gen 2
    recs = run(client, set_name, p.between("n", 1, 3), options={"nobins": True})
    assert len(recs) == 3
    assert digests(recs) == {bytes(aerospike.calc_digest(NS, set_name, i)) for i in (1, 2, 3)}
    assert sorted(r[1]["gen"] for r in recs) == [1, 1, 2]
    assert all(not r[2] for r in recs)


def test_filter_expression_with_index_query(client, sindex, set_name):
    sindex("n", "NUMERIC")
    for i in range(20):
        client.put((NS, set_name, i), {"k": i, "n": i, "par": i % 2, "s": "v%d" % i})
    even = {"expressions": exp.Eq(exp.IntBin("par"), 0).compile()}
    assert keys(run(client, set_name, p.between("n", 5, 15), policy=even)) == \
        [6, 8, 10, 12, 14]
    sfilter = {"expressions": exp.Eq(exp.StrBin("s"), "v7").compile()}
    assert keys(run(client, set_name, p.between("n", 0, 19), policy=sfilter)) == [7]
    assert run(client, set_name, p.between("n", 8, 19), policy=sfilter) == []
    # a filter on a missing bin is UNKNOWN -> record skipped
    missing = {"expressions": exp.Eq(exp.IntBin("nope"), 1).compile()}
    assert run(client, set_name, p.between("n", 0, 19), policy=missing) == []
    # max_records counts records that pass the filter
    q = client.query(NS, set_name)
    q.where(p.between("n", 0, 19))
    q.max_records = 3
    recs = q.results(even)
    assert len(recs) == 3 and all(k % 2 == 0 for k in keys(recs))


# ------------------------------------------------------------------ index maintenance

def test_overwrite_updates_index(server, client, sindex, set_name):
    ni = sindex("n", "NUMERIC")
    sindex("s", "STRING")
    sindex("l", "NUMERIC", "LIST")
    k = (NS, set_name, "r")
    client.put(k, {"k": 1, "n": 5, "s": "old", "l": [1, 2]})
    LIST = aerospike.INDEX_TYPE_LIST
    assert keys(run(client, set_name, p.equals("n", 5))) == [1]
    client.put(k, {"n": 6, "s": "new"})
    assert run(client, set_name, p.equals("n", 5)) == []
    assert keys(run(client, set_name, p.equals("n", 6))) == [1]
    assert run(client, set_name, p.equals("s", "old")) == []
    assert keys(run(client, set_name, p.equals("s", "new"))) == [1]
    client.increment(k, "n", 10)
    assert run(client, set_name, p.between("n", 0, 15)) == []
    assert keys(run(client, set_name, p.equals("n", 16))) == [1]
    client.operate(k, [lo.list_append("l", 9),
                       lo.list_remove_by_value("l", 1, aerospike.LIST_RETURN_NONE)])
    assert run(client, set_name, p.contains("l", LIST, 1)) == []
    assert keys(run(client, set_name, p.contains("l", LIST, 9))) == [1]
    assert keys(run(client, set_name, p.contains("l", LIST, 2))) == [1]
    # a new value of the wrong type removes the record from the index
    client.put(k, {"n": "sixteen"})
    assert run(client, set_name, p.between("n", -2**63, 2**63 - 1)) == []
    assert entries(server, ni) == 0
    client.put(k, {"n": 3})
    assert keys(run(client, set_name, p.equals("n", 3))) == [1]
    assert entries(server, ni) == 1


def test_bin_removal_and_record_delete(server, client, sindex, set_name):
    name = sindex("n", "NUMERIC")
    for i in range(4):
        client.put((NS, set_name, i), {"k": i, "n": 7})
    assert keys(run(client, set_name, p.equals("n", 7))) == [0, 1, 2, 3]
    client.remove_bin((NS, set_name, 0), ["n"])
    client.put((NS, set_name, 1), {"n": None})                  # bin deleted by a nil write
    client.remove((NS, set_name, 2))
    client.operate((NS, set_name, 3), [op.delete()])
    assert run(client, set_name, p.equals("n", 7)) == []
    assert entries(server, name) == 0
    client.put((NS, set_name, 2), {"k": 2, "n": 7})             # re-created record
    assert keys(run(client, set_name, p.equals("n", 7))) == [2]


def test_ttl_expiry(server, client, sindex, set_name):
    name = sindex("n", "NUMERIC")
    for i in range(3):
        client.put((NS, set_name, i), {"k": i, "n": 1}, meta={"ttl": 30})
    client.put((NS, set_name, "keep"), {"k": 100, "n": 1}, meta={"ttl": 1000})
    client.put((NS, set_name, "never"), {"k": 101, "n": 1})
    assert keys(run(client, set_name, p.equals("n", 1))) == [0, 1, 2, 100, 101]
    server.advance_clock(31)
    # expired records are skipped at once, before nsup reaps them
    assert keys(run(client, set_name, p.equals("n", 1))) == [100, 101]
    deadline = time.monotonic() + 3.5
    while entries(server, name) != 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert entries(server, name) == 2
    assert keys(run(client, set_name, p.equals("n", 1))) == [100, 101]


def test_truncate(client, sindex, set_name):
    sindex("n", "NUMERIC")
    sindex("l", "NUMERIC", "LIST")
    for i in range(10):
        client.put((NS, set_name, i), {"k": i, "n": i, "l": [i]})
    time.sleep(0.01)           # the cutoff is strict, with ms resolution
    client.truncate(NS, set_name, 0)
    assert run(client, set_name, p.between("n", 0, 100)) == []
    assert run(client, set_name, p.range("l", aerospike.INDEX_TYPE_LIST, 0, 100)) == []
    time.sleep(0.01)
    client.put((NS, set_name, 3), {"k": 3, "n": 3, "l": [3]})
    client.put((NS, set_name, 50), {"k": 50, "n": 50, "l": [50]})
    assert keys(run(client, set_name, p.between("n", 0, 100))) == [3, 50]
    assert keys(run(client, set_name, p.range("l", aerospike.INDEX_TYPE_LIST, 0, 100))) == [3, 50]


def test_wrong_type_bins_are_not_indexed(server, client, sindex, set_name):
    names = {"n": sindex("n", "NUMERIC"), "s": sindex("s", "STRING"),
             "g": sindex("g", "GEO2DSPHERE"), "l": sindex("l", "NUMERIC", "LIST"),
             "m": sindex("m", "STRING", "MAPKEYS")}
    bad = [{"n": "5", "s": 5, "g": "POINT(1 1)", "l": {"a": 5}, "m": ["a"]},
           {"n": 5.0, "s": b"a", "g": 3, "l": "5", "m": {1: "a"}},
           {"n": [5], "s": ["a"], "g": {"type": "Point"}, "l": 5, "m": "a"},
           {"n": point(5.0, 5.0), "s": {"a": 1}, "g": 1.5, "l": b"\x05", "m": 7}]
    for i, bins in enumerate(bad):
        client.put((NS, set_name, i), dict(bins, k=i))          # the writes succeed
    client.put((NS, set_name, "good"), {"k": 100, "n": 5, "s": "a", "l": [5], "m": {"a": 1},
                                        "g": point(1.0, 1.0)})
    for name in names.values():
        assert entries(server, name) == 1, name
    assert keys(run(client, set_name, p.equals("n", 5))) == [100]
    assert keys(run(client, set_name, p.between("n", -2**63, 2**63 - 1))) == [100]
    assert keys(run(client, set_name, p.equals("s", "a"))) == [100]
    assert keys(run(client, set_name, p.contains("l", aerospike.INDEX_TYPE_LIST, 5))) == [100]
    assert keys(run(client, set_name, p.contains("m", aerospike.INDEX_TYPE_MAPKEYS, "a"))) == [100]
    assert keys(run(client, set_name, p.geo_within_geojson_region(
        "g", json.dumps(square(-10, -10, 10, 10))))) == [100]


# ------------------------------------------------------------------ info commands

def test_sindex_info_list_exists_stat(server, client, sindex, set_name):
    name = sindex("n", "NUMERIC")
    for i in range(12):
        client.put((NS, set_name, i), {"n": i % 4})
    for cmd in ("sindex-list", "sindex-list:ns=%s" % NS):
        e = sindex_list(server, cmd).get(name)
        assert e is not None, server.info1(cmd)
        assert list(e) == ["ns", "indexname", "set", "bin", "type", "indextype", "context",
                           "exp", "state"], e
        assert e == {"ns": NS, "indexname": name, "set": set_name, "bin": "n",
                     "type": "numeric", "indextype": "default", "context": "null",
                     "exp": "null", "state": "RW"}
    assert server.info1("sindex-exists:namespace=%s;indexname=%s" % (NS, name)) == "true"
    assert server.info1("sindex-exists:ns=%s;indexname=%s" % (NS, name)) == "true"
    assert server.info1("sindex-exists:namespace=%s;indexname=%s_no" % (NS, name)) == "false"
    stat = info_kv(sindex_stat(server, name))
    for key in ("entries", "used_bytes", "entries_per_bval", "entries_per_rec", "load_pct",
                "load_time", "stat_gc_recs"):
        assert key in stat, stat
        int(stat[key])
    assert stat["entries"] == "12" and stat["load_pct"] == "100", stat
    alias = info_kv(server.info1("sindex/%s/%s" % (NS, name)))
    assert alias["entries"] == "12" and alias["load_pct"] == "100", alias
    assert sindex_stat(server, name + "_no") == "ERROR:201:no index"


def test_sindex_create_existing_data_and_old_syntax(server, client, set_name):
    for i in range(10):
        client.put((NS, set_name, i), {"k": i, "l": [i, i + 100]})
    name = "ix_old_%s" % uuid.uuid4().hex[:8]
    cmd = "sindex-create:ns=%s;set=%s;indexname=%s;indextype=list;indexdata=l,numeric" % (
        NS, set_name, name)
    try:
        assert server.info1(cmd) == "ok"
        stat = wait_loaded(server, name)           # records written before the index
        assert stat["entries"] == "20", stat
        e = sindex_list(server)[name]
        assert (e["bin"], e["type"], e["indextype"], e["state"]) == ("l", "numeric", "list", "RW")
        assert keys(run(client, set_name, p.range("l", aerospike.INDEX_TYPE_LIST, 3, 5))) == \
            [3, 4, 5]
        assert keys(run(client, set_name, p.contains("l", aerospike.INDEX_TYPE_LIST, 109))) == [9]
    finally:
        assert server.info1("sindex-delete:ns=%s;indexname=%s" % (NS, name)) == "ok"
    assert server.info1("sindex-exists:ns=%s;indexname=%s" % (NS, name)) == "false"


def test_sindex_create_twice(server, client, sindex, set_name):
    name = sindex("n", "NUMERIC")
    assert server.info1(create_cmd(set_name, name, "n", "NUMERIC")) == "ok"
    assert server.info1(create_cmd(set_name, name, "n", "numeric", "default")) == "ok"
    for other in (create_cmd(set_name, name, "x", "NUMERIC"),
                  create_cmd(set_name, name, "n", "STRING"),
                  create_cmd(set_name, name, "n", "NUMERIC", "LIST"),
                  create_cmd(set_name + "_b", name, "n", "NUMERIC")):
        reply = server.info1(other)
        assert reply.startswith("ERROR:200:"), (other, reply)
        assert "already exists" in reply, reply
    # the client surfaces 200 as IndexFoundError (and does not wait)
    with pytest.raises(ex.IndexFoundError):
        client.index_string_create(NS, set_name, "n", name)
    e = sindex_list(server)[name]
    assert (e["bin"], e["type"], e["indextype"]) == ("n", "numeric", "default")
    assert len([n for n in sindex_list(server) if n == name]) == 1


def test_sindex_delete(server, client, sindex, set_name):
    name = sindex("n", "NUMERIC")
    client.put((NS, set_name, 1), {"k": 1, "n": 1})
    assert keys(run(client, set_name, p.equals("n", 1))) == [1]
    assert server.info1("sindex-delete:namespace=%s;indexname=%s" % (NS, name)) == "ok"
    assert server.info1("sindex-exists:namespace=%s;indexname=%s" % (NS, name)) == "false"
    assert name not in sindex_list(server)
    assert sindex_stat(server, name) == "ERROR:201:no index"
    with pytest.raises(ex.IndexNotFound) as info:
        run(client, set_name, p.equals("n", 1))
    assert info.value.code == 201
    # deleting a missing index is fine, through info and through the client
    assert server.info1("sindex-delete:namespace=%s;indexname=%s" % (NS, name)) == "ok"
    client.index_remove(NS, name)
    # the name can be reused for another definition afterwards
    assert server.info1(create_cmd(set_name, name, "s", "STRING")) == "ok"
    wait_loaded(server, name)
    client.put((NS, set_name, 2), {"k": 2, "s": "x"})
    assert keys(run(client, set_name, p.equals("s", "x"))) == [2]


def test_index_definitions_survive_restart(server_factory):
    srv = server_factory()
    set_name = "restart"
    c = make_client(srv)
    try:
        assert srv.info1(create_cmd(set_name, "rs_n", "n", "NUMERIC")) == "ok"
        assert srv.info1(create_cmd(set_name, "rs_l", "l", "STRING", "LIST")) == "ok"
        wait_loaded(srv, "rs_n")
        wait_loaded(srv, "rs_l")
        c.put((NS, set_name, "before"), {"k": 0, "n": 1, "l": ["a"]})
    finally:
        c.close()
    srv.restart()
    c = make_client(srv)
    try:
        listed = sindex_list(srv)
        assert set(listed) >= {"rs_n", "rs_l"}, listed
        assert (listed["rs_n"]["bin"], listed["rs_n"]["type"], listed["rs_n"]["indextype"]) == \
            ("n", "numeric", "default")
        assert (listed["rs_l"]["bin"], listed["rs_l"]["type"], listed["rs_l"]["indextype"]) == \
            ("l", "string", "list")
        wait_loaded(srv, "rs_n")
        wait_loaded(srv, "rs_l")
        assert srv.info1("sindex-exists:namespace=%s;indexname=rs_n" % NS) == "true"
        for i in range(1, 6):
            c.put((NS, set_name, i), {"k": i, "n": i, "l": ["a" if i % 2 else "b"]})
        assert keys(run(c, set_name, p.between("n", 2, 4))) == [2, 3, 4]
        got = keys(run(c, set_name, p.contains("l", aerospike.INDEX_TYPE_LIST, "b")))
        assert got == [2, 4]
        # the restarted index does not hold anything that is not in the store
        assert entries(srv, "rs_n") == len(c.query(NS, set_name).results())
    finally:
        c.close()


# ------------------------------------------------------------------ background jobs

def wait_job(client, job_id, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        info = client.job_info(job_id, aerospike.JOB_QUERY)
        if info["status"] == aerospike.JOB_STATUS_COMPLETED:
            return info
        assert time.monotonic() < deadline, info
        time.sleep(0.05)


def test_background_ops_query(client, sindex, set_name):
    sindex("n", "NUMERIC")
    for i in range(20):
        client.put((NS, set_name, i), {"k": i, "n": i})
    q = client.query(NS, set_name)
    q.where(p.between("n", 5, 9))
    q.add_ops([op.write("tag", "bg"), op.increment("n", 100)])
    job_id = q.execute_background()
    wait_job(client, job_id)
    for i in range(20):
        _, meta, bins = client.get((NS, set_name, i))
        if 5 <= i <= 9:
            assert bins == {"k": i, "n": i + 100, "tag": "bg"}, bins
            assert meta["gen"] == 2
        else:
            assert bins == {"k": i, "n": i}, bins
            assert meta["gen"] == 1
    # the index follows the job's writes
    assert keys(run(client, set_name, p.between("n", 105, 109))) == [5, 6, 7, 8, 9]
    assert run(client, set_name, p.between("n", 5, 9)) == []


def test_background_ops_query_with_filter(client, sindex, set_name):
    sindex("n", "NUMERIC")
    for i in range(20):
        client.put((NS, set_name, i), {"k": i, "n": i, "par": i % 2})
    q = client.query(NS, set_name)
    q.where(p.between("n", 0, 9))
    q.add_ops([op.write("tag", "odd")])
    job_id = q.execute_background(
        {"expressions": exp.Eq(exp.IntBin("par"), 1).compile()})
    wait_job(client, job_id)
    tagged = sorted(r[2]["k"] for r in client.query(NS, set_name).results() if "tag" in r[2])
    assert tagged == [1, 3, 5, 7, 9]


def test_records_per_second_throttles_an_index_query(server, client, set_name):
    """The RECS_PER_SEC field (10) on an index query (sent raw: the python client sends it
    on scans only): 50 records at 50 per second take about a second."""
    import struct
    import time as _time
    for i in range(50):
        client.put((NS, set_name, i), {"n": i})
    name = "rps_" + set_name[-8:]
    wire.info1(server.port, "sindex-create:namespace=%s;set=%s;indexname=%s;bin=n;type=numeric" % (NS, set_name, name))
    for _ in range(100):
        if "load_pct=100" in wire.info1(server.port, "sindex-stat:namespace=%s;indexname=%s" % (NS, name)):
            break
        _time.sleep(0.02)
    rng = bytes([1, 1]) + b"n" + bytes([1]) + struct.pack(">I", 8) + struct.pack(">q", 0) + struct.pack(">I", 8) + struct.pack(">q", 49)
    pids = b"".join(struct.pack("<H", p) for p in range(4096))
    fields = [wire.field(0, NS.encode()), wire.field(1, set_name.encode()), wire.field(22, rng),
              wire.field(11, pids), wire.field(10, struct.pack(">I", 50))]
    try:
        with wire.connect(server.port, timeout=10) as s:
            s.sendall(wire.msg_frame(fields=fields, info1=1, info3=4))
            t = _time.monotonic()
            msgs = wire.read_stream(s)
            elapsed = _time.monotonic() - t
        assert len(msgs) - 1 == 50
        assert msgs[-1].result == 0
        assert 0.8 <= elapsed < 3.0, elapsed
    finally:
        wire.info1(server.port, "sindex-delete:namespace=%s;indexname=%s" % (NS, name))
