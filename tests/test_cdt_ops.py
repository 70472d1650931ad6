"""Every list and map operation of the official python client against the CDT engine:
all return types, INVERTED, write flags, list/map orders, nested contexts, error codes.

Expected values come from the real server (Aerospike CE 8.1.2.0) only:
  * /work/shared/protocol/cdt.md sections 3-7 ("cdt.md §n" below),
  * recorded real-server outcomes in /work/shared/protocol/captures/
    (client-outcomes.python-client.jsonl scenario `cdt`, cdt.python-client.jsonl,
    probes.handmade.jsonl -- "probe <step>" below),
  * a few facts derived from the documented rules (marked "derived"), checked against the
    real server source the notes cite (aerospike-server CE 8.1.2.0, as/src/base/cdt.c,
    particle_list.c, particle_map.c) -- e.g. sort flags are bits (3 = DESCENDING |
    DROP_DUPLICATES), NO_FAIL without PARTIAL skips the whole multi-item write.
Multi-item results whose *order* the notes leave open (REVERSE_INDEX, RANK, REVERSE_RANK
lists, key-list / value-list selections on maps, INVERTED map selections) are compared
as sorted lists; everything else is compared exactly.
"""
import pytest

import aerospike
from aerospike import exception as ex
from aerospike_helpers import cdt_ctx as cc
from aerospike_helpers import expressions as exp
from aerospike_helpers.operations import list_operations as lo
from aerospike_helpers.operations import map_operations as mo
from aerospike_helpers.operations import operations as op

NS = "test"
INVERTED = 0x10000          # return-type flag (cdt.md §5)

# list return types
L_NONE = aerospike.LIST_RETURN_NONE
L_INDEX = aerospike.LIST_RETURN_INDEX
L_RINDEX = aerospike.LIST_RETURN_REVERSE_INDEX
L_RANK = aerospike.LIST_RETURN_RANK
L_RRANK = aerospike.LIST_RETURN_REVERSE_RANK
L_COUNT = aerospike.LIST_RETURN_COUNT
L_VALUE = aerospike.LIST_RETURN_VALUE
L_EXISTS = aerospike.LIST_RETURN_EXISTS

# map return types
M_NONE = aerospike.MAP_RETURN_NONE
M_INDEX = aerospike.MAP_RETURN_INDEX
M_RINDEX = aerospike.MAP_RETURN_REVERSE_INDEX
M_RANK = aerospike.MAP_RETURN_RANK
M_RRANK = aerospike.MAP_RETURN_REVERSE_RANK
M_COUNT = aerospike.MAP_RETURN_COUNT
M_KEY = aerospike.MAP_RETURN_KEY
M_VALUE = aerospike.MAP_RETURN_VALUE
M_KV = aerospike.MAP_RETURN_KEY_VALUE
M_EXISTS = aerospike.MAP_RETURN_EXISTS
M_UMAP = aerospike.MAP_RETURN_UNORDERED_MAP
M_OMAP = aerospike.MAP_RETURN_ORDERED_MAP

L_RT_NAMES = {L_NONE: "NONE", L_INDEX: "INDEX", L_RINDEX: "REVERSE_INDEX", L_RANK: "RANK",
              L_RRANK: "REVERSE_RANK", L_COUNT: "COUNT", L_VALUE: "VALUE", L_EXISTS: "EXISTS"}
M_RT_NAMES = {M_NONE: "NONE", M_INDEX: "INDEX", M_RINDEX: "REVERSE_INDEX", M_RANK: "RANK",
              M_RRANK: "REVERSE_RANK", M_COUNT: "COUNT", M_KEY: "KEY", M_VALUE: "VALUE",
              M_KV: "KEY_VALUE", M_EXISTS: "EXISTS", M_UMAP: "UNORDERED_MAP",
              M_OMAP: "ORDERED_MAP"}

# Order of multi-item results not pinned down by the notes -> compared sorted.
L_SORTED_RTS = {L_RINDEX, L_RANK, L_RRANK}
M_SORTED_RTS = {M_RINDEX, M_RANK, M_RRANK}

LIST_ORDERED = {"list_order": aerospike.LIST_ORDERED}
ADD_UNIQUE = aerospike.LIST_WRITE_ADD_UNIQUE
INSERT_BOUNDED = aerospike.LIST_WRITE_INSERT_BOUNDED
L_NO_FAIL = aerospike.LIST_WRITE_NO_FAIL
L_PARTIAL = aerospike.LIST_WRITE_PARTIAL
CREATE_ONLY = aerospike.MAP_WRITE_FLAGS_CREATE_ONLY
UPDATE_ONLY = aerospike.MAP_WRITE_FLAGS_UPDATE_ONLY
M_NO_FAIL = aerospike.MAP_WRITE_FLAGS_NO_FAIL
M_PARTIAL = aerospike.MAP_WRITE_FLAGS_PARTIAL
ANY = object()


# ------------------------------------------------------------------ helpers

def key(set_name, k="r"):
    return (NS, set_name, k)


def put(client, set_name, bins, k="r"):
    kk = key(set_name, k)
    client.put(kk, bins)
    return kk


def run(client, k, operation):
    """Run one operation; its result (None when the reply carries no result)."""
    _, _, b = client.operate(k, [operation])
    return (b or {}).get(operation["bin"])


def record(client, k):
    _, meta, b = client.get(k)
    return meta["gen"], b


def bins(client, k):
    return client.get(k)[2]


def same(got, expected):
    """Equality that does not let True == 1 or 2 == 2.0 slip through."""
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(got) is type(expected) and got == expected
    if isinstance(expected, float) or isinstance(got, float):
        return type(got) is type(expected) and got == expected
    if isinstance(expected, list):
        return (isinstance(got, list) and len(got) == len(expected)
                and all(same(g, e) for g, e in zip(got, expected)))
    if isinstance(expected, dict):
        return (isinstance(got, dict) and set(got) == set(expected)
                and all(same(got[x], expected[x]) for x in expected))
    return got == expected


def check_rts(client, k, make_op, expected, names, sorted_rts=(), reset=None):
    """Run make_op(rt) for every rt in `expected`, collect every mismatch."""
    bad = []
    for rt, want in expected.items():
        if reset is not None:
            reset()
        got = run(client, k, make_op(rt))
        if rt in sorted_rts and isinstance(got, list):
            got = sorted(got)
        if not same(got, want):
            bad.append("%s: got %r, expected %r" % (names[rt], got, want))
    assert not bad, "\n".join(bad)


def assert_fails(client, k, ops, exc, code):
    """The operate fails with `exc`/`code` and leaves generation and bins unchanged."""
    before = record(client, k)
    with pytest.raises(exc) as ei:
        client.operate(k, ops)
    assert ei.value.code == code, ei.value
    after = record(client, k)
    assert after[0] == before[0], "generation changed: %r -> %r" % (before[0], after[0])
    assert same(after[1], before[1]), "bins changed: %r -> %r" % (before[1], after[1])


# ====================================================================== LISTS
#
# L = [9, 4, 5, 8, 0, 7, 3]   (unordered)
#   index  0  1  2  3  4  5  6
#   rank   6  2  3  5  0  4  1
L = [9, 4, 5, 8, 0, 7, 3]


@pytest.fixture
def lkey(client, set_name):
    return put(client, set_name, {"l": list(L)})


# ---- single-item selections: the element at index 1 (value 4, rank 2)

L_SINGLE = {L_NONE: None, L_INDEX: 1, L_RINDEX: 5, L_RANK: 2, L_RRANK: 4,
            L_COUNT: 1, L_VALUE: 4, L_EXISTS: True}

L_SINGLE_GETS = {
    "get_by_index": lambda rt: lo.list_get_by_index("l", 1, rt),
    "get_by_index_negative": lambda rt: lo.list_get_by_index("l", -6, rt),
    "get_by_rank": lambda rt: lo.list_get_by_rank("l", 2, rt),
    "get_by_rank_negative": lambda rt: lo.list_get_by_rank("l", -5, rt),
}


@pytest.mark.parametrize("name", sorted(L_SINGLE_GETS))
def test_list_single_get_every_return_type(client, lkey, name):
    check_rts(client, lkey, L_SINGLE_GETS[name], L_SINGLE, L_RT_NAMES)
    assert bins(client, lkey)["l"] == L


L_SINGLE_REMOVES = {
    "remove_by_index": lambda rt: lo.list_remove_by_index("l", 1, rt),
    "remove_by_rank": lambda rt: lo.list_remove_by_rank("l", 2, rt),
}


@pytest.mark.parametrize("name", sorted(L_SINGLE_REMOVES))
def test_list_single_remove_every_return_type(client, lkey, name):
    def reset():
        client.put(lkey, {"l": list(L)})
    bad = []
    for rt, want in L_SINGLE.items():
        reset()
        got = run(client, lkey, L_SINGLE_REMOVES[name](rt))
        if not same(got, want):
            bad.append("%s: got %r, expected %r" % (L_RT_NAMES[rt], got, want))
        rest = bins(client, lkey)["l"]
        if rest != [9, 5, 8, 0, 7, 3]:
            bad.append("%s: list after removal %r" % (L_RT_NAMES[rt], rest))
    assert not bad, "\n".join(bad)


# ---- multi-item selections

def _lsel(action, name, rt, inverted=False):
    f = getattr(lo, "list_%s_%s" % (action, {
        "value": "by_value", "value_list": "by_value_list", "value_range": "by_value_range",
        "index_range": "by_index_range", "rank_range": "by_rank_range",
        "rel_rank": "by_value_rank_range_relative"}[name]))
    if name == "value":
        return f("l", 4, rt, inverted=inverted)
    if name == "value_list":
        return f("l", [4, 0, 42], rt, inverted=inverted)
    if name == "value_range":
        return f("l", rt, 4, 8, inverted=inverted)
    if name == "index_range":
        return f("l", 1, rt, 3, inverted=inverted)
    if name == "rank_range":
        return f("l", 1, rt, 3, inverted=inverted)
    if name == "rel_rank":
        return f("l", 5, -2, rt, 2, inverted=inverted)
    raise AssertionError(name)


# selection -> {rt: expected}; VALUE lists in the documented order (cdt.md §5):
# index order, except rank ranges (and relative rank ranges, which resolve to a rank
# range): descending when the clipped window [start, end) has start <= n - end.
L_MULTI = {
    # value 4 -> index 1
    "value": {L_NONE: None, L_INDEX: [1], L_RINDEX: [5], L_RANK: [2], L_RRANK: [4],
              L_COUNT: 1, L_VALUE: [4], L_EXISTS: True},
    # values 4 (index 1) and 0 (index 4); 42 absent
    "value_list": {L_NONE: None, L_INDEX: [1, 4], L_RINDEX: [2, 5], L_RANK: [0, 2],
                   L_RRANK: [4, 6], L_COUNT: 2, L_VALUE: [4, 0], L_EXISTS: True},
    # [4, 8) -> 4, 5, 7 at indexes 1, 2, 5
    "value_range": {L_NONE: None, L_INDEX: [1, 2, 5], L_RINDEX: [1, 4, 5],
                    L_RANK: [2, 3, 4], L_RRANK: [2, 3, 4], L_COUNT: 3,
                    L_VALUE: [4, 5, 7], L_EXISTS: True},
    # indexes 1..3 -> 4, 5, 8 (ranks 2, 3, 5)
    "index_range": {L_NONE: None, L_INDEX: [1, 2, 3], L_RINDEX: [3, 4, 5],
                    L_RANK: [2, 3, 5], L_RRANK: [1, 3, 4], L_COUNT: 3,
                    L_VALUE: [4, 5, 8], L_EXISTS: True},
    # ranks 1..3 -> 3, 4, 5 at indexes 6, 1, 2; window [1,4): 1 <= 7-4 -> descending
    "rank_range": {L_NONE: None, L_INDEX: [1, 2, 6], L_RINDEX: [0, 4, 5],
                   L_RANK: [1, 2, 3], L_RRANK: [3, 4, 5], L_COUNT: 3,
                   L_VALUE: [5, 4, 3], L_EXISTS: True},
    # value 5 sits at rank 3; -2 -> ranks 1..2 -> 3, 4 (indexes 6, 1); window [1,3) -> desc
    "rel_rank": {L_NONE: None, L_INDEX: [1, 6], L_RINDEX: [0, 5], L_RANK: [1, 2],
                 L_RRANK: [4, 5], L_COUNT: 2, L_VALUE: [4, 3], L_EXISTS: True},
}

