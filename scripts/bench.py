#!/usr/bin/env python3
"""make bench: Aerolite against a do-nothing echo server, in one run on this machine.

Prints ops/s and p50/p99/p99.9 for both at each connection count, the ratio, the time from
exec to ready, idle resident memory, and index+overhead bytes per record at 1M records.
Figures are only comparable within one run: the machine is shared and noisy.
"""
import os, re, shutil, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER = os.path.join(ROOT, ".build/release/aerolite")
BENCH = os.path.join(ROOT, ".build/release/aerolite-bench")
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
KEYS = 100_000


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def config(port, workdir):
    return f"""service {{ cluster-name bench  work-directory {workdir} }}
logging {{ console {{ context any warning }} }}
network {{ service {{ address 127.0.0.1  port {port} }} }}
namespace test {{
    replication-factor 1
    max-record-size 8M
    storage-engine memory {{ data-size 8G }}
}}
"""


def start_server(tmp):
    port = free_port()
    path = os.path.join(tmp, "bench.conf")
    open(path, "w").write(config(port, os.path.join(tmp, "work")))
    t0 = time.perf_counter()
    p = subprocess.Popen([SERVER, "--config", path], stderr=subprocess.PIPE, text=True)
    ready_ms = None
    # Logging is at warning level, so wait for the port instead of the ready line here.
    while ready_ms is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.05).close()
            ready_ms = (time.perf_counter() - t0) * 1000
        except OSError:
            if p.poll() is not None:
                sys.exit("server exited: " + p.stderr.read())
            time.sleep(0.0005)
    return p, port, ready_ms


def ready_line_ms(tmp):
    """Time from exec until the server logs 'migrations: complete' (info level)."""
    port = free_port()
    path = os.path.join(tmp, "ready.conf")
    open(path, "w").write(config(port, os.path.join(tmp, "work2")).replace("context any warning", "context any info"))
    t0 = time.perf_counter()
    p = subprocess.Popen([SERVER, "--config", path], stderr=subprocess.PIPE, text=True)
    for line in p.stderr:
        if "migrations: complete" in line:
            ms = (time.perf_counter() - t0) * 1000
            break
    time.sleep(0.3)
    rss = rss_kb(p.pid)
    p.terminate(); p.wait(5)
    return ms, rss


def rss_kb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def load(port, conns, label, preload=False, keys=KEYS, seconds=SECONDS, value_size=100):
    args = [BENCH, "load", "--port", str(port), "--connections", str(conns), "--seconds", str(seconds),
            "--keys", str(keys), "--value-size", str(value_size), "--label", label, "--threads", "2"]
    if preload:
        args.append("--preload")
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    m = re.search(r"ops_per_sec=(\d+) errors=(\d+) p50_us=([\d.]+) p99_us=([\d.]+) p999_us=([\d.]+)", out)
    if not m:
        sys.exit("bench output not understood: " + out)
    return {"ops": int(m[1]), "errors": int(m[2]), "p50": float(m[3]), "p99": float(m[4]), "p999": float(m[5])}


def main():
    tmp = tempfile.mkdtemp(prefix="aerolite-bench-")
    try:
        if sys.argv[1:] == ["device"]:   # just the device figures
            device_figures(tmp)
        else:
            all_figures(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)   # the device files are large


