"""Single-record commands through the official python client (aerospike)."""
import pytest

import aerospike
from aerospike import exception as ex
from aerospike_helpers.operations import operations as op

from conftest import NEVER_EXPIRE, assert_ttl

NS = "test"


def key(set_name, k="k1"):
    return (NS, set_name, k)


# ------------------------------------------------------------------ put/get

@pytest.mark.parametrize("value", [
    0, 7, -1, 2**63 - 1, -2**63, 1 << 40,
    "", "abc", "h\u00e9llo \u2713 \U0001F600", "x" * 5000,
    1.5, -2.25e10, 0.0,
    True, False,
    [], [1, "a", 2.5, [2, 3], {"k": "v"}, None, True],
    {}, {"x": 1, "y": [1, 2], "z": {"n": None}}, {1: "a", 2: "b", -5: [1]},
], ids=lambda v: type(v).__name__ + ":" + repr(v)[:20])
def test_put_get_particle_types(client, set_name, value):
    k = key(set_name)
    assert client.put(k, {"v": value}) == 0
    _, meta, bins = client.get(k)
    assert bins == {"v": value}
    assert type(bins["v"]) is type(value)
    assert meta["gen"] == 1


def test_put_get_bytes(client, set_name):
    k = key(set_name)
    client.put(k, {"ba": bytearray(b"\x01\x02\x00\xff"), "b": b"\x00" * 300})
    _, _, bins = client.get(k)
    assert bytes(bins["ba"]) == b"\x01\x02\x00\xff"
    assert bytes(bins["b"]) == b"\x00" * 300


def test_put_get_all_types_in_one_record(client, set_name):
    k = key(set_name)
    rec = {"i": 7, "s": "abc", "f": 1.5, "b": bytearray(b"\x01\x02"),
           "l": [1, "a"], "m": {"x": 1}, "t": True}
    client.put(k, rec)
    (ns, st, _, digest), meta, bins = client.get(k)
    assert (ns, st) == (NS, set_name)
    assert bytes(digest) == bytes(aerospike.calc_digest(NS, set_name, "k1"))
    assert bins == {"i": 7, "s": "abc", "f": 1.5, "b": b"\x01\x02",
                    "l": [1, "a"], "m": {"x": 1}, "t": True}
    assert meta["gen"] == 1


def test_geojson(client, set_name):
    k = key(set_name)
    point = aerospike.GeoJSON({"type": "Point", "coordinates": [-122.0, 37.5]})
    poly = aerospike.GeoJSON({"type": "Polygon", "coordinates": [
        [[-122.5, 37.0], [-121.0, 37.0], [-121.0, 38.0], [-122.5, 38.0], [-122.5, 37.0]]]})
    client.put(k, {"p": point, "r": poly})
    _, _, bins = client.get(k)
    assert isinstance(bins["p"], aerospike.GeoJSON)
    assert bins["p"].unwrap() == {"type": "Point", "coordinates": [-122.0, 37.5]}
    assert isinstance(bins["r"], aerospike.GeoJSON)
    assert bins["r"].unwrap()["type"] == "Polygon"
    assert bins["r"].unwrap()["coordinates"][0][1] == [-121.0, 37.0]


def test_none_bin_removes_bin(client, set_name):
    k = key(set_name)
    client.put(k, {"a": 1, "b": 2})
    client.put(k, {"b": None})
    _, meta, bins = client.get(k)
    assert bins == {"a": 1}
    assert meta["gen"] == 2


def test_removing_last_bin_deletes_record(client, set_name):
    k = key(set_name)
    client.put(k, {"a": 1})
    client.put(k, {"a": None})
    with pytest.raises(ex.RecordNotFound):
        client.get(k)
    assert client.exists(k)[1] is None


def test_put_merges_bins_and_generation_counts(client, set_name):
    k = key(set_name)
    for i in range(1, 6):
        client.put(k, {"b%d" % i: i})
        _, meta, bins = client.get(k)
        assert meta["gen"] == i
        assert bins == {"b%d" % j: j for j in range(1, i + 1)}


def test_default_ttl_is_never_expire(server, client, set_name):
    k = key(set_name)
    client.put(k, {"a": 1})
    _, meta, _ = client.get(k)
    assert meta["ttl"] == NEVER_EXPIRE


def test_get_missing_raises_record_not_found(client, set_name):
    with pytest.raises(ex.RecordNotFound) as ei:
        client.get(key(set_name, "missing"))
    assert ei.value.code == 2


def test_integer_and_bytes_keys(client, set_name):
    client.put((NS, set_name, 42), {"a": "int"})
    client.put((NS, set_name, bytearray(b"\xde\xad")), {"a": "bytes"})
    client.put((NS, set_name, "42"), {"a": "str"})
    assert client.get((NS, set_name, 42))[2] == {"a": "int"}
    assert client.get((NS, set_name, bytearray(b"\xde\xad")))[2] == {"a": "bytes"}
    assert client.get((NS, set_name, "42"))[2] == {"a": "str"}