# INVERTED: the complement; VALUE in index order, INDEX ascending (cdt.md §5)
L_MULTI_INV = {
    "value": {L_INDEX: [0, 2, 3, 4, 5, 6], L_COUNT: 6, L_VALUE: [9, 5, 8, 0, 7, 3]},
    "value_list": {L_INDEX: [0, 2, 3, 5, 6], L_COUNT: 5, L_VALUE: [9, 5, 8, 7, 3]},
    "value_range": {L_INDEX: [0, 3, 4, 6], L_COUNT: 4, L_VALUE: [9, 8, 0, 3]},
    "index_range": {L_INDEX: [0, 4, 5, 6], L_COUNT: 4, L_VALUE: [9, 0, 7, 3]},
    "rank_range": {L_INDEX: [0, 3, 4, 5], L_COUNT: 4, L_VALUE: [9, 8, 0, 7]},
    "rel_rank": {L_INDEX: [0, 2, 3, 4, 5], L_COUNT: 5, L_VALUE: [9, 5, 8, 0, 7]},
}

# what is left after removing the selection / its complement
L_REMAINS = {
    "value": ([9, 5, 8, 0, 7, 3], [4]),
    "value_list": ([9, 5, 8, 7, 3], [4, 0]),
    "value_range": ([9, 8, 0, 3], [4, 5, 7]),
    "index_range": ([9, 0, 7, 3], [4, 5, 8]),
    "rank_range": ([9, 8, 0, 7], [4, 5, 3]),
    "rel_rank": ([9, 5, 8, 0, 7], [4, 3]),
}


@pytest.mark.parametrize("sel", sorted(L_MULTI))
def test_list_multi_get_every_return_type(client, lkey, sel):
    check_rts(client, lkey, lambda rt: _lsel("get", sel, rt), L_MULTI[sel], L_RT_NAMES,
              L_SORTED_RTS)
    assert bins(client, lkey)["l"] == L


@pytest.mark.parametrize("sel", sorted(L_MULTI_INV))
def test_list_multi_get_inverted(client, lkey, sel):
    check_rts(client, lkey, lambda rt: _lsel("get", sel, rt, inverted=True),
              L_MULTI_INV[sel], L_RT_NAMES)


@pytest.mark.parametrize("sel", sorted(L_MULTI))
def test_list_multi_remove_every_return_type(client, lkey, sel):
    bad = []
    for rt, want in L_MULTI[sel].items():
        client.put(lkey, {"l": list(L)})
        got = run(client, lkey, _lsel("remove", sel, rt))
        if rt in L_SORTED_RTS and isinstance(got, list):
            got = sorted(got)
        if not same(got, want):
            bad.append("%s: got %r, expected %r" % (L_RT_NAMES[rt], got, want))
        rest = bins(client, lkey)["l"]
        if rest != L_REMAINS[sel][0]:
            bad.append("%s: list after removal %r, expected %r"
                       % (L_RT_NAMES[rt], rest, L_REMAINS[sel][0]))
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("sel", sorted(L_MULTI_INV))
def test_list_multi_remove_inverted(client, lkey, sel):
    bad = []
    for rt, want in L_MULTI_INV[sel].items():
        client.put(lkey, {"l": list(L)})
        got = run(client, lkey, _lsel("remove", sel, rt, inverted=True))
        if not same(got, want):
            bad.append("%s: got %r, expected %r" % (L_RT_NAMES[rt], got, want))
        rest = bins(client, lkey)["l"]
        if rest != L_REMAINS[sel][1]:
            bad.append("%s: list after removal %r, expected %r"
                       % (L_RT_NAMES[rt], rest, L_REMAINS[sel][1]))
    assert not bad, "\n".join(bad)


# ---- ranges: clipping, open ends, documented result orders (VALUE)

@pytest.mark.parametrize("rank,count,expected", [
    # cdt.md §5 worked examples on [9,4,5,8,0,7,3]
    (0, 2, [3, 0]), (0, 3, [4, 3, 0]), (1, 3, [5, 4, 3]),
    (0, 7, [9, 8, 7, 5, 4, 3, 0]), (2, 5, [4, 5, 7, 8, 9]), (-3, 3, [7, 8, 9]),
    # derived from the same rule: window [5,7) -> ascending
    (-2, None, [8, 9]), (5, 10, [8, 9]),
    (7, 2, []), (-9, 1, []),
])
def test_list_rank_range_value_order(client, lkey, rank, count, expected):
    assert run(client, lkey, lo.list_get_by_rank_range("l", rank, L_VALUE, count)) == expected


@pytest.mark.parametrize("index,count,expected", [
    (4, None, [0, 7, 3]),
    (-2, 5, [7, 3]),
    (-9, 5, [9, 4, 5]),        # window starting before 0 is shortened (cdt.md §7)
    (7, 2, []),                # index >= size -> empty
    (3, 0, []),
    (0, 100, L),
])
def test_list_index_range_clipping(client, lkey, index, count, expected):
    assert run(client, lkey, lo.list_get_by_index_range("l", index, L_VALUE, count)) == expected


@pytest.mark.parametrize("begin,end,expected", [
    (None, 4, [0, 3]),                          # nil begin = from the smallest
    (8, None, [9, 8]),                          # end omitted = to +inf
    (5, aerospike.CDTInfinite(), [9, 5, 8, 7]),  # INFINITY accepted as end
    (4, 4, []),                                 # [begin, end) with begin == end
    (100, 200, []),
])
def test_list_value_range_open_ends(client, lkey, begin, end, expected):
    assert run(client, lkey, lo.list_get_by_value_range("l", L_VALUE, begin, end)) == expected


@pytest.mark.parametrize("value,rank,count,expected", [
    # value 5 -> rank 3 in value order 0,3,4,5,7,8,9 (cdt.md §7 + §5 ordering rule)
    (5, 0, None, [5, 7, 8, 9]),
    (5, 0, 2, [5, 7]),
    (6, 0, None, [7, 8, 9]),
    (5, -2, 2, [4, 3]),
    (1, -1, 2, [3, 0]),
    (100, 0, None, []),
    (5, -10, 3, []),           # window ends before 0 -> empty (cdt.md §7)
])
def test_list_value_relative_rank_range_unordered(client, lkey, value, rank, count, expected):
    assert run(client, lkey, lo.list_get_by_value_rank_range_relative(
        "l", value, rank, L_VALUE, count)) == expected


def test_list_value_relative_rank_range_probe(client, set_name):
    # probe list-valrelrank-order: [2,1,5] (1, 0) VALUE -> [5, 2, 1]
    k = put(client, set_name, {"u": [2, 1, 5]})
    assert run(client, k, lo.list_get_by_value_rank_range_relative("u", 1, 0, L_VALUE)) == [5, 2, 1]
    # probes list-rankrange-order-*, list-rankrange-inverted-value, list-rankrange-neg
    assert run(client, k, lo.list_get_by_rank_range("u", 0, L_VALUE, 2)) == [2, 1]
    assert run(client, k, lo.list_get_by_rank_range("u", 0, L_INDEX, 2)) == [0, 1]
    assert run(client, k, lo.list_get_by_rank_range("u", 0, L_VALUE, 1, inverted=True)) == [2, 5]
    assert run(client, k, lo.list_get_by_rank_range("u", -2, L_VALUE)) == [2, 5]
    # probe list-rank-count-rt-rank
    assert run(client, k, lo.list_get_by_rank("u", 0, L_RANK)) == 0
    assert run(client, k, lo.list_get_by_rank("u", 0, L_RRANK)) == 2


def test_list_value_interval_and_value_list_order_probes(client, set_name):
    # probes list-valinterval-order / list-valuelist-order: index order
    k = put(client, set_name, {"v": [3, 1, 2]})
    assert run(client, k, lo.list_get_by_value_range("v", L_VALUE, 1, 4)) == [3, 1, 2]
    assert run(client, k, lo.list_get_by_value_list("v", [2, 3], L_VALUE)) == [3, 2]


# ---- rank ties in lists (cdt.md §7, observed)

@pytest.mark.parametrize("rank,index", [(0, 1), (1, 3), (2, 4), (3, 2), (4, 0), (-1, 0), (-2, 2)])
def test_list_rank_ties(client, set_name, rank, index):
    k = put(client, set_name, {"l": [3, 1, 3, 1, 2]})
    assert run(client, k, lo.list_get_by_rank("l", rank, L_INDEX)) == index


def test_list_remove_by_rank_ties(client, set_name):
    k = put(client, set_name, {"l": [3, 1, 3, 1, 2]})
    assert run(client, k, lo.list_remove_by_rank("l", -1, L_INDEX)) == 0
    assert bins(client, k)["l"] == [1, 3, 1, 2]


def test_list_rank_range_with_ties_probes(client, set_name):
    # probes list-rankrange-all-{index,value,rank}, list-indexrange-{rank,revrank}
    k = put(client, set_name, {"l": [3, 1, 3, 1, 2]})
    assert run(client, k, lo.list_get_by_rank_range("l", 0, L_INDEX, 5)) == [0, 1, 2, 3, 4]
    assert run(client, k, lo.list_get_by_rank_range("l", 0, L_VALUE, 5)) == [3, 3, 2, 1, 1]
    assert run(client, k, lo.list_get_by_rank_range("l", 0, L_RANK, 5)) == [0, 1, 2, 3, 4]
    assert run(client, k, lo.list_get_by_index_range("l", 0, L_RANK, 5)) == [0, 1, 2, 3, 4]
    assert run(client, k, lo.list_get_by_index_range("l", 0, L_RRANK, 5)) == [0, 1, 2, 3, 4]


def test_list_duplicates_by_value(client, set_name):
    k = put(client, set_name, {"l": [1, 5, 1, 9, 1]})
    assert run(client, k, lo.list_get_by_value("l", 1, L_INDEX)) == [0, 2, 4]
    assert sorted(run(client, k, lo.list_get_by_value("l", 1, L_RINDEX))) == [0, 2, 4]
    assert run(client, k, lo.list_get_by_value("l", 1, L_VALUE)) == [1, 1, 1]
    assert run(client, k, lo.list_get_by_value("l", 1, L_COUNT)) == 3
    assert run(client, k, lo.list_get_by_value("l", 1, L_INDEX, inverted=True)) == [1, 3]


def test_list_wildcard_value(client, set_name):
    # WILDCARD compares equal to anything, also inside lists (cdt.md §1.2)
    k = put(client, set_name, {"l": [["a", 1], ["b", 2], ["a", 3, 4], "a"]})
    got = run(client, k, lo.list_get_by_value("l", ["a", aerospike.CDTWildcard()], L_VALUE))
    assert got == [["a", 1], ["a", 3, 4]]
    assert run(client, k, lo.list_get_by_value("l", ["a", aerospike.CDTWildcard()], L_INDEX)) == [0, 2]


# ---- not found (cdt.md §5, probes nf-list-*)

def test_list_not_found_results(client, set_name):
    k = put(client, set_name, {"l": [1, 2, 3]})
    check_rts(client, k, lambda rt: lo.list_get_by_value("l", 9, rt),
              {L_VALUE: [], L_INDEX: [], L_COUNT: 0, L_EXISTS: False, L_RANK: []},
              L_RT_NAMES)
    check_rts(client, k, lambda rt: lo.list_get_by_value_range("l", rt, 10, 20),
              {L_VALUE: [], L_INDEX: [], L_COUNT: 0, L_EXISTS: False}, L_RT_NAMES)
    check_rts(client, k, lambda rt: lo.list_get_by_index_range("l", 5, rt, 2),
              {L_VALUE: [], L_INDEX: [], L_COUNT: 0, L_EXISTS: False}, L_RT_NAMES)
    assert run(client, k, lo.list_get_range("l", 10, 2)) == []      # probe list-getrange-oob
    assert run(client, k, lo.list_remove_by_value("l", 9, L_COUNT)) == 0
    assert bins(client, k)["l"] == [1, 2, 3]


# ---- plain list ops

def test_list_append_and_append_items(client, set_name):
    k = put(client, set_name, {"l": [1, 2]})
    assert run(client, k, lo.list_append("l", 3)) == 3
    assert run(client, k, lo.list_append_items("l", [4, "x"])) == 5
    assert run(client, k, lo.list_append("l", [6])) == 6
    assert bins(client, k)["l"] == [1, 2, 3, 4, "x", [6]]


