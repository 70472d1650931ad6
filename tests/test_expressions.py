"""Filter expressions and expression operations (EXP_READ / EXP_MODIFY).

Expected values are those of the real Aerospike CE 8.1.2.0 server:
/work/shared/protocol/expressions.md, the `filter` scenario and the `exp-*`
probes in /work/shared/protocol/captures, and the server's own
`as/src/base/exp.c` / `expop.c` / `transaction/*.c` where the notes are
silent (e.g. UNKNOWN propagation, comparisons of unordered maps, the
INT_LSCAN/RSCAN bit numbering, the modify-flag checks).

Conventions used below:
  * `ev(...)` runs one EXP_READ op and returns its value; an expression that
    evaluates to UNKNOWN makes the op fail with 26 OP_NOT_APPLICABLE, which is
    how the three-valued logic is observed directly (a filter can't tell
    FALSE from UNKNOWN, an EXP_READ can).
  * `UNK` is an expression that is UNKNOWN at run time (bin missing).
"""
import math
import struct
import time

import pytest

import aerospike
from aerospike import exception as ex
from aerospike_helpers import expressions as exp
from aerospike_helpers.expressions import ResultType
from aerospike_helpers.operations import expression_operations as eop
from aerospike_helpers.operations import operations as op
from aerospike_helpers.batch.records import BatchRecords, Write, Read, Remove

import wire

NS = "test"
INT64_MAX = 2 ** 63 - 1
INT64_MIN = -2 ** 63

# Particle types reported by BIN_TYPE.
PT_INTEGER, PT_FLOAT, PT_STRING, PT_BLOB = 1, 2, 3, 4
PT_BOOL, PT_MAP, PT_LIST, PT_GEOJSON = 17, 19, 20, 23

# Flags as the server reads them (POSIX regcomp cflags, glibc values).
REG_EXTENDED, REG_ICASE, REG_NEWLINE, REG_NOSUB = 1, 2, 4, 8

POINT = aerospike.GeoJSON({"type": "Point", "coordinates": [-122.0, 37.5]})
REGION = aerospike.GeoJSON({"type": "Polygon", "coordinates": [[
    [-122.5, 37.0], [-121.5, 37.0], [-121.5, 38.0], [-122.5, 38.0], [-122.5, 37.0]]]})
FAR_REGION = aerospike.GeoJSON({"type": "Polygon", "coordinates": [[
    [10.0, 10.0], [11.0, 10.0], [11.0, 11.0], [10.0, 11.0], [10.0, 10.0]]]})


def make_bins():
    return {
        "a": 10,
        "n": -7,
        "z": 0,
        "big": INT64_MAX,
        "min": INT64_MIN,
        "f": 1.5,
        "g": -2.5,
        "s": "hello",
        "rs": "Hello\nworld",
        "t": True,
        "ff": False,
        "b": bytearray(b"\x01\x02"),
        "l": [5, 3, 9, 1],
        "mx": [1, "a"],
        "m": {"a": 1, "b": 2, "c": 3},
        "km": aerospike.KeyOrderedDict({"a": 1, "b": 2}),
        "p": POINT,
        "rg": REGION,
    }


UNK = exp.Eq(exp.IntBin("nope"), 1)          # UNKNOWN: bin missing
T = exp.Eq(exp.IntBin("a"), 10)              # TRUE
F = exp.Eq(exp.IntBin("a"), 11)              # FALSE


# ---------------------------------------------------------------- helpers

def pol(e):
    """Policy dict carrying a compiled filter expression."""
    return {"expressions": e.compile()}


def ev(client, key, e, flags=aerospike.EXP_READ_DEFAULT):
    _, _, bins = client.operate(key, [eop.expression_read("r", e.compile(), flags)])
    return bins.get("r")


def raises_code(exc_cls, code, fn, *args, **kwargs):
    with pytest.raises(exc_cls) as ei:
        fn(*args, **kwargs)
    assert ei.value.code == code, ei.value
    return ei.value


def snapshot(client, key):
    _, meta, bins = client.get(key)
    return meta["gen"], bins


def same_type_equal(got, want):
    if isinstance(want, float) and math.isinf(want):
        return isinstance(got, float) and got == want
    return type(got) is type(want) and got == want


@pytest.fixture
def rec(client, set_name):
    key = (NS, set_name, "r")
    client.put(key, make_bins())
    return key


@pytest.fixture
def simple(client, set_name):
    """A small record: a=1, s='hello' (as in the `filter` capture)."""
    key = (NS, set_name, "f1")
    client.put(key, {"a": 1, "s": "hello"})
    return key


FILTER_TRUE = exp.And(exp.Eq(exp.IntBin("a"), 1), exp.Eq(exp.StrBin("s"), "hello"))
FILTER_FALSE = exp.Eq(exp.IntBin("a"), 2)
FILTER_UNKNOWN_MISSING = exp.Eq(exp.IntBin("zz"), 1)        # bin missing
FILTER_UNKNOWN_TYPE = exp.Eq(exp.IntBin("s"), 1)            # bin of another type
NOT_PASSING = [
    pytest.param(FILTER_FALSE, id="false"),
    pytest.param(FILTER_UNKNOWN_MISSING, id="unknown-missing-bin"),
    pytest.param(FILTER_UNKNOWN_TYPE, id="unknown-wrong-type"),
]


# ================================================================
# 1. Filters on every command
# ================================================================

def test_get_filter_true(client, simple):
    _, meta, bins = client.get(simple, pol(FILTER_TRUE))
    assert bins == {"a": 1, "s": "hello"}
    assert meta["gen"] == 1


@pytest.mark.parametrize("flt", NOT_PASSING)
def test_get_filtered_out(client, simple, flt):
    raises_code(ex.FilteredOut, 27, client.get, simple, pol(flt))


def test_get_missing_record_with_filter_is_not_found(client, set_name):
    raises_code(ex.RecordNotFound, 2, client.get, (NS, set_name, "nope"), pol(FILTER_FALSE))
    raises_code(ex.RecordNotFound, 2, client.get, (NS, set_name, "nope"), pol(FILTER_TRUE))


def test_select_filter(client, simple):
    _, _, bins = client.select(simple, ["s", "nope"], pol(FILTER_TRUE))
    assert bins == {"s": "hello"}
    for flt in (FILTER_FALSE, FILTER_UNKNOWN_MISSING):
        raises_code(ex.FilteredOut, 27, client.select, simple, ["s"], pol(flt))


def test_exists_filter(client, simple, set_name):
    _, meta = client.exists(simple, pol(FILTER_TRUE))
    assert meta is not None and meta["gen"] == 1
    raises_code(ex.FilteredOut, 27, client.exists, simple, pol(FILTER_FALSE))
    raises_code(ex.FilteredOut, 27, client.exists, simple, pol(FILTER_UNKNOWN_TYPE))
    # missing record: not evaluated -> plain "not found" (no exception from exists)
    _, meta = client.exists((NS, set_name, "nope"), pol(FILTER_FALSE))
    assert meta is None


def test_put_filter_true_updates(client, simple):
    client.put(simple, {"b": 2}, policy=pol(FILTER_TRUE))
    gen, bins = snapshot(client, simple)
    assert gen == 2
    assert bins == {"a": 1, "s": "hello", "b": 2}


@pytest.mark.parametrize("flt", NOT_PASSING)
def test_put_filtered_out_leaves_record(client, simple, flt):
    raises_code(ex.FilteredOut, 27, client.put, simple, {"b": 1}, policy=pol(flt))
    assert snapshot(client, simple) == (1, {"a": 1, "s": "hello"})


def test_put_creating_record_is_not_filtered(client, set_name):
    key = (NS, set_name, "new")
    client.put(key, {"x": 1}, policy=pol(FILTER_FALSE))
    assert snapshot(client, key) == (1, {"x": 1})
    # once it exists the filter applies
    raises_code(ex.FilteredOut, 27, client.put, key, {"x": 2}, policy=pol(FILTER_FALSE))
    assert snapshot(client, key) == (1, {"x": 1})


def test_remove_filter(client, simple):
    raises_code(ex.FilteredOut, 27, client.remove, simple, policy=pol(FILTER_FALSE))
    raises_code(ex.FilteredOut, 27, client.remove, simple, policy=pol(FILTER_UNKNOWN_MISSING))
    assert snapshot(client, simple) == (1, {"a": 1, "s": "hello"})
    client.remove(simple, policy=pol(FILTER_TRUE))
    raises_code(ex.RecordNotFound, 2, client.get, simple)


def test_remove_missing_record_with_filter(client, set_name):
    raises_code(ex.RecordNotFound, 2, client.remove, (NS, set_name, "nope"),
                policy=pol(FILTER_FALSE))


def test_touch_filter(client, simple, set_name):
    raises_code(ex.FilteredOut, 27, client.touch, simple, 0, None, pol(FILTER_FALSE))
    raises_code(ex.FilteredOut, 27, client.touch, simple, 0, None, pol(FILTER_UNKNOWN_TYPE))
    assert snapshot(client, simple)[0] == 1
    client.touch(simple, 0, None, pol(FILTER_TRUE))
    assert snapshot(client, simple) == (2, {"a": 1, "s": "hello"})
    raises_code(ex.RecordNotFound, 2, client.touch, (NS, set_name, "nope"), 0, None,
                pol(FILTER_TRUE))


def test_increment_filter(client, simple):
    raises_code(ex.FilteredOut, 27, client.increment, simple, "a", 5, None, pol(FILTER_FALSE))
    assert snapshot(client, simple) == (1, {"a": 1, "s": "hello"})
    client.increment(simple, "a", 5, None, pol(FILTER_TRUE))
    assert snapshot(client, simple) == (2, {"a": 6, "s": "hello"})


