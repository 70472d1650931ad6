"""UDF module registry (udf-put / udf-list / udf-get / udf-remove) and
apply on a missing module."""
import base64
import hashlib
import re
import uuid

import pytest

import aerospike
from aerospike import exception as ex

import wire
from conftest import make_client

LUA = b"""-- aerolite test module
function hello(rec, name)
    return "hello " .. tostring(name)
end

function add(rec, a, b)
    return a + b
end
"""


@pytest.fixture
def lua_file(tmp_path):
    name = "mod_%s.lua" % uuid.uuid4().hex[:8]
    path = tmp_path / name
    path.write_bytes(LUA)
    return str(path), name


def expected_hash(filename, content):
    """udf-list `hash` on the real server (as/src/base/udf_cask.c): SHA-1 of
    the module's SMD value, the jansson dump of
    {"content64": <base64 content>, "type": "LUA", "name": <filename>} --
    not of the raw Lua text."""
    smd = '{"content64": "%s", "type": "LUA", "name": "%s"}' % (
        base64.b64encode(content).decode(), filename)
    return hashlib.sha1(smd.encode()).hexdigest()


def hash_text(h):
    if isinstance(h, (bytes, bytearray)):
        h = bytes(h)
        if len(h) == 20:
            return h.hex()
        return h.decode().rstrip("\0")
    return str(h)


def udf_list_raw(raw):
    value = raw.info1("udf-list")
    out = {}
    for entry in value.split(";"):
        if not entry:
            continue
        props = dict(p.split("=", 1) for p in entry.split(","))
        out[props["filename"]] = props
    return out


def test_udf_put_list_get_remove(client, raw, lua_file):
    path, name = lua_file
    client.udf_put(path)
    listed = {m["name"]: m for m in client.udf_list()}
    assert name in listed
    assert hash_text(listed[name]["hash"]) == expected_hash(name, LUA)
    assert listed[name]["type"] == aerospike.UDF_TYPE_LUA
    # raw listing format
    props = udf_list_raw(raw)[name]
    assert props["hash"] == expected_hash(name, LUA)
    assert props["type"] == "LUA"
    # content round trip
    content = client.udf_get(name)
    assert (content if isinstance(content, str) else content.decode()) == LUA.decode()
    client.udf_remove(name)
    assert name not in {m["name"] for m in client.udf_list()}
    assert name not in udf_list_raw(raw)


def test_udf_info_commands_raw(raw):
    name = "raw_%s.lua" % uuid.uuid4().hex[:8]
    b64 = base64.b64encode(LUA).decode()
    put = "udf-put:filename=%s;content=%s;content-len=%d;udf-type=LUA;" % (name, b64, len(b64))
    assert raw.info(put) == [(put, "ok")]
    get = "udf-get:filename=%s" % name
    value = raw.info1(get)
    props = dict(p.split("=", 1) for p in value.split(";") if p)
    assert props["type"] == "LUA"
    assert base64.b64decode(props["content"]) == LUA
    # replacing the module changes the hash
    new = LUA + b"-- v2\n"
    b64 = base64.b64encode(new).decode()
    put2 = "udf-put:filename=%s;content=%s;content-len=%d;udf-type=LUA;" % (name, b64, len(b64))
    assert raw.info(put2) == [(put2, "ok")]
    assert udf_list_raw(raw)[name]["hash"] == expected_hash(name, new)
    rm = "udf-remove:filename=%s;" % name
    assert raw.info(rm) == [(rm, "ok")]
    assert name not in udf_list_raw(raw)
    assert raw.info1(get) == "error=not_found"


def test_udf_list_format(raw):
    name = "fmt_%s.lua" % uuid.uuid4().hex[:8]
    b64 = base64.b64encode(LUA).decode()
    put = "udf-put:filename=%s;content=%s;content-len=%d;udf-type=LUA;" % (name, b64, len(b64))
    assert raw.info(put) == [(put, "ok")]
    value = raw.info1("udf-list")
    assert value.endswith(";")
    entry = [e for e in value.split(";") if ("filename=%s," % name) in e][0]
    assert re.fullmatch(r"filename=%s,hash=[0-9a-f]{40},type=LUA" % re.escape(name), entry), entry
    rm = "udf-remove:filename=%s;" % name
    assert raw.info(rm) == [(rm, "ok")]


def test_udf_put_errors(raw):
    b64 = base64.b64encode(LUA).decode()
    # no extension
    cmd = "udf-put:filename=noext;content=%s;content-len=%d;udf-type=LUA;" % (b64, len(b64))
    assert raw.info(cmd) == [(cmd, "error=invalid_filename")]
    # content-len not a multiple of 4
    cmd = "udf-put:filename=x.lua;content=%s;content-len=%d;udf-type=LUA;" % (b64, len(b64) - 1)
    assert raw.info(cmd) == [(cmd, "error=invalid_content_len")]
    # unknown type
    cmd = "udf-put:filename=x.lua;content=%s;content-len=%d;udf-type=PYTHON;" % (b64, len(b64))
    assert raw.info(cmd) == [(cmd, "error=invalid_udf_type")]
    assert "filename=x.lua," not in raw.info1("udf-list")


def test_apply_missing_module(client, set_name):
    k = ("test", set_name, "u1")
    client.put(k, {"a": 1})
    with pytest.raises(ex.UDFError) as ei:
        client.apply(k, "no_such_module_%s" % uuid.uuid4().hex[:6], "f", [1])
    assert ei.value.code == 100
    assert client.get(k)[2] == {"a": 1}


def test_apply_missing_module_on_missing_record(client, set_name):
    k = ("test", set_name, "u2")
    with pytest.raises(ex.UDFError):
        client.apply(k, "no_such_module", "f", [])
    assert client.exists(k)[1] is None


def test_apply_missing_module_raw(raw, set_name):
    fields = wire.key_fields("test", set_name, "u3") + [
        wire.field(30, "no_such_module"), wire.field(31, "f"),
        wire.field(32, b"\x90")]                     # msgpack empty array
    rep = raw.request(wire.msg_frame(fields, info2=wire.INFO2_WRITE))
    assert rep.result == 100, rep
    assert [(o[2], o[1]) for o in rep.ops] == [("FAILURE", wire.PT_STRING)]


def test_udf_module_survives_restart(server_factory, tmp_path):
    srv = server_factory()
    c = make_client(srv)
    path = tmp_path / "persist_mod.lua"
    path.write_bytes(LUA)
    try:
        c.udf_put(str(path))
        assert "persist_mod.lua" in {m["name"] for m in c.udf_list()}
    finally:
        c.close()
    srv.restart()
    c = make_client(srv)
    try:
        listed = {m["name"]: m for m in c.udf_list()}
        assert "persist_mod.lua" in listed
        assert hash_text(listed["persist_mod.lua"]["hash"]) == expected_hash("persist_mod.lua", LUA)
        content = c.udf_get("persist_mod.lua")
        assert (content if isinstance(content, str) else content.decode()) == LUA.decode()
        # removal persists as well
        c.udf_remove("persist_mod.lua")
    finally:
        c.close()
    srv.restart()
    assert "persist_mod.lua" not in wire.info1(srv.port, "udf-list")

