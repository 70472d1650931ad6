"""Write policies, result codes and TTL handling (python client + raw)."""
import pytest

import aerospike
from aerospike import exception as ex

import wire
from conftest import NEVER_EXPIRE, assert_ttl

NS = "test"


def key(set_name, k="p1"):
    return (NS, set_name, k)


# ------------------------------------------------------------------ exists policies

def test_exists_create(client, set_name):
    k = key(set_name)
    pol = {"exists": aerospike.POLICY_EXISTS_CREATE}
    assert client.put(k, {"a": 1}, policy=pol) == 0
    with pytest.raises(ex.RecordExistsError) as ei:
        client.put(k, {"a": 2}, policy=pol)
    assert ei.value.code == 5
    _, meta, bins = client.get(k)
    assert bins == {"a": 1}
    assert meta["gen"] == 1


def test_exists_update(client, set_name):
    k = key(set_name)
    pol = {"exists": aerospike.POLICY_EXISTS_UPDATE}
    with pytest.raises(ex.RecordNotFound) as ei:
        client.put(k, {"a": 1}, policy=pol)
    assert ei.value.code == 2
    assert client.exists(k)[1] is None
    client.put(k, {"a": 1, "b": 2})
    client.put(k, {"b": 3, "c": 4}, policy=pol)
    _, meta, bins = client.get(k)
    assert bins == {"a": 1, "b": 3, "c": 4}     # merged
    assert meta["gen"] == 2


def test_exists_replace_only(client, set_name):
    k = key(set_name)
    pol = {"exists": aerospike.POLICY_EXISTS_REPLACE}
    with pytest.raises(ex.RecordNotFound):
        client.put(k, {"a": 1}, policy=pol)
    assert client.exists(k)[1] is None
    client.put(k, {"a": 1, "b": 2})
    client.put(k, {"c": 3}, policy=pol)
    _, meta, bins = client.get(k)
    assert bins == {"c": 3}                     # replaced
    assert meta["gen"] == 2


def test_exists_create_or_replace(client, set_name):
    k = key(set_name)
    pol = {"exists": aerospike.POLICY_EXISTS_CREATE_OR_REPLACE}
    client.put(k, {"a": 1, "b": 2}, policy=pol)
    _, meta, bins = client.get(k)
    assert bins == {"a": 1, "b": 2}
    assert meta["gen"] == 1
    client.put(k, {"c": 3}, policy=pol)
    _, meta, bins = client.get(k)
    assert bins == {"c": 3}
    assert meta["gen"] == 2


def test_exists_ignore_merges(client, set_name):
    k = key(set_name)
    pol = {"exists": aerospike.POLICY_EXISTS_IGNORE}
    client.put(k, {"a": 1}, policy=pol)
    client.put(k, {"b": 2}, policy=pol)
    assert client.get(k)[2] == {"a": 1, "b": 2}


def test_capture_sequence_of_exists_policies(client, set_name):
    # The kv-policies capture sequence: every policy succeeds, gen ends at 5.
    k = key(set_name)
    client.put(k, {"a": 1}, policy={"exists": aerospike.POLICY_EXISTS_CREATE})
    client.put(k, {"b": 2}, policy={"exists": aerospike.POLICY_EXISTS_UPDATE})
    client.put(k, {"c": 3}, policy={"exists": aerospike.POLICY_EXISTS_REPLACE})
    client.put(k, {"d": 4}, policy={"exists": aerospike.POLICY_EXISTS_CREATE_OR_REPLACE})
    client.put(k, {"e": 5}, policy={"exists": aerospike.POLICY_EXISTS_IGNORE})
    _, meta, bins = client.get(k)
    assert bins == {"d": 4, "e": 5}
    assert meta["gen"] == 5


# ------------------------------------------------------------------ generation

def test_generation_eq(client, set_name):
    k = key(set_name)
    client.put(k, {"a": 1})
    client.put(k, {"a": 2})
    pol = {"gen": aerospike.POLICY_GEN_EQ}
    with pytest.raises(ex.RecordGenerationError) as ei:
        client.put(k, {"a": 3}, meta={"gen": 77}, policy=pol)
    assert ei.value.code == 3
    with pytest.raises(ex.RecordGenerationError):
        client.put(k, {"a": 3}, meta={"gen": 1}, policy=pol)
    client.put(k, {"a": 3}, meta={"gen": 2}, policy=pol)
    _, meta, bins = client.get(k)
    assert bins == {"a": 3}
    assert meta["gen"] == 3