def test_list_append_items_creates_the_bin(client, set_name):
    k = put(client, set_name, {"x": 1})
    assert run(client, k, lo.list_append_items("l", [3, 1, 2])) == 3
    assert bins(client, k)["l"] == [3, 1, 2]


def test_list_insert(client, set_name):
    k = put(client, set_name, {"l": [1, 2, 3]})
    assert run(client, k, lo.list_insert("l", 1, "x")) == 4
    assert run(client, k, lo.list_insert("l", -1, "y")) == 5
    assert bins(client, k)["l"] == [1, "x", 2, "y", 3]
    # beyond the end of an unordered list: nil padding (probe list-insert-unbounded-oob)
    assert run(client, k, lo.list_insert("l", 7, 9)) == 8
    assert bins(client, k)["l"] == [1, "x", 2, "y", 3, None, None, 9]


def test_list_insert_items(client, set_name):
    k = put(client, set_name, {"l": [1, 2, 3]})
    assert run(client, k, lo.list_insert_items("l", 0, [7, 8])) == 5
    assert run(client, k, lo.list_insert_items("l", -1, ["a"])) == 6
    assert bins(client, k)["l"] == [7, 8, 1, 2, "a", 3]
    assert run(client, k, lo.list_insert_items("l", 8, [0])) == 9
    assert bins(client, k)["l"] == [7, 8, 1, 2, "a", 3, None, None, 0]


def test_list_pop_and_pop_range(client, set_name):
    k = put(client, set_name, {"l": [1, 2, 3, 4, 5, 6]})
    assert run(client, k, lo.list_pop("l", 1)) == 2
    assert run(client, k, lo.list_pop("l", -1)) == 6
    assert bins(client, k)["l"] == [1, 3, 4, 5]
    assert run(client, k, lo.list_pop_range("l", 1, 2)) == [3, 4]
    assert bins(client, k)["l"] == [1, 5]
    assert run(client, k, lo.list_pop_range("l", -5, 10)) == [1, 5]
    assert bins(client, k)["l"] == []


def test_list_pop_last_element_leaves_an_empty_list(client, set_name):
    # probe list-pop-last
    k = put(client, set_name, {"l": [1], "keep": 1})
    assert run(client, k, lo.list_pop("l", 0)) == 1
    assert bins(client, k) == {"l": [], "keep": 1}


def test_list_remove_and_remove_range(client, set_name):
    k = put(client, set_name, {"l": [1, 2, 3, 4, 5, 6]})
    assert run(client, k, lo.list_remove("l", 0)) == 1
    assert run(client, k, lo.list_remove("l", -1)) == 1
    assert bins(client, k)["l"] == [2, 3, 4, 5]
    assert run(client, k, lo.list_remove_range("l", 1, 2)) == 2
    assert bins(client, k)["l"] == [2, 5]
    assert run(client, k, lo.list_remove_range("l", 5, 2)) == 0
    assert bins(client, k)["l"] == [2, 5]


def test_list_set(client, set_name):
    k = put(client, set_name, {"l": [1, 2, 3]})
    assert run(client, k, lo.list_set("l", 1, "x")) is None
    assert run(client, k, lo.list_set("l", -1, [0])) is None
    assert bins(client, k)["l"] == [1, "x", [0]]
    # SET at an index >= size behaves like INSERT: nil padding (cdt.md §3.1)
    run(client, k, lo.list_set("l", 4, 9))
    assert bins(client, k)["l"] == [1, "x", [0], None, 9]


def test_list_trim(client, set_name):
    k = put(client, set_name, {"l": [1, 2, 3, 4, 5]})
    assert run(client, k, lo.list_trim("l", 1, 2)) == 3      # keeps [1, 3), result = removed
    assert bins(client, k)["l"] == [2, 3]
    assert run(client, k, lo.list_trim("l", 0, 10)) == 0
    assert bins(client, k)["l"] == [2, 3]


def test_list_clear(client, set_name):
    # probe list-clear-only-bin: the bin stays as []
    k = put(client, set_name, {"l": [1, 2, 3]})
    assert run(client, k, lo.list_clear("l")) is None
    assert bins(client, k)["l"] == []
    assert run(client, k, lo.list_size("l")) == 0


def test_list_size_get_get_range(client, lkey):
    assert run(client, lkey, lo.list_size("l")) == 7
    assert run(client, lkey, lo.list_get("l", 0)) == 9
    assert run(client, lkey, lo.list_get("l", -1)) == 3
    assert run(client, lkey, lo.list_get_range("l", 2, 3)) == [5, 8, 0]
    assert run(client, lkey, lo.list_get_range("l", 5, 10)) == [7, 3]
    assert run(client, lkey, lo.list_get_range("l", -3, 2)) == [0, 7]


def test_list_increment(client, set_name):
    k = put(client, set_name, {"l": [1, 2.5]})
    got = run(client, k, lo.list_increment("l", 0, 1.5))     # float delta on int -> int
    assert same(got, 2)
    got = run(client, k, lo.list_increment("l", 1, 1))       # int delta on double -> double
    assert same(got, 3.5)
    assert same(bins(client, k)["l"], [2, 3.5])
    # missing index of an unordered list: created with the delta, nil padding
    assert run(client, k, lo.list_increment("l", 4, 2)) == 2
    assert same(bins(client, k)["l"], [2, 3.5, None, None, 2])
    assert run(client, k, lo.list_increment("l", -5, -3)) == -1
    assert same(bins(client, k)["l"], [-1, 3.5, None, None, 2])


def test_list_sort(client, set_name):
    # value order NIL < ints < STRING < LIST < DOUBLE (cdt.md §1.2)
    k = put(client, set_name, {"l": [3, "b", -1, "a", [1], None, 2.5, 1]})
    assert run(client, k, lo.list_sort("l", aerospike.LIST_SORT_DEFAULT)) is None
    assert same(bins(client, k)["l"], [None, -1, 1, 3, "a", "b", [1], 2.5])


@pytest.mark.parametrize("flags,expected", [
    (0, [1, 1, 2, 3, 3]),
    (1, [3, 3, 2, 1, 1]),          # DESCENDING
    (2, [1, 2, 3]),                # DROP_DUPLICATES
])
def test_list_sort_flags(client, set_name, flags, expected):
    k = put(client, set_name, {"l": [3, 1, 2, 1, 3]})
    run(client, k, lo.list_sort("l", flags))
    assert bins(client, k)["l"] == expected


def test_list_sort_descending_drop_duplicates_is_refused(client, set_name):
    """DESCENDING | DROP_DUPLICATES: the real server's duplicate pass expects ascending order
    and refuses the list with 4 (CE 8.1.2 `list_sort` -> `order_index_sorted_mark_dup_eles`,
    which returns false on a descending pair). The list is left unchanged."""
    k = put(client, set_name, {"l": [3, 1, 2, 1, 3]})
    with pytest.raises(ex.InvalidRequest):
        run(client, k, lo.list_sort("l", aerospike.LIST_SORT_DROP_DUPLICATES | 1))
    assert bins(client, k)["l"] == [3, 1, 2, 1, 3]


def test_list_set_order(client, set_name):
    k = put(client, set_name, {"l": [3, 1, 2]})
    assert run(client, k, lo.list_set_order("l", aerospike.LIST_ORDERED)) is None
    assert bins(client, k)["l"] == [1, 2, 3]
    run(client, k, lo.list_append("l", 0))
    assert bins(client, k)["l"] == [0, 1, 2, 3]
    run(client, k, lo.list_set_order("l", aerospike.LIST_UNORDERED))
    run(client, k, lo.list_append("l", -1))
    assert bins(client, k)["l"] == [0, 1, 2, 3, -1]


@pytest.mark.parametrize("persist", [False, True])
def test_list_create_ordered(client, set_name, persist):
    # capture list-ordered-create (SET_TYPE 0x11 + append_items [3,1,2] -> [1,2,3])
    k = put(client, set_name, {"x": 1})
    _, _, b = client.operate(k, [lo.list_create("ol", aerospike.LIST_ORDERED, False, persist),
                                 lo.list_append_items("ol", [3, 1, 2])])
    assert b["ol"] == 3
    assert bins(client, k)["ol"] == [1, 2, 3]
    run(client, k, lo.list_append("ol", 0))
    assert bins(client, k)["ol"] == [0, 1, 2, 3]


def test_list_create_unordered(client, set_name):
    k = put(client, set_name, {"x": 1})
    client.operate(k, [lo.list_create("ul", aerospike.LIST_UNORDERED, False, False),
                       lo.list_append_items("ul", [3, 1, 2])])
    assert bins(client, k)["ul"] == [3, 1, 2]


# ---- list write flags

@pytest.mark.parametrize("case", [
    # (id, op, exception or None, result, list afterwards)
    ("append-unique-dup", lambda: lo.list_append("l", 2, {"write_flags": ADD_UNIQUE}),
     ex.ElementExistsError, None, [1, 2, 3]),
    ("append-unique-dup-nofail", lambda: lo.list_append("l", 2, {"write_flags": ADD_UNIQUE | L_NO_FAIL}),
     None, 3, [1, 2, 3]),
    ("append-unique-new", lambda: lo.list_append("l", 4, {"write_flags": ADD_UNIQUE}),
     None, 4, [1, 2, 3, 4]),
    ("append-items-unique-dup", lambda: lo.list_append_items("l", [2, 4], {"write_flags": ADD_UNIQUE}),
     ex.ElementExistsError, None, [1, 2, 3]),
    ("append-items-unique-nofail", lambda: lo.list_append_items(
        "l", [2, 4], {"write_flags": ADD_UNIQUE | L_NO_FAIL}), None, 3, [1, 2, 3]),
    ("append-items-unique-nofail-partial", lambda: lo.list_append_items(
        "l", [2, 4], {"write_flags": ADD_UNIQUE | L_NO_FAIL | L_PARTIAL}), None, 4, [1, 2, 3, 4]),
    ("append-items-unique-partial-without-nofail", lambda: lo.list_append_items(
        "l", [2, 4], {"write_flags": ADD_UNIQUE | L_PARTIAL}), ex.ElementExistsError, None, [1, 2, 3]),
    ("insert-unique-dup", lambda: lo.list_insert("l", 0, 3, {"write_flags": ADD_UNIQUE}),
     ex.ElementExistsError, None, [1, 2, 3]),
    ("insert-unique-dup-nofail", lambda: lo.list_insert("l", 0, 3, {"write_flags": ADD_UNIQUE | L_NO_FAIL}),
     None, 3, [1, 2, 3]),
    ("insert-items-unique-partial", lambda: lo.list_insert_items(
        "l", 0, [3, 0], {"write_flags": ADD_UNIQUE | L_NO_FAIL | L_PARTIAL}), None, 4, [0, 1, 2, 3]),
    ("set-unique-dup", lambda: lo.list_set("l", 0, 3, {"write_flags": ADD_UNIQUE}),
     ex.ElementExistsError, None, [1, 2, 3]),
    ("set-unique-dup-nofail", lambda: lo.list_set("l", 0, 3, {"write_flags": ADD_UNIQUE | L_NO_FAIL}),
     None, ANY, [1, 2, 3]),
    ("insert-bounded-oob", lambda: lo.list_insert("l", 5, 9, {"write_flags": INSERT_BOUNDED}),
     ex.OpNotApplicable, None, [1, 2, 3]),
    ("insert-bounded-oob-nofail", lambda: lo.list_insert("l", 5, 9, {"write_flags": INSERT_BOUNDED | L_NO_FAIL}),
     None, 3, [1, 2, 3]),
    ("insert-bounded-at-end", lambda: lo.list_insert("l", 3, 9, {"write_flags": INSERT_BOUNDED}),
     None, 4, [1, 2, 3, 9]),
    ("insert-items-bounded-oob", lambda: lo.list_insert_items("l", 5, [9], {"write_flags": INSERT_BOUNDED}),
     ex.OpNotApplicable, None, [1, 2, 3]),
    ("set-bounded-oob", lambda: lo.list_set("l", 5, 9, {"write_flags": INSERT_BOUNDED}),
     ex.OpNotApplicable, None, [1, 2, 3]),
    ("set-bounded-oob-nofail", lambda: lo.list_set("l", 5, 9, {"write_flags": INSERT_BOUNDED | L_NO_FAIL}),
     None, ANY, [1, 2, 3]),
], ids=lambda c: c[0])
def test_list_write_flags(client, set_name, case):
    _, make_op, exc, result, after = case
    k = put(client, set_name, {"l": [1, 2, 3]})
    if exc is not None:
        assert_fails(client, k, [op.write("w", 1), make_op()], exc, exc.code)
    elif result is ANY:     # SET has no documented result for a skipped write
        run(client, k, make_op())
    else:
        assert run(client, k, make_op()) == result
    assert bins(client, k)["l"] == after


