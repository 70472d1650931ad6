"""Device (file) storage: what was acknowledged survives a clean restart and a crash, deletes
stay deleted, and a full file refuses writes instead of losing them."""
import os
import signal
import threading
import time

import pytest

import aerospike
from aerospike import exception as ex
from aerospike_helpers.operations import operations

from conftest import SERVER_CONTEXTS, make_client

DEVICE_CONFIG = SERVER_CONTEXTS + """
namespace disk {{
    replication-factor 1
    nsup-period 1
    storage-engine device {{
        file {work}/disk.dat
        filesize %(filesize)s
        write-block-size %(block)s
        flush-max-ms %(flush)s
        commit-to-device %(commit)s
%(extra)s
    }}
}}
"""


def device_server(factory, filesize="64M", block="1M", flush=100, commit="false", extra=""):
    template = DEVICE_CONFIG % {"filesize": filesize, "block": block, "flush": flush, "commit": commit,
                                "extra": extra}
    return factory(config_template=template)


def ns_stats(c, ns="disk"):
    text = list(c.info_all("namespace/" + ns).values())[0][1]
    return dict(kv.split("=", 1) for kv in text.strip().split(";") if "=" in kv)


def crash(srv):
    """SIGKILL: no flush, no goodbye."""
    srv.proc.send_signal(signal.SIGKILL)
    srv.proc.wait()
    srv.proc = None


def test_clean_restart_keeps_everything(server_factory):
    srv = device_server(server_factory)
    c = make_client(srv)
    for i in range(300):
        c.put(("disk", "s1", i), {"n": i, "l": [i, "x"], "m": {"k": i}, "b": bytearray(b"\x01" * (i % 50))})
    for i in range(0, 300, 3):
        c.remove(("disk", "s1", i))
    c.put(("disk", "s1", 1), {"n": "updated"})
    c.put(("disk", "s2", "ttl"), {"v": 1}, meta={"ttl": 1000})
    c.put(("disk", "s2", "key"), {"v": 2}, policy={"key": aerospike.POLICY_KEY_SEND})
    gen_before = c.get(("disk", "s1", 1))[1]["gen"]
    c.close()
    srv.restart()
    c = make_client(srv)
    try:
        recs = c.scan("disk", "s1").results()
        assert len(recs) == 200
        assert c.get(("disk", "s1", 1))[2] == {"n": "updated", "l": [1, "x"], "m": {"k": 1}, "b": b"\x01"}
        assert c.get(("disk", "s1", 1))[1]["gen"] == gen_before
        for i in (0, 3, 297):
            with pytest.raises(ex.RecordNotFound):
                c.get(("disk", "s1", i))
        k, meta, bins = c.get(("disk", "s2", "ttl"))
        assert bins == {"v": 1} and 900 < meta["ttl"] <= 1000
        # the stored key came back too (scans return stored keys)
        assert "key" in [r[0][2] for r in c.scan("disk", "s2").results()]
        sets = c.info_all("sets/disk")
        assert "set=s1" in str(sets) and "set=s2" in str(sets)
    finally:
        c.close()


def test_commit_to_device_survives_a_crash(server_factory):
    srv = device_server(server_factory, commit="true", flush=60000)
    c = make_client(srv)
    for i in range(200):
        c.put(("disk", "c", i), {"n": i})
    c.remove(("disk", "c", 7))
    c.close()
    crash(srv)  # right after the last acknowledgement
    srv.start()
    c = make_client(srv)
    try:
        assert len(c.scan("disk", "c").results()) == 199
        with pytest.raises(ex.RecordNotFound):
            c.get(("disk", "c", 7))
    finally:
        c.close()


def test_flushed_writes_survive_a_crash(server_factory):
    srv = device_server(server_factory, flush=50)
    c = make_client(srv)
    for i in range(100):
        c.put(("disk", "f", i), {"n": i})
    c.close()
    time.sleep(0.3)  # several flush periods
    crash(srv)
    srv.start()
    c = make_client(srv)
    try:
        assert sorted(r[2]["n"] for r in c.scan("disk", "f").results()) == list(range(100))
    finally:
        c.close()