def test_generation_gt(client, set_name):
    k = key(set_name)
    client.put(k, {"a": 1})
    client.put(k, {"a": 2})      # gen 2
    pol = {"gen": aerospike.POLICY_GEN_GT}
    with pytest.raises(ex.RecordGenerationError):
        client.put(k, {"a": 3}, meta={"gen": 2}, policy=pol)
    with pytest.raises(ex.RecordGenerationError):
        client.put(k, {"a": 3}, meta={"gen": 1}, policy=pol)
    client.put(k, {"a": 4}, meta={"gen": 9}, policy=pol)
    _, meta, bins = client.get(k)
    assert bins == {"a": 4}
    assert meta["gen"] == 3      # still +1, header gen is only compared


def test_remove_with_wrong_generation(client, set_name):
    k = key(set_name)
    client.put(k, {"a": 1})
    with pytest.raises(ex.RecordGenerationError):
        client.remove(k, meta={"gen": 999}, policy={"gen": aerospike.POLICY_GEN_EQ})
    assert client.get(k)[2] == {"a": 1}
    client.remove(k, meta={"gen": 1}, policy={"gen": aerospike.POLICY_GEN_EQ})
    assert client.exists(k)[1] is None


def test_touch_with_generation(client, set_name):
    k = key(set_name)
    client.put(k, {"a": 1})
    with pytest.raises(ex.RecordGenerationError):
        client.touch(k, 0, meta={"gen": 5}, policy={"gen": aerospike.POLICY_GEN_EQ})
    assert client.get(k)[1]["gen"] == 1


# ------------------------------------------------------------------ incompatible types

def test_increment_on_string_bin(client, set_name):
    k = key(set_name)
    client.put(k, {"s": "abc"})
    with pytest.raises(ex.BinIncompatibleType) as ei:
        client.increment(k, "s", 1)
    assert ei.value.code == 12
    _, meta, bins = client.get(k)
    assert bins == {"s": "abc"}
    assert meta["gen"] == 1


def test_append_on_int_bin(client, set_name):
    k = key(set_name)
    client.put(k, {"i": 5})
    with pytest.raises(ex.BinIncompatibleType) as ei:
        client.append(k, "i", "x")
    assert ei.value.code == 12
    with pytest.raises(ex.BinIncompatibleType):
        client.prepend(k, "i", "x")
    assert client.get(k)[2] == {"i": 5}


def test_increment_int_bin_with_float(client, set_name):
    k = key(set_name)
    client.put(k, {"i": 5})
    with pytest.raises(ex.BinIncompatibleType):
        client.increment(k, "i", 1.5)
    assert client.get(k)[2] == {"i": 5}


def test_append_string_to_blob_bin(client, set_name):
    k = key(set_name)
    client.put(k, {"b": bytearray(b"\x01")})
    with pytest.raises(ex.BinIncompatibleType):
        client.append(k, "b", "x")


# ------------------------------------------------------------------ TTL values

def test_ttl_values(server, client, set_name):
    k = key(set_name)
    client.put(k, {"a": 1}, meta={"ttl": 100})
    assert_ttl(server, client.get(k)[1], 100)
    # -2: keep the current void time
    client.put(k, {"a": 2}, meta={"ttl": aerospike.TTL_DONT_UPDATE})
    _, meta, _ = client.get(k)
    assert_ttl(server, meta, 100)
    assert meta["gen"] == 2
    # -1: never expire
    client.put(k, {"a": 3}, meta={"ttl": aerospike.TTL_NEVER_EXPIRE})
    assert client.get(k)[1]["ttl"] == NEVER_EXPIRE
    # 0: namespace default (default-ttl 0 -> never)
    client.put(k, {"a": 4}, meta={"ttl": 100})
    client.put(k, {"a": 5}, meta={"ttl": aerospike.TTL_NAMESPACE_DEFAULT})
    assert client.get(k)[1]["ttl"] == NEVER_EXPIRE
    # client default (-3) -> policy ttl 0 -> namespace default
    client.put(k, {"a": 6}, meta={"ttl": 100})
    client.put(k, {"a": 7}, meta={"ttl": aerospike.TTL_CLIENT_DEFAULT})
    _, meta, bins = client.get(k)
    assert meta["ttl"] == NEVER_EXPIRE
    assert bins == {"a": 7}
    assert meta["gen"] == 7


def test_ttl_dont_update_on_create_means_default(client, set_name):
    k = key(set_name)
    client.put(k, {"a": 1}, meta={"ttl": aerospike.TTL_DONT_UPDATE})
    assert client.get(k)[1]["ttl"] == NEVER_EXPIRE


def test_ttl_invalid_negative(client, set_name):
    k = key(set_name)
    with pytest.raises(ex.InvalidRequest) as ei:
        client.put(k, {"a": 1}, meta={"ttl": -5})
    assert ei.value.code == 4
    assert client.exists(k)[1] is None