def test_append_prepend_filter(client, simple):
    raises_code(ex.FilteredOut, 27, client.append, simple, "s", "!", None,
                pol(FILTER_UNKNOWN_MISSING))
    raises_code(ex.FilteredOut, 27, client.prepend, simple, "s", ">", None, pol(FILTER_FALSE))
    assert snapshot(client, simple) == (1, {"a": 1, "s": "hello"})
    client.append(simple, "s", "!", None, pol(FILTER_TRUE))
    assert snapshot(client, simple) == (2, {"a": 1, "s": "hello!"})


def test_increment_missing_record_not_filtered(client, set_name):
    key = (NS, set_name, "cnt")
    client.increment(key, "c", 3, None, pol(FILTER_FALSE))
    assert snapshot(client, key) == (1, {"c": 3})


def test_operate_read_only_filter(client, simple, set_name):
    _, _, bins = client.operate(simple, [op.read("a")], policy=pol(FILTER_TRUE))
    assert bins == {"a": 1}
    raises_code(ex.FilteredOut, 27, client.operate, simple, [op.read("a")],
                policy=pol(FILTER_FALSE))
    raises_code(ex.FilteredOut, 27, client.operate, simple, [op.read("a")],
                policy=pol(FILTER_UNKNOWN_TYPE))
    raises_code(ex.RecordNotFound, 2, client.operate, (NS, set_name, "nope"),
                [op.read("a")], policy=pol(FILTER_TRUE))


def test_operate_with_writes_filter(client, simple):
    ops = [op.increment("a", 1), op.write("w", "x"), op.read("a")]
    raises_code(ex.FilteredOut, 27, client.operate, simple, ops, policy=pol(FILTER_FALSE))
    raises_code(ex.FilteredOut, 27, client.operate, simple, ops,
                policy=pol(FILTER_UNKNOWN_MISSING))
    assert snapshot(client, simple) == (1, {"a": 1, "s": "hello"})
    _, meta, bins = client.operate(simple, ops, policy=pol(FILTER_TRUE))
    assert bins == {"a": 2}
    assert meta["gen"] == 2
    assert snapshot(client, simple) == (2, {"a": 2, "s": "hello", "w": "x"})


def test_operate_write_creating_record_not_filtered(client, set_name):
    key = (NS, set_name, "created")
    client.operate(key, [op.write("x", 7)], policy=pol(FILTER_FALSE))
    assert snapshot(client, key) == (1, {"x": 7})


def test_filter_sees_bins_written_before_not_after(client, simple):
    """The filter is evaluated against the stored record, before the ops."""
    client.operate(simple, [op.write("a", 100)], policy=pol(exp.Eq(exp.IntBin("a"), 1)))
    raises_code(ex.FilteredOut, 27, client.operate, simple, [op.write("a", 200)],
                policy=pol(exp.Eq(exp.IntBin("a"), 1)))
    assert snapshot(client, simple)[1]["a"] == 100


def seed3(client, set_name):
    keys = [(NS, set_name, i) for i in range(3)]
    client.put(keys[0], {"a": 1})
    client.put(keys[1], {"a": 2})
    client.put(keys[2], {"s": "no int"})
    return keys


def test_batch_read_filter(client, set_name):
    keys = seed3(client, set_name) + [(NS, set_name, "missing")]
    res = client.batch_read(keys, policy=pol(exp.Eq(exp.IntBin("a"), 1)))
    brs = res.batch_records
    assert [br.result for br in brs] == [0, 27, 27, 2]
    assert brs[0].record[2] == {"a": 1}
    assert brs[1].record is None and brs[2].record is None


def test_batch_read_named_bins_filter(client, set_name):
    keys = seed3(client, set_name)
    res = client.batch_read(keys, ["a"], policy=pol(exp.GE(exp.IntBin("a"), 2)))
    assert [br.result for br in res.batch_records] == [27, 0, 27]
    assert res.batch_records[1].record[2] == {"a": 2}


def test_batch_operate_parent_filter(client, set_name):
    keys = seed3(client, set_name) + [(NS, set_name, "new")]
    res = client.batch_operate(keys, [op.increment("a", 10)],
                               policy_batch=pol(exp.Eq(exp.IntBin("a"), 1)))
    assert [br.result for br in res.batch_records] == [0, 27, 27, 0]
    assert client.get(keys[0])[2] == {"a": 11}
    assert snapshot(client, keys[1]) == (1, {"a": 2})
    assert snapshot(client, keys[2]) == (1, {"s": "no int"})
    # a row that creates its record is not filtered
    assert snapshot(client, keys[3]) == (1, {"a": 10})


def test_batch_write_per_record_filters(client, set_name):
    k0, k1, k2 = seed3(client, set_name)
    is1 = exp.Eq(exp.IntBin("a"), 1).compile()
    is2 = exp.Eq(exp.IntBin("a"), 2).compile()
    recs = BatchRecords([
        Write(k0, [op.write("w", 1)], policy={"expressions": is2}),
        Write(k1, [op.write("w", 2)], policy={"expressions": is2}),
        Read(k0, [op.read("a")], policy={"expressions": is1}),
        Read(k1, [op.read("a")], policy={"expressions": is1}),
        Remove(k2, policy={"expressions": is1}),
    ])
    brs = client.batch_write(recs).batch_records
    assert [br.result for br in brs] == [27, 0, 0, 27, 27]
    assert brs[2].record[2] == {"a": 1}
    assert snapshot(client, k0) == (1, {"a": 1})
    assert snapshot(client, k1) == (2, {"a": 2, "w": 2})
    assert snapshot(client, k2) == (1, {"s": "no int"})


def test_batch_remove_filter(client, set_name):
    keys = seed3(client, set_name)
    res = client.batch_remove(keys, policy_batch=pol(exp.LE(exp.IntBin("a"), 1)))
    assert [br.result for br in res.batch_records] == [0, 27, 27]
    assert [br.result for br in client.batch_read(keys).batch_records] == [2, 0, 0]


def test_scan_and_query_skip_non_matching(client, set_name):
    for i in range(10):
        client.put((NS, set_name, i), {"v": i})
    client.put((NS, set_name, "str"), {"v": "text"})     # wrong type -> UNKNOWN
    client.put((NS, set_name, "none"), {"w": 1})         # missing bin -> UNKNOWN
    flt = pol(exp.GE(exp.IntBin("v"), 7))
    got = client.scan(NS, set_name).results(flt)
    assert sorted(r[2]["v"] for r in got) == [7, 8, 9]
    got = client.query(NS, set_name).results(flt)
    assert sorted(r[2]["v"] for r in got) == [7, 8, 9]
    got = client.query(NS, set_name).results(pol(exp.Not(exp.GE(exp.IntBin("v"), 7))))
    assert sorted(r[2]["v"] for r in got) == list(range(7))
    got = client.query(NS, set_name).results(pol(exp.Not(exp.BinExists("v"))))
    assert [r[2] for r in got] == [{"w": 1}]


def test_scan_filter_on_metadata(client, set_name):
    for i in range(6):
        client.put((NS, set_name, i), {"v": i})
    mod = 3
    want = sorted(i for i in range(6)
                  if int.from_bytes(bytes(aerospike.calc_digest(NS, set_name, i))[16:20],
                                    "little") % mod == 1)
    got = client.query(NS, set_name).results(pol(exp.Eq(exp.DigestMod(mod), 1)))
    assert sorted(r[2]["v"] for r in got) == want


# ================================================================
# 2. Operator families (mostly via EXP_READ)
# ================================================================

CMP_CASES = [
    # int
    ("int-eq", lambda: exp.Eq(exp.IntBin("a"), 10), True),
    ("int-ne", lambda: exp.NE(exp.IntBin("a"), 10), False),
    ("int-gt", lambda: exp.GT(exp.IntBin("a"), 9), True),
    ("int-ge", lambda: exp.GE(exp.IntBin("a"), 10), True),
    ("int-lt", lambda: exp.LT(exp.IntBin("a"), 10), False),
    ("int-le", lambda: exp.LE(exp.IntBin("a"), 10), True),
    ("int-bin-bin", lambda: exp.LT(exp.IntBin("n"), exp.IntBin("a")), True),
    ("int-extremes", lambda: exp.LT(exp.IntBin("min"), exp.IntBin("big")), True),
    # float
    ("float-eq", lambda: exp.Eq(exp.FloatBin("f"), 1.5), True),
    ("float-gt", lambda: exp.GT(exp.FloatBin("f"), 1.0), True),
    ("float-le", lambda: exp.LE(exp.FloatBin("f"), 1.4), False),
    ("float-bin-bin", lambda: exp.LT(exp.FloatBin("g"), exp.FloatBin("f")), True),
    # string (byte-wise, shorter prefix sorts first)
    ("str-eq", lambda: exp.Eq(exp.StrBin("s"), "hello"), True),
    ("str-ne", lambda: exp.NE(exp.StrBin("s"), "hello"), False),
    ("str-lt", lambda: exp.LT(exp.StrBin("s"), "help"), True),
    ("str-gt-prefix", lambda: exp.GT(exp.StrBin("s"), "hell"), True),
    ("str-ge", lambda: exp.GE(exp.StrBin("s"), "hellp"), False),
    # bool
    ("bool-eq", lambda: exp.Eq(exp.BoolBin("t"), True), True),
    ("bool-eq-false", lambda: exp.Eq(exp.BoolBin("ff"), True), False),
    ("bool-ne", lambda: exp.NE(exp.BoolBin("t"), exp.BoolBin("ff")), True),
    ("bool-gt", lambda: exp.GT(exp.BoolBin("t"), False), True),
    # blob
    ("blob-eq", lambda: exp.Eq(exp.BlobBin("b"), bytearray(b"\x01\x02")), True),
    ("blob-lt", lambda: exp.LT(exp.BlobBin("b"), bytearray(b"\x01\x03")), True),
    ("blob-gt-prefix", lambda: exp.GT(exp.BlobBin("b"), bytearray(b"\x01")), True),
    ("blob-ne", lambda: exp.NE(exp.BlobBin("b"), bytearray(b"\x01\x02")), False),
    # list (msgpack order)
    ("list-eq", lambda: exp.Eq(exp.ListBin("l"), [5, 3, 9, 1]), True),
    ("list-ne", lambda: exp.NE(exp.ListBin("l"), [5, 3, 9]), True),
    ("list-gt-prefix", lambda: exp.GT(exp.ListBin("l"), [5, 3]), True),
    ("list-lt", lambda: exp.LT(exp.ListBin("l"), [6]), True),
    ("list-mixed-eq", lambda: exp.Eq(exp.ListBin("mx"), [1, "a"]), True),
    ("list-int-before-str", lambda: exp.LT(exp.ListBin("mx"), [1, 2]), False),
    # key-ordered map against a key-ordered literal
    ("kmap-eq", lambda: exp.Eq(exp.MapBin("km"), aerospike.KeyOrderedDict({"a": 1, "b": 2})), True),
    ("kmap-ne", lambda: exp.NE(exp.MapBin("km"), aerospike.KeyOrderedDict({"a": 1})), True),
    # nil
    ("nil-eq", lambda: exp.Eq(None, None), True),
]