def test_truncate_and_expiry_persist(server_factory):
    srv = device_server(server_factory)
    c = make_client(srv)
    for i in range(50):
        c.put(("disk", "t", i), {"n": i})
        c.put(("disk", "e", i), {"n": i}, meta={"ttl": 1})
        c.put(("disk", "keep", i), {"n": i})
    time.sleep(0.01)
    c.truncate("disk", "t", 0)
    c.close()
    srv.stop()
    time.sleep(2.1)  # the ttl-1 records expire while the server is down
    srv.start()
    c = make_client(srv)
    try:
        assert c.scan("disk", "t").results() == []
        assert c.scan("disk", "e").results() == []
        assert len(c.scan("disk", "keep").results()) == 50
    finally:
        c.close()


def test_full_file_refuses_writes_and_keeps_acknowledged_data(server_factory):
    # two 64K blocks: the file fills after a few dozen 4K records
    srv = device_server(server_factory, filesize="128K", block="64K")
    c = make_client(srv)
    written = []
    with pytest.raises(ex.ServerFull) as ei:
        for i in range(1000):
            c.put(("disk", "full", i), {"b": bytearray(4000)})
            written.append(i)
    assert ei.value.code == 8
    assert 10 < len(written) < 100
    c.close()
    srv.restart()
    c = make_client(srv)
    try:
        assert len(c.scan("disk", "full").results()) == len(written)
    finally:
        c.close()


def test_device_config_errors_stop_startup(tmp_path):
    import subprocess
    from conftest import server_binary
    bad = DEVICE_CONFIG.replace("file {work}/disk.dat", "") % {"filesize": "1M", "block": "1M", "flush": 100,
                                                              "commit": "false", "extra": ""}
    conf = tmp_path / "bad.conf"
    conf.write_text(bad.format(work=str(tmp_path), port=1))
    p = subprocess.run([server_binary(), "--config", str(conf)], capture_output=True, text=True, timeout=10)
    assert p.returncode == 1
    line = bad.splitlines().index("    storage-engine device {{") + 1      # the error names the context's line
    assert "bad.conf:%d: storage-engine device needs a 'file'" % line in p.stderr


def test_defrag_reclaims_overwritten_space(server_factory):
    """An overwrite-heavy workload writes many times the file's size: defrag keeps freeing
    blocks (writes may briefly answer 8 while it catches up), and after a restart every
    record has its latest value."""
    srv = device_server(server_factory, filesize="1M", block="64K")   # 16 blocks
    c = make_client(srv)
    latest = {}
    payload = bytearray(3000)
    written = 0
    deadline = time.monotonic() + 20
    while written < 2000 and time.monotonic() < deadline:   # ~6 MB through a 1 MB file
        k = written % 40
        try:
            c.put(("disk", "d", k), {"v": written, "pad": payload})
        except ex.ServerFull:
            time.sleep(0.05)
            continue
        latest[k] = written
        written += 1
    assert written == 2000, "defrag did not keep up: %d writes" % written
    c.close()
    srv.restart()
    c = make_client(srv)
    try:
        got = {r[2]["v"] % 40: r[2]["v"] for r in c.scan("disk", "d").results()}
        assert got == latest
    finally:
        c.close()


def test_reads_come_from_the_file_when_nothing_is_cached(server_factory):
    """post-write-cache 0: the index holds only where each record is; every read after a
    restart goes to the file (and before it, to the file for any block already written)."""
    srv = device_server(server_factory, filesize="64M", block="128K", extra="        post-write-cache 0")
    c = make_client(srv)
    for i in range(1500):
        c.put(("disk", "s", i), {"i": i, "s": "v%d" % i * 40, "l": [i, {"k": i}]})
    for i in range(0, 1500, 5):
        c.put(("disk", "s", i), {"i": -i})            # update: the newest image wins
    c.remove(("disk", "s", 7))
    # sealed blocks are written and dropped from memory: only the current block stays
    assert int(ns_stats(c)["device_cached_blocks"]) == 0
    for i in (1, 2, 3, 10, 1499):
        assert c.get(("disk", "s", i))[2]["i"] == (-i if i % 5 == 0 else i)
    c.close()
    srv.restart()
    c = make_client(srv)
    try:
        keys = [("disk", "s", i) for i in range(1500)]
        got = c.batch_read(keys).batch_records
        assert len(got) == 1500
        for br, i in zip(got, range(1500)):
            if i == 7:
                assert br.result == 2 and (br.record is None or br.record[2] is None)
                continue
            _, meta, bins = br.record
            # a put merges into the stored bins
            expect = {"i": -i if i % 5 == 0 else i, "s": "v%d" % i * 40, "l": [i, {"k": i}]}
            assert bins == expect, i
            assert meta["gen"] == (2 if i % 5 == 0 else 1)
        assert len(c.scan("disk", "s").results()) == 1499
        # operate reads and writes an image read from the file
        _, _, bins = c.operate(("disk", "s", 11), [operations.increment("i", 100), operations.read("i")])
        assert bins == {"i": 111}
    finally:
        c.close()