@pytest.mark.parametrize("ttl,result", [
    (315360000, wire.OK),            # 10 years: max accepted
    (315360001, wire.PARAMETER),
    (0xFFFFFFFD, wire.PARAMETER),
    (0xFFFFFFFF, wire.OK),
    (0xFFFFFFFE, wire.OK),
])
def test_ttl_limits_raw(raw, set_name, ttl, result):
    frame = wire.put_frame(NS, set_name, "t", {"a": 1}, ttl=ttl)
    rep = raw.request(frame)
    assert rep.result == result, rep
    rep = raw.request(wire.get_frame(NS, set_name, "t"))
    assert rep.result == (wire.OK if result == wire.OK else wire.NOT_FOUND), rep


def test_ttl_void_time_in_reply(server, raw, set_name):
    """Reply record_ttl is a void time (seconds since 2010-01-01)."""
    import time
    citrusleaf_epoch = 1262304000
    rep = raw.request(wire.put_frame(NS, set_name, "v", {"a": 1}, ttl=1000))
    assert rep.result == 0
    now = time.time() - citrusleaf_epoch + server.clock_offset
    assert abs(rep.void_time - (now + 1000)) <= 3, (rep.void_time, now)
    rep = raw.request(wire.put_frame(NS, set_name, "nv", {"a": 1}))
    assert rep.void_time == 0
    assert rep.generation == 1


# ------------------------------------------------------------------ send key

def test_send_key_is_stored_and_returned_by_scan(client, set_name):
    client.put((NS, set_name, "sk"), {"a": 1},
               policy={"key": aerospike.POLICY_KEY_SEND})
    client.put((NS, set_name, 42), {"a": 2},
               policy={"key": aerospike.POLICY_KEY_SEND})
    client.put((NS, set_name, bytearray(b"\xde\xad")), {"a": 3},
               policy={"key": aerospike.POLICY_KEY_SEND})
    client.put((NS, set_name, "nokey"), {"a": 4})
    recs = client.query(NS, set_name).results()
    keys = {r[2]["a"]: r[0][2] for r in recs}
    assert len(recs) == 4
    assert keys[1] == "sk"
    assert keys[2] == 42
    assert bytes(keys[3]) == b"\xde\xad"
    assert keys[4] is None


def test_send_key_get(client, set_name):
    k = (NS, set_name, "sk")
    client.put(k, {"a": 1}, policy={"key": aerospike.POLICY_KEY_SEND})
    (_, _, ukey, _), meta, bins = client.get(k, policy={"key": aerospike.POLICY_KEY_SEND})
    assert bins == {"a": 1}
    assert meta["gen"] == 1


def test_key_mismatch_raw(raw, set_name):
    dig = wire.digest(NS, set_name, "km")
    rep = raw.request(wire.msg_frame(
        [wire.field(wire.F_NAMESPACE, NS), wire.field(wire.F_SET, set_name),
         wire.field(wire.F_DIGEST, dig),
         wire.field(wire.F_KEY, bytes([wire.PT_STRING]) + b"km")],
        [wire.write_int("a", 1)], info2=wire.INFO2_WRITE))
    assert rep.result == 0, rep
    # read with a different KEY field but the same digest -> 19
    rep = raw.request(wire.msg_frame(
        [wire.field(wire.F_NAMESPACE, NS), wire.field(wire.F_SET, set_name),
         wire.field(wire.F_DIGEST, dig),
         wire.field(wire.F_KEY, bytes([wire.PT_STRING]) + b"ot")],
        info1=wire.INFO1_READ | wire.INFO1_GET_ALL))
    assert rep.result == wire.KEY_MISMATCH, rep
    # write with a different key -> 19 as well, record unchanged
    rep = raw.request(wire.msg_frame(
        [wire.field(wire.F_NAMESPACE, NS), wire.field(wire.F_SET, set_name),
         wire.field(wire.F_DIGEST, dig),
         wire.field(wire.F_KEY, bytes([wire.PT_STRING]) + b"ot")],
        [wire.write_int("a", 2)], info2=wire.INFO2_WRITE))
    assert rep.result == wire.KEY_MISMATCH, rep
    rep = raw.request(wire.get_frame(NS, set_name, dig=dig))
    assert rep.result == 0
    assert rep.bins() == {"a": 1}
    assert rep.generation == 1


def test_set_mismatch_raw(raw, set_name):
    dig = wire.digest(NS, set_name, "sm")
    rep = raw.request(wire.put_frame(NS, set_name, dig=dig, bins={"a": 1}))
    assert rep.result == 0
    rep = raw.request(wire.put_frame(NS, set_name + "other", dig=dig, bins={"a": 2}))
    assert rep.result == wire.PARAMETER, rep
    rep = raw.request(wire.get_frame(NS, set_name, dig=dig))
    assert rep.bins() == {"a": 1}