@pytest.mark.parametrize("build,want", [pytest.param(b, w, id=i) for i, b, w in CMP_CASES])
def test_comparisons(client, rec, build, want):
    got = ev(client, rec, build())
    assert same_type_equal(got, want), got


def test_comparisons_as_filters(client, rec):
    for i, build, want in CMP_CASES:
        if want:
            client.get(rec, pol(build()))
        else:
            raises_code(ex.FilteredOut, 27, client.get, rec, pol(build()))


def test_compare_unordered_map_is_unknown(client, rec):
    """exp.c cmp_msgpack: a comparison involving an unordered (non-empty) map
    is UNKNOWN - even equal to itself."""
    e = exp.Eq(exp.MapBin("m"), {"a": 1, "b": 2, "c": 3})
    raises_code(ex.OpNotApplicable, 26, ev, client, rec, e)
    raises_code(ex.FilteredOut, 27, client.get, rec, pol(e))
    raises_code(ex.OpNotApplicable, 26, ev, client, rec,
                exp.Eq(exp.MapBin("m"), exp.MapBin("m")))


@pytest.mark.parametrize("build", [
    pytest.param(lambda: exp.Eq(exp.IntBin("s"), 1), id="int-on-str"),
    pytest.param(lambda: exp.Eq(exp.StrBin("a"), "x"), id="str-on-int"),
    pytest.param(lambda: exp.Eq(exp.FloatBin("a"), 10.0), id="float-on-int"),
    pytest.param(lambda: exp.Eq(exp.BoolBin("a"), True), id="bool-on-int"),
    pytest.param(lambda: exp.Eq(exp.ListBin("m"), [1]), id="list-on-map"),
    pytest.param(lambda: exp.Eq(exp.BlobBin("s"), bytearray(b"hello")), id="blob-on-str"),
    pytest.param(lambda: exp.Eq(exp.IntBin("nope"), 1), id="missing-bin"),
    pytest.param(lambda: exp.Eq(exp.KeyInt(), 1), id="key-not-stored"),
])
def test_runtime_type_mismatch_is_unknown(client, rec, build):
    raises_code(ex.OpNotApplicable, 26, ev, client, rec, build())
    raises_code(ex.FilteredOut, 27, client.get, rec, pol(build()))


# ---- three-valued logic

LOGIC_CASES = [
    ("and-tt", lambda: exp.And(T, T), True),
    ("and-tf", lambda: exp.And(T, F), False),
    ("and-fu", lambda: exp.And(F, UNK), False),
    ("and-uf", lambda: exp.And(UNK, F), False),
    ("and-tu", lambda: exp.And(T, UNK), None),
    ("and-ttt", lambda: exp.And(T, T, T), True),
    ("or-ff", lambda: exp.Or(F, F), False),
    ("or-ft", lambda: exp.Or(F, T), True),
    ("or-tu", lambda: exp.Or(T, UNK), True),
    ("or-ut", lambda: exp.Or(UNK, T), True),
    ("or-fu", lambda: exp.Or(F, UNK), None),
    ("not-t", lambda: exp.Not(T), False),
    ("not-f", lambda: exp.Not(F), True),
    ("not-u", lambda: exp.Not(UNK), None),
    ("not-and-fu", lambda: exp.Not(exp.And(F, UNK)), True),
    ("not-or-fu", lambda: exp.Not(exp.Or(F, UNK)), None),
    ("xor-tf", lambda: exp.Exclusive(T, F), True),
    ("xor-tt", lambda: exp.Exclusive(T, T), False),
    ("xor-ff", lambda: exp.Exclusive(F, F), False),
    ("xor-fft", lambda: exp.Exclusive(F, F, T), True),
    ("xor-tft", lambda: exp.Exclusive(T, F, T), False),
    ("xor-tu", lambda: exp.Exclusive(T, UNK), None),
    ("xor-ut", lambda: exp.Exclusive(UNK, T), None),
    ("literal-true", lambda: exp.And(True, exp.BoolBin("t")), True),
    ("unknown-op", lambda: exp.Or(F, exp.Unknown()), None),
]


@pytest.mark.parametrize("build,want", [pytest.param(b, w, id=i) for i, b, w in LOGIC_CASES])
def test_logic_exp_read(client, rec, build, want):
    if want is None:
        raises_code(ex.OpNotApplicable, 26, ev, client, rec, build())
        assert ev(client, rec, build(), aerospike.EXP_READ_EVAL_NO_FAIL) is None
    else:
        assert same_type_equal(ev(client, rec, build()), want)


@pytest.mark.parametrize("build,want", [pytest.param(b, w, id=i) for i, b, w in LOGIC_CASES])
def test_logic_as_filter(client, rec, build, want):
    if want is True:
        assert client.get(rec, pol(build()))[2]["a"] == 10
    else:   # FALSE and UNKNOWN are both filtered out
        raises_code(ex.FilteredOut, 27, client.get, rec, pol(build()))


# ---- arithmetic

ARITH_CASES = [
    ("add", lambda: exp.Add(exp.IntBin("a"), 5, -3), 12),
    ("add-float", lambda: exp.Add(exp.FloatBin("f"), 0.25), 1.75),
    ("add-single", lambda: exp.Add(5), 5),
    ("sub", lambda: exp.Sub(exp.IntBin("a"), 3, 2), 5),
    ("sub-single-negates", lambda: exp.Sub(5), -5),
    ("sub-single-bin", lambda: exp.Sub(exp.IntBin("a")), -10),
    ("sub-single-float", lambda: exp.Sub(2.5), -2.5),
    ("mul", lambda: exp.Mul(exp.IntBin("a"), -3, 2), -60),
    ("mul-single", lambda: exp.Mul(7), 7),
    ("mul-float", lambda: exp.Mul(1.5, 4.0), 6.0),
    ("div", lambda: exp.Div(7, 2), 3),
    ("div-trunc-neg", lambda: exp.Div(-7, 2), -3),
    ("div-multi", lambda: exp.Div(100, 5, 2), 10),
    ("div-float", lambda: exp.Div(7.0, 2.0), 3.5),
    ("div-single-int-5", lambda: exp.Div(5), 0),
    ("div-single-int-4", lambda: exp.Div(4), 0),
    ("div-single-int-1", lambda: exp.Div(1), 1),
    ("div-single-float", lambda: exp.Div(2.0), 0.5),
    ("div-float-by-zero", lambda: exp.Div(1.0, 0.0), math.inf),
    ("pow", lambda: exp.Pow(2.0, 10.0), 1024.0),
    ("pow-bin", lambda: exp.Pow(exp.FloatBin("f"), 2.0), 2.25),
    ("mod", lambda: exp.Mod(exp.IntBin("a"), 3), 1),
    ("mod-neg-dividend", lambda: exp.Mod(-7, 2), -1),
    ("mod-neg-divisor", lambda: exp.Mod(7, -3), 1),
    ("abs-int", lambda: exp.Abs(exp.IntBin("n")), 7),
    ("abs-float", lambda: exp.Abs(exp.FloatBin("g")), 2.5),
    ("floor", lambda: exp.Floor(2.7), 2.0),
    ("floor-neg", lambda: exp.Floor(exp.FloatBin("g")), -3.0),
    ("ceil", lambda: exp.Ceil(2.1), 3.0),
    ("ceil-neg", lambda: exp.Ceil(exp.FloatBin("g")), -2.0),
    ("to-int-trunc", lambda: exp.ToInt(2.9), 2),
    ("to-int-trunc-neg", lambda: exp.ToInt(-2.9), -2),
    ("to-float", lambda: exp.ToFloat(exp.IntBin("a")), 10.0),
    ("min", lambda: exp.Min(3, exp.IntBin("n"), 2), -7),
    ("max", lambda: exp.Max(1.5, 2.5, -1.0), 2.5),
    ("min-single", lambda: exp.Min(4), 4),
    ("nested", lambda: exp.Sub(exp.Mul(exp.Add(exp.IntBin("a"), 2), 3), exp.Div(exp.IntBin("a"), 4)), 34),
    # two's complement wrapping (observed)
    ("add-overflow", lambda: exp.Add(INT64_MAX, 1), INT64_MIN),
    ("add-overflow-bin", lambda: exp.Add(exp.IntBin("big"), 1), INT64_MIN),
    ("sub-underflow", lambda: exp.Sub(INT64_MIN, 1), INT64_MAX),
    ("mul-overflow", lambda: exp.Mul(INT64_MAX, 2), -2),
]