def all_figures(tmp):
    ready_ms, idle_rss = ready_line_ms(tmp)
    print(f"startup: exec -> 'migrations: complete' {ready_ms:.1f} ms; idle RSS {idle_rss / 1024:.1f} MiB")

    echo_port = free_port()
    echo = subprocess.Popen([BENCH, "echo", "--port", str(echo_port), "--threads", "2"], stdout=subprocess.DEVNULL)
    server, port, _ = start_server(tmp)
    time.sleep(0.2)
    try:
        load(port, 8, "preload", preload=True, seconds=0.5)
        print(f"\nload: {KEYS} keys, 100-byte values, 50% reads / 50% writes, {SECONDS:.0f} s per run, one request in flight per connection")
        print(f"{'conns':>5} {'server':>9} {'ops/s':>9} {'p50 us':>8} {'p99 us':>8} {'p99.9 us':>9} {'errors':>6}")
        for conns in (8, 64):
            e = load(echo_port, conns, "echo")
            a = load(port, conns, "aerolite")
            for name, r in (("echo", e), ("aerolite", a)):
                print(f"{conns:>5} {name:>9} {r['ops']:>9} {r['p50']:>8} {r['p99']:>8} {r['p999']:>9} {r['errors']:>6}")
            print(f"{conns:>5} {'ratio':>9} {a['ops'] / max(e['ops'], 1):>9.2f}  (aerolite ops/s / echo ops/s)")
    finally:
        server.terminate(); server.wait(5)
        echo.terminate(); echo.wait(5)

    server, port, _ = start_server(tmp)
    try:
        cdt_scaling(port)
    finally:
        server.terminate(); server.wait(5)

    # Filter cost: full scans of 1M records with and without `n >= 900000` (keeps 10%).
    server, port, _ = start_server(tmp)
    try:
        out = subprocess.run([BENCH, "scan", "--port", str(port), "--keys", "1000000"],
                             capture_output=True, text=True, check=True).stdout
        m = re.search(r"plain_rate=(\d+) plain_returned=(\d+) filtered_rate=(\d+) filtered_returned=(\d+) ratio=([\d.]+)", out)
        print(f"\nfiltered scan: 1M records examined; no filter {int(m[1]):,} rec/s ({m[2]} returned), "
              f"filter int >= K {int(m[3]):,} rec/s ({m[4]} returned): ratio {m[5]}")
        q = re.search(r"build_s=([\d.]+) query_returned=(\d+) query_ms=(\d+) scan_returned=(\d+) scan_ms=(\d+) speedup=([\d.]+)", out)
        print(f"secondary index on 1M records: build {q[1]} s; equality matching 1% ({q[2]} records) "
              f"{q[3]} ms by index vs {q[5]} ms by filtered scan: {q[6]}x")
    finally:
        server.terminate(); server.wait(5)

    device_figures(tmp)

    # Memory per record: 1M records of one 100-byte bin named "v".
    server, port, _ = start_server(tmp)
    try:
        time.sleep(0.2)
        before = rss_kb(server.pid)
        n = 1_000_000
        load(port, 8, "fill", preload=True, keys=n, seconds=0.1)
        time.sleep(0.2)
        after = rss_kb(server.pid)
        data = 1 + 100  # bin name + value bytes per record
        per = (after - before) * 1024 / n
        print(f"\nmemory: {n} records of {data} data bytes: RSS +{(after - before) / 1024:.1f} MiB = {per:.1f} bytes/record, "
              f"{per - data:.1f} bytes/record of index and overhead beyond the data")
    finally:
        server.terminate(); server.wait(5)


DEVICE_CONF = """service {{ cluster-name bench  work-directory {tmp}/dwork }}
logging {{ console {{ context any info }} }}
network {{ service {{ address 127.0.0.1  port {port} }} }}
namespace test {{
    replication-factor 1
    storage-engine memory {{ data-size 4G }}
}}
namespace disk {{
    replication-factor 1
    storage-engine device {{
        file {tmp}/bench-device.dat
        filesize 1G
        flush-max-ms 1000
    }}
}}
namespace cold {{
    replication-factor 1
    storage-engine device {{
        file {tmp}/bench-cold.dat
        filesize 1G
        flush-max-ms 1000
        post-write-cache 0
    }}
}}
namespace churn {{
    replication-factor 1
    storage-engine device {{
        file {tmp}/bench-churn.dat
        filesize 64M
        write-block-size 1M
        defrag-lwm-pct 50
        defrag-sleep 0
    }}
}}
"""


def device_figures(tmp):
    """Device namespaces: write throughput against a memory namespace in the same run (reads
    from the post-write cache, and from the file with no cache), write amplification from
    defrag under overwrites, the cold-start rate, and resident memory after the cold start."""
    port = free_port()
    path = os.path.join(tmp, "device.conf")
    open(path, "w").write(DEVICE_CONF.format(tmp=tmp, port=port))

    def start():
        t0 = time.perf_counter()
        p = subprocess.Popen([SERVER, "--config", path], stderr=subprocess.PIPE, text=True)
        loaded = {}
        for line in p.stderr:
            m = re.search(r"\{(\w+)\} loaded (\d+) records", line)
            if m:
                loaded[m[1]] = int(m[2])
            if "migrations: complete" in line:
                break
        return p, time.perf_counter() - t0, loaded

    p, _, _ = start()
    try:
        mem = load(port, 64, "memory", keys=KEYS, seconds=SECONDS, value_size=100, preload=True)
        dev = _load_ns(port, "disk", preload=True)
        cold = _load_ns(port, "cold", preload=True)
        print(f"\ndevice namespace: {KEYS} keys, 64 connections, 50/50 get/put: memory {mem['ops']} ops/s; "
              f"device {dev['ops']} ops/s ({dev['ops'] / max(mem['ops'], 1):.2f}x); "
              f"device reading from the file (post-write-cache 0) {cold['ops']} ops/s ({cold['ops'] / max(mem['ops'], 1):.2f}x)")
        # Overwrites: 200k keys (~36 MB live) through a 64 MB file, writes only.
        _load_ns(port, "churn", keys=200_000, preload=True, seconds=0.1)
        _load_ns(port, "churn", keys=200_000, seconds=SECONDS, read_pct=0)
        time.sleep(1.5)
        st = ns_info(port, "churn")
        user, moved = int(st["device_write_bytes"]), int(st["device_defrag_bytes"])
        print(f"write amplification (overwrite-only, 200k keys in a 64M file, defrag-lwm-pct 50): "
              f"{(user + moved) / max(user, 1):.2f}x ({moved / 2**20:.0f} MiB moved by defrag for {user / 2**20:.0f} MiB written, "
              f"{st['device_defrag_freed_blocks']} blocks freed)")
        # 1M records for the cold start.
        _load_ns(port, "cold", keys=1_000_000, preload=True, seconds=0.1)
    finally:
        p.terminate(); p.wait(60)
    p, dt, loaded = start()
    time.sleep(0.3)
    rss = rss_kb(p.pid)
    p.terminate(); p.wait(60)
    total = sum(loaded.values())
    print(f"cold start: {total:,} records ({loaded}) rebuilt from the files in {dt:.2f} s exec->ready "
          f"= {total / dt:,.0f} records/s; RSS after: {rss / 1024:.0f} MiB "
          f"({rss * 1024 / max(total, 1):.0f} bytes/record, index only: values stay on the device)")


