"""Golden-capture replay: send the client requests recorded against a real
Aerospike CE 8.1.2 server (../shared/protocol/captures/*.jsonl) to Aerolite and
compare the replies with the recorded ones.

Used by test_captures.py.  Everything that decides *what* is compared is
derived from the capture data itself:

* Steps.  Every `req` line is one step; the `resp` lines that follow on the
  same recorded connection are its replies.  Steps run in file order, each on
  its own socket per recorded connection (c1, c2, ...).

* Skips (`UNSUPPORTED_*` tables below).  A request is not sent when it uses a
  feature Aerolite does not implement yet (CDT/expression/bit/HLL ops, filter
  expressions, secondary-index queries, UDF calls, sindex info commands).
  A skipped request that writes makes the records it touches "tainted": every
  later step that reads or writes a tainted record (or scans its set) is skipped
  too, because the server state no longer matches the capture's.

* Seeds.  Data seeding before a scenario was not recorded.  A record whose
  first appearance in a file is a successful full read (GET_ALL read, batch
  GET_ALL row, scan without projection) before any recorded write is re-created
  from that reply before the replay starts (same namespace, set, digest, stored
  key when the reply shows it, bins in the same order, written `generation`
  times, TTL chosen so the void time lines up).  A record that existed before
  the capture but is written before it is fully read cannot be seeded: tainted.

* Server crash.  A request without any recorded reply is the probe that
  crashed asd; the capture server was restarted empty, so the replay starts a
  fresh Aerolite there as well.

* Time.  The server runs with --test-clock; before each step its clock is
  moved forward so that the time elapsed since the replay began matches the
  capture's `t_rel` (sleeps in the capture, read-touch probes, ...).  Void times
  (`record_ttl` in replies) are then compared as: 0 <-> 0, and non-zero within
  VOID_TOLERANCE seconds of capture_void + D, where D is (replay start) -
  (capture start).  The capture start is estimated from write replies with a
  known request TTL (void = floor(start + t) + ttl, t between the request's and
  the reply's t_rel: the intersection of those intervals); for files without
  such writes, from the seeded records (earliest void time - default-ttl).
  `truncate ... lut=` values in requests are moved by D as well (and never
  sent in the future of the server clock).

* Server config mirrors the capture server, so cluster-name (`captures`),
  service-clear-std (`127.0.0.1:3210`, via access-port) and default void times
  are compared exactly: namespace test, default-ttl 2592000, nsup-period 120.

* Masks.  Only what varies between runs is masked: void times, the node id,
  the cluster key, counter values of statistics-like info commands (their keys
  are still compared), the record order across partitions of a scan (the order
  within a partition is compared) and, for scans with max_records, which
  partitions the records come from (checked for validity instead).

* Documented deviations of Aerolite, asserted explicitly:
    - admin (LOGIN, ...) replies carry 52 SECURITY_NOT_ENABLED where CE answers
      51 SECURITY_NOT_SUPPORTED; every other byte must match;
    - compressed (type 4) requests are inflated and executed instead of being
      refused with 25: replayed on a scratch server and compared with the
      capture reply of the identical uncompressed request in the same file;
    - replies to COMPRESS_RESPONSE requests may be compressed (type 4): they
      are inflated and must then match the real (uncompressed) reply exactly.
"""
import collections
import importlib.util
import json
import os
import re
import select
import shutil
import socket
import statistics
import struct
import tempfile
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURES_DIR = os.environ.get("AEROLITE_CAPTURES") or os.path.normpath(
    os.path.join(HERE, "..", "..", "shared", "protocol", "captures"))

CITRUSLEAF_EPOCH = 1262304000
DEFAULT_TTL = 2592000          # capture server: namespace test default-ttl 30 days
VOID_TOLERANCE = 3             # seconds
READ_TIMEOUT = 10.0

# --------------------------------------------------------------- feature tables

# Request fields that need features Aerolite does not implement yet.
UNSUPPORTED_FIELDS = {
    24: "secondary-index query (field 24 INDEX_EXPRESSION)",
    30: "UDF call (field 30 UDF_FILENAME)",
    31: "UDF call (field 31 UDF_FUNCTION)",
    32: "UDF call (field 32 UDF_ARGLIST)",
    33: "UDF call (field 33 UDF_OP)",
}
# Op types that need features Aerolite does not implement yet.
UNSUPPORTED_OPS = {
    12: "bit op (12 BITS_READ)",
    13: "bit op (13 BITS_MODIFY)",
    15: "HLL op (15 HLL_READ)",
    16: "HLL op (16 HLL_MODIFY)",
}
def _is_path_select(value):
    """A CDT op payload `[0xfe, ctx, flags...]` (path select/modify, not built yet)."""
    return len(value) >= 3 and (value[0] & 0xf0) == 0x90 and value[1:3] == b"\xcc\xfe"


# Info commands (name before ':' or '/') Aerolite does not implement yet.
UNSUPPORTED_INFO = {}
# Info commands whose reply lists state created by *other* capture files of the
# same recording run (sets, indexes and jobs of other scenarios): not reproducible.
OUTSIDE_STATE_INFO = {"sets", "sindex-list", "sindex"}

# How info values are compared (default: exactly).
INFO_NODE_ID = {"node"}                                   # varies with host/port
INFO_CLUSTER_KEY = {"cluster-stable"}                     # random per cluster
INFO_KEYS_ONLY = {                                        # counters: keys compared, values masked
    "statistics": (";", "=", ()),
    "namespace": (";", "=", ()),
    "get-config": (";", "=", ()),
    "config-get": (";", "=", ()),
    "latencies": (";", ":", ()),
    "release": (";", "=", ("edition", "version")),        # os/arch/sha depend on the build
    "query-show": (":", "=", ("trid", "ns", "set", "status")),
    # entries depend on records the replay can rebuild (seeding is not recorded); load_pct is exact
    "sindex-stat": (";", "=", ("load_pct",)),
}

# For these, ours is compared as a subset of the real key list plus the keys tools need.
INFO_KEYS_SUBSET = {
    "statistics": ("cluster_size", "cluster_key", "cluster_generation", "cluster_principal",
                   "cluster_integrity", "cluster_is_member", "uptime", "client_connections",
                   "client_connections_opened", "client_connections_closed", "objects"),
    "namespace": ("objects", "master_objects", "tombstones", "stop_writes", "current_time",
                  "expired_objects", "evicted_objects", "index_used_bytes", "data_total_bytes",
                  "data_used_bytes", "data_used_pct", "replication-factor", "default-ttl",
                  "nsup-period", "max-record-size", "storage-engine", "storage-engine.data-size"),
    "get-config": ("cluster-name", "proto-fd-max", "service-threads", "work-directory"),
    "config-get": ("cluster-name", "proto-fd-max", "service-threads", "work-directory"),
}

INFO1_BATCH = 0x08
INFO1_GET_ALL = 0x02
INFO1_GET_NO_BINS = 0x20
INFO2_WRITE = 0x01
INFO2_DELETE = 0x02
INFO3_LAST = 0x01
OP_DELETE_ALL = 14
F_NAMESPACE, F_SET, F_KEY, F_DIGEST, F_TRID, F_PID_ARRAY, F_DIGEST_ARRAY, F_MAX_RECORDS = 0, 1, 2, 4, 7, 11, 12, 13
F_BATCH, F_BATCH_WITH_SET = 41, 42