def test_read_page_cache_reads_through_the_kernel_cache(server_factory):
    srv = device_server(server_factory, block="128K", extra="        post-write-cache 0\n        read-page-cache true")
    c = make_client(srv)
    for i in range(400):
        c.put(("disk", "p", i), {"v": "x%d" % i * 30})
    c.close()
    srv.restart()
    c = make_client(srv)
    try:
        for i in range(0, 400, 7):
            assert c.get(("disk", "p", i))[2] == {"v": "x%d" % i * 30}
        cfg = list(c.info_all("get-config:context=namespace;id=disk").values())[0][1]
        assert "storage-engine.read-page-cache=true" in cfg
    finally:
        c.close()


def test_lz4_compression_saves_space_and_round_trips(server_factory):
    srv = device_server(server_factory, block="1M", extra="        compression lz4\n        post-write-cache 0")
    c = make_client(srv)
    text = "all work and no play " * 100
    for i in range(300):
        c.put(("disk", "z", i), {"t": text + str(i), "n": i})
    st = ns_stats(c)
    logical, on_device = int(st["device_record_bytes"]), int(st["data_used_bytes"])
    assert on_device * 4 < logical, st                  # 2 KB of repeated text packs well
    c.close()
    srv.restart()
    c = make_client(srv)
    try:
        for i in (0, 150, 299):
            assert c.get(("disk", "z", i))[2] == {"t": text + str(i), "n": i}
        assert len(c.scan("disk", "z").results()) == 300
        cfg = c.info_all("get-config:context=namespace;id=disk")
        assert "storage-engine.compression=lz4" in list(cfg.values())[0][1]
    finally:
        c.close()


def test_read_touch_is_written_to_the_device(server_factory):
    srv = device_server(server_factory)
    c = make_client(srv)
    c.put(("disk", "s", "touched"), {"v": 1}, meta={"ttl": 1000})
    c.put(("disk", "s", "untouched"), {"v": 2}, meta={"ttl": 1000})
    srv.advance_clock(900)
    # read-touch at 80%: within the last 80% of its life, the record's TTL starts over
    c.get(("disk", "s", "touched"), policy={"read_touch_ttl_percent": 80})
    assert c.get(("disk", "s", "touched"))[1]["ttl"] > 900
    c.close()
    srv.restart()       # the test clock starts over; the void time on the file is what counts
    c = make_client(srv)
    try:
        t = c.get(("disk", "s", "touched"))[1]["ttl"]
        u = c.get(("disk", "s", "untouched"))[1]["ttl"]
        assert t > u + 800, (t, u)
        assert c.get(("disk", "s", "touched"))[1]["gen"] == 1
    finally:
        c.close()


@pytest.mark.parametrize("line,message", [
    ("compression zstd", "compression 'zstd' is not supported"),
    ("flush-size 3000", "'flush-size' must be a power of 2"),
    ("compression-level 12", "'compression-level' must be an integer in 1...9"),
])
def test_device_option_errors_stop_startup(tmp_path, line, message):
    import subprocess
    from conftest import server_binary
    conf = tmp_path / "bad.conf"
    text = DEVICE_CONFIG % {"filesize": "1M", "block": "1M", "flush": 100, "commit": "false", "extra": "        " + line}
    conf.write_text(text.format(work=str(tmp_path), port=1))
    out = subprocess.run([server_binary(), "--config", str(conf)], capture_output=True, text=True, timeout=20)
    assert out.returncode != 0
    assert message in out.stderr + out.stdout


