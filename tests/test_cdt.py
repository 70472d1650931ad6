"""Lists and maps (CDT operations) through the official python client, including the
modelling patterns of Aerospike's "Leveraging collections" guide."""
import random

import pytest

import aerospike
from aerospike import exception as ex
from aerospike_helpers import cdt_ctx
from aerospike_helpers.operations import list_operations as lo
from aerospike_helpers.operations import map_operations as mo
from aerospike_helpers.operations import operations as op

NS = "test"


def key(set_name, k="c1"):
    return (NS, set_name, k)


def bins(client, k):
    return client.get(k)[2]


# ------------------------------------------------------------------ lists

def test_list_basics(client, set_name):
    k = key(set_name)
    client.put(k, {"l": [5, 1, 4, 1, 3]})
    _, _, b = client.operate(k, [lo.list_append("l", 9), lo.list_insert("l", 0, 0), lo.list_size("l")])
    assert b["l"] == 7
    assert bins(client, k)["l"] == [0, 5, 1, 4, 1, 3, 9]
    _, _, b = client.operate(k, [lo.list_pop("l", -1)])
    assert b["l"] == 9
    _, _, b = client.operate(k, [lo.list_get_range("l", 1, 3)])
    assert b["l"] == [5, 1, 4]
    _, _, b = client.operate(k, [lo.list_remove_range("l", -2, 2)])
    assert b["l"] == 2
    assert bins(client, k)["l"] == [0, 5, 1, 4]


def test_list_value_selectors_and_return_types(client, set_name):
    k = key(set_name)
    client.put(k, {"l": [9, 4, 5, 8, 0, 7, 3]})
    ops = [
        lo.list_get_by_rank_range("l", 0, aerospike.LIST_RETURN_VALUE, 3),
        lo.list_get_by_value_range("l", aerospike.LIST_RETURN_INDEX, 4, 8),
        lo.list_get_by_rank("l", -1, aerospike.LIST_RETURN_INDEX),
    ]
    _, _, results = client.operate_ordered(k, ops)
    values = [v for _, v in results]
    # Rank window at the bottom: VALUE results come in descending order (real server behaviour).
    assert values[0] == [4, 3, 0]
    assert values[1] == [1, 2, 5]
    assert values[2] == 0


def test_list_inverted_and_count(client, set_name):
    k = key(set_name)
    client.put(k, {"l": [1, 5, 1, 9, 1]})
    _, _, b = client.operate(k, [lo.list_get_by_value("l", 1, aerospike.LIST_RETURN_VALUE, inverted=True)])
    assert b["l"] == [5, 9]
    _, _, b = client.operate(k, [lo.list_remove_by_value_list("l", [1, 9], aerospike.LIST_RETURN_COUNT, inverted=True)])
    assert b["l"] == 1
    assert bins(client, k)["l"] == [1, 1, 9, 1]


def test_ordered_list_as_a_set(client, set_name):
    """An ordered list with ADD_UNIQUE | NO_FAIL behaves like a set: duplicates are
    skipped silently and the contents stay sorted."""
    k = key(set_name)
    policy = {"list_order": aerospike.LIST_ORDERED,
              "write_flags": aerospike.LIST_WRITE_ADD_UNIQUE | aerospike.LIST_WRITE_NO_FAIL}
    for v in [5, 3, 9, 3, 5, 1]:
        client.operate(k, [lo.list_append("tags", v, policy)])
    assert bins(client, k)["tags"] == [1, 3, 5, 9]
    client.operate(k, [lo.list_append_items("tags", [2, 9, 4], {
        "list_order": aerospike.LIST_ORDERED,
        "write_flags": aerospike.LIST_WRITE_ADD_UNIQUE | aerospike.LIST_WRITE_NO_FAIL | aerospike.LIST_WRITE_PARTIAL})])
    assert bins(client, k)["tags"] == [1, 2, 3, 4, 5, 9]
    # Without NO_FAIL a duplicate is an error and nothing changes.
    with pytest.raises(ex.ElementExistsError):
        client.operate(k, [lo.list_append("tags", 3, {"list_order": aerospike.LIST_ORDERED,
                                                      "write_flags": aerospike.LIST_WRITE_ADD_UNIQUE})])
    assert bins(client, k)["tags"] == [1, 2, 3, 4, 5, 9]