ADMIN_SECURITY_NOT_SUPPORTED = 51
ADMIN_SECURITY_NOT_ENABLED = 52


# --------------------------------------------------------------- decoder

_decoder = None


def decoder():
    """decode.py from the captures folder (the captures' own decoder)."""
    global _decoder
    if _decoder is None:
        path = os.path.join(CAPTURES_DIR, "decode.py")
        spec = importlib.util.spec_from_file_location("capture_decode", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        _decoder = mod
    return _decoder


def render(frame, is_request=False):
    try:
        return json.dumps(decoder().decode_message(frame, is_request))
    except Exception as e:          # never hide the hex because rendering failed
        return "<decode.py failed: %s>" % e


# --------------------------------------------------------------- AS_MSG parsing

class Msg:
    """One AS_MSG (22-byte header + fields + ops) inside a type-3 body."""
    __slots__ = ("raw", "hsz", "info1", "info2", "info3", "info4", "result", "gen", "ttl",
                 "tttl", "fields", "ops")

    def field(self, fid):
        for ft, data in self.fields:
            if ft == fid:
                return data
        return None

    @property
    def digest(self):
        return self.field(F_DIGEST)

    def masked(self):
        """Raw bytes with record_ttl zeroed (and, for string/blob index queries, the bval)."""
        raw = self.raw[:10] + b"\0\0\0\0" + self.raw[14:]
        if _MASK_BVAL[0]:
            at = raw.find(b"\x00\x00\x00\x09\x0f")
            if at >= 0:
                raw = raw[:at + 5] + b"\0" * 8 + raw[at + 13:]
        return raw


def parse_msgs(body, lenient=False):
    """All AS_MSGs of a type-3 body. Raises ValueError on malformed input
    (lenient: a last field/op running past the end is cut at the end, as the
    real server tolerated it in a recorded aerospike-py batch request)."""
    d = decoder()
    out = []
    p = 0
    while p < len(body):
        if len(body) - p < 22:
            raise ValueError("short AS_MSG header at offset %d" % p)
        m = Msg()
        m.hsz = body[p]
        m.info1, m.info2, m.info3, m.info4, m.result = body[p + 1:p + 6]
        m.gen, m.ttl, m.tttl = struct.unpack(">III", body[p + 6:p + 18])
        nf, no = struct.unpack(">HH", body[p + 18:p + 22])
        fields, ops, end = d.parse_fields_ops(body, p + m.hsz, nf, no, False)
        if end > len(body):
            if not lenient:
                raise ValueError("AS_MSG at offset %d runs past the frame end" % p)
            end = len(body)
        m.fields = fields
        m.ops = ops
        m.raw = body[p:end]
        out.append(m)
        p = end
    return out


def frame_type(frame):
    return frame[1] if len(frame) >= 2 else None


def inflate(frame):
    """Type-4 frame -> the type-3 frame inside."""
    return zlib.decompress(frame[16:])


def parse_batch_rows(data):
    """Rows of a BATCH field (id 41): list of dicts with index, digest, ns, set,
    info1, info2, fields, ops (REPEAT rows inherit the previous row)."""
    d = decoder()
    n = int.from_bytes(data[0:4], "big")
    p = 5
    rows = []
    prev = None
    for _ in range(n):
        idx = int.from_bytes(data[p:p + 4], "big")
        dig = data[p + 4:p + 24]
        rf = data[p + 24]
        p += 25
        if rf & 0x01:
            if prev is None:
                raise ValueError("REPEAT on the first batch row")
            row = dict(prev)
        else:
            row = {"info1": data[p], "info2": 0, "info3": 0}
            p += 1
            if rf & 0x02:
                row["info2"], row["info3"] = data[p], data[p + 1]
                p += 2
            if rf & 0x10:
                p += 1
            row["ttl"] = 0
            if rf & 0x04:
                p += 2
            if rf & 0x08:
                row["ttl"] = int.from_bytes(data[p:p + 4], "big")
                p += 4
            nf = int.from_bytes(data[p:p + 2], "big")
            no = int.from_bytes(data[p + 2:p + 4], "big")
            fields, ops, p = d.parse_fields_ops(data, p + 4, nf, no, True)
            row["fields"], row["ops"] = fields, ops
            fd = dict(fields)
            row["ns"] = fd.get(F_NAMESPACE, b"").decode("utf-8", "replace")
            row["set"] = fd[F_SET].decode("utf-8", "replace") if F_SET in fd else None
        row["index"], row["digest"] = idx, dig
        rows.append(row)
        prev = row
    return rows


def pid_of(digest):
    return int.from_bytes(digest[0:2], "little") & 0xFFF


# --------------------------------------------------------------- capture model

class Step:
    """One recorded request and the replies recorded for it."""

    def __init__(self, file, idx, line):
        self.file = file
        self.idx = idx
        self.name = line["step"]
        self.conn = line["conn"]
        self.t_rel = line["t_rel"]
        self.req = bytes.fromhex(line["hex"])
        self.resps = []                  # recorded reply frames
        self.resp_t = []
        # filled by analyse()
        self.kind = None                 # info | admin | single | batch | scan | other
        self.msg = None                  # request AS_MSG (inflated for type 4)
        self.compressed_req = False
        self.info_cmds = []
        self.unsupported = []            # reasons
        self.skip = None                 # reason or None
        self.deviation = None            # documented Aerolite deviation (asserted)
        self.reference = None            # Step whose capture reply is the reference (compressed requests)
        self.restart_before = False      # capture server restarted (crash) before this step
        self.epoch = 0                   # server lifetime in the capture
        self.records = []                # [(rec, set, writes, full_read)]
        self.scope = None                # (ns, set or None) for scans
        self.writes_scope = False        # background scan/query job
        self.read_touch = False          # a read with a read-touch TTL percent (may move void times)
        self.trid = None

    @property
    def id(self):
        return "%s:%03d:%s" % (self.file_stem, self.idx, self.name)

    @property
    def file_stem(self):
        return self.file[:-6] if self.file.endswith(".jsonl") else self.file

    def expects_last(self):
        """Replies are a stream ended by an INFO3_LAST message."""
        if not self.resps or frame_type(self.resps[-1]) != 3:
            return False
        try:
            return any(m.info3 & INFO3_LAST for m in parse_msgs(self.resps[-1][8:]))
        except ValueError:
            return False


def capture_files():
    if not os.path.isdir(CAPTURES_DIR):
        return []
    return sorted(f for f in os.listdir(CAPTURES_DIR)
                  if f.endswith(".jsonl") and not f.startswith("client-outcomes."))


def load_steps(file):
    steps = []
    pending = {}
    with open(os.path.join(CAPTURES_DIR, file)) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            if rec["dir"] == "req":
                st = Step(file, len(steps), rec)
                steps.append(st)
                pending[rec["conn"]] = st
            else:
                st = pending.get(rec["conn"])
                if st is None:
                    raise ValueError("%s: reply on %s without a request" % (file, rec["conn"]))
                st.resps.append(bytes.fromhex(rec["hex"]))
                st.resp_t.append(rec["t_rel"])
    return steps


def info_commands(body):
    return [c for c in body.decode("utf-8", "replace").split("\n") if c != ""]


def info_base(cmd):
    return re.split(r"[:/]", cmd, 1)[0]


def info_param(cmd, *names):
    if ":" not in cmd:
        return None
    for kv in cmd.split(":", 1)[1].split(";"):
        k, _, v = kv.partition("=")
        if k in names:
            return v
    return None


class FileAnalysis:
    """Static analysis of one capture file: steps, skips, seeds, time base."""

    def __init__(self, file):
        self.file = file
        self.steps = load_steps(file)
        self.seeds = {}           # epoch -> list of Seed
        self.base = None          # capture start, seconds since 2010 (float)
        self.base_source = None
        for st in self.steps:
            self._classify(st)
        self._crashes()
        self._estimate_base()
        self._seeds_and_taint()

    # -- per-step static classification

    def _classify(self, st):
        t = frame_type(st.req)
        body = st.req[8:]
        if t == 1:
            st.kind = "info"
            st.info_cmds = info_commands(body)
            for c in st.info_cmds:
                base = info_base(c)
                if base in UNSUPPORTED_INFO:
                    st.unsupported.append(UNSUPPORTED_INFO[base])
            return
        if t == 2:
            st.kind = "admin"
            if any(len(r) > 9 and frame_type(r) == 2 and r[9] == ADMIN_SECURITY_NOT_SUPPORTED
                   for r in st.resps):
                st.deviation = "admin-52"
            return
        if t == 4:
            st.compressed_req = True
            try:
                inner = inflate(st.req)
            except zlib.error:
                st.kind = "other"
                return
            body = inner[8:]
        elif t != 3:
            st.kind = "other"
            return
        try:
            msgs = parse_msgs(body, lenient=True)
        except ValueError:
            st.kind = "other"
            return
        if len(msgs) != 1:
            st.kind = "other"
            return
        m = st.msg = msgs[0]
        self._unsupported_in(m.fields, m.ops, st.unsupported)
        ns = (m.field(F_NAMESPACE) or b"").decode("utf-8", "replace")
        set_name = m.field(F_SET)
        set_name = set_name.decode("utf-8", "replace") if set_name is not None else None
        if m.info1 & INFO1_BATCH:
            st.kind = "batch"
            data = m.field(F_BATCH) or m.field(F_BATCH_WITH_SET)
            try:
                rows = parse_batch_rows(data) if data is not None else []
            except Exception:
                rows = []
            for row in rows:
                self._unsupported_in(row.get("fields", []), row.get("ops", []), st.unsupported)
                writes = bool(row["info2"] & INFO2_WRITE)
                if not writes and 1 <= row.get("ttl", 0) <= 100:
                    st.read_touch = True
                full = bool(row["info1"] & INFO1_GET_ALL) and not writes
                st.records.append(((row["ns"], row["digest"]), row["set"], writes, full))
            st.rows = rows
        elif m.digest is not None:
            st.kind = "single"
            writes = bool(m.info2 & INFO2_WRITE)
            st.read_touch = not writes and 1 <= m.ttl <= 100
            full = bool(m.info1 & INFO1_GET_ALL) and not writes
            st.records.append(((ns, m.digest), set_name, writes, full))
        else:
            st.kind = "scan"
            st.scope = (ns, set_name or None)
            st.writes_scope = bool(m.info2 & INFO2_WRITE)
            trid = m.field(F_TRID)
            st.trid = int.from_bytes(trid, "big") if trid is not None and len(trid) == 8 else None
        st.unsupported = sorted(set(st.unsupported))

    @staticmethod
    def _unsupported_in(fields, ops, out):
        for ft, _ in fields:
            if ft in UNSUPPORTED_FIELDS:
                out.append(UNSUPPORTED_FIELDS[ft])
        for op in ops:
            if op[0] in UNSUPPORTED_OPS:
                out.append(UNSUPPORTED_OPS[op[0]])
            elif op[0] in (3, 4) and _is_path_select(op[4]):
                out.append("CDT path select (0xfe)")

    # -- crash / restart

    def _crashes(self):
        epoch = 0
        restart = False
        for st in self.steps:
            if restart:
                st.restart_before = True
                epoch += 1
                restart = False
            st.epoch = epoch
            if not st.resps:
                # The request that killed the capture server: it answered nothing
                # and was restarted empty before the next request.
                restart = True

    # -- time base

    def _estimate_base(self):
        est = []
        for st in self.steps:
            if st.kind != "single" or not st.resps or st.msg is None:
                continue
            m = st.msg
            if not (m.info2 & INFO2_WRITE) or (m.info2 & INFO2_DELETE):
                continue
            if any(op[0] == OP_DELETE_ALL for op in m.ops):
                continue
            if m.ttl == 0:
                ttl = DEFAULT_TTL
            elif 1 <= m.ttl <= 0xFFFFFFFD:
                ttl = m.ttl
            else:
                continue
            try:
                r = parse_msgs(st.resps[0][8:])[0]
            except (ValueError, IndexError):
                continue
            if r.result == 0 and r.ttl != 0:
                # void = floor(base + t_server) + ttl, with t_req <= t_server <= t_resp
                est.append((r.ttl - ttl - st.resp_t[0], r.ttl - ttl + 1 - st.t_rel))
        if est:
            lo = max(a for a, _ in est)
            hi = min(b for _, b in est)
            if lo < hi:
                self.base = (lo + hi) / 2
                self.base_source = ("%d write replies with a known TTL (capture start within %.2f s)"
                                    % (len(est), hi - lo))
            else:
                self.base = statistics.median((a + b) / 2 for a, b in est)
                self.base_source = "median of %d write replies with a known TTL" % len(est)

    # -- seeds and taint

    def _observations(self, st):
        """(rec, set, msg, full, from_write, key) seen in the capture replies of st."""
        out = []
        if not st.resps or st.kind not in ("single", "batch", "scan"):
            return out
        msgs = []
        for fr in st.resps:
            if frame_type(fr) != 3:
                return out
            try:
                msgs.extend(parse_msgs(fr[8:]))
            except ValueError:
                return out
        if st.kind == "single":
            rec, set_name, writes, full = st.records[0]
            if msgs:
                out.append((rec, set_name, msgs[0], full, (st.msg.info2, st.msg.ops) if writes else None, None))
        elif st.kind == "batch":
            by_index = {r["index"]: r for r in getattr(st, "rows", [])}
            recs = {r["index"]: st.records[i] for i, r in enumerate(getattr(st, "rows", []))}
            for m in msgs:
                if m.info3 & INFO3_LAST or m.tttl not in by_index:
                    continue
                rec, set_name, writes, full = recs[m.tttl]
                row = by_index[m.tttl]
                out.append((rec, set_name, m, full, (row["info2"], row.get("ops", [])) if writes else None, None))
        else:
            projection = bool(st.msg.ops) or bool(st.msg.info1 & INFO1_GET_NO_BINS)
            for m in msgs:
                dig = m.digest
                if dig is None or m.info3 & INFO3_LAST:
                    continue
                ns = (m.field(F_NAMESPACE) or b"").decode("utf-8", "replace")
                s = m.field(F_SET)
                out.append(((ns, dig), s.decode("utf-8", "replace") if s is not None else None,
                            m, not projection and not st.writes_scope, None, m.field(F_KEY)))
        return out

    @staticmethod
    def _existed_before_write(msg, write):
        """Did the record exist before this (recorded) write? None = can't tell.
        `write` is (info2, ops) of the request or batch row."""
        info2, ops = write
        deleting = bool(info2 & INFO2_DELETE) or any(op[0] == OP_DELETE_ALL for op in ops)
        if msg.result == 0:
            if deleting:
                return True
            return msg.gen > 1
        if msg.result == 2:
            return False
        return True if msg.gen > 0 else None

    def _seeds_and_taint(self):
        known = set()               # records whose pre-capture state is settled
        seed_by_rec = {}
        unseedable = {}
        for st in self.steps:
            if st.restart_before:
                known = set()
            for rec, set_name, m, full, writes, key in self._observations(st):
                if rec in known:
                    continue
                if writes:
                    existed = self._existed_before_write(m, writes)
                    if existed is None:
                        continue
                    known.add(rec)
                    if existed:
                        unseedable[rec] = st
                    continue
                if m.result == 2:
                    known.add(rec)
                    continue
                if m.result != 0:
                    continue
                if not full:
                    continue         # exists, but bins unknown yet: wait for a full read
                known.add(rec)
                seed = Seed(rec, set_name, key, m, st.epoch)
                seed_by_rec[rec] = seed
                self.seeds.setdefault(st.epoch, []).append(seed)
        if self.base is None and seed_by_rec:
            voids = [s.void for s in seed_by_rec.values() if s.void]
            if voids:
                self.base = min(voids) - DEFAULT_TTL
                self.base_source = "earliest seeded void time minus default-ttl"

        # Taint propagation, in step order.
        tainted = {}                 # rec -> reason
        rec_set = {}                 # rec -> set name
        tainted_scopes = {}          # (ns, set) -> reason
        skipped_trids = {}

        def taint_unseedable(epoch):
            for rec, st2 in unseedable.items():
                if st2.epoch == epoch:
                    tainted[rec] = ("record existed before the capture (unrecorded seeding) and is "
                                    "written (step %d %s) before any full read of it" % (st2.idx, st2.name))
        taint_unseedable(0)
        for st in self.steps:
            if st.restart_before:
                tainted.clear()
                tainted_scopes.clear()
                taint_unseedable(st.epoch)
            for rec, set_name, _, _ in st.records:
                rec_set.setdefault(rec, set_name)
            reason = None
            if not st.resps:
                reason = "no reply recorded (this request crashed the capture server)"
            elif st.unsupported:
                reason = "unsupported: " + ", ".join(st.unsupported)
            elif st.kind == "other":
                reason = "request not understood by the replay"
            elif st.compressed_req:
                ref = self._uncompressed_twin(st)
                if ref is None:
                    reason = "compressed request without an identical uncompressed request to compare with"
                elif any(self._touched_before(r, st) for r, _, _, _ in st.records):
                    reason = "compressed request on a record used before (scratch-server comparison impossible)"
                else:
                    st.deviation = "compressed-request"
                    st.reference = ref
            elif st.kind == "info":
                for c in st.info_cmds:
                    base = info_base(c)
                    if base in OUTSIDE_STATE_INFO or (base == "query-show" and info_param(c, "id", "trid") is None):
                        reason = ("info '%s' lists state created by other scenarios of the "
                                  "recording run" % c)
                    elif base in ("query-show", "query-abort"):
                        trid = info_param(c, "id", "trid")
                        if trid is not None and trid.isdigit() and int(trid) in skipped_trids:
                            reason = "info '%s' is about job %s of skipped step %s" % (
                                c, trid, skipped_trids[int(trid)])
            if reason is None:
                for rec, _, _, _ in st.records:
                    if rec in tainted:
                        reason = "state diverged: " + tainted[rec]
                        break
            if reason is None and st.scope is not None:
                ns, s = st.scope
                for rec, why in tainted.items():
                    if rec[0] == ns and (s is None or rec_set.get(rec) == s):
                        reason = "state diverged (scanned set): " + why
                        break
                for (tns, tset), why in tainted_scopes.items():
                    if tns == ns and (s is None or tset is None or tset == s):
                        reason = "state diverged (scanned set): " + why
                        break
            st.skip = reason
            if reason is not None:
                if st.trid is not None:
                    skipped_trids[st.trid] = "%d %s" % (st.idx, st.name)
                if st.resps:
                    for rec, _, writes, _ in st.records:
                        if (writes or st.read_touch) and rec not in tainted:
                            tainted[rec] = "written by skipped step %d %s" % (st.idx, st.name)
                    if st.writes_scope:
                        tainted_scopes[st.scope] = "background job of skipped step %d %s" % (st.idx, st.name)

    def _uncompressed_twin(self, st):
        inner = inflate(st.req)
        for other in self.steps:
            if other is not st and other.req == inner and other.resps:
                return other
        return None

    def _touched_before(self, rec, st):
        for other in self.steps:
            if other is st:
                return False
            if other.epoch == st.epoch and rec in [r for r, _, _, _ in other.records]:
                return True
        return False


class Seed:
    def __init__(self, rec, set_name, key, msg, epoch):
        self.ns, self.digest = rec
        self.set = set_name
        self.key = key
        self.gen = max(1, msg.gen)
        self.void = msg.ttl
        self.bins = [(op[3], op[1], op[4]) for op in msg.ops]   # name, ptype, value
        self.epoch = epoch

    def frame(self, ttl):
        fields = [(F_NAMESPACE, self.ns.encode())]
        if self.set is not None:
            fields.append((F_SET, self.set.encode()))
        fields.append((F_DIGEST, self.digest))
        if self.key is not None:
            fields.append((F_KEY, self.key))
        body = struct.pack(">BBBBBBIIIHH", 22, 0, INFO2_WRITE, 0, 0, 0, 0, ttl, 1000,
                           len(fields), len(self.bins))
        for ft, data in fields:
            body += struct.pack(">IB", len(data) + 1, ft) + data
        for name, ptype, value in self.bins:
            body += struct.pack(">IBBBB", 4 + len(name) + len(value), 2, ptype, 0, len(name)) + name + value
        return struct.pack(">Q", (2 << 56) | (3 << 48) | len(body)) + body


_analyses = {}


def analysis(file):
    if file not in _analyses:
        _analyses[file] = FileAnalysis(file)
    return _analyses[file]


# --------------------------------------------------------------- servers

CAPTURE_CONFIG = """\
service {{
    cluster-name captures
    work-directory {work}
    proto-fd-max 1000
}}
logging {{
    console {{
        context any info
    }}
}}
network {{
    service {{
        address 127.0.0.1
        port {port}
        access-address 127.0.0.1
        access-port 3210
    }}
}}
namespace test {{
    replication-factor 1
    default-ttl 2592000
    nsup-period 120
    storage-engine memory {{
        data-size 256M
    }}
}}
"""


def start_server():
    """A fresh Aerolite configured like the capture server (cluster-name
    captures, access-port 3210, namespace test with default-ttl 30 days and
    nsup-period 120).  Uses conftest's process handling."""
    import conftest
    base = tempfile.mkdtemp(prefix="aerolite-captures-")

    class CaptureServer(conftest.ServerProcess):
        def __init__(self, base_dir):
            super().__init__(base_dir)
            with open(self.config_path, "w") as f:
                f.write(CAPTURE_CONFIG.format(work=self.work_dir, port=self.port))

    srv = CaptureServer(base)
    srv.start()
    srv.advanced = 0
    srv.base_dir_to_remove = base
    return srv


def stop_server(srv):
    rc = srv.stop()
    shutil.rmtree(getattr(srv, "base_dir_to_remove", ""), ignore_errors=True)
    return rc


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed by the server")
        buf += chunk
    return buf


def read_frame(sock):
    hdr = recv_exact(sock, 8)
    size = int.from_bytes(hdr, "big") & 0xFFFFFFFFFFFF
    if size > 256 * 1024 * 1024:
        raise ValueError("reply frame claims %d bytes" % size)
    return hdr + recv_exact(sock, size)


def info_request(port, command, timeout=5.0):
    body = (command + "\n").encode()
    with socket.create_connection(("127.0.0.1", port), timeout) as s:
        s.sendall(struct.pack(">Q", (2 << 56) | (1 << 48) | len(body)) + body)
        reply = read_frame(s)[8:].decode()
    _, _, value = reply.rstrip("\n").partition("\t")
    return value


class Outcome:
    """What Aerolite answered to one step."""

    def __init__(self):
        self.sent = None
        self.frames = []          # reply frames as received
        self.plain = []           # type-4 frames inflated
        self.compressed = []      # per frame: was it type 4
        self.error = None
        self.extra = []           # frames after the expected reply
        self.notes = []
        self.D = None             # void-time offset (ours - capture)
        self.server_log = ""


class Replay:
    """Replays one capture file against fresh Aerolite servers."""

    def __init__(self, file):
        self.file = file
        self.an = analysis(file)
        self.outcomes = {}        # step idx -> Outcome
        self.seed_problems = []
        self.server = None
        self.socks = {}
        self.t0 = None
        self.D = None

    # -- clock

    def sync_clock(self, srv, t_target):
        behind = t_target - (time.time() - self.t0 + srv.advanced)
        if behind >= 0.5:
            n = int(behind + 0.5)
            value = info_request(srv.port, "test-clock-advance:seconds=%d" % n)
            if value != "ok":
                raise RuntimeError("test-clock-advance failed: %r" % value)
            srv.advanced += n

    def virtual_now(self, srv):
        return time.time() + srv.advanced - CITRUSLEAF_EPOCH

    # -- run

    def run(self):
        try:
            self.server = start_server()
            self.t0 = time.time()
            if self.an.base is not None:
                self.D = (self.t0 - CITRUSLEAF_EPOCH) - self.an.base
            self.seed(0)
            for st in self.an.steps:
                if st.restart_before:
                    self.restart()
                    self.seed(st.epoch)
                if st.skip is not None:
                    continue
                if st.deviation == "compressed-request":
                    self.outcomes[st.idx] = self.run_on_scratch(st)
                    continue
                self.sync_clock(self.server, st.t_rel)
                self.outcomes[st.idx] = self.execute(self.server, self.socks, st)
        finally:
            self.close()

    def close(self):
        for s in self.socks.values():
            s.close()
        self.socks = {}
        if self.server is not None:
            alive = self.server.alive()
            tail = self.server.tail(40)
            rc = stop_server(self.server)
            self.server = None
            if not alive or rc != 0:
                self.seed_problems.append("aerolite exited abnormally (alive=%s rc=%r):\n%s" % (alive, rc, tail))

    def restart(self):
        for s in self.socks.values():
            s.close()
        self.socks = {}
        alive = self.server.alive()
        rc = stop_server(self.server)
        if not alive or rc != 0:
            self.seed_problems.append("aerolite exited abnormally before the restart (alive=%s rc=%r)"
                                      % (alive, rc))
        self.server = start_server()

    def seed(self, epoch):
        seeds = self.an.seeds.get(epoch, [])
        if not seeds:
            return
        self.sync_clock(self.server, 0)
        with socket.create_connection(("127.0.0.1", self.server.port), 5.0) as s:
            s.settimeout(READ_TIMEOUT)
            for sd in seeds:
                if sd.void == 0:
                    ttl = 0xFFFFFFFF
                elif self.D is not None:
                    ttl = max(1, int(round(sd.void + self.D - self.virtual_now(self.server))))
                else:
                    ttl = 0
                for g in range(sd.gen):
                    s.sendall(sd.frame(ttl))
                    try:
                        r = parse_msgs(read_frame(s)[8:])[0]
                    except Exception as e:
                        self.seed_problems.append("seed %s: %s" % (sd.digest.hex(), e))
                        break
                    if r.result != 0 or r.gen != g + 1:
                        self.seed_problems.append("seed write %s (#%d) answered result %d gen %d"
                                                  % (sd.digest.hex(), g + 1, r.result, r.gen))
                        break

    def run_on_scratch(self, st):
        """Compressed request: Aerolite inflates it and executes it.  Run it on
        a fresh server so the main replay keeps the capture's state."""
        srv = start_server()
        socks = {}
        try:
            out = self.execute(srv, socks, st, D=None if self.an.base is None else
                               (time.time() - CITRUSLEAF_EPOCH) - self.an.base - st.t_rel)
        finally:
            for s in socks.values():
                s.close()
            stop_server(srv)
        return out

    def conn(self, srv, socks, name):
        s = socks.get(name)
        if s is None:
            s = socket.create_connection(("127.0.0.1", srv.port), 5.0)
            s.settimeout(READ_TIMEOUT)
            socks[name] = s
        return s

    def rewrite(self, st, srv):
        """Request bytes to send: truncate lut= values moved onto our clock."""
        if st.kind != "info":
            return st.req
        cmds = []
        changed = False
        for c in st.info_cmds:
            base = info_base(c)
            lut = info_param(c, "lut")
            if base in ("truncate", "truncate-namespace") and lut is not None and lut.isdigit():
                new = int(lut) + int((self.D or 0) * 1e9)
                # never in the future of the server clock (the base estimate is +-1 s)
                new = min(new, int((self.virtual_now(srv) + CITRUSLEAF_EPOCH) * 1e9) - 50_000_000)
                c = c.replace("lut=" + lut, "lut=%d" % new)
                changed = True
            cmds.append(c)
        if not changed:
            return st.req
        body = ("\n".join(cmds) + "\n").encode()
        return struct.pack(">Q", (2 << 56) | (1 << 48) | len(body)) + body

    def execute(self, srv, socks, st, D="main"):
        out = Outcome()
        out.D = self.D if D == "main" else D
        req = self.rewrite(st, srv)
        out.sent = req
        sock = self.conn(srv, socks, st.conn)
        # A server that closed the connection after an earlier step is a finding.
        try:
            r, _, _ = select.select([sock], [], [], 0)
            if r:
                pending = sock.recv(65536, socket.MSG_PEEK)
                if not pending:
                    out.notes.append("the server had closed connection %s after the previous "
                                     "step on it; reconnected" % st.conn)
                    sock.close()
                    del socks[st.conn]
                    sock = self.conn(srv, socks, st.conn)
                else:
                    out.notes.append("%d unexpected bytes were waiting on %s before this step "
                                     "(left over from the previous step)" % (len(pending), st.conn))
                    sock.recv(len(pending))
        except OSError:
            pass
        try:
            sock.sendall(req)
            if st.expects_last():
                while True:
                    fr = read_frame(sock)
                    self._add(out, fr)
                    if self._has_last(out.plain[-1]):
                        break
            else:
                for _ in st.resps:
                    fr = read_frame(sock)
                    self._add(out, fr)
            # anything else already waiting is a finding too
            wait = 0.2 if st.kind in ("batch", "scan") and not st.expects_last() else 0
            r, _, _ = select.select([sock], [], [], wait)
            if r:
                sock.settimeout(0.5)
                try:
                    while True:
                        r, _, _ = select.select([sock], [], [], 0.05)
                        if not r:
                            break
                        out.extra.append(read_frame(sock))
                except (ConnectionError, socket.timeout, ValueError):
                    pass
                sock.settimeout(READ_TIMEOUT)
        except socket.timeout:
            out.error = "timed out after %.0f s waiting for the reply (%d frame(s) received)" % (
                READ_TIMEOUT, len(out.frames))
        except (ConnectionError, OSError, ValueError, zlib.error) as e:
            out.error = "%s (%d frame(s) received)" % (e, len(out.frames))
            s = socks.pop(st.conn, None)
            if s is not None:
                s.close()
        if out.error:
            out.server_log = srv.tail(30)
        return out

    @staticmethod
    def _add(out, fr):
        out.frames.append(fr)
        if frame_type(fr) == 4:
            out.plain.append(inflate(fr))
            out.compressed.append(True)
        else:
            out.plain.append(fr)
            out.compressed.append(False)

    @staticmethod
    def _has_last(frame):
        if frame_type(frame) != 3:
            return True            # info/admin/garbage: stop reading
        try:
            return any(m.info3 & INFO3_LAST for m in parse_msgs(frame[8:]))
        except ValueError:
            return True


# --------------------------------------------------------------- comparison

HDR_FIELDS = [("header_sz", 0, 1), ("info1", 1, 1), ("info2", 2, 1), ("info3", 3, 1), ("info4", 4, 1),
              ("result", 5, 1), ("generation", 6, 4), ("record_ttl", 10, 4),
              ("transaction_ttl", 14, 4), ("n_fields", 18, 2), ("n_ops", 20, 2)]


def describe_msg_diff(cap, ours, where):
    """Human-readable differences between two AS_MSGs (record_ttl excluded)."""
    d = decoder()
    diffs = []
    for name, off, ln in HDR_FIELDS:
        if name == "record_ttl":
            continue
        a = int.from_bytes(cap.raw[off:off + ln], "big")
        b = int.from_bytes(ours.raw[off:off + ln], "big")
        if a != b:
            if name == "result":
                diffs.append("%s: result ours %d %s vs capture %d %s" % (
                    where, b, d.RESULTS.get(b, "?"), a, d.RESULTS.get(a, "?")))
            else:
                diffs.append("%s: %s ours %d vs capture %d" % (where, name, b, a))
    if cap.fields != ours.fields:
        cf = [(ft, data.hex()) for ft, data in cap.fields]
        of = [(ft, data.hex()) for ft, data in ours.fields]
        if [f for f, _ in cf] != [f for f, _ in of]:
            diffs.append("%s: field ids ours %s vs capture %s" % (where, [f for f, _ in of], [f for f, _ in cf]))
        else:
            for (ft, a), (_, b) in zip(cf, of):
                if a != b and not (ft == 15 and _MASK_BVAL[0]):
                    diffs.append("%s: field %d %s ours %s vs capture %s" % (
                        where, ft, d.FIELDS.get(ft, "?"), b[:80], a[:80]))
    if cap.ops != ours.ops:
        cn = [(d.OPS.get(o[0], o[0]), o[3].decode("utf-8", "replace")) for o in cap.ops]
        on = [(d.OPS.get(o[0], o[0]), o[3].decode("utf-8", "replace")) for o in ours.ops]
        if cn != on:
            diffs.append("%s: ops ours %s vs capture %s" % (where, on, cn))
        else:
            for i, (a, b) in enumerate(zip(cap.ops, ours.ops)):
                if a != b:
                    ra = d.render_op(*a, False)
                    rb = d.render_op(*b, False)
                    diffs.append("%s: op %d (%s %r) ours %s vs capture %s" % (
                        where, i, cn[i][0], cn[i][1], json.dumps(rb), json.dumps(ra)))
    if not diffs and cap.masked() != ours.masked():
        diffs.append("%s: bytes differ (ours %s vs capture %s)" % (where, ours.masked().hex(), cap.masked().hex()))
    return diffs


def check_void(cap_ttl, our_ttl, D, where, anchor):
    if cap_ttl == 0 or our_ttl == 0:
        if cap_ttl != our_ttl:
            return ["%s: record_ttl (void time) ours %d vs capture %d (zero means never expires)"
                    % (where, our_ttl, cap_ttl)]
        return []
    if D is None:
        if anchor.get("D") is None:
            anchor["D"] = our_ttl - cap_ttl
            return []
        D = anchor["D"]
    expected = cap_ttl + D
    if abs(our_ttl - expected) > VOID_TOLERANCE:
        return ["%s: record_ttl (void time) ours %d, expected %d +- %d (capture %d shifted by the replay "
                "offset %.1f s): %+d s off" % (where, our_ttl, round(expected), VOID_TOLERANCE, cap_ttl, D,
                                               our_ttl - expected)]
    return []


def compare_msg_lists(cap_msgs, our_msgs, D, anchor, label="msg"):
    diffs = []
    if len(cap_msgs) != len(our_msgs):
        diffs.append("%d AS_MSGs in our reply vs %d in the capture" % (len(our_msgs), len(cap_msgs)))
    for i, (a, b) in enumerate(zip(cap_msgs, our_msgs)):
        where = "%s %d" % (label, i)
        diffs += describe_msg_diff(a, b, where)
        diffs += check_void(a.ttl, b.ttl, D, where, anchor)
    return diffs


def all_msgs(frames):
    out = []
    for fr in frames:
        if frame_type(fr) != 3:
            raise ValueError("frame of type %s where an AS_MSG was expected" % frame_type(fr))
        out.extend(parse_msgs(fr[8:]))
    return out


def compare_scan(st, cap_msgs, our_msgs, D, anchor, catalog):
    """Scan/query replies.  Per partition the records must be the same, in the
    same order, byte for byte; the order across partitions is free (it differs
    between runs of the real server).  With max_records, which partitions
    contribute records is not deterministic on the real server either: the
    count must match and every record must be valid (requested partition,
    after the resume digest, the highest remaining digests of its partition,
    identical to the capture's copy of that record)."""
    diffs = []

    def split(msgs):
        recs, other = [], []
        for m in msgs:
            (recs if m.digest is not None and not m.info3 & INFO3_LAST else other).append(m)
        return recs, other

    cap_recs, cap_other = split(cap_msgs)
    our_recs, our_other = split(our_msgs)
    diffs += compare_msg_lists(cap_other, our_other, D, anchor, "non-record msg")
    max_rec = st.msg.field(F_MAX_RECORDS)
    if max_rec is None:
        by_pid_cap = collections.OrderedDict()
        by_pid_our = collections.OrderedDict()
        for m in cap_recs:
            by_pid_cap.setdefault(pid_of(m.digest), []).append(m)
        for m in our_recs:
            by_pid_our.setdefault(pid_of(m.digest), []).append(m)
        if sorted(by_pid_cap) != sorted(by_pid_our):
            diffs.append("partitions with records: ours %s vs capture %s" % (
                sorted(by_pid_our), sorted(by_pid_cap)))
        for pid in sorted(set(by_pid_cap) & set(by_pid_our)):
            a, b = by_pid_cap[pid], by_pid_our[pid]
            if [m.digest for m in a] != [m.digest for m in b]:
                diffs.append("partition %d: digests ours %s vs capture %s" % (
                    pid, [m.digest.hex()[:12] for m in b], [m.digest.hex()[:12] for m in a]))
                continue
            diffs += compare_msg_lists(a, b, D, anchor, "partition %d record" % pid)
        return diffs
    # max_records: validity checks
    if len(our_recs) != len(cap_recs):
        diffs.append("%d records in our reply vs %d in the capture (max_records %d)" % (
            len(our_recs), len(cap_recs), int.from_bytes(max_rec, "big")))
    pids = set()
    pa = st.msg.field(F_PID_ARRAY)
    if pa:
        pids |= {int.from_bytes(pa[i:i + 2], "little") for i in range(0, len(pa), 2)}
    resume = {}
    da = st.msg.field(F_DIGEST_ARRAY)
    if da:
        for i in range(0, len(da), 20):
            resume[pid_of(da[i:i + 20])] = da[i:i + 20]
    seen = collections.defaultdict(list)
    for i, m in enumerate(our_recs):
        pid = pid_of(m.digest)
        where = "record %d (%s, partition %d)" % (i, m.digest.hex()[:12], pid)
        if pid not in pids and pid not in resume:
            diffs.append("%s: partition not requested" % where)
            continue
        if pid in resume and not m.digest < resume[pid]:
            diffs.append("%s: not after the resume digest %s" % (where, resume[pid].hex()[:12]))
        ref = catalog.get(m.digest)
        if ref is None:
            diffs.append("%s: record never returned by the real server in this file" % where)
            continue
        diffs += describe_msg_diff(ref, m, where)
        diffs += check_void(ref.ttl, m.ttl, D, where, anchor)
        seen[pid].append(m.digest)
    for pid, digs in seen.items():
        candidates = sorted((d for d in catalog if pid_of(d) == pid and (pid not in resume or d < resume[pid])),
                            reverse=True)
        if digs != candidates[:len(digs)]:
            diffs.append("partition %d: our records %s are not the highest remaining digests in "
                         "descending order %s" % (pid, [d.hex()[:12] for d in digs],
                                                  [d.hex()[:12] for d in candidates[:len(digs)]]))
    return diffs


def scan_catalog(an, st):
    """Capture records (by digest) returned by scans of the same shape (same
    namespace, set and projection) in this file, for max_records checks."""
    def shape(s):
        m = s.msg
        return (s.scope, m.info1 & INFO1_GET_NO_BINS, tuple(m.ops))
    cat = {}
    for other in an.steps:
        if other.kind != "scan" or other.msg is None or shape(other) != shape(st) or other.epoch != st.epoch:
            continue
        try:
            for m in all_msgs(other.resps):
                if m.digest is not None and not m.info3 & INFO3_LAST:
                    cat.setdefault(m.digest, m)
        except ValueError:
            pass
    return cat


def parse_info_reply(frame):
    text = frame[8:].decode("utf-8", "replace")
    lines = []
    for ln in text.split("\n"):
        if ln == "":
            continue
        name, tab, value = ln.partition("\t")
        lines.append((name, value if tab else None))
    return lines


def info_masked(cmd, value):
    base = info_base(cmd)
    return (value is not None and not value.startswith("ERROR")
            and (base in INFO_NODE_ID or base in INFO_CLUSTER_KEY or base in INFO_KEYS_ONLY))


def info_skeleton(text):
    """Info reply text with the masked values replaced by <masked>."""
    out = []
    for ln in text.split("\n"):
        name, tab, value = ln.partition("\t")
        if tab and info_masked(name, value):
            ln = name + "\t<masked>"
        out.append(ln)
    return "\n".join(out)


def compare_info_value(cmd, cap, ours, ctx):
    base = info_base(cmd)
    if cap is None or ours is None:
        return [] if cap == ours else ["'%s': value ours %r vs capture %r" % (cmd, ours, cap)]
    if cap.startswith("ERROR") or ours.startswith("ERROR"):
        return [] if cap == ours else ["'%s': ours %r vs capture %r" % (cmd, ours[:200], cap[:200])]
    if base in INFO_NODE_ID:
        if not re.fullmatch(r"[0-9A-F]{1,16}", ours):
            return ["'%s': node id %r is not upper-case hex" % (cmd, ours)]
        seen = ctx.setdefault("node", ours)
        if seen != ours:
            return ["'%s': node id changed within the file: %r then %r" % (cmd, seen, ours)]
        return []
    if base in INFO_CLUSTER_KEY:
        if not re.fullmatch(r"[0-9A-F]{1,16}", ours):
            return ["'%s': cluster key %r is not upper-case hex" % (cmd, ours)]
        return []
    if base in INFO_KEYS_ONLY:
        sep, kv, exact = INFO_KEYS_ONLY[base]

        def items(v):
            out = []
            for it in v.split(sep):
                if it == "":
                    continue
                k, _, val = it.partition(kv)
                out.append((k, val))
            return out
        ci, oi = items(cap), items(ours)
        ck, ok = [k for k, _ in ci], [k for k, _ in oi]
        diffs = []
        if base in INFO_KEYS_SUBSET:
            # Counters: every key we print must be one the real server prints (no invented
            # names), and the keys tools rely on must be there. Order is not compared.
            extra = [k for k in ok if k not in ck]
            missing = [k for k in INFO_KEYS_SUBSET[base] if k not in ok]
            if extra:
                diffs.append("'%s': keys the real server does not print: %s" % (cmd, extra))
            if missing:
                diffs.append("'%s': required keys missing: %s" % (cmd, missing))
        elif ck != ok:
            missing = [k for k in ck if k not in ok]
            extra = [k for k in ok if k not in ck]
            if missing or extra:
                diffs.append("'%s': keys differ: %d missing %s, %d extra %s" % (
                    cmd, len(missing), missing[:25] + (["..."] if len(missing) > 25 else []),
                    len(extra), extra[:25]))
            else:
                diffs.append("'%s': same keys in a different order: ours %s vs capture %s" % (cmd, ok, ck))
        cd, od = dict(ci), dict(oi)
        for k in exact:
            if k in cd and k in od and cd[k] != od[k]:
                diffs.append("'%s': %s ours %r vs capture %r" % (cmd, k, od[k], cd[k]))
        return diffs
    if cap != ours:
        return ["'%s': value ours %r vs capture %r" % (cmd, ours[:300], cap[:300])]
    return []


# String and blob index entries carry the value's hash as their bval; the real server uses
# wyhash, Aerolite another 64-bit hash (clients only echo bvals back as resume points), so
# BVAL fields are masked for string/blob index queries. Numeric bvals are compared.
_MASK_BVAL = [False]


def _string_index_query(msg):
    for ft, data in msg.fields:
        if ft == 22 and len(data) >= 3:
            name_len = data[1]
            if 2 + name_len < len(data) and data[2 + name_len] in (3, 4):
                return True
    return False


def compare(an, st, out, anchor, info_ctx):
    """List of differences between our outcome and the capture (empty = match)."""
    _MASK_BVAL[0] = st.msg is not None and _string_index_query(st.msg)
    diffs = list(out.notes)
    if out.error:
        diffs.append("no complete reply: " + out.error)
        return diffs
    if out.extra:
        diffs.append("%d unexpected extra frame(s) after the reply: %s" % (
            len(out.extra), [render(f)[:300] for f in out.extra]))
    cap = st.resps
    ours = out.plain
    # proto header of every frame
    if st.kind == "info":
        if len(ours) != len(cap):
            return diffs + ["%d reply frames vs %d in the capture" % (len(ours), len(cap))]
        for a, b in zip(cap, ours):
            if a[:2] != b[:2]:
                diffs.append("proto version/type ours %s vs capture %s" % (b[:2].hex(), a[:2].hex()))
                continue
            sent_cmds = info_commands(out.sent[8:])
            cl, ol = parse_info_reply(a), parse_info_reply(b)
            # the reply echoes the command as sent (lut rewritten)
            rename = dict(zip(st.info_cmds, sent_cmds))
            cl = [(rename.get(n, n), v) for n, v in cl]
            if [n for n, _ in cl] != [n for n, _ in ol]:
                diffs.append("reply lines ours %s vs capture %s" % ([n for n, _ in ol], [n for n, _ in cl]))
                continue
            for (n, cv), (_, ov) in zip(cl, ol):
                diffs += compare_info_value(n, cv, ov, info_ctx)
            # Everything outside the masked values must match byte for byte
            # (names, tabs, newlines, unmasked values, proto size when nothing is masked).
            text = a[8:].decode("utf-8", "replace")
            for old, new in rename.items():
                if old != new:
                    text = text.replace(old, new)
            exp_skel, our_skel = info_skeleton(text), info_skeleton(b[8:].decode("utf-8", "replace"))
            if exp_skel != our_skel:
                diffs.append("reply text differs outside masked values: ours %r vs capture %r"
                             % (our_skel[:400], exp_skel[:400]))
            elif exp_skel == text and len(text.encode()) != len(b) - 8:
                diffs.append("proto size ours %d vs capture %d" % (len(b) - 8, len(text.encode())))
        return diffs
    if st.kind == "admin":
        if len(ours) != len(cap):
            return diffs + ["%d reply frames vs %d in the capture" % (len(ours), len(cap))]
        for a, b in zip(cap, ours):
            expected = a
            if st.deviation == "admin-52" and len(a) > 9 and a[9] == ADMIN_SECURITY_NOT_SUPPORTED:
                expected = a[:9] + bytes([ADMIN_SECURITY_NOT_ENABLED]) + a[10:]
            if expected != b:
                d = decoder()
                diffs.append("admin reply ours %s vs expected %s (capture with result 51 -> 52): %s vs %s" % (
                    b.hex(), expected.hex(), json.dumps(d.decode_message(b, False).get("admin")),
                    json.dumps(d.decode_message(expected, False).get("admin"))))
        return diffs
    # AS_MSG replies
    ref = st.reference if st.deviation == "compressed-request" else st
    cap = ref.resps
    for i, (a, b) in enumerate(zip(cap, ours)):
        if frame_type(a) != frame_type(b) or a[0] != b[0]:
            diffs.append("frame %d: proto version/type ours %s vs capture %s" % (i, b[:2].hex(), a[:2].hex()))
    try:
        cap_msgs = all_msgs(cap)
        our_msgs = all_msgs(ours)
    except ValueError as e:
        return diffs + ["unparseable reply: %s" % e]
    if st.kind == "single" and len(ours) == len(cap):
        # frame-exact for single-record commands
        for i, (a, b) in enumerate(zip(cap, ours)):
            if len(a) != len(b):
                diffs.append("frame %d: proto size ours %d vs capture %d" % (i, len(b) - 8, len(a) - 8))
    elif st.kind == "single":
        diffs.append("%d reply frames vs %d in the capture" % (len(ours), len(cap)))
    if st.kind == "scan":
        diffs += compare_scan(st, cap_msgs, our_msgs, out.D, anchor, scan_catalog(an, st))
    else:
        diffs += compare_msg_lists(cap_msgs, our_msgs, out.D, anchor)
    return diffs


def failure_report(st, out, diffs):
    lines = ["capture step %s (file %s, request #%d, conn %s, t_rel %.3f)"
             % (st.name, st.file, st.idx, st.conn, st.t_rel)]
    if st.deviation:
        lines.append("documented deviation asserted: %s" % st.deviation)
    lines.append("differences:")
    lines += ["  - " + d for d in diffs]
    lines.append("request sent (hex): %s" % (out.sent or st.req).hex())
    lines.append("request decoded: %s" % render(out.sent or st.req, True))
    ref = st.reference or st
    for i, fr in enumerate(ref.resps):
        lines.append("capture reply frame %d (hex): %s" % (i, fr.hex()))
        lines.append("capture reply frame %d decoded: %s" % (i, render(fr)))
    for i, fr in enumerate(out.frames):
        if out.compressed[i]:
            lines.append("our reply frame %d was compressed (type 4); inflated below" % i)
        lines.append("our reply frame %d (hex): %s" % (i, out.plain[i].hex()))
        lines.append("our reply frame %d decoded: %s" % (i, render(out.plain[i])))
    if out.server_log:
        lines.append("aerolite log tail:\n" + out.server_log)
    return "\n".join(lines)


# --------------------------------------------------------------- summary

def summary(file):
    """(compared, skipped, reasons Counter) for one file, from static analysis."""
    an = analysis(file)
    compared = [st for st in an.steps if st.skip is None]
    skipped = [st for st in an.steps if st.skip is not None]
    reasons = collections.Counter()
    for st in skipped:
        r = st.skip
        r = re.sub(r"step \d+ \S+", "step N", r)
        r = re.sub(r"'[^']*'", "'...'", r) if r.startswith("info") else r
        reasons[r] += 1
    return compared, skipped, reasons