def test_kill_mid_stream_loses_nothing_acknowledged_with_commit_to_device(server_factory):
    """Four writers put, update and delete their own keys with commit-to-device while the
    server is SIGKILLed under them. After the restart every acknowledged write reads back with
    its value and generation and every acknowledged delete stays deleted; an op cut off by the
    kill may have happened or not, but nothing else."""
    srv = device_server(server_factory, commit="true", flush=60000, block="128K",
                        extra="        post-write-cache 0")
    acked, inflight = {}, {}
    stop = threading.Event()

    def writer(w):
        c = make_client(srv)
        n = 0
        try:
            while not stop.is_set():
                n += 1
                key = ("disk", "k", "w%d-%d" % (w, n % 40))
                if n % 9 == 0:
                    inflight[key[2]] = None
                    try:
                        c.remove(key)
                    except ex.RecordNotFound:
                        pass
                    acked[key[2]] = None
                else:
                    prev = acked.get(key[2])
                    inflight[key[2]] = (n, (prev[1] + 1) if prev else 1)
                    _, meta, bins = c.operate(key, [operations.write("v", n), operations.read("v")])
                    assert bins == {"v": n}
                    acked[key[2]] = (n, meta["gen"])
                inflight.pop(key[2], None)
        except Exception:
            pass      # the server went away mid-request
        finally:
            try:
                c.close()
            except Exception:
                pass

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    crash(srv)
    stop.set()
    for t in threads:
        t.join(10)
    assert len(acked) > 50, "the writers got going before the kill"
    srv.start()
    c = make_client(srv)
    try:
        for k, want in acked.items():
            try:
                _, meta, bins = c.get(("disk", "k", k))
                got = (bins["v"], meta["gen"])
            except ex.RecordNotFound:
                got = None
            if got == want:
                continue
            # Only the op the kill cut off may show instead: a delete, or a write with its
            # value and the next generation.
            assert k in inflight, (k, got, want)
            assert got == inflight[k], (k, got, want, inflight[k])
    finally:
        c.close()


def test_device_expiry_follows_the_clock_and_survives_a_restart(server_factory):
    srv = device_server(server_factory, extra="        post-write-cache 0")
    c = make_client(srv)
    for i in range(30):
        c.put(("disk", "x", i), {"n": i}, meta={"ttl": 100 if i < 10 else 10000})
    srv.advance_clock(200)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and int(ns_stats(c)["expired_objects"]) < 10:
        time.sleep(0.1)       # nsup-period 1
    assert int(ns_stats(c)["expired_objects"]) == 10
    assert len(c.scan("disk", "x").results()) == 20
    c.close()
    srv.restart()             # the clock starts over: the deletes must have been written
    c = make_client(srv)
    try:
        assert sorted(r[2]["n"] for r in c.scan("disk", "x").results()) == list(range(10, 30))
    finally:
        c.close()


def test_device_eviction_takes_records_nearest_to_expiry_and_spares_protected_sets(server_factory):
    extra = "        evict-used-pct 20\n        stop-writes-used-pct 90"
    template = (DEVICE_CONFIG % {"filesize": "4M", "block": "64K", "flush": 100, "commit": "false", "extra": extra}) \
        .replace("    storage-engine device {{", "    set keep {{\n        disable-eviction true\n    }}\n    storage-engine device {{") \
        .replace("nsup-period 1", "nsup-period 600")
    srv = server_factory(config_template=template)
    c = make_client(srv)
    pad = bytearray(3000)
    for i in range(100):
        c.put(("disk", "keep", i), {"i": i, "pad": pad}, meta={"ttl": 700 + i})
    for i in range(300):
        c.put(("disk", "ttl", i), {"i": i, "pad": pad}, meta={"ttl": 1000 + i})
    assert int(ns_stats(c)["evicted_objects"]) == 0, "nothing before nsup runs"
    srv.advance_clock(600)    # one nsup period (nsup-period 600)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        st = ns_stats(c)
        if int(st["evicted_objects"]) > 0 and int(st["data_used_bytes"]) <= 4 * 1024 * 1024 * 20 // 100:
            break
        time.sleep(0.2)
    assert int(st["evicted_objects"]) > 0, st
    assert int(st["data_used_bytes"]) <= 4 * 1024 * 1024 * 20 // 100, st
    assert len(c.scan("disk", "keep").results()) == 100
    left = sorted(r[2]["i"] for r in c.scan("disk", "ttl").results())
    assert 0 < len(left) < 300 and left == list(range(300 - len(left), 300)), left
    c.close()
    srv.restart()
    c = make_client(srv)
    try:
        assert len(c.scan("disk", "ttl").results()) == len(left), "evictions are written to the device"
    finally:
        c.close()