def test_time_series_tuples_by_value_interval(client, set_name):
    """[timestamp, device, reading] tuples; a value interval on lists selects a time window
    because lists compare element by element and a prefix sorts first."""
    k = key(set_name)
    readings = [[1000 + 10 * i, "dev%d" % (i % 3), i * 1.5] for i in range(50)]
    random.Random(7).shuffle(readings)
    client.put(k, {"ts": readings})
    _, _, b = client.operate(k, [lo.list_get_by_value_range("ts", aerospike.LIST_RETURN_VALUE, [1100], [1200])])
    window = b["ts"]
    assert sorted(r[0] for r in window) == list(range(1100, 1200, 10))
    _, _, b = client.operate(k, [lo.list_get_by_value_range("ts", aerospike.LIST_RETURN_COUNT, [1490], None)])
    assert b["ts"] == 1


def test_list_nested_context(client, set_name):
    k = key(set_name)
    client.put(k, {"n": [[1, 2], [3, 4]]})
    ctx = [cdt_ctx.cdt_ctx_list_index(1)]
    client.operate(k, [lo.list_append("n", 5, ctx=ctx)])
    _, _, b = client.operate(k, [lo.list_get_by_index("n", -1, aerospike.LIST_RETURN_VALUE, ctx=ctx)])
    assert b["n"] == 5
    assert bins(client, k)["n"] == [[1, 2], [3, 4, 5]]


def test_list_increment_and_sort(client, set_name):
    k = key(set_name)
    client.put(k, {"l": [1, 9, 1]})
    _, _, b = client.operate(k, [lo.list_increment("l", 0, 10)])
    assert b["l"] == 11
    client.operate(k, [lo.list_sort("l", aerospike.LIST_SORT_DROP_DUPLICATES)])
    assert bins(client, k)["l"] == [1, 9, 11]


def test_list_errors_leave_the_record_unchanged(client, set_name):
    k = key(set_name)
    client.put(k, {"l": [1, 2, 3], "m": {"a": 1}, "i": 7})
    with pytest.raises(ex.OpNotApplicable):
        client.operate(k, [lo.list_get_by_index("l", 100, aerospike.LIST_RETURN_VALUE)])
    with pytest.raises(ex.BinIncompatibleType):
        client.operate(k, [lo.list_append("m", 1)])
    with pytest.raises(ex.BinIncompatibleType):
        client.operate(k, [lo.list_append("i", 1)])
    # a failing op in the middle of an operate changes nothing
    with pytest.raises(ex.OpNotApplicable):
        client.operate(k, [lo.list_append("l", 4), lo.list_pop("l", 50)])
    rec = client.get(k)
    assert rec[2]["l"] == [1, 2, 3]
    assert rec[1]["gen"] == 1


def test_list_ops_on_a_missing_bin(client, set_name):
    k = key(set_name)
    client.put(k, {"x": 1})
    _, _, b = client.operate(k, [lo.list_size("nope")])
    assert "nope" not in b or b["nope"] is None
    _, _, b = client.operate(k, [lo.list_append("new", "v")])
    assert b["new"] == 1
    assert bins(client, k)["new"] == ["v"]