def test_same_key_different_sets_are_different_records(client, set_name):
    client.put((NS, set_name, "k"), {"a": 1})
    client.put((NS, set_name + "_2", "k"), {"a": 2})
    assert client.get((NS, set_name, "k"))[2] == {"a": 1}
    assert client.get((NS, set_name + "_2", "k"))[2] == {"a": 2}


def test_get_by_digest(client, set_name):
    client.put(key(set_name), {"a": 1})
    dig = aerospike.calc_digest(NS, set_name, "k1")
    _, _, bins = client.get((NS, set_name, None, dig))
    assert bins == {"a": 1}


# ------------------------------------------------------------------ select / exists

def test_select_with_missing_bin(client, set_name):
    k = key(set_name)
    client.put(k, {"i": 7, "s": "abc", "f": 1.5})
    _, meta, bins = client.select(k, ["i", "s", "missing"])
    assert bins == {"i": 7, "s": "abc"}
    assert meta["gen"] == 1


def test_select_only_missing_bins(client, set_name):
    k = key(set_name)
    client.put(k, {"i": 7})
    _, meta, bins = client.select(k, ["nope"])
    assert not bins
    assert meta["gen"] == 1


def test_select_missing_record(client, set_name):
    with pytest.raises(ex.RecordNotFound):
        client.select(key(set_name, "nope"), ["a"])


def test_exists_hit_and_miss(client, set_name):
    k = key(set_name)
    client.put(k, {"a": 1})
    client.put(k, {"a": 2})
    k_out, meta = client.exists(k)
    assert meta is not None
    assert meta["gen"] == 2
    assert meta["ttl"] == NEVER_EXPIRE
    assert k_out[:3] == k
    k_out, meta = client.exists(key(set_name, "nope"))
    assert meta is None
    assert k_out[:3] == (NS, set_name, "nope")


# ------------------------------------------------------------------ touch

def test_touch_bumps_generation_and_sets_ttl(server, client, set_name):
    k = key(set_name)
    client.put(k, {"a": 1})
    assert client.touch(k, 100) == 0
    _, meta, bins = client.get(k)
    assert meta["gen"] == 2
    assert_ttl(server, meta, 100)
    assert bins == {"a": 1}


def test_touch_missing_record(client, set_name):
    with pytest.raises(ex.RecordNotFound):
        client.touch(key(set_name, "nope"), 10)
    assert client.exists(key(set_name, "nope"))[1] is None


# ------------------------------------------------------------------ remove

def test_remove(client, set_name):
    k = key(set_name)
    client.put(k, {"a": 1})
    assert client.remove(k) == 0
    with pytest.raises(ex.RecordNotFound):
        client.get(k)
    with pytest.raises(ex.RecordNotFound):
        client.remove(k)


def test_recreate_after_remove_starts_at_gen_1(client, set_name):
    k = key(set_name)
    client.put(k, {"a": 1})
    client.put(k, {"a": 2})
    client.remove(k)
    client.put(k, {"b": 3})
    _, meta, bins = client.get(k)
    assert bins == {"b": 3}
    assert meta["gen"] == 1


def test_remove_bin(client, set_name):
    k = key(set_name)
    client.put(k, {"i": 7, "s": "abc", "f": 1.5, "t": True})
    assert client.remove_bin(k, ["s", "f"]) == 0
    _, meta, bins = client.get(k)
    assert bins == {"i": 7, "t": True}
    assert meta["gen"] == 2


def test_remove_bin_missing_bin_is_ok(client, set_name):
    k = key(set_name)
    client.put(k, {"i": 7})
    client.remove_bin(k, ["nope"])
    _, meta, bins = client.get(k)
    assert bins == {"i": 7}
    assert meta["gen"] == 2


# ------------------------------------------------------------------ increment / append / prepend

def test_increment_int(client, set_name):
    k = key(set_name)
    client.put(k, {"i": 7})
    assert client.increment(k, "i", 5) == 0
    assert client.get(k)[2] == {"i": 12}
    client.increment(k, "i", -20)
    _, meta, bins = client.get(k)
    assert bins == {"i": -8}
    assert meta["gen"] == 3


def test_increment_float(client, set_name):
    k = key(set_name)
    client.put(k, {"f": 1.5})
    client.increment(k, "f", 0.25)
    assert client.get(k)[2] == {"f": 1.75}


def test_increment_creates_bin_and_record(client, set_name):
    k = key(set_name)
    client.increment(k, "n", 3)
    _, meta, bins = client.get(k)
    assert bins == {"n": 3}
    assert meta["gen"] == 1
    client.increment(k, "m", 2.5)
    assert client.get(k)[2] == {"n": 3, "m": 2.5}