# ---- ordered lists

OL = [0, 3, 4, 5, 7, 8, 9]


@pytest.fixture
def olkey(client, set_name):
    k = put(client, set_name, {"x": 1})
    assert run(client, k, lo.list_append_items("l", [9, 4, 5, 8, 0, 7, 3], LIST_ORDERED)) == 7
    assert bins(client, k)["l"] == OL
    return k


def test_ordered_list_single_every_return_type(client, olkey):
    # index 1 = value 3 = rank 1 (index == rank in an ordered list)
    expected = {L_NONE: None, L_INDEX: 1, L_RINDEX: 5, L_RANK: 1, L_RRANK: 5,
                L_COUNT: 1, L_VALUE: 3, L_EXISTS: True}
    check_rts(client, olkey, lambda rt: lo.list_get_by_index("l", 1, rt), expected, L_RT_NAMES)
    check_rts(client, olkey, lambda rt: lo.list_get_by_rank("l", 1, rt), expected, L_RT_NAMES)
    check_rts(client, olkey, lambda rt: lo.list_get_by_value("l", 3, rt),
              {L_INDEX: [1], L_RINDEX: [5], L_RANK: [1], L_RRANK: [5], L_COUNT: 1,
               L_VALUE: [3], L_EXISTS: True}, L_RT_NAMES)


@pytest.mark.parametrize("make_op,expected", [
    (lambda: lo.list_get_by_rank_range("l", 1, L_VALUE, 3), [3, 4, 5]),   # always ascending
    (lambda: lo.list_get_by_rank_range("l", 0, L_VALUE, 2), [0, 3]),
    (lambda: lo.list_get_by_rank_range("l", -3, L_VALUE), [7, 8, 9]),
    (lambda: lo.list_get_by_rank_range("l", 1, L_INDEX, 3), [1, 2, 3]),
    (lambda: lo.list_get_by_index_range("l", 1, L_VALUE, 3), [3, 4, 5]),
    (lambda: lo.list_get_by_index_range("l", 1, L_VALUE, 3, inverted=True), [0, 7, 8, 9]),
    (lambda: lo.list_get_by_value_range("l", L_VALUE, 4, 8), [4, 5, 7]),
    (lambda: lo.list_get_by_value_range("l", L_INDEX, 4, 8), [2, 3, 4]),
    (lambda: lo.list_get_by_value_range("l", L_VALUE, 4, 8, inverted=True), [0, 3, 8, 9]),
    (lambda: lo.list_get_by_value_list("l", [8, 0], L_COUNT, inverted=True), 5),
    (lambda: lo.list_get_by_value_list("l", [8, 0], L_VALUE, inverted=True), [3, 4, 5, 7, 9]),
])
def test_ordered_list_multi(client, olkey, make_op, expected):
    assert run(client, olkey, make_op()) == expected


def test_ordered_list_value_list(client, olkey):
    # The notes' "index order" for value lists was observed on an unordered list only;
    # for an ORDERED list the order is left open -> compare sorted.
    assert sorted(run(client, olkey, lo.list_get_by_value_list("l", [8, 0], L_VALUE))) == [0, 8]
    assert sorted(run(client, olkey, lo.list_get_by_value_list("l", [8, 0], L_INDEX))) == [0, 5]


@pytest.mark.parametrize("value,rank,count,expected", [
    # cdt.md §7 worked examples on the ordered list [0,4,5,9,11,15]
    (5, 0, None, [5, 9, 11, 15]), (5, 1, None, [9, 11, 15]), (5, -1, None, [4, 5, 9, 11, 15]),
    (3, 0, None, [4, 5, 9, 11, 15]), (3, 3, None, [11, 15]), (3, -3, None, [0, 4, 5, 9, 11, 15]),
    (5, 0, 2, [5, 9]), (5, 1, 1, [9]), (5, -1, 2, [4, 5]), (3, 0, 1, [4]),
    (3, 3, 7, [11, 15]), (3, -3, 2, []),
])
def test_ordered_list_value_relative_rank_range(client, set_name, value, rank, count, expected):
    k = put(client, set_name, {"x": 1})
    run(client, k, lo.list_append_items("l", [15, 0, 9, 4, 11, 5], LIST_ORDERED))
    assert run(client, k, lo.list_get_by_value_rank_range_relative(
        "l", value, rank, L_VALUE, count)) == expected
    # the removal twin removes exactly that selection
    got = run(client, k, lo.list_remove_by_value_rank_range_relative("l", value, rank, L_VALUE, count))
    assert got == expected
    assert bins(client, k)["l"] == [v for v in [0, 4, 5, 9, 11, 15] if v not in expected]


@pytest.mark.parametrize("value,rank,count,expected", [
    (5, 0, None, [0, 4]), (5, -1, 2, [0, 9, 11, 15]), (3, 3, 7, [0, 4, 5, 9]),
])
def test_ordered_list_value_relative_rank_range_inverted(client, set_name, value, rank, count,
                                                         expected):
    k = put(client, set_name, {"x": 1})
    run(client, k, lo.list_append_items("l", [15, 0, 9, 4, 11, 5], LIST_ORDERED))
    assert run(client, k, lo.list_get_by_value_rank_range_relative(
        "l", value, rank, L_VALUE, count, inverted=True)) == expected
    assert run(client, k, lo.list_get_by_value_rank_range_relative(
        "l", value, rank, L_COUNT, count, inverted=True)) == len(expected)


def test_ordered_list_writes(client, olkey):
    assert run(client, olkey, lo.list_append("l", 6)) == 8
    assert run(client, olkey, lo.list_append_items("l", [10, -1])) == 10
    assert bins(client, olkey)["l"] == [-1, 0, 3, 4, 5, 6, 7, 8, 9, 10]
    assert run(client, olkey, lo.list_remove_by_value_range("l", L_COUNT, 4, 8)) == 4
    assert bins(client, olkey)["l"] == [-1, 0, 3, 8, 9, 10]
    assert run(client, olkey, lo.list_pop("l", 0)) == -1
    assert run(client, olkey, lo.list_remove_by_rank("l", -1, L_VALUE)) == 10
    assert bins(client, olkey)["l"] == [0, 3, 8, 9]


def test_ordered_list_increment_resorts(client, set_name):
    # cdt.md §3.1: [1,3,5], index 0 + 10 -> [3,5,11]
    k = put(client, set_name, {"x": 1})
    run(client, k, lo.list_append_items("l", [5, 1, 3], LIST_ORDERED))
    assert run(client, k, lo.list_increment("l", 0, 10)) == 11
    assert bins(client, k)["l"] == [3, 5, 11]


def test_ordered_list_add_unique(client, olkey):
    flags = {"list_order": aerospike.LIST_ORDERED, "write_flags": ADD_UNIQUE}
    assert_fails(client, olkey, [op.write("w", 1), lo.list_append_items("l", [1, 4], flags)],
                 ex.ElementExistsError, 24)
    flags["write_flags"] = ADD_UNIQUE | L_NO_FAIL | L_PARTIAL
    assert run(client, olkey, lo.list_append_items("l", [1, 4], flags)) == 8
    assert bins(client, olkey)["l"] == [0, 1, 3, 4, 5, 7, 8, 9]


# ====================================================================== MAPS
#
# M = {a:5, b:1, c:4, d:2, e:3}
#   key order (index)  a0 b1 c2 d3 e4
#   value order (rank) b1 d2 e3 c4 a5  -> ranks a4 b0 c3 d1 e2
M = {"a": 5, "b": 1, "c": 4, "d": 2, "e": 3}
MAP_ORDERS = ["unordered", "key_ordered", "key_value_ordered", "key_ordered_persist",
              "key_value_ordered_persist"]


def make_map(client, set_name, order, items, k="r"):
    """Write `items` into bin m as an unordered, K-ordered or KV-ordered map."""
    kk = key(set_name, k)
    if order == "unordered":
        client.put(kk, {"m": dict(items)})
    elif order == "key_ordered":
        client.put(kk, {"x": 1})
        client.operate(kk, [mo.map_create("m", aerospike.MAP_KEY_ORDERED, False),
                            mo.map_put_items("m", dict(items))])
    elif order.endswith("_persist"):
        map_order = (aerospike.MAP_KEY_ORDERED if order == "key_ordered_persist"
                     else aerospike.MAP_KEY_VALUE_ORDERED)
        client.put(kk, {"x": 1})
        client.operate(kk, [mo.map_create("m", map_order, True),
                            mo.map_put_items("m", dict(items))])
    else:
        client.put(kk, {"x": 1})
        client.operate(kk, [mo.map_put_items("m", dict(items),
                                             {"map_order": aerospike.MAP_KEY_VALUE_ORDERED})])
    got = bins(client, kk)["m"]
    assert got == items
    assert list(got.keys()) == sorted(items)       # all maps come back in key order
    return kk


M_SINGLE = {M_NONE: None, M_INDEX: 3, M_RINDEX: 1, M_RANK: 1, M_RRANK: 3, M_COUNT: 1,
            M_KEY: "d", M_VALUE: 2, M_KV: ["d", 2], M_EXISTS: True,
            M_UMAP: {"d": 2}, M_OMAP: {"d": 2}}

M_SINGLE_GETS = {
    "get_by_key": lambda rt: mo.map_get_by_key("m", "d", rt),
    "get_by_index": lambda rt: mo.map_get_by_index("m", 3, rt),
    "get_by_index_negative": lambda rt: mo.map_get_by_index("m", -2, rt),
    "get_by_rank": lambda rt: mo.map_get_by_rank("m", 1, rt),
    "get_by_rank_negative": lambda rt: mo.map_get_by_rank("m", -4, rt),
}


@pytest.mark.parametrize("order", MAP_ORDERS)
@pytest.mark.parametrize("name", sorted(M_SINGLE_GETS))
def test_map_single_get_every_return_type(client, set_name, order, name):
    k = make_map(client, set_name, order, M)
    check_rts(client, k, M_SINGLE_GETS[name], M_SINGLE, M_RT_NAMES)
    assert bins(client, k)["m"] == M


M_SINGLE_REMOVES = {
    "remove_by_key": lambda rt: mo.map_remove_by_key("m", "d", rt),
    "remove_by_index": lambda rt: mo.map_remove_by_index("m", 3, rt),
    "remove_by_rank": lambda rt: mo.map_remove_by_rank("m", 1, rt),
}


@pytest.mark.parametrize("order", MAP_ORDERS)
@pytest.mark.parametrize("name", sorted(M_SINGLE_REMOVES))
def test_map_single_remove_every_return_type(client, set_name, order, name):
    bad = []
    rest_expected = {x: v for x, v in M.items() if x != "d"}
    for rt, want in M_SINGLE.items():
        k = make_map(client, set_name, order, M, k="r%d" % rt)
        got = run(client, k, M_SINGLE_REMOVES[name](rt))
        if not same(got, want):
            bad.append("%s: got %r, expected %r" % (M_RT_NAMES[rt], got, want))
        rest = bins(client, k)["m"]
        if rest != rest_expected:
            bad.append("%s: map after removal %r" % (M_RT_NAMES[rt], rest))
    assert not bad, "\n".join(bad)


def _msel(action, name, rt, inverted=False):
    pre = "map_%s_" % action
    if name == "value":
        return getattr(mo, pre + "by_value")("m", 2, rt, inverted=inverted)
    if name == "index_range":
        return getattr(mo, pre + "by_index_range")("m", 1, 3, rt, inverted=inverted)
    if name == "rank_range":
        return getattr(mo, pre + "by_rank_range")("m", 1, 3, rt, inverted=inverted)
    if name == "value_range":
        return getattr(mo, pre + "by_value_range")("m", 2, 4, rt, inverted=inverted)
    if name == "key_range":
        return getattr(mo, pre + "by_key_range")("m", "b", "d", rt, inverted=inverted)
    if name == "key_range_inf":
        return getattr(mo, pre + "by_key_range")("m", "c", aerospike.CDTInfinite(), rt,
                                                 inverted=inverted)
    if name == "key_list":
        return getattr(mo, pre + "by_key_list")("m", ["e", "a", "zz"], rt, inverted=inverted)
    if name == "value_list":
        return getattr(mo, pre + "by_value_list")("m", [2, 5, 99], rt, inverted=inverted)
    if name == "key_rel_index":
        return getattr(mo, pre + "by_key_index_range_relative")("m", "bb", -1, rt, 2,
                                                                inverted=inverted)
    if name == "value_rel_rank":
        return getattr(mo, pre + "by_value_rank_range_relative")("m", 3, 1, rt,
                                                                 inverted=inverted)
    raise AssertionError(name)