def test_random_list_ops_match_a_model(client, set_name):
    """Bounded random sequence of list ops against a python list."""
    rng = random.Random(1234)
    k = key(set_name)
    model = [rng.randint(0, 50) for _ in range(5)]
    client.put(k, {"l": model})
    for _ in range(150):
        choice = rng.randrange(6)
        n = len(model)
        if choice == 0:
            v = rng.randint(-5, 50)
            _, _, b = client.operate(k, [lo.list_append("l", v)])
            model.append(v)
            assert b["l"] == len(model)
        elif choice == 1:
            i = rng.randint(0, n)
            v = rng.randint(-5, 50)
            client.operate(k, [lo.list_insert("l", i, v)])
            model.insert(i, v)
        elif choice == 2 and n > 0:
            i = rng.randint(-n, n - 1)
            _, _, b = client.operate(k, [lo.list_pop("l", i)])
            assert b["l"] == model.pop(i)
        elif choice == 3 and n > 0:
            i = rng.randint(0, n - 1)
            v = rng.randint(0, 9)
            client.operate(k, [lo.list_set("l", i, v)])
            model[i] = v
        elif choice == 4:
            i = rng.randint(0, n + 2)
            c = rng.randint(0, 4)
            _, _, b = client.operate(k, [lo.list_get_range("l", i, c)])
            assert b["l"] == model[i:i + c]
        elif choice == 5 and n > 0:
            v = rng.choice(model)
            _, _, b = client.operate(k, [lo.list_remove_by_value("l", v, aerospike.LIST_RETURN_COUNT)])
            assert b["l"] == model.count(v)
            model = [x for x in model if x != v]
    assert bins(client, k)["l"] == model


# ------------------------------------------------------------------ maps

def test_unordered_maps_come_back_in_key_order(client, set_name):
    k = key(set_name)
    client.put(k, {"m": {"z": 1, "a": 2, "m": 3}})
    assert list(bins(client, k)["m"].keys()) == ["a", "m", "z"]
    _, _, b = client.operate(k, [mo.map_get_by_index("m", 0, aerospike.MAP_RETURN_KEY)])
    assert b["m"] == "a"


def test_map_basics(client, set_name):
    k = key(set_name)
    client.put(k, {"m": {"b": 2, "a": 1, "c": 3}})
    _, _, b = client.operate(k, [mo.map_put("m", "d", 4), mo.map_put_items("m", {"e": 5, "a": 10})])
    assert b["m"] == 5
    _, _, b = client.operate(k, [mo.map_get_by_key("m", "a", aerospike.MAP_RETURN_VALUE)])
    assert b["m"] == 10
    _, _, b = client.operate(k, [mo.map_increment("m", "b", 5)])
    assert b["m"] == 7
    _, _, b = client.operate(k, [mo.map_remove_by_key_list("m", ["a", "b"], aerospike.MAP_RETURN_KEY, inverted=True)])
    assert sorted(b["m"]) == ["c", "d", "e"]
    assert bins(client, k)["m"] == {"a": 10, "b": 7}


def test_map_rank_range_key_value_order(client, set_name):
    k = key(set_name)
    client.put(k, {"m": {"c": 1, "a": 2, "b": 0, "d": 1}})
    _, _, b = client.operate(k, [mo.map_get_by_rank_range("m", 0, 4, aerospike.MAP_RETURN_KEY)])
    assert b["m"] == ["b", "c", "d", "a"]  # value order, ties in key order
    _, _, b = client.operate(k, [mo.map_get_by_rank_range("m", 0, 4, aerospike.MAP_RETURN_INDEX)])
    assert b["m"] == [1, 2, 3, 0]


def test_leaderboard_top_50(client, set_name):
    """A K-ordered map keyed "<zero-padded score>-<name>": the top 50 are the last 50 keys."""
    k = key(set_name)
    rng = random.Random(99)
    scores = {}
    for i in range(300):
        name = "player%03d" % i
        scores["%05d-%s" % (rng.randint(0, 99999), name)] = name
    client.operate(k, [mo.map_put_items("board", scores, {"map_order": aerospike.MAP_KEY_ORDERED})])
    _, _, b = client.operate(k, [mo.map_get_by_index_range("board", -50, 50, aerospike.MAP_RETURN_KEY)])
    assert b["board"] == sorted(scores)[-50:]
    _, _, b = client.operate(k, [mo.map_size("board")])
    assert b["board"] == len(scores)