@pytest.mark.parametrize("build,want", [pytest.param(b, w, id=i) for i, b, w in ARITH_CASES])
def test_arithmetic(client, rec, build, want):
    got = ev(client, rec, build())
    assert same_type_equal(got, want), got


def test_log(client, rec):
    assert ev(client, rec, exp.Log(8.0, 2.0)) == pytest.approx(3.0)
    assert ev(client, rec, exp.Log(100.0, 10.0)) == pytest.approx(2.0)
    assert isinstance(ev(client, rec, exp.Log(exp.FloatBin("f"), 10.0)), float)


@pytest.mark.parametrize("build", [
    pytest.param(lambda: exp.Div(exp.IntBin("a"), 0), id="div-bin-by-zero"),
    pytest.param(lambda: exp.Div(1, 0), id="div-literal-by-zero"),
    pytest.param(lambda: exp.Div(exp.IntBin("a"), exp.IntBin("z")), id="div-by-zero-bin"),
    pytest.param(lambda: exp.Div(10, 5, 0), id="div-multi-by-zero"),
    pytest.param(lambda: exp.Div(0), id="div-single-zero"),
    pytest.param(lambda: exp.Mod(exp.IntBin("a"), 0), id="mod-by-zero"),
    pytest.param(lambda: exp.Add(exp.IntBin("a"), exp.IntBin("nope")), id="add-unknown"),
    pytest.param(lambda: exp.Abs(exp.IntBin("nope")), id="abs-unknown"),
    pytest.param(lambda: exp.Unknown(), id="unknown"),
])
def test_evaluation_failure(client, rec, build):
    raises_code(ex.OpNotApplicable, 26, ev, client, rec, build())
    assert ev(client, rec, build(), aerospike.EXP_READ_EVAL_NO_FAIL) is None


def test_division_by_zero_in_filter_is_unknown(client, rec):
    e = exp.Eq(exp.Div(exp.IntBin("a"), exp.IntBin("z")), 1)
    raises_code(ex.FilteredOut, 27, client.get, rec, pol(e))
    raises_code(ex.FilteredOut, 27, client.get, rec, pol(exp.Not(e)))
    # UNKNOWN does not poison an OR that is already TRUE
    assert client.get(rec, pol(exp.Or(e, T)))[2]["a"] == 10


# ---- integer bit operations

BIT_CASES = [
    ("and", lambda: exp.IntAnd(12, 10), 8),
    ("and-3", lambda: exp.IntAnd(exp.IntBin("a"), 14, 6), 2),
    ("or", lambda: exp.IntOr(12, 10), 14),
    ("xor", lambda: exp.IntXOr(12, 10), 6),
    ("xor-3", lambda: exp.IntXOr(1, 2, 4), 7),
    ("not", lambda: exp.IntNot(5), -6),
    ("not-zero", lambda: exp.IntNot(0), -1),
    ("lshift", lambda: exp.IntLeftShift(1, 62), 2 ** 62),
    ("lshift-sign", lambda: exp.IntLeftShift(1, 63), INT64_MIN),
    ("lshift-bin", lambda: exp.IntLeftShift(exp.IntBin("a"), 2), 40),
    ("rshift-logical", lambda: exp.IntRightShift(-1, 60), 15),
    ("rshift-pos", lambda: exp.IntRightShift(40, 3), 5),
    ("arshift", lambda: exp.IntArithmeticRightShift(-16, 2), -4),
    ("arshift-neg1", lambda: exp.IntArithmeticRightShift(-1, 63), -1),
    ("count", lambda: exp.IntCount(0b1011), 3),
    ("count-neg", lambda: exp.IntCount(-1), 64),
    ("count-min", lambda: exp.IntCount(INT64_MIN), 1),
    # scans report bit positions with the most significant bit = 0
    ("lscan-1", lambda: exp.IntLeftScan(1, True), 63),
    ("lscan-10", lambda: exp.IntLeftScan(exp.IntBin("a"), True), 60),
    ("lscan-neg", lambda: exp.IntLeftScan(-1, True), 0),
    ("lscan-none", lambda: exp.IntLeftScan(0, True), -1),
    ("lscan-zero-bit", lambda: exp.IntLeftScan(5, False), 0),
    ("lscan-all-ones", lambda: exp.IntLeftScan(-1, False), -1),
    ("rscan-1", lambda: exp.IntRightScan(1, True), 63),
    ("rscan-10", lambda: exp.IntRightScan(exp.IntBin("a"), True), 62),
    ("rscan-min", lambda: exp.IntRightScan(INT64_MIN, True), 0),
    ("rscan-none", lambda: exp.IntRightScan(0, True), -1),
    ("rscan-zero-bit", lambda: exp.IntRightScan(5, False), 62),
    ("rscan-all-ones", lambda: exp.IntRightScan(-1, False), -1),
]


@pytest.mark.parametrize("build,want", [pytest.param(b, w, id=i) for i, b, w in BIT_CASES])
def test_integer_bit_ops(client, rec, build, want):
    got = ev(client, rec, build())
    assert same_type_equal(got, want), got


# ---- metadata

def test_meta_set_name(client, rec, set_name):
    assert ev(client, rec, exp.SetName()) == set_name
    client.get(rec, pol(exp.Eq(exp.SetName(), set_name)))
    raises_code(ex.FilteredOut, 27, client.get, rec, pol(exp.Eq(exp.SetName(), "other")))


def test_meta_set_name_empty_without_set(client, set_name):
    key = (NS, None, "noset-" + set_name)
    client.put(key, {"x": 1})
    try:
        assert ev(client, key, exp.SetName()) == ""
    finally:
        client.remove(key)


def test_meta_key_exists_and_key_values(client, set_name):
    kd = (NS, set_name, 42)
    ki = (NS, set_name, 43)
    ks = (NS, set_name, "strkey")
    kb = (NS, set_name, bytearray(b"\x00\xffkey"))
    client.put(kd, {"x": 1})                                    # digest only
    client.put(ki, {"x": 1}, policy={"key": aerospike.POLICY_KEY_SEND})
    client.put(ks, {"x": 1}, policy={"key": aerospike.POLICY_KEY_SEND})
    client.put(kb, {"x": 1}, policy={"key": aerospike.POLICY_KEY_SEND})
    assert ev(client, kd, exp.KeyExists()) is False
    assert ev(client, ki, exp.KeyExists()) is True
    assert ev(client, ki, exp.KeyInt()) == 43
    assert ev(client, ks, exp.KeyStr()) == "strkey"
    assert bytes(ev(client, kb, exp.KeyBlob())) == b"\x00\xffkey"
    # key of another type / not stored -> UNKNOWN
    raises_code(ex.OpNotApplicable, 26, ev, client, ks, exp.KeyInt())
    raises_code(ex.OpNotApplicable, 26, ev, client, kd, exp.KeyInt())
    client.get(ki, pol(exp.GT(exp.KeyInt(), 40)))
    raises_code(ex.FilteredOut, 27, client.get, kd, pol(exp.KeyExists()))
    client.get(kd, pol(exp.Not(exp.KeyExists())))


def test_meta_digest_modulo(client, rec, set_name):
    d = bytes(aerospike.calc_digest(NS, set_name, "r"))
    val = int.from_bytes(d[16:20], "little")
    for mod in (2, 3, 7, 1000):
        assert ev(client, rec, exp.DigestMod(mod)) == val % mod
    client.get(rec, pol(exp.Eq(exp.DigestMod(7), val % 7)))
    raises_code(ex.FilteredOut, 27, client.get, rec,
                pol(exp.Eq(exp.DigestMod(7), (val + 1) % 7)))


def test_meta_never_expiring_record(client, rec):
    assert ev(client, rec, exp.TTL()) == -1
    assert ev(client, rec, exp.VoidTime()) == -1
    assert ev(client, rec, exp.IsTombstone()) is False
    client.get(rec, pol(exp.Eq(exp.TTL(), -1)))


def test_meta_ttl_and_void_time_follow_test_clock(server, client, set_name):
    key = (NS, set_name, "ttl")
    client.put(key, {"x": 1}, meta={"ttl": 100})
    written = time.time() + server.clock_offset
    assert 98 <= ev(client, key, exp.TTL()) <= 100
    void_ns = ev(client, key, exp.VoidTime())
    assert abs(void_ns / 1e9 - (written + 100)) < 3, void_ns
    server.advance_clock(40)
    assert 58 <= ev(client, key, exp.TTL()) <= 60
    assert ev(client, key, exp.VoidTime()) == void_ns          # absolute time
    client.get(key, pol(exp.LT(exp.TTL(), 70)))
    raises_code(ex.FilteredOut, 27, client.get, key, pol(exp.GT(exp.TTL(), 70)))


def test_meta_last_update_and_since_update(server, client, set_name):
    key = (NS, set_name, "lut")
    before = time.time() + server.clock_offset
    client.put(key, {"x": 1})
    lut = ev(client, key, exp.LastUpdateTime())
    assert isinstance(lut, int)
    assert abs(lut / 1e9 - before) < 3, lut
    assert lut % 1_000_000 == 0            # stored with millisecond precision
    assert 0 <= ev(client, key, exp.SinceUpdateTime()) < 3000
    server.advance_clock(10)
    since = ev(client, key, exp.SinceUpdateTime())
    assert 10_000 <= since < 13_000, since
    client.get(key, pol(exp.GE(exp.SinceUpdateTime(), 10_000)))
    client.put(key, {"x": 2})
    assert ev(client, key, exp.LastUpdateTime()) >= lut + 10_000_000_000
    assert ev(client, key, exp.SinceUpdateTime()) < 3000


