"""Eviction (evict-used-pct): past the threshold, the records nearest to expiry go first;
records that never expire stay. nsup runs every 600 s of the server's clock here, and the
tests move that clock instead of waiting for it."""
import time

from conftest import make_client, CONFIG_TEMPLATE

EVICT_CONFIG = CONFIG_TEMPLATE.replace(
    """namespace small {{
    replication-factor 1
    default-ttl 0
    nsup-period 1
    storage-engine memory {{
        data-size 1M""",
    """namespace small {{
    replication-factor 1
    default-ttl 0
    nsup-period 600
    storage-engine memory {{
        evict-used-pct 30
        stop-writes-used-pct 90
        data-size 1M""")


def test_evicts_records_nearest_to_expiry_first(server_factory):
    assert EVICT_CONFIG != CONFIG_TEMPLATE
    srv = server_factory(config_template=EVICT_CONFIG)
    c = make_client(srv)
    pad = bytearray(3000)
    for i in range(40):
        c.put(("small", "forever", i), {"pad": pad})                       # never expire
    for i in range(150):
        c.put(("small", "ttl", i), {"i": i, "pad": pad}, meta={"ttl": 1000 + i * 10})
    # ~570 KB used of a 1 MB namespace with a 30% eviction mark: the next nsup pass evicts
    assert int(dict(kv.split("=", 1) for kv in list(c.info_all("namespace/small").values())[0][1].split(";")
                    if "=" in kv)["evicted_objects"]) == 0, "nothing before nsup runs"
    srv.advance_clock(600)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        stats = c.info_all("namespace/small")
        text = list(stats.values())[0][1]
        fields = dict(kv.split("=", 1) for kv in text.strip().split(";") if "=" in kv)
        if int(fields["evicted_objects"]) > 0 and int(fields["data_used_bytes"]) <= 1024 * 1024 * 30 // 100:
            break
        time.sleep(0.2)
    assert int(fields["evicted_objects"]) > 0, fields
    assert int(fields["data_used_bytes"]) <= 1024 * 1024 * 30 // 100
    left = sorted(r[2]["i"] for r in c.scan("small", "ttl").results())
    # what survived is the records with the longest TTLs, a contiguous top range
    assert left == list(range(150 - len(left), 150)), left
    assert len(c.scan("small", "forever").results()) == 40
    c.close()


PROTECTED_CONFIG = EVICT_CONFIG.replace(
    """        evict-used-pct 30""", """        evict-used-pct 30""").replace(
    """    storage-engine memory {{
        evict-used-pct 30""",
    """    set keep {{
        disable-eviction true
    }}
    storage-engine memory {{
        evict-used-pct 30""")


def test_a_set_with_disable_eviction_is_never_evicted(server_factory):
    assert "disable-eviction" in PROTECTED_CONFIG
    srv = server_factory(config_template=PROTECTED_CONFIG)
    c = make_client(srv)
    pad = bytearray(3000)
    for i in range(100):
        c.put(("small", "keep", i), {"i": i, "pad": pad}, meta={"ttl": 700 + i})    # nearest to expiry
    for i in range(100):
        c.put(("small", "other", i), {"i": i, "pad": pad}, meta={"ttl": 5000 + i})
    srv.advance_clock(600)    # one nsup period
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        text = list(c.info_all("namespace/small").values())[0][1]
        fields = dict(kv.split("=", 1) for kv in text.strip().split(";") if "=" in kv)
        if int(fields["data_used_bytes"]) <= 1024 * 1024 * 30 // 100:
            break
        time.sleep(0.2)
    assert int(fields["evicted_objects"]) > 0, fields
    # the protected set is whole even though its records expire first; the other set paid
    assert len(c.scan("small", "keep").results()) == 100
    assert len(c.scan("small", "other").results()) < 100
    c.close()