def test_nested_counter_created_through_contexts(client, set_name):
    """{stats: {accolades: {jokes: N}}} incremented through MAP_KEY_CREATE contexts on a
    record where the path does not exist yet."""
    k = key(set_name)
    client.put(k, {"name": "bob"})
    ctx = [cdt_ctx.cdt_ctx_map_key_create("stats", aerospike.MAP_KEY_ORDERED),
           cdt_ctx.cdt_ctx_map_key_create("accolades", aerospike.MAP_KEY_ORDERED)]
    for expected in (1, 2, 3):
        _, _, b = client.operate(k, [mo.map_increment("profile", "jokes", 1, ctx=ctx)])
        assert b["profile"] == expected
    assert bins(client, k)["profile"] == {"stats": {"accolades": {"jokes": 3}}}
    # Without create bits the missing path is an error.
    with pytest.raises(ex.OpNotApplicable):
        client.operate(k, [mo.map_increment("profile", "x", 1, ctx=[cdt_ctx.cdt_ctx_map_key("nope")])])


def test_map_write_flags(client, set_name):
    k = key(set_name)
    client.put(k, {"m": {"a": 1}})
    with pytest.raises(ex.ElementExistsError):
        client.operate(k, [mo.map_put("m", "a", 2, {"map_write_flags": aerospike.MAP_WRITE_FLAGS_CREATE_ONLY})])
    with pytest.raises(ex.ElementNotFoundError):
        client.operate(k, [mo.map_put("m", "zz", 2, {"map_write_flags": aerospike.MAP_WRITE_FLAGS_UPDATE_ONLY})])
    client.operate(k, [mo.map_put("m", "a", 2, {"map_write_flags": aerospike.MAP_WRITE_FLAGS_CREATE_ONLY | aerospike.MAP_WRITE_FLAGS_NO_FAIL})])
    assert bins(client, k)["m"] == {"a": 1}


def test_key_ordered_map_with_persisted_index(client, set_name):
    k = key(set_name)
    client.operate(k, [mo.map_create("om", aerospike.MAP_KEY_ORDERED, persist_index=True),
                       mo.map_put_items("om", {"z": 26, "x": 24, "y": 25})])
    _, _, b = client.operate(k, [mo.map_get_by_index_range("om", 0, 2, aerospike.MAP_RETURN_KEY_VALUE)])
    # KEY_VALUE results are order-preserving maps; the python client flattens them.
    assert b["om"] == ["x", 24, "y", 25]
    assert bins(client, k)["om"] == {"x": 24, "y": 25, "z": 26}


def test_random_map_ops_match_a_model(client, set_name):
    rng = random.Random(4321)
    k = key(set_name)
    model = {}
    client.put(k, {"x": 0})
    for _ in range(150):
        c = rng.randrange(4)
        kk = rng.randint(0, 30)
        if c == 0:
            v = rng.randint(-100, 100)
            _, _, b = client.operate(k, [mo.map_put("m", kk, v)])
            model[kk] = v
            assert b["m"] == len(model)
        elif c == 1:
            _, _, b = client.operate(k, [mo.map_remove_by_key("m", kk, aerospike.MAP_RETURN_VALUE)])
            assert b.get("m") == model.pop(kk, None)
        elif c == 2:
            d = rng.randint(1, 5)
            _, _, b = client.operate(k, [mo.map_increment("m", kk, d)])
            model[kk] = model.get(kk, 0) + d
            assert b["m"] == model[kk]
        else:
            i, n = rng.randint(0, 10), rng.randint(0, 5)
            _, _, b = client.operate(k, [mo.map_get_by_index_range("m", i, n, aerospike.MAP_RETURN_KEY)])
            assert b.get("m", []) == sorted(model)[i:i + n]
    assert bins(client, k)["m"] == model


def test_cdt_ops_in_batch(client, set_name):
    keys = [key(set_name, "b%d" % i) for i in range(3)]
    for i, kk in enumerate(keys):
        client.put(kk, {"l": list(range(i + 1))})
    res = client.batch_operate(keys, [lo.list_append("l", 99), lo.list_size("l")])
    assert [r.result for r in res.batch_records] == [0, 0, 0]
    assert [r.record[2]["l"] for r in res.batch_records] == [2, 3, 4]