def test_meta_record_size(client, set_name):
    small = (NS, set_name, "small")
    large = (NS, set_name, "large")
    client.put(small, {"x": 1})
    client.put(large, {"x": 1, "pad": "y" * 5000})
    s = ev(client, small, exp.RecordSize())
    g = ev(client, large, exp.RecordSize())
    assert isinstance(s, int) and s > 0
    assert g > s + 4000
    client.get(large, pol(exp.GT(exp.RecordSize(), 5000)))
    raises_code(ex.FilteredOut, 27, client.get, small, pol(exp.GT(exp.RecordSize(), 5000)))


# ---- bin_exists / bin_type

def test_bin_exists(client, rec):
    assert ev(client, rec, exp.BinExists("a")) is True
    assert ev(client, rec, exp.BinExists("nope")) is False
    client.get(rec, pol(exp.BinExists("l")))
    raises_code(ex.FilteredOut, 27, client.get, rec, pol(exp.BinExists("nope")))
    client.get(rec, pol(exp.Not(exp.BinExists("nope"))))


@pytest.mark.parametrize("name,ptype", [
    ("a", PT_INTEGER), ("f", PT_FLOAT), ("s", PT_STRING), ("b", PT_BLOB),
    ("t", PT_BOOL), ("m", PT_MAP), ("km", PT_MAP), ("l", PT_LIST),
    ("p", PT_GEOJSON), ("nope", 0),
])
def test_bin_type(client, rec, name, ptype):
    assert ev(client, rec, exp.BinType(name)) == ptype


# ---- let / def / var, cond

def test_let_def_var(client, rec):
    e = exp.Let(exp.Def("x", exp.IntBin("a")),
                exp.Def("y", exp.Mul(exp.Var("x"), 2)),
                exp.Add(exp.Var("x"), exp.Var("y")))
    assert ev(client, rec, e) == 30
    nested = exp.Let(exp.Def("x", 1),
                     exp.Let(exp.Def("_y2", exp.Add(exp.Var("x"), 1)),
                             exp.Mul(exp.Var("x"), exp.Var("_y2"), 10)))
    assert ev(client, rec, nested) == 20
    flt = exp.Let(exp.Def("v", exp.IntBin("a")),
                  exp.And(exp.GT(exp.Var("v"), 5), exp.LT(exp.Var("v"), 20)))
    client.get(rec, pol(flt))
    # an UNKNOWN binding that the body never uses does not matter
    assert ev(client, rec, exp.Let(exp.Def("u", exp.IntBin("nope")), 5)) == 5
    raises_code(ex.OpNotApplicable, 26, ev, client, rec,
                exp.Let(exp.Def("u", exp.IntBin("nope")), exp.Add(exp.Var("u"), 1)))


def test_cond(client, rec):
    def classify(binname):
        return exp.Cond(exp.GE(exp.IntBin(binname), 10), "big",
                        exp.LT(exp.IntBin(binname), 0), "neg",
                        "small")
    assert ev(client, rec, classify("a")) == "big"
    assert ev(client, rec, classify("n")) == "neg"
    assert ev(client, rec, classify("z")) == "small"
    # first TRUE case wins
    assert ev(client, rec, exp.Cond(F, 1, T, 2, T, 3, 4)) == 2
    # an UNKNOWN condition makes the whole COND UNKNOWN
    raises_code(ex.OpNotApplicable, 26, ev, client, rec, exp.Cond(UNK, 1, T, 2, 3))
    # Unknown() as a branch value
    guarded = exp.Cond(exp.GT(exp.IntBin("a"), 100), exp.Add(exp.IntBin("a"), 1), exp.Unknown())
    raises_code(ex.OpNotApplicable, 26, ev, client, rec, guarded)
    assert ev(client, rec, guarded, aerospike.EXP_READ_EVAL_NO_FAIL) is None
    # boolean COND as a filter
    client.get(rec, pol(exp.Cond(exp.GT(exp.IntBin("a"), 5), True, False)))
    raises_code(ex.FilteredOut, 27, client.get, rec,
                pol(exp.Cond(exp.GT(exp.IntBin("a"), 50), True, False)))


# ---- regex

@pytest.mark.parametrize("flags,pattern,want", [
    pytest.param(0, "^HEL", False, id="case-sensitive"),
    pytest.param(REG_ICASE, "^HEL", True, id="icase"),
    pytest.param(0, "^Hel+o", False, id="bre-plus-literal"),
    pytest.param(0, r"^Hel\+o", True, id="bre-escaped-plus"),
    pytest.param(REG_EXTENDED, "^Hel+o", True, id="ere-plus"),
    pytest.param(REG_EXTENDED, "^Hel{2}o", True, id="ere-braces"),
    pytest.param(0, r"^Hel\{2\}o", True, id="bre-braces"),
    pytest.param(0, "^world", False, id="no-newline"),
    pytest.param(REG_NEWLINE, "^world", True, id="newline"),
    pytest.param(REG_NEWLINE | REG_EXTENDED, "^world", True, id="newline-ext"),
    pytest.param(REG_NOSUB, "Hel", True, id="nosub"),
    pytest.param(16, "Hel", True, id="unknown-bit-ignored"),
    # the python client's REGEX_NEWLINE constant is 8 = REG_NOSUB for the server
    pytest.param(aerospike.REGEX_NEWLINE, "^world", False, id="client-const-newline-is-nosub"),
    pytest.param(0, "wor", True, id="unanchored"),
    pytest.param(REG_EXTENDED, "^(Hello|Bye)", True, id="ere-alternation"),
])
def test_cmp_regex(client, rec, flags, pattern, want):
    got = ev(client, rec, exp.CmpRegex(flags, pattern, exp.StrBin("rs")))
    assert got is want


def test_cmp_regex_filter_and_non_string(client, rec):
    client.get(rec, pol(exp.CmpRegex(REG_ICASE, "^HEL", exp.StrBin("s"))))
    raises_code(ex.FilteredOut, 27, client.get, rec,
                pol(exp.CmpRegex(0, "^HEL", exp.StrBin("s"))))
    # StrBin on an int bin -> UNKNOWN
    raises_code(ex.FilteredOut, 27, client.get, rec,
                pol(exp.CmpRegex(0, ".*", exp.StrBin("a"))))
    raises_code(ex.OpNotApplicable, 26, ev, client, rec,
                exp.CmpRegex(0, ".*", exp.StrBin("nope")))


# ---- geo

def aero_circle(lng, lat, radius):
    return aerospike.GeoJSON({"type": "AeroCircle", "coordinates": [[lng, lat], radius]})


def test_cmp_geo(client, rec):
    assert ev(client, rec, exp.CmpGeo(exp.GeoBin("p"), REGION)) is True
    assert ev(client, rec, exp.CmpGeo(exp.GeoBin("p"), FAR_REGION)) is False
    # region bin contains a point literal
    assert ev(client, rec, exp.CmpGeo(exp.GeoBin("rg"), POINT)) is True
    assert ev(client, rec, exp.CmpGeo(
        exp.GeoBin("rg"), aerospike.GeoJSON({"type": "Point", "coordinates": [0.0, 0.0]}))) is False
    # point bin within region bin
    assert ev(client, rec, exp.CmpGeo(exp.GeoBin("p"), exp.GeoBin("rg"))) is True
    # AeroCircle (observed): radius in metres
    assert ev(client, rec, exp.CmpGeo(exp.GeoBin("p"), aero_circle(-122.0, 37.5, 1000.0))) is True
    assert ev(client, rec, exp.CmpGeo(exp.GeoBin("p"), aero_circle(-100.0, 37.5, 1000.0))) is False
    client.get(rec, pol(exp.CmpGeo(exp.GeoBin("p"), REGION)))
    raises_code(ex.FilteredOut, 27, client.get, rec, pol(exp.CmpGeo(exp.GeoBin("p"), FAR_REGION)))
    raises_code(ex.FilteredOut, 27, client.get, rec,
                pol(exp.CmpGeo(exp.GeoBin("nope"), REGION)))


def test_cmp_geo_bad_aerocircle_layout(client, rec):
    bad = aerospike.GeoJSON({"type": "AeroCircle", "coordinates": [-122.0, 37.5, 1000.0]})
    raises_code(ex.InvalidRequest, 4, ev, client, rec, exp.CmpGeo(exp.GeoBin("p"), bad))


def test_geo_scan_filter(client, set_name):
    client.put((NS, set_name, "in"), {"p": POINT, "id": "in"})
    client.put((NS, set_name, "out"), {
        "p": aerospike.GeoJSON({"type": "Point", "coordinates": [10.5, 10.5]}), "id": "out"})
    got = client.query(NS, set_name).results(pol(exp.CmpGeo(exp.GeoBin("p"), REGION)))
    assert [r[2]["id"] for r in got] == ["in"]
    got = client.query(NS, set_name).results(
        pol(exp.CmpGeo(exp.GeoBin("p"), aero_circle(10.5, 10.5, 500.0))))
    assert [r[2]["id"] for r in got] == ["out"]


# ---- list / map read calls