def test_int_key_of_4_bytes_refused_raw(raw, set_name):
    dig = wire.digest(NS, set_name, "ik")
    rep = raw.request(wire.msg_frame(
        [wire.field(wire.F_NAMESPACE, NS), wire.field(wire.F_SET, set_name),
         wire.field(wire.F_DIGEST, dig),
         wire.field(wire.F_KEY, bytes([wire.PT_INTEGER]) + b"\0\0\0\x07")],
        [wire.write_int("a", 1)], info2=wire.INFO2_WRITE))
    assert rep.result == wire.UNSUPPORTED_FEATURE, rep


# ------------------------------------------------------------------ bin names

@pytest.mark.parametrize("name,result", [
    ("b" * 15, wire.OK),
    ("b" * 16, wire.BIN_NAME),
    ("", wire.OK),
])
def test_bin_name_length_raw(raw, set_name, name, result):
    frame = wire.msg_frame(wire.key_fields(NS, set_name, "bn"),
                           [wire.write_int(name, 1)], info2=wire.INFO2_WRITE)
    rep = raw.request(frame)
    assert rep.result == result, rep
    if result == wire.OK:
        rep = raw.request(wire.get_frame(NS, set_name, "bn"))
        assert rep.bins() == {name: 1}


def test_read_bin_name_16_raw(raw, set_name):
    raw.request(wire.put_frame(NS, set_name, "rb", {"a": 1}))
    rep = raw.request(wire.msg_frame(wire.key_fields(NS, set_name, "rb"),
                                     [wire.read_bin("b" * 16)], info1=wire.INFO1_READ))
    assert rep.result == wire.BIN_NAME, rep


# ------------------------------------------------------------------ particle odds

def test_short_integer_value_raw(raw, set_name):
    """2-byte integer input is accepted; sign is not extended."""
    rep = raw.request(wire.msg_frame(
        wire.key_fields(NS, set_name, "i2"),
        [wire.op(wire.OP_WRITE, "i2", wire.PT_INTEGER, b"\xff\xfe")],
        info2=wire.INFO2_WRITE))
    assert rep.result == 0, rep
    rep = raw.request(wire.get_frame(NS, set_name, "i2"))
    assert rep.ops[0][1] == wire.PT_INTEGER
    assert len(rep.ops[0][3]) == 8
    assert rep.bins() == {"i2": 65534}


def test_undefined_particle_type_raw(raw, set_name):
    rep = raw.request(wire.msg_frame(
        wire.key_fields(NS, set_name, "pt"),
        [wire.op(wire.OP_WRITE, "a", 5, b"\0")], info2=wire.INFO2_WRITE))
    assert rep.result == wire.PARAMETER, rep


def test_language_blob_type_preserved_raw(raw, set_name):
    rep = raw.request(wire.msg_frame(
        wire.key_fields(NS, set_name, "pb"),
        [wire.op(wire.OP_WRITE, "pb", 9, b"\x80\x04K\x07.")], info2=wire.INFO2_WRITE))
    assert rep.result == 0, rep
    rep = raw.request(wire.get_frame(NS, set_name, "pb"))
    assert rep.ops == [(wire.OP_READ, 9, "pb", b"\x80\x04K\x07.")]


# ------------------------------------------------------------------ commit level / durable delete

def test_commit_level_master(client, set_name):
    k = key(set_name)
    client.put(k, {"a": 1}, policy={"commit_level": aerospike.POLICY_COMMIT_LEVEL_MASTER})
    assert client.get(k)[2] == {"a": 1}


def test_durable_delete(client, set_name):
    """CE answers a durable delete with 25 ENTERPRISE_ONLY (captures:
    kv-policies remove-durable); a put carrying the flag is accepted."""
    k = key(set_name)
    client.put(k, {"a": 1}, policy={"durable_delete": True})
    with pytest.raises(ex.AerospikeError) as ei:
        client.remove(k, policy={"durable_delete": True})
    assert ei.value.code == 25
    assert client.get(k)[2] == {"a": 1}
    client.remove(k)
    assert client.exists(k)[1] is None


def test_unknown_namespace_raw(raw):
    rep = raw.request(wire.get_frame("nosuchns", "s", "k"))
    assert rep.result == wire.NAMESPACE, rep


def test_unknown_namespace_client(client):
    with pytest.raises(ex.NamespaceNotFound):
        client.get(("nosuchns", "s", "k"))