# selected keys, in the documented result order: key order for index/key selections,
# value (rank) order for rank ranges, value intervals and relative rank ranges
# (cdt.md §5); None = order not documented (compared sorted)
M_MULTI_SEL = {
    "value": (["d"], True),
    "index_range": (["b", "c", "d"], True),
    "rank_range": (["d", "e", "c"], True),
    "value_range": (["d", "e"], True),
    "key_range": (["b", "c"], True),
    "key_range_inf": (["c", "d", "e"], True),
    "key_list": (["a", "e"], False),
    "value_list": (["a", "d"], False),
    "key_rel_index": (["b", "c"], True),      # first key >= "bb" is c (index 2); -1 -> b, c
    "value_rel_rank": (["c", "a"], True),     # first value >= 3 is rank 2; +1 -> ranks 3, 4
}
M_IDX = {x: i for i, x in enumerate(sorted(M))}
M_RNK = {x: i for i, x in enumerate(sorted(M, key=lambda x: M[x]))}


def _map_expected(keys, ordered):
    n = len(M)
    exp_ = {
        M_NONE: None,
        M_COUNT: len(keys),
        M_EXISTS: bool(keys),
        M_RINDEX: sorted(n - 1 - M_IDX[x] for x in keys),
        M_RANK: sorted(M_RNK[x] for x in keys),
        M_RRANK: sorted(n - 1 - M_RNK[x] for x in keys),
        M_UMAP: {x: M[x] for x in keys},
        M_OMAP: {x: M[x] for x in keys},
    }
    if ordered:
        exp_[M_INDEX] = [M_IDX[x] for x in keys]
        exp_[M_KEY] = list(keys)
        exp_[M_VALUE] = [M[x] for x in keys]
        exp_[M_KV] = [y for x in keys for y in (x, M[x])]
    else:
        exp_[M_INDEX] = sorted(M_IDX[x] for x in keys)
        exp_[M_KEY] = sorted(keys)
        exp_[M_VALUE] = sorted(M[x] for x in keys)
    return exp_


def _normalise(rt, got, ordered):
    if isinstance(got, list) and (rt in M_SORTED_RTS or
                                  (not ordered and rt in (M_INDEX, M_KEY, M_VALUE))):
        return sorted(got)
    return got


@pytest.mark.parametrize("order", MAP_ORDERS)
@pytest.mark.parametrize("sel", sorted(M_MULTI_SEL))
def test_map_multi_get_every_return_type(client, set_name, order, sel):
    k = make_map(client, set_name, order, M)
    keys, ordered = M_MULTI_SEL[sel]
    expected = _map_expected(keys, ordered)
    if sel == "key_list":
        # rank return types on a key list: not documented (left out)
        del expected[M_RANK], expected[M_RRANK]
    bad = []
    for rt, want in expected.items():
        got = _normalise(rt, run(client, k, _msel("get", sel, rt)), ordered)
        if not same(got, want):
            bad.append("%s: got %r, expected %r" % (M_RT_NAMES[rt], got, want))
    # ORDERED_MAP results are key-sorted
    got = run(client, k, _msel("get", sel, M_OMAP))
    if isinstance(got, dict) and list(got) != sorted(got):
        bad.append("ORDERED_MAP key order %r" % list(got))
    if not ordered:
        got = run(client, k, _msel("get", sel, M_KV))
        pairs = sorted(zip(got[0::2], got[1::2])) if isinstance(got, list) else got
        if pairs != sorted((x, M[x]) for x in keys):
            bad.append("KEY_VALUE: got %r" % (got,))
    assert not bad, "\n".join(bad)
    assert bins(client, k)["m"] == M


@pytest.mark.parametrize("order", MAP_ORDERS)
@pytest.mark.parametrize("sel", sorted(M_MULTI_SEL))
def test_map_multi_get_inverted(client, set_name, order, sel):
    k = make_map(client, set_name, order, M)
    keys = sorted(set(M) - set(M_MULTI_SEL[sel][0]))
    bad = []
    for rt, want in [(M_COUNT, len(keys)), (M_KEY, keys), (M_VALUE, sorted(M[x] for x in keys)),
                     (M_INDEX, sorted(M_IDX[x] for x in keys)),
                     (M_UMAP, {x: M[x] for x in keys})]:
        got = run(client, k, _msel("get", sel, rt, inverted=True))
        if isinstance(got, list):
            got = sorted(got)
        if not same(got, want):
            bad.append("%s|INVERTED: got %r, expected %r" % (M_RT_NAMES[rt], got, want))
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("order", MAP_ORDERS)
@pytest.mark.parametrize("sel", sorted(M_MULTI_SEL))
def test_map_multi_remove_every_return_type(client, set_name, order, sel):
    keys, ordered = M_MULTI_SEL[sel]
    expected = _map_expected(keys, ordered)
    if sel == "key_list":
        del expected[M_RANK], expected[M_RRANK]
    rest_expected = {x: v for x, v in M.items() if x not in keys}
    bad = []
    for rt, want in expected.items():
        k = make_map(client, set_name, order, M, k="r%d" % rt)
        got = _normalise(rt, run(client, k, _msel("remove", sel, rt)), ordered)
        if not same(got, want):
            bad.append("%s: got %r, expected %r" % (M_RT_NAMES[rt], got, want))
        rest = bins(client, k)["m"]
        if rest != rest_expected:
            bad.append("%s: map after removal %r" % (M_RT_NAMES[rt], rest))
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("order", MAP_ORDERS)
@pytest.mark.parametrize("sel", sorted(M_MULTI_SEL))
@pytest.mark.parametrize("inverted", [False, True], ids=["plain", "inverted"])
def test_map_multi_remove(client, set_name, order, sel, inverted):
    selected = set(M_MULTI_SEL[sel][0])
    removed = sorted(set(M) - selected) if inverted else sorted(selected)
    bad = []
    for rt, want in [(M_KEY, removed), (M_COUNT, len(removed)), (M_NONE, None)]:
        k = make_map(client, set_name, order, M, k="r%d" % rt)
        got = run(client, k, _msel("remove", sel, rt, inverted=inverted))
        if isinstance(got, list):
            got = sorted(got)
        if not same(got, want):
            bad.append("%s: got %r, expected %r" % (M_RT_NAMES[rt], got, want))
        rest = bins(client, k)["m"]
        if rest != {x: v for x, v in M.items() if x not in removed}:
            bad.append("%s: map after removal %r" % (M_RT_NAMES[rt], rest))
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("order", MAP_ORDERS)
def test_map_remove_ranges_value_order(client, set_name, order):
    k = make_map(client, set_name, order, M)
    # top two by value, KEY_VALUE in rank order
    assert run(client, k, mo.map_remove_by_rank_range("m", -2, 2, M_KV)) == ["c", 4, "a", 5]
    assert bins(client, k)["m"] == {"b": 1, "d": 2, "e": 3}
    k = make_map(client, set_name, order, M, k="r2")
    # (value-interval result order: the only probe, map-valinterval-order, cannot tell key
    # order from value order, so compare sorted)
    assert sorted(run(client, k, mo.map_remove_by_value_range("m", 3, 6, M_KEY))) == ["a", "c", "e"]
    assert bins(client, k)["m"] == {"b": 1, "d": 2}
    k = make_map(client, set_name, order, M, k="r3")
    assert run(client, k, mo.map_remove_by_value_rank_range_relative("m", 3, 0, M_VALUE)) == [3, 4, 5]
    assert bins(client, k)["m"] == {"b": 1, "d": 2}
    k = make_map(client, set_name, order, M, k="r4")
    assert run(client, k, mo.map_remove_by_key_index_range_relative("m", "c", 0, M_KEY)) == ["c", "d", "e"]
    assert bins(client, k)["m"] == {"a": 5, "b": 1}
    k = make_map(client, set_name, order, M, k="r5")
    assert run(client, k, mo.map_remove_by_index_range("m", 1, 2, M_KEY)) == ["b", "c"]
    assert bins(client, k)["m"] == {"a": 5, "d": 2, "e": 3}


# ---- documented examples (cdt.md §5 / §7) and observed probes

@pytest.mark.parametrize("order", MAP_ORDERS)
def test_map_rank_range_probes(client, set_name, order):
    # probes map-rankrange-*, map-rank1-tie-key, map-index-order, map-valinterval-order
    k = make_map(client, set_name, order, {"c": 1, "a": 2, "b": 0, "d": 1})
    assert run(client, k, mo.map_get_by_rank_range("m", 0, 3, M_KEY)) == ["b", "c", "d"]
    assert run(client, k, mo.map_get_by_rank_range("m", 0, 4, M_VALUE)) == [0, 1, 1, 2]
    assert run(client, k, mo.map_get_by_rank_range("m", 0, 3, M_KV)) == ["b", 0, "c", 1, "d", 1]
    assert run(client, k, mo.map_get_by_rank_range("m", 0, 4, M_INDEX)) == [1, 2, 3, 0]
    assert run(client, k, mo.map_get_by_rank("m", 1, M_KEY)) == "c"
    assert run(client, k, mo.map_get_by_rank("m", 2, M_KEY)) == "d"
    assert run(client, k, mo.map_get_by_index_range("m", 0, 4, M_KEY)) == ["a", "b", "c", "d"]
    assert run(client, k, mo.map_get_by_value_range("m", 0, 2, M_KEY)) == ["b", "c", "d"]


@pytest.mark.parametrize("rank,k_", [(0, "b"), (1, "d"), (2, "e"), (3, "a"), (4, "c"), (-1, "c")])
def test_map_rank_ties_by_key(client, set_name, rank, k_):
    # cdt.md §7: {a:3,b:1,c:3,d:1,e:2}: ranks 0..4 -> b,d,e,a,c; rank -1 -> c
    k = put(client, set_name, {"m": {"a": 3, "b": 1, "c": 3, "d": 1, "e": 2}})
    assert run(client, k, mo.map_get_by_rank("m", rank, M_KEY)) == k_


def test_map_rank_range_ties_by_key(client, set_name):
    k = put(client, set_name, {"m": {"a": 3, "b": 1, "c": 3, "d": 1, "e": 2}})
    assert run(client, k, mo.map_get_by_rank_range("m", 0, 5, M_KEY)) == ["b", "d", "e", "a", "c"]


DOC_MAP = {0: 17, 4: 2, 5: 15, 9: 10}


@pytest.mark.parametrize("key_,index,count,expected", [
    (5, 0, None, [5, 9]), (5, 1, None, [9]), (5, -1, None, [4, 5, 9]), (3, 2, None, [9]),
    (3, -2, None, [0, 4, 5, 9]), (5, 0, 1, [5]), (5, 1, 2, [9]), (5, -1, 1, [4]),
    (3, 2, 1, [9]), (3, -2, 2, [0]),
])
def test_map_key_relative_index_range_doc(client, set_name, key_, index, count, expected):
    k = put(client, set_name, {"m": dict(DOC_MAP)})
    assert run(client, k, mo.map_get_by_key_index_range_relative(
        "m", key_, index, M_KEY, count)) == expected
    got = run(client, k, mo.map_get_by_key_index_range_relative("m", key_, index, M_KV, count))
    assert got == [y for x in expected for y in (x, DOC_MAP[x])]


@pytest.mark.parametrize("value,rank,count,keys,values", [
    (11, 1, None, [0], [17]), (11, -1, None, [9, 5, 0], [10, 15, 17]),
    (11, 1, 1, [0], [17]), (11, -1, 1, [9], [10]),
])
def test_map_value_relative_rank_range_doc(client, set_name, value, rank, count, keys, values):
    k = put(client, set_name, {"m": dict(DOC_MAP)})
    assert run(client, k, mo.map_get_by_value_rank_range_relative("m", value, rank, M_KEY, count)) == keys
    assert run(client, k, mo.map_get_by_value_rank_range_relative("m", value, rank, M_VALUE, count)) == values
    got = run(client, k, mo.map_get_by_value_rank_range_relative("m", value, rank, M_KV, count))
    assert got == [y for x, v in zip(keys, values) for y in (x, v)]