CDT_READ_CASES = [
    ("list-size", lambda: exp.ListSize(None, exp.ListBin("l")), 4),
    ("list-get-index", lambda: exp.ListGetByIndex(
        None, aerospike.LIST_RETURN_VALUE, ResultType.INTEGER, 1, exp.ListBin("l")), 3),
    ("list-get-index-neg", lambda: exp.ListGetByIndex(
        None, aerospike.LIST_RETURN_VALUE, ResultType.INTEGER, -1, "l"), 1),
    ("list-get-index-range", lambda: exp.ListGetByIndexRange(
        None, aerospike.LIST_RETURN_VALUE, 1, 2, exp.ListBin("l")), [3, 9]),
    ("list-get-value-count", lambda: exp.ListGetByValue(
        None, aerospike.LIST_RETURN_COUNT, 9, exp.ListBin("l")), 1),
    ("list-get-value-index", lambda: exp.ListGetByValue(
        None, aerospike.LIST_RETURN_INDEX, 9, exp.ListBin("l")), [2]),
    ("list-get-rank-min", lambda: exp.ListGetByRank(
        None, aerospike.LIST_RETURN_VALUE, ResultType.INTEGER, 0, exp.ListBin("l")), 1),
    ("list-get-rank-max", lambda: exp.ListGetByRank(
        None, aerospike.LIST_RETURN_VALUE, ResultType.INTEGER, -1, exp.ListBin("l")), 9),
    ("list-value-range-count", lambda: exp.ListGetByValueRange(
        None, aerospike.LIST_RETURN_COUNT, 2, 6, exp.ListBin("l")), 2),
    ("list-index-of-bin-value", lambda: exp.ListGetByValue(
        None, aerospike.LIST_RETURN_COUNT, exp.IntBin("a"), exp.ListBin("l")), 0),
    ("map-size", lambda: exp.MapSize(None, exp.MapBin("m")), 3),
    ("map-get-key", lambda: exp.MapGetByKey(
        None, aerospike.MAP_RETURN_VALUE, ResultType.INTEGER, "b", exp.MapBin("m")), 2),
    ("map-get-key-list-count", lambda: exp.MapGetByKeyList(
        None, aerospike.MAP_RETURN_COUNT, ["a", "c", "zz"], exp.MapBin("m")), 2),
    ("map-get-value-count", lambda: exp.MapGetByValue(
        None, aerospike.MAP_RETURN_COUNT, 3, exp.MapBin("m")), 1),
    ("map-index-range-keys", lambda: exp.MapGetByIndexRange(
        None, aerospike.MAP_RETURN_KEY, 0, 2, exp.MapBin("m")), ["a", "b"]),
    ("map-rank-range-values", lambda: exp.MapGetByRankRange(
        None, aerospike.MAP_RETURN_VALUE, 1, 2, exp.MapBin("m")), [2, 3]),
    ("kmap-size", lambda: exp.MapSize(None, exp.MapBin("km")), 2),
]


@pytest.mark.parametrize("build,want", [pytest.param(b, w, id=i) for i, b, w in CDT_READ_CASES])
def test_cdt_read_calls(client, rec, build, want):
    got = ev(client, rec, build())
    assert same_type_equal(got, want), got


def test_cdt_read_calls_in_filters(client, rec):
    client.get(rec, pol(exp.Eq(exp.ListSize(None, exp.ListBin("l")), 4)))
    client.get(rec, pol(exp.GT(exp.MapGetByKey(
        None, aerospike.MAP_RETURN_VALUE, ResultType.INTEGER, "c", exp.MapBin("m")), 2)))
    raises_code(ex.FilteredOut, 27, client.get, rec,
                pol(exp.Eq(exp.ListSize(None, exp.ListBin("l")), 5)))
    # list call on a map bin / missing bin -> UNKNOWN
    raises_code(ex.FilteredOut, 27, client.get, rec,
                pol(exp.Eq(exp.ListSize(None, exp.ListBin("m")), 3)))
    raises_code(ex.FilteredOut, 27, client.get, rec,
                pol(exp.Eq(exp.ListSize(None, exp.ListBin("nope")), 0)))


def test_cdt_read_call_failures_are_unknown(client, rec):
    # index out of range
    raises_code(ex.OpNotApplicable, 26, ev, client, rec, exp.ListGetByIndex(
        None, aerospike.LIST_RETURN_VALUE, ResultType.INTEGER, 10, exp.ListBin("l")))
    # declared value type does not match the element
    raises_code(ex.OpNotApplicable, 26, ev, client, rec, exp.ListGetByIndex(
        None, aerospike.LIST_RETURN_VALUE, ResultType.STRING, 0, exp.ListBin("l")))
    raises_code(ex.FilteredOut, 27, client.get, rec, pol(exp.Eq(exp.ListGetByIndex(
        None, aerospike.LIST_RETURN_VALUE, ResultType.INTEGER, 10, exp.ListBin("l")), 1)))


def test_cdt_modify_local_calls(client, rec):
    appended = exp.ListAppend(None, None, 7, exp.ListBin("l"))
    assert ev(client, rec, appended) == [5, 3, 9, 1, 7]
    assert ev(client, rec, exp.ListSize(None, appended)) == 5
    assert ev(client, rec, exp.ListSort(None, 0, exp.ListBin("l"))) == [1, 3, 5, 9]
    assert ev(client, rec, exp.ListRemoveByValue(None, 9, exp.ListBin("l"))) == [5, 3, 1]
    put = exp.MapPut(None, None, "d", 4, exp.MapBin("m"))
    assert ev(client, rec, exp.MapSize(None, put)) == 4
    assert ev(client, rec, exp.MapGetByKey(
        None, aerospike.MAP_RETURN_VALUE, ResultType.INTEGER, "d", put)) == 4
    assert ev(client, rec, exp.MapRemoveByKey(None, "a", exp.MapBin("m"))) == {"b": 2, "c": 3}
    client.get(rec, pol(exp.Eq(exp.ListSize(None, appended), 5)))
    # nothing was written
    _, meta, bins = client.get(rec)
    assert meta["gen"] == 1
    assert bins["l"] == [5, 3, 9, 1]
    assert bins["m"] == {"a": 1, "b": 2, "c": 3}


def test_exp_read_result_types(client, rec):
    assert ev(client, rec, exp.ListBin("l")) == [5, 3, 9, 1]
    assert ev(client, rec, exp.MapBin("m")) == {"a": 1, "b": 2, "c": 3}
    assert ev(client, rec, exp.StrBin("s")) == "hello"
    assert bytes(ev(client, rec, exp.BlobBin("b"))) == b"\x01\x02"
    assert same_type_equal(ev(client, rec, exp.FloatBin("f")), 1.5)
    assert same_type_equal(ev(client, rec, exp.BoolBin("t")), True)
    assert same_type_equal(ev(client, rec, exp.IntBin("a")), 10)
    assert ev(client, rec, exp.Val(None)) is None


def test_exp_read_several_ops_and_labels(client, rec):
    _, meta, bins = client.operate(rec, [
        eop.expression_read("sum", exp.Add(exp.IntBin("a"), 1).compile()),
        op.read("s"),
        eop.expression_read("a", exp.Mul(exp.IntBin("a"), 2).compile()),   # label only
    ])
    assert bins == {"sum": 11, "s": "hello", "a": 20}
    assert meta["gen"] == 1
    assert client.get(rec)[2]["a"] == 10


def test_exp_read_missing_record(client, set_name):
    raises_code(ex.RecordNotFound, 2, client.operate, (NS, set_name, "nope"),
                [eop.expression_read("r", exp.Val(1).compile())])


def test_capture_exp_read(client, simple):
    """The `exp-read-op` step of the filter capture."""
    _, _, bins = client.operate(simple, [eop.expression_read(
        "r", exp.Add(exp.IntBin("a"), 10).compile())])
    assert bins == {"r": 11}


# ================================================================
# 3. EXP_WRITE (EXP_MODIFY) and flags
# ================================================================

def ew(client, key, name, e, flags=aerospike.EXP_WRITE_DEFAULT, policy=None):
    return client.operate(key, [eop.expression_write(name, e.compile(), flags)], policy=policy)


def test_exp_write_new_and_existing_bin(client, simple):
    ew(client, simple, "c", exp.Add(exp.IntBin("a"), 5))
    assert snapshot(client, simple) == (2, {"a": 1, "s": "hello", "c": 6})
    ew(client, simple, "a", exp.Mul(exp.IntBin("a"), 10))
    assert snapshot(client, simple) == (3, {"a": 10, "s": "hello", "c": 6})


def test_exp_write_value_types(client, rec):
    ew(client, rec, "wb", exp.GT(exp.IntBin("a"), 0))
    ew(client, rec, "wf", exp.ToFloat(exp.IntBin("a")))
    ew(client, rec, "ws", exp.SetName())
    ew(client, rec, "wl", exp.ListAppend(None, None, 7, exp.ListBin("l")))
    ew(client, rec, "wm", exp.MapPut(None, None, "d", 4, exp.MapBin("m")))
    _, meta, bins = client.get(rec)
    assert bins["wb"] is True
    assert same_type_equal(bins["wf"], 10.0)
    assert bins["ws"] == rec[1]
    assert bins["wl"] == [5, 3, 9, 1, 7]
    assert bins["wm"] == {"a": 1, "b": 2, "c": 3, "d": 4}
    assert bins["l"] == [5, 3, 9, 1]
    assert meta["gen"] == 6


def test_exp_write_and_read_in_one_operate(client, simple):
    _, meta, bins = client.operate(simple, [
        eop.expression_write("c", exp.Add(exp.IntBin("a"), 1).compile()),
        eop.expression_read("r", exp.Add(exp.IntBin("c"), 1).compile()),
        op.read("c"),
    ])
    assert bins["r"] == 3
    assert bins["c"] == 2
    assert meta["gen"] == 2


def test_exp_write_create_only(client, simple):
    raises_code(ex.BinExistsError, 6, ew, client, simple, "a", exp.Val(5),
                aerospike.EXP_WRITE_CREATE_ONLY)
    assert snapshot(client, simple) == (1, {"a": 1, "s": "hello"})
    ew(client, simple, "new", exp.Val(5), aerospike.EXP_WRITE_CREATE_ONLY)
    assert snapshot(client, simple)[1]["new"] == 5


def test_exp_write_update_only(client, simple):
    raises_code(ex.BinNotFound, 17, ew, client, simple, "nope", exp.Val(5),
                aerospike.EXP_WRITE_UPDATE_ONLY)
    assert snapshot(client, simple) == (1, {"a": 1, "s": "hello"})
    ew(client, simple, "a", exp.Val(5), aerospike.EXP_WRITE_UPDATE_ONLY)
    assert snapshot(client, simple)[1] == {"a": 5, "s": "hello"}