def test_append_prepend_create_bin(client, set_name):
    k = key(set_name)
    client.put(k, {"i": 1})
    assert client.append(k, "s2", "xy") == 0
    assert client.get(k)[2] == {"i": 1, "s2": "xy"}
    assert client.prepend(k, "s2", "<<") == 0
    _, meta, bins = client.get(k)
    assert bins == {"i": 1, "s2": "<<xy"}
    assert meta["gen"] == 3


def test_append_prepend_existing_string(client, set_name):
    k = key(set_name)
    client.put(k, {"s": "bc"})
    client.append(k, "s", "de")
    client.prepend(k, "s", "a")
    assert client.get(k)[2] == {"s": "abcde"}


def test_append_blob(client, set_name):
    k = key(set_name)
    client.put(k, {"b": bytearray(b"\x01")})
    client.append(k, "b", bytearray(b"\x02\x03"))
    client.prepend(k, "b", bytearray(b"\x00"))
    assert bytes(client.get(k)[2]["b"]) == b"\x00\x01\x02\x03"


# ------------------------------------------------------------------ operate

def test_operate_scalar_ops_create_record(client, set_name):
    k = key(set_name, "o1")
    ops = [op.write("a", 1), op.increment("a", 2), op.write("s", "x"),
           op.append("s", "yz"), op.prepend("s", "w"), op.read("a"), op.read("s")]
    _, meta, bins = client.operate(k, ops)
    assert bins == {"a": 3, "s": "wxyz"}
    assert meta["gen"] == 1


def test_operate_touch_with_ttl(server, client, set_name):
    k = key(set_name, "o1")
    client.put(k, {"a": 3})
    _, meta, bins = client.operate(k, [op.touch(), op.read("a")], meta={"ttl": 500})
    assert bins == {"a": 3}
    assert meta["gen"] == 2
    assert_ttl(server, meta, 500)
    _, meta, _ = client.get(k)
    assert meta["gen"] == 2
    assert_ttl(server, meta, 500)


def test_operate_touch_on_missing_record(client, set_name):
    k = key(set_name, "o1")
    with pytest.raises(ex.RecordNotFound):
        client.operate(k, [op.write("a", 1), op.touch()])
    # nothing was created
    assert client.exists(k)[1] is None


def test_operate_read_only(client, set_name):
    k = key(set_name, "o1")
    client.put(k, {"a": 3, "b": 4})
    _, meta, bins = client.operate(k, [op.read("a"), op.read("nope")])
    assert bins == {"a": 3}
    assert meta["gen"] == 1


def test_operate_read_on_missing_record(client, set_name):
    with pytest.raises(ex.RecordNotFound):
        client.operate(key(set_name, "nope"), [op.read("a")])


def test_operate_incr_float_creates_bin(client, set_name):
    k = key(set_name, "o1")
    client.put(k, {"a": 1})
    _, meta, bins = client.operate(k, [op.increment("f", 1.25), op.read("f")])
    assert bins == {"f": 1.25}
    assert meta["gen"] == 2


def test_operate_read_then_delete(client, set_name):
    k = key(set_name, "o1")
    client.put(k, {"a": 5})
    _, meta, bins = client.operate(k, [op.read("a"), op.delete()])
    assert bins == {"a": 5}
    assert meta["gen"] == 0
    with pytest.raises(ex.RecordNotFound):
        client.get(k)


def test_operate_delete_then_write_recreates(client, set_name):
    k = key(set_name, "o1")
    client.put(k, {"a": 5, "b": 6})
    client.operate(k, [op.delete(), op.write("c", 7)])
    _, _, bins = client.get(k)
    assert bins == {"c": 7}


def test_operate_with_generation_and_ttl(server, client, set_name):
    k = key(set_name, "o1")
    client.put(k, {"a": 4})
    client.put(k, {"a": 5})
    _, meta, bins = client.operate(
        k, [op.read("a")] + [op.write("z", 1)],
        meta={"gen": 2, "ttl": 1000}, policy={"gen": aerospike.POLICY_GEN_EQ})
    assert bins == {"a": 5}
    assert meta["gen"] == 3
    assert_ttl(server, meta, 1000)
    with pytest.raises(ex.RecordGenerationError):
        client.operate(k, [op.write("z", 2)], meta={"gen": 2},
                       policy={"gen": aerospike.POLICY_GEN_EQ})
    assert client.get(k)[2] == {"a": 5, "z": 1}


def test_operate_ordered(client, set_name):
    k = key(set_name, "o1")
    client.put(k, {"a": 3})
    _, meta, ordered = client.operate_ordered(
        k, [op.write("b", 2), op.increment("a", 1), op.read("a"), op.read("b"),
            op.read("nope")])
    assert [tuple(x) for x in ordered] == [("a", 4), ("b", 2)]
    assert meta["gen"] == 2


def test_operate_multiple_reads_same_bin(client, set_name):
    k = key(set_name, "o1")
    client.put(k, {"a": 1})
    _, _, ordered = client.operate_ordered(
        k, [op.read("a"), op.increment("a", 10), op.read("a")])
    assert [tuple(x) for x in ordered] == [("a", 1), ("a", 11)]