def test_truncate_survives_a_crash_before_its_deletes_reach_the_file(server_factory):
    """The cut-off itself is kept (as the real server's system metadata): even when the
    device never saw the deletes (no flush before a SIGKILL), truncated records stay gone."""
    srv = device_server(server_factory, flush=60000)
    c = make_client(srv)
    for i in range(40):
        c.put(("disk", "gone", i), {"n": i})
        c.put(("disk", "stays", i), {"n": i})
    c.close()
    srv.stop()                # the records are on the file
    srv.start()
    c = make_client(srv)
    time.sleep(0.01)
    c.truncate("disk", "gone", 0)
    c.put(("disk", "gone", "after"), {"n": 1})     # written after the cut-off: kept if it reached the file
    c.close()
    crash(srv)                # flush-max-ms 60000: the tombstones never reached the file
    srv.start()
    c = make_client(srv)
    try:
        left = [r[0][2] for r in c.scan("disk", "gone").results()]
        assert all(k == "after" for k in left), left
        assert len(c.scan("disk", "stays").results()) == 40
        # a namespace-wide truncate survives too
        c.truncate("disk", None, 0)
        c.close()
        crash(srv)
        srv.start()
        c = make_client(srv)
        assert c.scan("disk", "stays").results() == []
    finally:
        c.close()


def test_concurrent_overwrites_reads_and_defrag_stay_consistent(server_factory):
    """Four clients overwrite and read 400 keys through a 2 MB file of 64K blocks with no
    post-write cache: defrag moves records while reads go to the file on the blocking pool.
    Every read sees the last value its writer was told was stored (each writer owns its keys),
    and so does a restart."""
    srv = device_server(server_factory, filesize="2M", block="64K",
                        extra="        post-write-cache 0\n        defrag-sleep 0")
    last = {}
    errors = []

    def worker(w):
        c = make_client(srv)
        try:
            for n in range(1, 1500):
                k = "w%d-%d" % (w, n % 100)
                c.put(("disk", "c", k), {"v": n, "pad": "p" * (100 + n % 300)})
                last[k] = n
                if n % 3 == 0:
                    probe = "w%d-%d" % (w, (n * 7) % 100)
                    if probe in last:
                        got = c.get(("disk", "c", probe))[2]["v"]
                        if got != last[probe]:
                            errors.append((probe, got, last[probe]))
        except Exception as e:       # pragma: no cover - reported below
            errors.append(repr(e))
        finally:
            c.close()

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    c = make_client(srv)
    st = ns_stats(c)
    assert int(st["device_defrag_freed_blocks"]) > 0, "defrag ran under the load"
    assert int(st["objects"]) == 400
    c.close()
    srv.restart()
    c = make_client(srv)
    try:
        for k, n in last.items():
            assert c.get(("disk", "c", k))[2]["v"] == n, k
    finally:
        c.close()