def test_exp_write_policy_no_fail(client, simple):
    ew(client, simple, "a", exp.Val(5),
       aerospike.EXP_WRITE_CREATE_ONLY | aerospike.EXP_WRITE_POLICY_NO_FAIL)
    ew(client, simple, "nope", exp.Val(5),
       aerospike.EXP_WRITE_UPDATE_ONLY | aerospike.EXP_WRITE_POLICY_NO_FAIL)
    assert snapshot(client, simple)[1] == {"a": 1, "s": "hello"}


def test_exp_write_nil_needs_allow_delete(client, simple):
    raises_code(ex.OpNotApplicable, 26, ew, client, simple, "a", exp.Val(None))
    assert snapshot(client, simple) == (1, {"a": 1, "s": "hello"})
    ew(client, simple, "a", exp.Val(None), aerospike.EXP_WRITE_ALLOW_DELETE)
    assert snapshot(client, simple)[1] == {"s": "hello"}


def test_exp_write_nil_with_policy_no_fail_keeps_bin(client, simple):
    ew(client, simple, "a", exp.Val(None), aerospike.EXP_WRITE_POLICY_NO_FAIL)
    assert snapshot(client, simple)[1] == {"a": 1, "s": "hello"}


def test_exp_write_nil_to_missing_bin_is_noop(client, simple):
    ew(client, simple, "nope", exp.Val(None))
    assert snapshot(client, simple)[1] == {"a": 1, "s": "hello"}


def test_exp_write_eval_failure(client, simple):
    ops = [op.write("w", 1),
           eop.expression_write("c", exp.Div(exp.IntBin("a"), 0).compile())]
    raises_code(ex.OpNotApplicable, 26, client.operate, simple, ops)
    assert snapshot(client, simple) == (1, {"a": 1, "s": "hello"})   # nothing applied
    ops[1] = eop.expression_write("c", exp.Div(exp.IntBin("a"), 0).compile(),
                                  aerospike.EXP_WRITE_EVAL_NO_FAIL)
    client.operate(simple, ops)
    assert snapshot(client, simple)[1] == {"a": 1, "s": "hello", "w": 1}
    # EVAL_NO_FAIL on an existing bin leaves it alone
    ew(client, simple, "a", exp.Add(exp.IntBin("nope"), 1), aerospike.EXP_WRITE_EVAL_NO_FAIL)
    assert snapshot(client, simple)[1]["a"] == 1
    raises_code(ex.OpNotApplicable, 26, ew, client, simple, "a", exp.Unknown())


def test_exp_read_eval_failure_aborts_write(client, simple):
    ops = [op.write("w", 1),
           eop.expression_read("r", exp.Mod(exp.IntBin("a"), 0).compile())]
    raises_code(ex.OpNotApplicable, 26, client.operate, simple, ops)
    assert snapshot(client, simple) == (1, {"a": 1, "s": "hello"})


def test_exp_write_creates_record(client, set_name):
    key = (NS, set_name, "fresh")
    ew(client, key, "x", exp.Add(5, 6))
    assert snapshot(client, key) == (1, {"x": 11})
    nokey = (NS, set_name, "fresh2")
    raises_code(ex.OpNotApplicable, 26, ew, client, nokey, "x", exp.Add(exp.IntBin("a"), 1))
    raises_code(ex.RecordNotFound, 2, client.get, nokey)


def test_exp_write_with_filter(client, simple):
    raises_code(ex.FilteredOut, 27, ew, client, simple, "c", exp.Val(1),
                policy=pol(FILTER_FALSE))
    ew(client, simple, "c", exp.Val(1), policy=pol(FILTER_TRUE))
    assert snapshot(client, simple) == (2, {"a": 1, "s": "hello", "c": 1})


def test_exp_ops_in_batch_operate(client, set_name):
    keys = seed3(client, set_name)
    res = client.batch_operate(keys[:2], [
        eop.expression_write("d", exp.Mul(exp.IntBin("a"), 100).compile()),
        eop.expression_read("r", exp.Add(exp.IntBin("a"), 1).compile()),
    ])
    brs = res.batch_records
    assert [br.result for br in brs] == [0, 0]
    assert brs[0].record[2]["r"] == 2 and brs[1].record[2]["r"] == 3
    assert client.get(keys[0])[2] == {"a": 1, "d": 100}
    assert client.get(keys[1])[2] == {"a": 2, "d": 200}
    res = client.batch_operate(keys, [
        eop.expression_read("r", exp.Div(100, exp.IntBin("a")).compile())])
    # the third record has no int bin "a" -> evaluation failure in that row only
    assert [br.result for br in res.batch_records] == [0, 0, 26]


# ================================================================
# 4. Malformed / ill-typed expressions -> 4 PARAMETER
# ================================================================

BAD_EXPRESSIONS = [
    ("cmp-int-str", lambda: exp.Eq(exp.IntBin("a"), "x")),
    ("cmp-float-int", lambda: exp.GT(exp.FloatBin("f"), 1)),
    ("cmp-geo", lambda: exp.Eq(exp.GeoBin("p"), POINT)),
    ("and-non-bool", lambda: exp.And(exp.IntBin("a"), T)),
    ("or-non-bool", lambda: exp.Or(T, exp.StrBin("s"))),
    ("not-non-bool", lambda: exp.Not(exp.IntBin("a"))),
    ("and-single-arg", lambda: exp.And(T)),
    ("add-mixed", lambda: exp.Add(1, 2.0)),
    ("add-str", lambda: exp.Add(exp.StrBin("s"), 1)),
    ("pow-int", lambda: exp.Pow(2, 3)),
    ("log-int", lambda: exp.Log(8, 2)),
    ("mod-float", lambda: exp.Mod(7.0, 2.0)),
    ("floor-int", lambda: exp.Floor(exp.IntBin("a"))),
    ("to-int-int", lambda: exp.ToInt(5)),
    ("to-float-float", lambda: exp.ToFloat(5.0)),
    ("int-and-float", lambda: exp.IntAnd(1, 2.0)),
    ("shift-float", lambda: exp.IntLeftShift(1.0, 2)),
    ("lscan-non-bool", lambda: exp.IntLeftScan(5, 1)),
    ("regex-on-int", lambda: exp.CmpRegex(0, "x", exp.IntBin("a"))),
    ("regex-invalid", lambda: exp.CmpRegex(REG_EXTENDED, "(", exp.StrBin("s"))),
    ("digest-mod-zero", lambda: exp.DigestMod(0)),
    ("cond-no-default", lambda: exp.Cond(T, 1)),
    ("cond-mixed-types", lambda: exp.Cond(T, 1, "x")),
    ("cond-non-bool-test", lambda: exp.Cond(exp.IntBin("a"), 1, 2)),
    ("let-duplicate", lambda: exp.Let(exp.Def("x", 1), exp.Def("x", 2), exp.Var("x"))),
    ("let-shadowing", lambda: exp.Let(exp.Def("x", 1), exp.Let(exp.Def("x", 2), exp.Var("x")))),
    ("let-bad-name", lambda: exp.Let(exp.Def("1x", 1), exp.Var("1x"))),
    ("var-undefined", lambda: exp.Let(exp.Def("x", 1), exp.Var("y"))),
    ("list-call-on-int", lambda: exp.ListSize(None, exp.IntBin("a"))),
]


@pytest.mark.parametrize("build", [pytest.param(b, id=i) for i, b in BAD_EXPRESSIONS])
def test_ill_typed_exp_read(client, rec, build):
    raises_code(ex.InvalidRequest, 4, ev, client, rec, build())
    raises_code(ex.InvalidRequest, 4, ev, client, rec, build(), aerospike.EXP_READ_EVAL_NO_FAIL)


@pytest.mark.parametrize("build", [pytest.param(b, id=i) for i, b in BAD_EXPRESSIONS])
def test_ill_typed_filter(client, rec, build):
    raises_code(ex.InvalidRequest, 4, client.get, rec, pol(build()))
    raises_code(ex.InvalidRequest, 4, client.put, rec, {"a": 0}, policy=pol(build()))
    assert client.get(rec)[1]["gen"] == 1


@pytest.mark.parametrize("build", [
    pytest.param(lambda: exp.IntBin("a"), id="int-bin"),
    pytest.param(lambda: exp.StrBin("s"), id="str-bin"),
    pytest.param(lambda: exp.Add(exp.IntBin("a"), 1), id="arith"),
    pytest.param(lambda: exp.Val(None), id="nil"),
    pytest.param(lambda: exp.ListBin("l"), id="list"),
    pytest.param(lambda: exp.Cond(T, 1, 2), id="cond-int"),
])
def test_filter_must_be_boolean(client, rec, build):
    raises_code(ex.InvalidRequest, 4, client.get, rec, pol(build()))
    # as an EXP_READ the same expression is fine
    ev(client, rec, build())


def test_bad_filter_rejected_on_every_command_record_untouched(client, simple, set_name):
    bad = pol(exp.Eq(exp.IntBin("a"), "x"))
    raises_code(ex.InvalidRequest, 4, client.get, simple, bad)
    raises_code(ex.InvalidRequest, 4, client.exists, simple, bad)
    raises_code(ex.InvalidRequest, 4, client.put, simple, {"a": 99}, policy=bad)
    raises_code(ex.InvalidRequest, 4, client.remove, simple, policy=bad)
    raises_code(ex.InvalidRequest, 4, client.touch, simple, 0, None, bad)
    raises_code(ex.InvalidRequest, 4, client.increment, simple, "a", 1, None, bad)
    raises_code(ex.InvalidRequest, 4, client.operate, simple,
                [op.write("a", 5), op.read("a")], policy=bad)
    raises_code(ex.InvalidRequest, 4, client.put, simple, {"a": 99},
                policy={"expressions": exp.IntBin("a").compile()})
    assert snapshot(client, simple) == (1, {"a": 1, "s": "hello"})