def test_map_not_found_results(client, set_name):
    # probes nf-map-key-*, nf-map-keylist-value (cdt.md §5)
    k = put(client, set_name, {"m": {"a": 1, "b": 2}})
    check_rts(client, k, lambda rt: mo.map_get_by_key("m", "zz", rt),
              {M_NONE: None, M_INDEX: -1, M_RINDEX: -1, M_RANK: -1, M_RRANK: -1, M_COUNT: 0,
               M_KEY: None, M_VALUE: None, M_KV: [], M_EXISTS: False, M_UMAP: {},
               M_OMAP: {}}, M_RT_NAMES)
    check_rts(client, k, lambda rt: mo.map_get_by_key_list("m", ["zz"], rt),
              {M_VALUE: [], M_KEY: [], M_INDEX: [], M_COUNT: 0, M_EXISTS: False}, M_RT_NAMES)
    check_rts(client, k, lambda rt: mo.map_get_by_value_range("m", 10, 20, rt),
              {M_VALUE: [], M_KEY: [], M_COUNT: 0, M_EXISTS: False, M_UMAP: {}}, M_RT_NAMES)
    assert run(client, k, mo.map_remove_by_key("m", "zz", M_VALUE)) is None
    assert run(client, k, mo.map_remove_by_value("m", 42, M_COUNT)) == 0
    assert bins(client, k)["m"] == {"a": 1, "b": 2}


# ---- map writes

def test_map_put_and_put_items(client, set_name):
    k = put(client, set_name, {"x": 1})
    assert run(client, k, mo.map_put("m", "b", 2)) == 1
    assert run(client, k, mo.map_put_items("m", {"a": 1, "c": 3})) == 3
    assert run(client, k, mo.map_put("m", "a", 10)) == 3
    assert run(client, k, mo.map_put_items("m", {"c": 30, "d": 4})) == 4
    got = bins(client, k)["m"]
    assert got == {"a": 10, "b": 2, "c": 30, "d": 4}
    assert list(got) == ["a", "b", "c", "d"]


def test_map_key_types_and_key_order(client, set_name):
    # ints, then strings, then blobs (cdt.md §4.1); blob keys are accepted (probe map-put-blob-key)
    k = put(client, set_name, {"x": 1})
    assert run(client, k, mo.map_put_items("m", {"b": 1, 2: 2, "a": 3, -1: 4})) == 4
    got = bins(client, k)["m"]
    assert got == {"b": 1, 2: 2, "a": 3, -1: 4}
    assert list(got) == [-1, 2, "a", "b"]
    blob = bytearray(b"\x01\x02")
    assert run(client, k, mo.map_put("m", blob, "v")) == 5
    assert run(client, k, mo.map_get_by_index_range("m", 0, 5, M_KEY)) == [-1, 2, "a", "b", blob]
    assert run(client, k, mo.map_get_by_index("m", -1, M_VALUE)) == "v"
    assert run(client, k, mo.map_get_by_key("m", blob, M_INDEX)) == 4


def test_map_increment_and_decrement(client, set_name):
    k = put(client, set_name, {"m": {"n": 1, "f": 1.5, "s": "x"}})
    assert run(client, k, mo.map_increment("m", "n", 5)) == 6
    assert run(client, k, mo.map_decrement("m", "n", 2)) == 4
    assert run(client, k, mo.map_increment("m", "new", 3)) == 3     # probe map-increment-missing-key
    assert run(client, k, mo.map_decrement("m", "neg", 3)) == -3
    assert same(run(client, k, mo.map_increment("m", "n", 2.5)), 6)  # probe map-increment-float-on-int
    assert same(run(client, k, mo.map_increment("m", "f", 1)), 2.5)
    assert same(bins(client, k)["m"], {"n": 6, "f": 2.5, "s": "x", "new": 3, "neg": -3})


def test_map_clear_and_size(client, set_name):
    k = put(client, set_name, {"m": {"a": 1, "b": 2}, "keep": 1})
    assert run(client, k, mo.map_size("m")) == 2
    assert run(client, k, mo.map_clear("m")) is None
    assert bins(client, k) == {"m": {}, "keep": 1}
    assert run(client, k, mo.map_size("m")) == 0


def test_map_remove_last_entry_leaves_an_empty_map(client, set_name):
    # probe map-remove-last
    k = put(client, set_name, {"m": {"a": 1}, "keep": 1})
    assert run(client, k, mo.map_remove_by_key("m", "a", M_VALUE)) == 1
    assert bins(client, k) == {"m": {}, "keep": 1}


def test_map_ops_on_a_missing_bin(client, set_name):
    k = put(client, set_name, {"x": 1})
    assert run(client, k, mo.map_size("nope")) is None
    assert run(client, k, mo.map_get_by_key("nope", "a", M_VALUE)) is None
    assert run(client, k, mo.map_remove_by_key("nope", "a", M_VALUE)) is None
    assert run(client, k, lo.list_remove_by_value("nope2", 1, L_COUNT)) is None
    assert bins(client, k) == {"x": 1}


@pytest.mark.parametrize("map_order", [aerospike.MAP_UNORDERED, aerospike.MAP_KEY_ORDERED,
                                       aerospike.MAP_KEY_VALUE_ORDERED])
def test_map_set_policy(client, set_name, map_order):
    k = put(client, set_name, {"m": {"c": 3, "a": 2, "b": 1}})
    assert run(client, k, mo.map_set_policy("m", {"map_order": map_order})) is None
    got = bins(client, k)["m"]
    assert got == {"a": 2, "b": 1, "c": 3} and list(got) == ["a", "b", "c"]
    assert run(client, k, mo.map_get_by_rank_range("m", 0, 3, M_KEY)) == ["b", "a", "c"]
    assert run(client, k, mo.map_put("m", "0", 0)) == 4
    assert run(client, k, mo.map_get_by_index("m", 0, M_KEY)) == "0"


def test_map_put_with_order_policy_and_ordered_map_result(client, set_name):
    # capture map-ordered-policy-put: KEY_VALUE_ORDERED put on a new bin, ORDERED_MAP result
    k = put(client, set_name, {"x": 1})
    assert run(client, k, mo.map_put("om2", "k", 1, {"map_order": aerospike.MAP_KEY_VALUE_ORDERED})) == 1
    assert run(client, k, mo.map_get_by_key("om2", "k", M_OMAP)) == {"k": 1}
    assert bins(client, k)["om2"] == {"k": 1}


# ---- map write flags

@pytest.mark.parametrize("case", [
    # (id, op, exception or None, result, map afterwards)
    ("put-create-only-exists", lambda: mo.map_put("m", "a", 9, {"map_write_flags": CREATE_ONLY}),
     ex.ElementExistsError, None, {"a": 1, "b": 2}),
    ("put-create-only-new", lambda: mo.map_put("m", "z", 9, {"map_write_flags": CREATE_ONLY}),
     None, 3, {"a": 1, "b": 2, "z": 9}),
    ("put-create-only-exists-nofail", lambda: mo.map_put(
        "m", "a", 9, {"map_write_flags": CREATE_ONLY | M_NO_FAIL}), None, 2, {"a": 1, "b": 2}),
    ("put-update-only-missing", lambda: mo.map_put("m", "z", 9, {"map_write_flags": UPDATE_ONLY}),
     ex.ElementNotFoundError, None, {"a": 1, "b": 2}),
    ("put-update-only-exists", lambda: mo.map_put("m", "a", 9, {"map_write_flags": UPDATE_ONLY}),
     None, 2, {"a": 9, "b": 2}),
    ("put-update-only-missing-nofail", lambda: mo.map_put(
        "m", "z", 9, {"map_write_flags": UPDATE_ONLY | M_NO_FAIL}), None, 2, {"a": 1, "b": 2}),
    ("items-create-only", lambda: mo.map_put_items(
        "m", {"a": 9, "c": 3}, {"map_write_flags": CREATE_ONLY}),
     ex.ElementExistsError, None, {"a": 1, "b": 2}),
    ("items-create-only-nofail", lambda: mo.map_put_items(
        "m", {"a": 9, "c": 3}, {"map_write_flags": CREATE_ONLY | M_NO_FAIL}),
     None, 2, {"a": 1, "b": 2}),
    ("items-create-only-nofail-partial", lambda: mo.map_put_items(
        "m", {"a": 9, "c": 3}, {"map_write_flags": CREATE_ONLY | M_NO_FAIL | M_PARTIAL}),
     None, 3, {"a": 1, "b": 2, "c": 3}),
    ("items-create-only-partial-without-nofail", lambda: mo.map_put_items(
        "m", {"a": 9, "c": 3}, {"map_write_flags": CREATE_ONLY | M_PARTIAL}),
     ex.ElementExistsError, None, {"a": 1, "b": 2}),
    ("items-update-only", lambda: mo.map_put_items(
        "m", {"a": 9, "c": 3}, {"map_write_flags": UPDATE_ONLY}),
     ex.ElementNotFoundError, None, {"a": 1, "b": 2}),
    ("items-update-only-nofail", lambda: mo.map_put_items(
        "m", {"a": 9, "c": 3}, {"map_write_flags": UPDATE_ONLY | M_NO_FAIL}),
     None, 2, {"a": 1, "b": 2}),
    ("items-update-only-nofail-partial", lambda: mo.map_put_items(
        "m", {"a": 9, "c": 3}, {"map_write_flags": UPDATE_ONLY | M_NO_FAIL | M_PARTIAL}),
     None, 2, {"a": 9, "b": 2}),
], ids=lambda c: c[0])
@pytest.mark.parametrize("order", MAP_ORDERS)
def test_map_write_flags(client, set_name, order, case):
    _, make_op, exc, result, after = case
    k = make_map(client, set_name, order, {"a": 1, "b": 2})
    if exc is not None:
        assert_fails(client, k, [op.write("w", 1), lo.list_append("aux", 1), make_op()],
                     exc, exc.code)
    else:
        assert run(client, k, make_op()) == result
    assert bins(client, k)["m"] == after


# ====================================================================== CAPTURED SEQUENCES

def test_captured_list_ops_sequence(client, set_name):
    # cdt.python-client.jsonl step list-ops: one operate, seven results in request order
    k = put(client, set_name, {"l": [5, 1, 4, 1, 3]})
    _, _, res = client.operate_ordered(k, [
        lo.list_append("l", 9), lo.list_append_items("l", [7, 8]), lo.list_insert("l", 0, 0),
        lo.list_get_by_index("l", 1, L_VALUE), lo.list_get_by_value_range("l", L_VALUE, 3, 8),
        lo.list_get_by_rank_range("l", 0, L_VALUE, 3), lo.list_size("l")])
    assert [v for _, v in res] == [6, 8, 9, 5, [5, 4, 3, 7], [1, 1, 0], 9]
    assert bins(client, k)["l"] == [0, 5, 1, 4, 1, 3, 9, 7, 8]
    # steps list-inverted, list-remove-by-value-inverted-count
    assert run(client, k, lo.list_get_by_value("l", 1, L_VALUE, inverted=True)) == [0, 5, 4, 3, 9, 7, 8]
    assert run(client, k, lo.list_remove_by_value_list("l", [1, 9], L_COUNT, inverted=True)) == 6
    assert bins(client, k)["l"] == [1, 1, 9]


def test_captured_map_ops_sequence(client, set_name):
    # cdt.python-client.jsonl step map-ops (python sets RESPOND_ALL_OPS for map ops)
    k = put(client, set_name, {"m": {"b": 2, "a": 1, "c": 3}})
    _, _, res = client.operate_ordered(k, [
        mo.map_put("m", "d", 4), mo.map_put_items("m", {"e": 5, "f": 6}),
        mo.map_get_by_key("m", "a", M_VALUE), mo.map_get_by_rank_range("m", -2, 2, M_KV),
        mo.map_increment("m", "a", 10), mo.map_size("m")])
    assert [v for _, v in res] == [4, 6, 1, ["e", 5, "f", 6], 11, 6]
    # step map-inverted
    assert run(client, k, mo.map_remove_by_key_list("m", ["a", "b"], M_KEY, inverted=True)) == \
        ["c", "d", "e", "f"]
    assert bins(client, k)["m"] == {"a": 11, "b": 2}


