"""Golden-capture replay: real client traffic recorded against Aerospike CE
8.1.2 (../shared/protocol/captures, see its README.md) is replayed against
Aerolite and every reply is compared with the recorded one, byte for byte
except where the value varies between runs.  How steps are selected, seeded,
timed and masked is documented in capture_replay.py.

One test per compared request (`test_capture_step[<file>:<nnn>:<step>]`), and
one coverage test per capture file that prints how many requests were compared
or skipped (and why) and fails when fewer than the expected minimum were
compared.  Each capture file is replayed once, on its own fresh server, the
first time one of its steps is tested.
"""
import collections
import os

import pytest

import capture_replay as cr

if not os.path.isdir(cr.CAPTURES_DIR):
    pytest.skip("golden captures not found: %s does not exist (they live in "
                "../shared/protocol/captures relative to the repository root; "
                "set AEROLITE_CAPTURES to override)" % cr.CAPTURES_DIR,
                allow_module_level=True)

FILES = cr.capture_files()

# Minimum number of requests compared per file.  A drop below these numbers
# means the replay stopped covering something (a classification or seeding
# problem); raise them when Aerolite gains features.
MIN_COMPARED = {
    "batch.aerospike-py.jsonl": 7,
    "batch.python-client.jsonl": 7,
    "cdt.aerospike-py.jsonl": 1,             # the plain put; everything else is CDT
    "cdt.python-client.jsonl": 1,
    "compress.python-client.jsonl": 6,
    "connect-tend.aerospike-py.jsonl": 10,
    "connect-tend.python-client.jsonl": 8,
    "info.aerospike-py.jsonl": 14,
    "info.python-client.jsonl": 29,
    "kv-basic.aerospike-py.jsonl": 13,
    "kv-basic.python-client.jsonl": 13,
    "kv-errors.aerospike-py.jsonl": 9,
    "kv-errors.python-client.jsonl": 11,
    "kv-policies.aerospike-py.jsonl": 24,
    "kv-policies.python-client.jsonl": 25,
    "login.aerospike-py.jsonl": 2,
    "login.python-client.jsonl": 2,
    "operate.aerospike-py.jsonl": 7,
    "operate.python-client.jsonl": 11,
    "probes.handmade.jsonl": 89,
    "scan.aerospike-py.jsonl": 4,
    "scan.python-client.jsonl": 6,
    "truncate.aerospike-py.jsonl": 3,
    "truncate.python-client.jsonl": 6,
}
# Files in which every request needs a feature Aerolite does not have yet.
NOTHING_COMPARABLE_YET = {
    "filter.aerospike-py.jsonl": "every request carries a filter expression or an expression op",
    "filter.python-client.jsonl": "every request carries a filter expression or an expression op",
    "query.aerospike-py.jsonl": "secondary indexes and secondary-index queries",
    "query.python-client.jsonl": "secondary indexes, secondary-index queries and a filter expression",
}

_replays = {}
_results = collections.defaultdict(lambda: {"passed": 0, "failed": 0})


def replay(file):
    if file not in _replays:
        r = cr.Replay(file)
        r.anchor = {}
        r.info_ctx = {}
        r.abort = None
        try:
            r.run()
        except Exception as e:          # keep the tests readable: report it per step
            r.abort = "%s: %s" % (type(e).__name__, e)
        _replays[file] = r
    return _replays[file]


# Steps that show a difference owned by an open issue. strict=True: once the feature lands
# the step passes, the xfail turns into a failure, and this entry must go.
KNOWN_DIFFERENCES = {}


def _step_params():
    params = []
    for f in FILES:
        for st in cr.analysis(f).steps:
            if st.skip is None:
                marks = ()
                if st.id in KNOWN_DIFFERENCES:
                    marks = (pytest.mark.xfail(reason=KNOWN_DIFFERENCES[st.id], strict=True),)
                params.append(pytest.param(f, st.idx, id=st.id, marks=marks))
    return params


class _SummaryPlugin:
    def pytest_terminal_summary(self, terminalreporter):
        tr = terminalreporter
        tr.section("golden-capture replay")
        tot_c = tot_s = 0
        for f in FILES:
            compared, skipped, reasons = cr.summary(f)
            tot_c += len(compared)
            tot_s += len(skipped)
            if f in _results:
                res = "%d matched, %d mismatched" % (_results[f]["passed"], _results[f]["failed"])
            else:
                res = "not run"
            extra = ""
            r = _replays.get(f)
            if r is not None:
                n = sum(1 for o in r.outcomes.values() if any(o.compressed))
                seeds = sum(len(v) for v in r.an.seeds.values())
                extra = "".join([", %d seeded records" % seeds if seeds else "",
                                 ", %d compressed replies (inflated)" % n if n else ""])
            tr.write_line("%-36s compared %3d (%s), skipped %3d%s"
                          % (f, len(compared), res, len(skipped), extra))
            for reason, n in reasons.most_common():
                tr.write_line("      %3d x %s" % (n, reason[:160]))
        tr.write_line("total: %d requests compared, %d skipped" % (tot_c, tot_s))


@pytest.fixture(scope="module", autouse=True)
def _capture_summary(request):
    pm = request.config.pluginmanager
    if not pm.has_plugin("capture-replay-summary"):
        pm.register(_SummaryPlugin(), "capture-replay-summary")
    yield


@pytest.mark.parametrize("file,idx", _step_params())
def test_capture_step(file, idx):
    r = replay(file)
    st = r.an.steps[idx]
    out = r.outcomes.get(idx)
    if out is None:
        _results[file]["failed"] += 1
        pytest.fail("step %s was not replayed: %s" % (st.id, r.abort or "replay stopped early"),
                    pytrace=False)
    diffs = cr.compare(r.an, st, out, r.anchor, r.info_ctx)
    if diffs:
        _results[file]["failed"] += 1
        if r.seed_problems:
            diffs.append("seeding problems in this file: %s" % r.seed_problems)
        pytest.fail(cr.failure_report(st, out, diffs), pytrace=False)
    _results[file]["passed"] += 1


@pytest.mark.parametrize("file", FILES)
def test_capture_coverage(file):
    compared, skipped, reasons = cr.summary(file)
    an = cr.analysis(file)
    seeds = sum(len(v) for v in an.seeds.values())
    print("%s: %d compared, %d skipped, %d seeded records, capture start %s (%s)"
          % (file, len(compared), len(skipped), seeds, an.base, an.base_source))
    for reason, n in reasons.most_common():
        print("   %3d x %s" % (n, reason))
    if compared:
        r = replay(file)
        assert r.abort is None, "replay of %s aborted: %s" % (file, r.abort)
        assert not r.seed_problems, "replay problems in %s: %s" % (file, r.seed_problems)
    if file in NOTHING_COMPARABLE_YET:
        bad = [st for st in skipped if not st.skip.startswith(("unsupported", "state diverged"))
               and "other scenarios" not in st.skip]
        assert not bad, "unexpected skip reasons: %s" % [(st.id, st.skip) for st in bad]
        return
    minimum = MIN_COMPARED.get(file, 1)
    assert len(compared) >= minimum, (
        "only %d of %d requests of %s are compared (expected at least %d); skip reasons: %s"
        % (len(compared), len(an.steps), file, minimum, dict(reasons)))