def test_bad_filter_batch(client, set_name):
    keys = seed3(client, set_name)
    bad = pol(exp.And(exp.IntBin("a"), T))
    try:
        res = client.batch_read(keys, policy=bad)
    except ex.AerospikeError as e:
        assert e.code == 4, e
    else:
        assert res.result == 4, [(br.result, br.record) for br in res.batch_records]
    try:
        res = client.batch_operate(keys, [op.write("w", 1)], policy_batch=bad)
    except ex.AerospikeError as e:
        assert e.code == 4, e
    else:
        assert res.result == 4
    assert [client.get(k)[1]["gen"] for k in keys] == [1, 1, 1]
    # a bad per-row filter fails that row only
    brs = client.batch_write(BatchRecords([
        Write(keys[0], [op.write("w", 1)],
              policy={"expressions": exp.Eq(exp.IntBin("a"), "x").compile()}),
        Write(keys[1], [op.write("w", 1)]),
    ])).batch_records
    assert [br.result for br in brs] == [4, 0]
    assert "w" not in client.get(keys[0])[2]


def test_bad_filter_scan_and_query(client, set_name):
    client.put((NS, set_name, 1), {"a": 1})
    bad = pol(exp.Add(exp.IntBin("a"), 1))          # not boolean
    raises_code(ex.InvalidRequest, 4, client.scan(NS, set_name).results, bad)
    raises_code(ex.InvalidRequest, 4, client.query(NS, set_name).results, bad)


def test_exp_op_invalid_flags(client, simple):
    # CREATE_ONLY (1) is not a read flag
    raises_code(ex.InvalidRequest, 4, ev, client, simple, exp.Val(1), 1)
    raises_code(ex.InvalidRequest, 4, ev, client, simple, exp.Val(1), 32)
    raises_code(ex.InvalidRequest, 4, ew, client, simple, "c", exp.Val(1), 32)
    raises_code(ex.InvalidRequest, 4, ew, client, simple, "c", exp.Val(1), 64)
    assert snapshot(client, simple) == (1, {"a": 1, "s": "hello"})


# ---- INT64_MIN / -1 must not crash the server (it crashes asd CE 8.1.2.0)

def _server_answers(client, key):
    assert client.get(key)[2]["min"] == INT64_MIN


@pytest.mark.parametrize("build,defined", [
    pytest.param(lambda: exp.Div(INT64_MIN, -1), (INT64_MIN,), id="div-literal"),
    pytest.param(lambda: exp.Div(exp.IntBin("min"), -1), (INT64_MIN,), id="div-bin"),
    pytest.param(lambda: exp.Div(exp.IntBin("min"), exp.Sub(1)), (INT64_MIN,), id="div-computed"),
    pytest.param(lambda: exp.Div(INT64_MIN, 1, -1), (INT64_MIN,), id="div-multi"),
    pytest.param(lambda: exp.Mod(INT64_MIN, -1), (0,), id="mod-literal"),
    pytest.param(lambda: exp.Mod(exp.IntBin("min"), -1), (0,), id="mod-bin"),
])
def test_int64_min_by_minus_one_does_not_crash(server, client, rec, build, defined):
    try:
        got = ev(client, rec, build())
    except ex.OpNotApplicable as e:
        assert e.code == 26
    else:
        assert got in defined, got
    assert server.alive()
    _server_answers(client, rec)


def test_int64_min_by_minus_one_in_filter_and_query(server, client, rec, set_name):
    e = exp.Eq(exp.Div(exp.IntBin("min"), -1), 0)     # FALSE or UNKNOWN, never TRUE
    raises_code(ex.FilteredOut, 27, client.get, rec, pol(e))
    m = exp.Eq(exp.Mod(exp.IntBin("min"), -1), 1)
    raises_code(ex.FilteredOut, 27, client.get, rec, pol(m))
    assert client.query(NS, set_name).results(pol(exp.Or(e, m))) == []
    assert server.alive()
    _server_answers(client, rec)


# ================================================================
# Raw wire: expression forms the python client cannot build
# ================================================================

class Raw:
    """Marks a msgpack string that carries no particle-type prefix."""

    def __init__(self, s):
        self.s = s.encode() if isinstance(s, str) else s


def mp(v):
    if v is None:
        return b"\xc0"
    if v is True:
        return b"\xc3"
    if v is False:
        return b"\xc2"
    if isinstance(v, int):
        if 0 <= v < 128:
            return bytes([v])
        if -32 <= v < 0:
            return struct.pack("b", v)
        return b"\xd3" + struct.pack(">q", v)
    if isinstance(v, float):
        return b"\xcb" + struct.pack(">d", v)
    if isinstance(v, (Raw, str)):
        data = v.s if isinstance(v, Raw) else b"\x03" + v.encode()
        if len(data) < 32:
            return bytes([0xa0 | len(data)]) + data
        return b"\xd9" + bytes([len(data)]) + data
    if isinstance(v, list):
        assert len(v) < 16
        return bytes([0x90 | len(v)]) + b"".join(mp(x) for x in v)
    raise TypeError(v)


def raw_exp_read(ns, set_name, key, expression_bytes):
    value = expression_bytes
    return wire.msg_frame(wire.key_fields(ns, set_name, key),
                          [wire.op(7, "r", wire.PT_BLOB, value)],
                          info1=wire.INFO1_READ)


def raw_filtered_get(ns, set_name, key, filter_bytes):
    return wire.msg_frame(wire.key_fields(ns, set_name, key) + [wire.field(43, filter_bytes)],
                          info1=wire.INFO1_READ | wire.INFO1_GET_ALL)


@pytest.fixture
def rawrec(raw, set_name):
    assert raw.request(wire.put_frame(NS, set_name, "k", {"a": 1, "s": "Hello"})).result == 0
    return set_name


def test_raw_in_list(raw, rawrec):
    reply = raw.request(raw_exp_read(NS, rawrec, "k",
                                     mp([[9, 2, [126, [1, 2, 3]]], 0])))
    assert reply.result == 0
    assert [(o[2], o[1], o[3]) for o in reply.ops] == [("r", 17, b"\x01")]
    reply = raw.request(raw_exp_read(NS, rawrec, "k",
                                     mp([[9, [81, 2, Raw("a")], [126, [5, 6]]], 0])))
    assert reply.result == 0
    assert [(o[2], o[1], o[3]) for o in reply.ops] == [("r", 17, b"\x00")]


def test_raw_call_unknown_systems_rejected(raw, rawrec):
    for system in (3, 4, 5):
        e = [127, 3, system, [0], [81, 3, Raw("s")]]
        reply = raw.request(raw_exp_read(NS, rawrec, "k", mp([e, 0])))
        assert reply.result == 4, system
    # system 0 on a quoted list works
    reply = raw.request(raw_exp_read(NS, rawrec, "k",
                                     mp([[127, 2, 0, [16], [126, [1, 2, 3]]], 0])))
    assert reply.result == 0
    assert reply.bins() == {"r": 3}


def test_raw_malformed_exp_ops(raw, rawrec):
    cases = [
        mp([]),                                   # no expression
        mp([[20, 1, 2], 0, 0]),                   # three elements
        mp([[], 0]),                              # empty expression
        mp([[20, 1], 0])[:-2],                    # truncated
        mp([[200, 1], 0]),                        # unknown op code
        mp([[81, 2], 0]),                         # BIN without a name
    ]
    for value in cases:
        reply = raw.request(raw_exp_read(NS, rawrec, "k", value))
        assert reply.result == 4, value.hex()
    # the record is unaffected and the server still answers
    reply = raw.request(wire.get_frame(NS, rawrec, "k"))
    assert reply.result == 0 and reply.bins() == {"a": 1, "s": "Hello"}


def test_raw_filter_literals(raw, rawrec):
    # a bare boolean literal is a valid filter
    assert raw.request(raw_filtered_get(NS, rawrec, "k", mp(True))).result == 0
    assert raw.request(raw_filtered_get(NS, rawrec, "k", mp(False))).result == 27
    # non-boolean literals and junk are rejected
    assert raw.request(raw_filtered_get(NS, rawrec, "k", mp(5))).result == 4
    assert raw.request(raw_filtered_get(NS, rawrec, "k", mp("x"))).result == 4
    assert raw.request(raw_filtered_get(NS, rawrec, "k", mp([]))).result == 4
    assert raw.request(raw_filtered_get(NS, rawrec, "k", mp([1, 1]))).result == 4
    assert raw.request(raw_filtered_get(NS, rawrec, "k",
                                        mp([1, [81, 2, Raw("a")], 1]) + b"\xc0")).result == 4
    # a well-formed one
    reply = raw.request(raw_filtered_get(NS, rawrec, "k", mp([1, [81, 2, Raw("a")], 1])))
    assert reply.result == 0 and reply.bins() == {"a": 1, "s": "Hello"}


def test_raw_filtered_replies_carry_generation(raw, rawrec):
    """Reads/writes rejected by a filter report the record's generation;
    deletes report 0 (captures: filter.python-client)."""
    flt = mp([1, [81, 2, Raw("a")], 2])
    reply = raw.request(raw_filtered_get(NS, rawrec, "k", flt))
    assert reply.result == 27 and reply.generation == 1 and reply.ops == []
    frame = wire.msg_frame(wire.key_fields(NS, rawrec, "k") + [wire.field(43, flt)],
                           [wire.write_int("b", 1)], info2=wire.INFO2_WRITE)
    reply = raw.request(frame)
    assert reply.result == 27 and reply.generation == 1
    frame = wire.msg_frame(wire.key_fields(NS, rawrec, "k") + [wire.field(43, flt)],
                           info2=wire.INFO2_WRITE | wire.INFO2_DELETE)
    reply = raw.request(frame)
    assert reply.result == 27 and reply.generation == 0