def test_captured_map_ordered_persist(client, set_name):
    # step map-ordered-persist: SET_TYPE has no result, then 3, then a KEY_VALUE pair list
    k = put(client, set_name, {"x": 1})
    _, _, res = client.operate_ordered(k, [
        mo.map_create("om", aerospike.MAP_KEY_ORDERED, True),
        mo.map_put_items("om", {"x": 24, "y": 25, "z": 26}),
        mo.map_get_by_index_range("om", 0, 2, M_KV)])
    assert [v for _, v in res] == [None, 3, ["x", 24, "y", 25]]
    got = bins(client, k)["om"]
    assert got == {"x": 24, "y": 25, "z": 26} and list(got) == ["x", "y", "z"]


# ====================================================================== CONTEXTS

NESTED = {
    "l": [[1, 2, 3], [7, 8], [4, 5, 6, 0]],
    # value order of the inner maps: by element count first -> b < a < c
    "m": {"a": {"x": 1, "y": 2}, "b": {"x": 9}, "c": {"v": 7, "w": 5, "z": 0}},
}


@pytest.fixture
def nkey(client, set_name):
    return put(client, set_name, {"l": [list(x) for x in NESTED["l"]],
                                  "m": {x: dict(v) for x, v in NESTED["m"].items()}})


@pytest.mark.parametrize("ctx,size,first", [
    ([cc.cdt_ctx_list_index(0)], 3, 1),
    ([cc.cdt_ctx_list_index(-1)], 4, 4),
    ([cc.cdt_ctx_list_rank(0)], 3, 1),          # lists compare element-wise: [1,2,3] smallest
    ([cc.cdt_ctx_list_rank(-1)], 2, 7),
    ([cc.cdt_ctx_list_value([7, 8])], 2, 7),
], ids=["list_index", "list_index_neg", "list_rank", "list_rank_neg", "list_value"])
def test_ctx_list_selectors_read(client, nkey, ctx, size, first):
    assert run(client, nkey, lo.list_size("l", ctx=ctx)) == size
    assert run(client, nkey, lo.list_get_by_index("l", 0, L_VALUE, ctx=ctx)) == first


@pytest.mark.parametrize("ctx,size,first_key", [
    ([cc.cdt_ctx_map_index(1)], 1, "x"),
    ([cc.cdt_ctx_map_index(-1)], 3, "v"),
    ([cc.cdt_ctx_map_rank(0)], 1, "x"),         # maps compare by element count first
    ([cc.cdt_ctx_map_rank(-1)], 3, "v"),
    ([cc.cdt_ctx_map_key("a")], 2, "x"),
    ([cc.cdt_ctx_map_value({"x": 9})], 1, "x"),
], ids=["map_index", "map_index_neg", "map_rank", "map_rank_neg", "map_key", "map_value"])
def test_ctx_map_selectors_read(client, nkey, ctx, size, first_key):
    assert run(client, nkey, mo.map_size("m", ctx=ctx)) == size
    assert run(client, nkey, mo.map_get_by_index("m", 0, M_KEY, ctx=ctx)) == first_key


def test_ctx_nested_range_results(client, nkey):
    # the result-order rules apply inside contexts too
    ctx = [cc.cdt_ctx_list_index(2)]        # [4, 5, 6, 0]: window [0,2) of 4 -> descending
    assert run(client, nkey, lo.list_get_by_rank_range("l", 0, L_VALUE, 2, ctx=ctx)) == [4, 0]
    assert run(client, nkey, lo.list_get_by_rank_range("l", 0, L_INDEX, 2, ctx=ctx)) == [0, 3]
    assert run(client, nkey, lo.list_get_by_value_range("l", L_VALUE, 4, 6, inverted=True,
                                                        ctx=ctx)) == [6, 0]
    ctx = [cc.cdt_ctx_map_key("c")]          # {v:7, w:5, z:0}
    assert run(client, nkey, mo.map_get_by_rank_range("m", 0, 2, M_KV, ctx=ctx)) == ["z", 0, "w", 5]
    assert run(client, nkey, mo.map_get_by_rank_range("m", 0, 2, M_INDEX, ctx=ctx)) == [2, 1]
    assert run(client, nkey, mo.map_get_by_key_range("m", "w", "z", M_KEY, ctx=ctx)) == ["w"]
    assert bins(client, nkey) == NESTED


def test_ctx_list_selectors_modify(client, nkey):
    assert run(client, nkey, lo.list_append("l", 9, ctx=[cc.cdt_ctx_list_index(1)])) == 3
    assert run(client, nkey, lo.list_append("l", 9, ctx=[cc.cdt_ctx_list_rank(0)])) == 4
    assert run(client, nkey, lo.list_pop("l", 0, ctx=[cc.cdt_ctx_list_value([4, 5, 6, 0])])) == 4
    assert run(client, nkey, lo.list_remove_by_value("l", 0, L_COUNT,
                                                     ctx=[cc.cdt_ctx_list_index(-1)])) == 1
    assert bins(client, nkey)["l"] == [[1, 2, 3, 9], [7, 8, 9], [5, 6]]


def test_ctx_map_selectors_modify(client, nkey):
    # rank 0 = b's map {x: 9}, the only one-entry map
    assert run(client, nkey, mo.map_increment("m", "x", 10, ctx=[cc.cdt_ctx_map_rank(0)])) == 19
    assert run(client, nkey, mo.map_put("m", "y", 1, ctx=[cc.cdt_ctx_map_value({"x": 19})])) == 2
    assert run(client, nkey, mo.map_remove_by_key("m", "z", M_VALUE,
                                                  ctx=[cc.cdt_ctx_map_index(2)])) == 0
    assert run(client, nkey, mo.map_put("m", "q", 0, ctx=[cc.cdt_ctx_map_key("c")])) == 3
    assert bins(client, nkey)["m"] == {"a": {"x": 1, "y": 2}, "b": {"x": 19, "y": 1},
                                       "c": {"q": 0, "v": 7, "w": 5}}


def test_ctx_mixed_levels(client, set_name):
    k = put(client, set_name, {"doc": {"items": [{"k": 1}, {"k": 2}], "tags": ["a"]}})
    ctx = [cc.cdt_ctx_map_key("items"), cc.cdt_ctx_list_index(-1)]
    assert run(client, k, mo.map_put("doc", "k2", 3, ctx=ctx)) == 2
    assert run(client, k, mo.map_get_by_key("doc", "k2", M_VALUE, ctx=ctx)) == 3
    ctx = [cc.cdt_ctx_map_key("tags")]
    assert run(client, k, lo.list_append("doc", "b", ctx=ctx)) == 2
    assert run(client, k, lo.list_get_by_value_range("doc", L_VALUE, "a", None, ctx=ctx)) == ["a", "b"]
    assert bins(client, k)["doc"] == {"items": [{"k": 1}, {"k": 2, "k2": 3}], "tags": ["a", "b"]}


def test_ctx_on_a_missing_bin_read_has_no_result(client, set_name):
    # probe ctx-on-missing-bin-read
    k = put(client, set_name, {"x": 1})
    assert run(client, k, lo.list_size("nobin", ctx=[cc.cdt_ctx_list_index(0)])) is None


# ---- *_create contexts

def test_ctx_map_key_create_on_existing_map(client, set_name):
    # probe ctx-create-map-key
    k = put(client, set_name, {"m": {"a": {"x": 1}, "b": 3}})
    ctx = [cc.cdt_ctx_map_key_create("new", aerospike.MAP_KEY_ORDERED)]
    assert run(client, k, mo.map_put("m", "k", 1, ctx=ctx)) == 1
    assert bins(client, k)["m"] == {"a": {"x": 1}, "b": 3, "new": {"k": 1}}


@pytest.mark.parametrize("order", [aerospike.MAP_UNORDERED, aerospike.MAP_KEY_ORDERED,
                                   aerospike.MAP_KEY_VALUE_ORDERED])
def test_ctx_map_key_create_on_missing_bin(client, set_name, order):
    # capture map-nested-ctx, probes ctx-create-map-key-on-missing-bin(-c0)
    k = put(client, set_name, {"x": 1})
    ctx = [cc.cdt_ctx_map_key_create("outer", order)]
    assert run(client, k, mo.map_put("mm", "inner", 1, ctx=ctx)) == 1
    assert run(client, k, mo.map_get_by_key("mm", "inner", M_VALUE,
                                            ctx=[cc.cdt_ctx_map_key("outer")])) == 1
    assert bins(client, k)["mm"] == {"outer": {"inner": 1}}


def test_ctx_map_key_create_two_levels(client, set_name):
    # probe ctx-create-two-levels
    k = put(client, set_name, {"x": 1})
    ctx = [cc.cdt_ctx_map_key_create("o", aerospike.MAP_UNORDERED),
           cc.cdt_ctx_map_key_create("i", aerospike.MAP_KEY_ORDERED)]
    assert run(client, k, mo.map_put("nb", "k", 1, ctx=ctx)) == 1
    assert run(client, k, mo.map_put("nb", "j", 2, ctx=ctx)) == 2
    assert bins(client, k)["nb"] == {"o": {"i": {"j": 2, "k": 1}}}


def test_ctx_map_key_create_then_list_op(client, set_name):
    # derived (cdt.md §6): the element addressed by the last step is created by the op
    k = put(client, set_name, {"x": 1})
    ctx = [cc.cdt_ctx_map_key_create("lst", aerospike.MAP_KEY_ORDERED)]
    assert run(client, k, lo.list_append("nb", 5, ctx=ctx)) == 1
    assert run(client, k, lo.list_append("nb", 4, ctx=ctx)) == 2
    assert bins(client, k)["nb"] == {"lst": [5, 4]}


def test_ctx_list_index_create_pad(client, set_name):
    # probe ctx-create-list-pad: [0x90 2] + APPEND 9 on a missing bin -> [nil, nil, [9]]
    k = put(client, set_name, {"x": 1})
    ctx = [cc.cdt_ctx_list_index_create(2, aerospike.LIST_UNORDERED, True)]
    assert run(client, k, lo.list_append("nb", 9, ctx=ctx)) == 1
    assert bins(client, k)["nb"] == [None, None, [9]]
    # the created top level is an unordered list
    run(client, k, lo.list_append("nb", [5]))
    assert bins(client, k)["nb"] == [None, None, [9], [5]]


def test_ctx_list_index_create_ordered(client, set_name):
    # derived (cdt.md §6): create bits 0xc0 on the step looking into the missing bin
    # create it as an ORDERED list; the element itself is created by the APPEND
    k = put(client, set_name, {"x": 1})
    ctx = [cc.cdt_ctx_list_index_create(0, aerospike.LIST_ORDERED, False)]
    assert run(client, k, lo.list_append("nb", 9, ctx=ctx)) == 1
    assert bins(client, k)["nb"] == [[9]]
    run(client, k, lo.list_append("nb", [5]))          # sorted insert: [5] < [9]
    assert bins(client, k)["nb"] == [[5], [9]]


def test_ctx_list_index_create_existing_element(client, set_name):
    # create bits do nothing when the element exists
    k = put(client, set_name, {"l": [[1], [2]]})
    ctx = [cc.cdt_ctx_list_index_create(1, aerospike.LIST_UNORDERED, True)]
    assert run(client, k, lo.list_append("l", 3, ctx=ctx)) == 2
    assert bins(client, k)["l"] == [[1], [2, 3]]


def test_list_create_at_context(client, set_name):
    # derived (cdt.md §3 + §6): ListOperation.create with ctx = SET_TYPE in a context whose
    # last step carries create bits; the missing element is created by SET_TYPE
    k = put(client, set_name, {"m": {"a": 1}})
    ctx = [cc.cdt_ctx_map_key("lst")]
    client.operate(k, [lo.list_create("m", aerospike.LIST_ORDERED, False, False, ctx=ctx),
                       lo.list_append_items("m", [3, 1, 2], ctx=ctx)])
    assert bins(client, k)["m"] == {"a": 1, "lst": [1, 2, 3]}


def test_map_create_at_context(client, set_name):
    k = put(client, set_name, {"m": {"a": 1}})
    ctx = [cc.cdt_ctx_map_key("sub")]
    client.operate(k, [mo.map_create("m", aerospike.MAP_KEY_ORDERED, False, ctx=ctx),
                       mo.map_put_items("m", {"y": 2, "x": 1}, ctx=ctx)])
    got = bins(client, k)["m"]
    assert got == {"a": 1, "sub": {"x": 1, "y": 2}}
    assert list(got["sub"]) == ["x", "y"]