def ns_info(port, ns):
    """namespace/<ns> over the info protocol, as a dict."""
    s = socket.create_connection(("127.0.0.1", port))
    req = f"namespace/{ns}\n".encode()
    s.sendall(bytes([2, 1]) + len(req).to_bytes(6, "big") + req)
    head = b""
    while len(head) < 8:
        head += s.recv(8 - len(head))
    n = int.from_bytes(head[2:8], "big")
    body = b""
    while len(body) < n:
        body += s.recv(n - len(body))
    s.close()
    text = body.decode().split("\t", 1)[1].strip()
    return dict(kv.split("=", 1) for kv in text.split(";") if "=" in kv)


def _load_ns(port, ns, keys=KEYS, preload=False, seconds=SECONDS, read_pct=50):
    args = [BENCH, "load", "--port", str(port), "--connections", "64", "--seconds", str(seconds),
            "--keys", str(keys), "--value-size", "100", "--label", ns, "--threads", "2", "--namespace", ns,
            "--read-pct", str(read_pct)]
    if preload:
        args.append("--preload")
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    m = re.search(r"ops_per_sec=(\d+)", out)
    return {"ops": int(m[1])}


def cdt_scaling(port):
    """Issue 3's collection figures: get_by_index_range(-50, 50) on a K-ordered map and an
    ADD_UNIQUE append into an ordered list, at 10k and 100k elements, with and without
    the persisted index. Uses the official client from the test venv."""
    venv_python = os.path.join(ROOT, ".venv/bin/python")
    if not os.path.exists(venv_python):
        print("\ncollections: skipped (run `make venv` for the official client)")
        return
    code = r'''
import sys, time, aerospike
from aerospike_helpers.operations import map_operations as mo, list_operations as lo
c = aerospike.client({"hosts": [("127.0.0.1", int(sys.argv[1]))]}).connect()
REPS = 300
def per_op(key, ops):
    c.operate(key, ops)
    t = time.perf_counter()
    for _ in range(REPS):
        c.operate(key, ops)
    return (time.perf_counter() - t) / REPS * 1e6
print("%-34s %12s %12s %8s" % ("operation", "10k (us)", "100k (us)", "ratio"))
for persist in (True, False):
    tag = "persisted" if persist else "no index"
    row = []
    for n in (10_000, 100_000):
        k = ("test", "cdtbench", "m%d%s" % (n, persist))
        c.operate(k, [mo.map_create("m", aerospike.MAP_KEY_ORDERED, persist)])
        for s in range(0, n, 5000):
            c.operate(k, [mo.map_put_items("m", {"%08d" % i: i for i in range(s, min(n, s + 5000))})])
        row.append(per_op(k, [mo.map_get_by_index_range("m", -50, 50, aerospike.MAP_RETURN_KEY_VALUE)]))
    print("%-34s %12.1f %12.1f %8.2f" % ("map get_by_index_range(-50,50) " + tag, row[0], row[1], row[1] / row[0]))
    row = []
    for n in (10_000, 100_000):
        k = ("test", "cdtbench", "l%d%s" % (n, persist))
        c.operate(k, [lo.list_create("l", aerospike.LIST_ORDERED, False, persist)])
        for s in range(0, n, 5000):
            c.operate(k, [lo.list_append_items("l", list(range(2 * s, 2 * min(n, s + 5000), 2)))])
        pol = {"list_order": aerospike.LIST_ORDERED,
               "write_flags": aerospike.LIST_WRITE_ADD_UNIQUE | aerospike.LIST_WRITE_NO_FAIL}
        row.append(per_op(k, [lo.list_append("l", n - 1, pol)]))
    print("%-34s %12.1f %12.1f %8.2f" % ("list ADD_UNIQUE append " + tag, row[0], row[1], row[1] / row[0]))
'''
    print("\ncollections: time per operate through the python client (ratio = 100k / 10k)")
    out = subprocess.run([venv_python, "-c", code, str(port)], capture_output=True, text=True)
    print(out.stdout.rstrip() or out.stderr.rstrip())


if __name__ == "__main__":
    main()