@pytest.fixture
def loop_device(tmp_path):
    """A 16 MB loop device over a file (needs root and losetup; skipped where there are none)."""
    import shutil
    import subprocess
    if os.geteuid() != 0 or not shutil.which("losetup"):
        pytest.skip("raw-device test needs root and losetup")
    img = tmp_path / "raw.img"
    with open(img, "wb") as f:
        f.truncate(16 << 20)
    out = subprocess.run(["losetup", "-f", "--show", str(img)], capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip("no loop device here: " + out.stderr.strip())
    dev = out.stdout.strip()
    yield dev
    subprocess.run(["losetup", "-d", dev])


def test_raw_device_is_sized_by_the_device_and_survives_a_restart(server_factory, loop_device):
    template = (DEVICE_CONFIG % {"filesize": "1M", "block": "1M", "flush": 100, "commit": "false", "extra": ""}) \
        .replace("file {work}/disk.dat", "device " + loop_device)
    srv = server_factory(config_template=template)
    c = make_client(srv)
    for i in range(300):
        c.put(("disk", "raw", i), {"n": i, "s": "x" * 5000})     # 1.5 MB: more than the ignored filesize
    c.remove(("disk", "raw", 3))
    assert int(ns_stats(c)["data_total_bytes"]) == 16 << 20      # the device's size, not filesize
    c.close()
    srv.restart()
    c = make_client(srv)
    try:
        assert len(c.scan("disk", "raw").results()) == 299
        assert c.get(("disk", "raw", 299))[2] == {"n": 299, "s": "x" * 5000}
        with pytest.raises(ex.RecordNotFound):
            c.get(("disk", "raw", 3))
    finally:
        c.close()


def test_several_files_make_one_namespace_in_any_order(server_factory):
    """Two `file` lines: one run of blocks over both (4 MB), so 2.5 MB of records fit where one
    2 MB file could not; listing the files the other way round at the next start changes nothing."""
    base = DEVICE_CONFIG % {"filesize": "2M", "block": "64K", "flush": 100, "commit": "false", "extra": ""}
    two = base.replace("file {work}/disk.dat", "file {work}/a.dat\n        file {work}/b.dat")
    srv = server_factory(config_template=two)
    c = make_client(srv)
    for i in range(500):     # 2.5 MB: under the 70% stop-writes mark of 4 MB
        c.put(("disk", "m", i), {"n": i, "s": "y" * 5000})
    st = ns_stats(c)
    assert int(st["data_total_bytes"]) == 4 << 20
    assert int(st["data_used_bytes"]) > 2 << 20          # more than one file holds
    cfg = list(c.info_all("get-config:context=namespace;id=disk").values())[0][1]
    assert "storage-engine.file[0]=" in cfg and "storage-engine.file[1]=" in cfg
    c.close()
    srv.stop()
    swapped = base.replace("file {work}/disk.dat", "file {work}/b.dat\n        file {work}/a.dat")
    with open(srv.config_path, "w") as f:
        f.write(swapped.format(work=srv.work_dir, port=srv.port))
    srv.start()
    c = make_client(srv)
    try:
        assert len(c.scan("disk", "m").results()) == 500
        for i in (0, 299, 499):
            assert c.get(("disk", "m", i))[2] == {"n": i, "s": "y" * 5000}
    finally:
        c.close()


def test_a_record_larger_than_a_write_block_is_too_big(server_factory):
    srv = device_server(server_factory, filesize="1M", block="64K")
    c = make_client(srv)
    try:
        with pytest.raises(ex.RecordTooBig):
            c.put(("disk", "big", 1), {"b": bytearray(70_000)})     # max-record-size allows it; a block does not
        c.put(("disk", "big", 2), {"b": bytearray(60_000)})
        assert len(c.get(("disk", "big", 2))[2]["b"]) == 60_000
        with pytest.raises(ex.RecordNotFound):
            c.get(("disk", "big", 1))
    finally:
        c.close()


def test_pipelined_requests_then_half_close_are_answered_from_the_file(server_factory):
    """Requests for records whose blocks are only on the file run on the blocking pool. A
    client that pipelines several and then shuts its side still gets every answer, in order."""
    import socket
    import wire
    srv = device_server(server_factory, block="128K", extra="        post-write-cache 0")
    c = make_client(srv)
    for i in range(300):
        c.put(("disk", "h", i), {"n": i, "s": "z" * 1000})
    c.close()
    srv.restart()             # nothing in memory now but the index
    frames = b"".join(wire.get_frame("disk", "h", key=i) for i in (5, 250, 7, 1000, 42))
    with wire.connect(srv.port) as s:
        s.sendall(frames)
        s.shutdown(socket.SHUT_WR)
        replies = [wire.read_reply(s) for _ in range(5)]
    assert [r.result for r in replies] == [0, 0, 0, 2, 0]
    assert [r.bins().get("n") for r in replies] == [5, 250, 7, None, 42]


def test_secondary_index_over_records_on_the_file(server_factory):
    """An index over a device namespace whose records are only on the file is built in the
    background (reads go to the file), answers queries, and is rebuilt after a restart."""
    from aerospike import predicates as p
    srv = device_server(server_factory, block="128K", extra="        post-write-cache 0")
    c = make_client(srv)
    for i in range(600):
        c.put(("disk", "q", i), {"n": i % 50, "s": "w" * 500})
    c.close()
    srv.restart()
    c = make_client(srv)

    def loaded():
        deadline = time.monotonic() + 10
        while "load_pct=100" not in srv.info1("sindex-stat:namespace=disk;indexname=n_idx").split(";"):
            assert time.monotonic() < deadline, srv.info1("sindex-stat:namespace=disk;indexname=n_idx")
            time.sleep(0.05)

    try:
        c.index_integer_create("disk", "q", "n", "n_idx")
        loaded()
        q = c.query("disk", "q")
        q.where(p.equals("n", 7))
        got = q.results()
        assert len(got) == 12 and all(r[2]["n"] == 7 and r[2]["s"] == "w" * 500 for r in got)
        c.close()
        srv.restart()
        c = make_client(srv)
        loaded()
        q = c.query("disk", "q")
        q.where(p.equals("n", 49))
        assert len(q.results()) == 12
    finally:
        c.close()