# ---- path select (cdt_ctx_all_children*)

PATH_SELECT = pytest.mark.xfail(strict=True, reason="CDT path select (0xfe) is not built yet: answered with 4")


@PATH_SELECT
def test_path_select_all_children_with_filter(client, set_name):
    # capture path-select-filter (python client): [9, 11] and ["y", "z"]
    k = put(client, set_name, {"l": [1, 9, 11]})
    client.operate(k, [mo.map_create("om", aerospike.MAP_KEY_ORDERED, True),
                       mo.map_put_items("om", {"x": 24, "y": 25, "z": 26})])
    gt5 = exp.GT(exp.LoopVarInt(aerospike.EXP_LOOPVAR_VALUE), 5).compile()
    gt24 = exp.GT(exp.LoopVarInt(aerospike.EXP_LOOPVAR_VALUE), 24).compile()
    _, _, b = client.operate(k, [
        op.select_by_path("l", [cc.cdt_ctx_all_children_with_filter(gt5)],
                          aerospike.EXP_PATH_SELECT_VALUE),
        op.select_by_path("om", [cc.cdt_ctx_all_children_with_filter(gt24)],
                          aerospike.EXP_PATH_SELECT_MAP_KEY),
    ])
    assert b == {"l": [9, 11], "om": ["y", "z"]}


@PATH_SELECT
def test_path_select_all_children(client, set_name):
    # derived: all_children keeps every child
    k = put(client, set_name, {"l": [1, 9, 11]})
    got = run(client, k, op.select_by_path("l", [cc.cdt_ctx_all_children()],
                                           aerospike.EXP_PATH_SELECT_VALUE))
    assert got == [1, 9, 11]


# ====================================================================== ERRORS
#
# Every failing operate is preceded by two successful writes (a plain bin write and a
# CDT append creating a bin): after the failure the record's generation and bins must be
# exactly what they were.

def _error_record(client, set_name):
    k = put(client, set_name, {
        "l": [1, 2, 3], "m": {"a": 1, "b": 2}, "i": 7, "s": "str",
        "n": [[1, 2], 5], "nm": {"a": {"x": 1}, "b": 3}, "sl": [1, "a", 3],
        "sm": {"s": "x", "n": 1},
    })
    client.operate(k, [lo.list_append_items("ol", [5, 1, 3], LIST_ORDERED)])
    return k


INV = lambda rt: rt | INVERTED  # noqa: E731

ERROR_CASES = [
    # --- 12 BinIncompatibleType
    ("list-op-on-map-bin", lambda: lo.list_append("m", 1), ex.BinIncompatibleType, 12),
    ("list-op-on-int-bin", lambda: lo.list_append("i", 1), ex.BinIncompatibleType, 12),
    ("list-read-on-string-bin", lambda: lo.list_size("s"), ex.BinIncompatibleType, 12),
    ("map-op-on-list-bin", lambda: mo.map_put("l", "a", 1), ex.BinIncompatibleType, 12),
    ("map-read-on-list-bin", lambda: mo.map_size("l"), ex.BinIncompatibleType, 12),
    ("map-op-on-string-bin", lambda: mo.map_put("s", "a", 1), ex.BinIncompatibleType, 12),
    ("ctx-step-into-scalar-read", lambda: lo.list_size("n", ctx=[cc.cdt_ctx_list_index(1)]),
     ex.BinIncompatibleType, 12),
    ("ctx-step-into-scalar-modify", lambda: lo.list_append("n", 9, ctx=[cc.cdt_ctx_list_index(1)]),
     ex.BinIncompatibleType, 12),
    ("ctx-map-value-is-scalar", lambda: mo.map_size("nm", ctx=[cc.cdt_ctx_map_key("b")]),
     ex.BinIncompatibleType, 12),
    # --- 26 OpNotApplicable
    ("get-by-index-oob", lambda: lo.list_get_by_index("l", 100, L_VALUE), ex.OpNotApplicable, 26),
    ("get-oob", lambda: lo.list_get("l", 10), ex.OpNotApplicable, 26),
    ("pop-oob", lambda: lo.list_pop("l", 3), ex.OpNotApplicable, 26),
    ("remove-oob", lambda: lo.list_remove("l", -4), ex.OpNotApplicable, 26),
    ("get-by-rank-oob", lambda: lo.list_get_by_rank("l", 3, L_VALUE), ex.OpNotApplicable, 26),
    ("remove-by-index-oob", lambda: lo.list_remove_by_index("l", 5, L_VALUE), ex.OpNotApplicable, 26),
    ("remove-by-rank-oob", lambda: lo.list_remove_by_rank("l", -4, L_VALUE), ex.OpNotApplicable, 26),
    ("insert-before-start", lambda: lo.list_insert("l", -4, 0), ex.OpNotApplicable, 26),
    ("increment-before-start", lambda: lo.list_increment("l", -10, 1), ex.OpNotApplicable, 26),
    ("ordered-insert", lambda: lo.list_insert("ol", 0, 7), ex.OpNotApplicable, 26),
    ("ordered-insert-items", lambda: lo.list_insert_items("ol", 0, [7]), ex.OpNotApplicable, 26),
    ("ordered-set", lambda: lo.list_set("ol", 0, 7), ex.OpNotApplicable, 26),
    ("ordered-increment-beyond-end", lambda: lo.list_increment("ol", 5, 1), ex.OpNotApplicable, 26),
    ("map-get-by-index-oob", lambda: mo.map_get_by_index("m", 5, M_VALUE), ex.OpNotApplicable, 26),
    ("map-get-by-rank-oob", lambda: mo.map_get_by_rank("m", 2, M_KEY), ex.OpNotApplicable, 26),
    ("map-remove-by-index-oob", lambda: mo.map_remove_by_index("m", -3, M_KEY), ex.OpNotApplicable, 26),
    ("map-remove-by-rank-oob", lambda: mo.map_remove_by_rank("m", 2, M_KEY), ex.OpNotApplicable, 26),
    ("inverted-single-list-index", lambda: lo.list_get_by_index("l", 0, INV(L_VALUE)),
     ex.OpNotApplicable, 26),
    ("inverted-single-list-rank", lambda: lo.list_get_by_rank("l", 0, INV(L_VALUE)),
     ex.OpNotApplicable, 26),
    ("inverted-single-map-key", lambda: mo.map_get_by_key("m", "a", INV(M_VALUE)),
     ex.OpNotApplicable, 26),
    ("inverted-single-map-remove-by-index", lambda: mo.map_remove_by_index("m", 0, INV(M_VALUE)),
     ex.OpNotApplicable, 26),
    ("ctx-list-index-oob-read", lambda: lo.list_get("n", 0, ctx=[cc.cdt_ctx_list_index(5)]),
     ex.OpNotApplicable, 26),
    ("ctx-list-index-oob-modify", lambda: lo.list_append("n", 9, ctx=[cc.cdt_ctx_list_index(5)]),
     ex.OpNotApplicable, 26),
    ("ctx-map-key-missing-read", lambda: mo.map_get_by_key("nm", "x", M_VALUE,
                                                           ctx=[cc.cdt_ctx_map_key("zz")]),
     ex.OpNotApplicable, 26),
    ("ctx-map-key-missing-modify", lambda: mo.map_put("nm", "x", 1, ctx=[cc.cdt_ctx_map_key("zz")]),
     ex.OpNotApplicable, 26),
    ("ctx-map-key-on-list-bin", lambda: mo.map_put("n", "x", 1, ctx=[cc.cdt_ctx_map_key("a")]),
     ex.OpNotApplicable, 26),
    ("ctx-list-index-on-map-bin", lambda: lo.list_size("nm", ctx=[cc.cdt_ctx_list_index(0)]),
     ex.OpNotApplicable, 26),
    ("ctx-list-value-missing", lambda: lo.list_size("n", ctx=[cc.cdt_ctx_list_value([9, 9])]),
     ex.OpNotApplicable, 26),
    ("ctx-list-rank-oob", lambda: lo.list_size("n", ctx=[cc.cdt_ctx_list_rank(5)]),
     ex.OpNotApplicable, 26),
    ("ctx-map-value-missing", lambda: mo.map_size("nm", ctx=[cc.cdt_ctx_map_value({"x": 2})]),
     ex.OpNotApplicable, 26),
    ("ctx-map-index-oob", lambda: mo.map_size("nm", ctx=[cc.cdt_ctx_map_index(2)]),
     ex.OpNotApplicable, 26),
    ("ctx-on-missing-bin-modify", lambda: lo.list_append("nobin", 9, ctx=[cc.cdt_ctx_list_index(0)]),
     ex.OpNotApplicable, 26),
    ("ctx-create-list-nopad-missing-bin", lambda: lo.list_append(
        "nobin", 9, ctx=[cc.cdt_ctx_list_index_create(2, aerospike.LIST_UNORDERED, False)]),
     ex.OpNotApplicable, 26),
    ("ctx-create-list-nopad-existing", lambda: lo.list_append(
        "n", 9, ctx=[cc.cdt_ctx_list_index_create(5, aerospike.LIST_UNORDERED, False)]),
     ex.OpNotApplicable, 26),
    ("insert-bounded", lambda: lo.list_insert("l", 10, 5, {"write_flags": INSERT_BOUNDED}),
     ex.OpNotApplicable, 26),
    # --- 24 ElementExistsError
    ("append-unique", lambda: lo.list_append("l", 2, {"write_flags": ADD_UNIQUE}),
     ex.ElementExistsError, 24),
    ("ordered-append-unique", lambda: lo.list_append(
        "ol", 3, {"list_order": aerospike.LIST_ORDERED, "write_flags": ADD_UNIQUE}),
     ex.ElementExistsError, 24),
    ("map-put-create-only", lambda: mo.map_put("m", "a", 9, {"map_write_flags": CREATE_ONLY}),
     ex.ElementExistsError, 24),
    ("map-put-items-create-only", lambda: mo.map_put_items(
        "m", {"c": 1, "b": 1}, {"map_write_flags": CREATE_ONLY}), ex.ElementExistsError, 24),
    # --- 23 ElementNotFoundError
    ("map-put-update-only", lambda: mo.map_put("m", "q", 9, {"map_write_flags": UPDATE_ONLY}),
     ex.ElementNotFoundError, 23),
    ("map-put-items-update-only", lambda: mo.map_put_items(
        "m", {"a": 5, "q": 9}, {"map_write_flags": UPDATE_ONLY}), ex.ElementNotFoundError, 23),
    # --- 4 InvalidRequest (PARAMETER)
    ("list-increment-string", lambda: lo.list_increment("sl", 1, 1), ex.InvalidRequest, 4),
    ("map-increment-string", lambda: mo.map_increment("sm", "s", 1), ex.InvalidRequest, 4),
    ("map-put-double-key", lambda: mo.map_put("m", 1.5, "v"), ex.InvalidRequest, 4),
    ("map-put-list-key", lambda: mo.map_put("m", [1], "v"), ex.InvalidRequest, 4),
    ("map-put-nil-key", lambda: mo.map_put("m", None, "v"), ex.InvalidRequest, 4),
    ("map-put-map-key", lambda: mo.map_put("m", {"a": 1}, "v"), ex.InvalidRequest, 4),
    ("list-append-wildcard", lambda: lo.list_append("l", aerospike.CDTWildcard()), ex.InvalidRequest, 4),
    ("map-put-infinity-value", lambda: mo.map_put("m", "q", aerospike.CDTInfinite()),
     ex.InvalidRequest, 4),
]


@pytest.mark.parametrize("case", ERROR_CASES, ids=lambda c: c[0])
def test_cdt_errors_leave_the_record_unchanged(client, set_name, case):
    _, make_op, exc, code = case
    k = _error_record(client, set_name)
    assert_fails(client, k, [op.write("w", 1), lo.list_append("aux", 1), make_op()], exc, code)


@pytest.mark.parametrize("case", [c for c in ERROR_CASES if c[0] in {
    "get-by-index-oob", "map-read-on-list-bin", "ctx-list-index-oob-read",
    "inverted-single-map-key", "ctx-step-into-scalar-read"}], ids=lambda c: c[0])
def test_cdt_read_only_errors(client, set_name, case):
    """The same errors on a read-only operate."""
    _, make_op, exc, code = case
    k = _error_record(client, set_name)
    assert_fails(client, k, [make_op()], exc, code)
