"""Raw Aerospike wire-protocol helpers for the behaviour tests.

Everything is built by hand (struct + socket) so the tests can send requests
the official clients never would: malformed frames, odd flags, split writes.

Layout reminders (see /work/shared/protocol/README.md):
  proto header : u8 version(2) | u8 type | u48 BE body size
  AS_MSG header: 22 bytes  header_sz info1 info2 info3 info4 result
                 gen(u32) record_ttl(u32) transaction_ttl(u32) n_fields(u16) n_ops(u16)
  field        : u32 BE size (= 1 + len(data)) | u8 type | data
  op           : u32 BE size (= 4 + len(name) + len(value)) | u8 op | u8 particle
                 | u8 flags | u8 name_len | name | value
"""
import socket
import struct
import time
import zlib

import aerospike

# ---------------------------------------------------------------- constants

PROTO_VERSION = 2
T_INFO = 1
T_ADMIN = 2
T_MSG = 3
T_MSG_COMPRESSED = 4

INFO1_READ = 0x01
INFO1_GET_ALL = 0x02
INFO1_BATCH = 0x08
INFO1_GET_NO_BINS = 0x20

INFO2_WRITE = 0x01
INFO2_DELETE = 0x02
INFO2_GENERATION = 0x04
INFO2_GENERATION_GT = 0x08
INFO2_DURABLE_DELETE = 0x10
INFO2_CREATE_ONLY = 0x20
INFO2_RESPOND_ALL_OPS = 0x80

INFO3_LAST = 0x01
INFO3_PARTITION_DONE = 0x04
INFO3_UPDATE_ONLY = 0x08

F_NAMESPACE = 0
F_SET = 1
F_KEY = 2
F_DIGEST = 4

OP_READ = 1
OP_WRITE = 2
OP_INCR = 5
OP_APPEND = 9
OP_TOUCH = 11

PT_NULL = 0
PT_INTEGER = 1
PT_FLOAT = 2
PT_STRING = 3
PT_BLOB = 4

PROTO_SIZE_MAX = 128 * 1024 * 1024

# Result codes used by the tests.
OK = 0
NOT_FOUND = 2
GENERATION = 3
PARAMETER = 4
RECORD_EXISTS = 5
UNSUPPORTED_FEATURE = 16
KEY_MISMATCH = 19
NAMESPACE = 20
BIN_NAME = 21


# ---------------------------------------------------------------- building

def proto(ptype, body, version=PROTO_VERSION, size=None):
    """8-byte proto header + body.  `size` overrides the length field."""
    if size is None:
        size = len(body)
    return struct.pack(">Q", (version << 56) | (ptype << 48) | size) + body


def field(ftype, data):
    if isinstance(data, str):
        data = data.encode()
    return struct.pack(">IB", len(data) + 1, ftype) + bytes(data)


def op(op_type, name=b"", ptype=PT_NULL, value=b""):
    if isinstance(name, str):
        name = name.encode()
    return struct.pack(">IBBBB", 4 + len(name) + len(value), op_type, ptype, 0,
                       len(name)) + name + bytes(value)


def int_value(v):
    return struct.pack(">q", v)


def write_int(name, v):
    return op(OP_WRITE, name, PT_INTEGER, int_value(v))


def write_str(name, s):
    return op(OP_WRITE, name, PT_STRING, s.encode())


def read_bin(name):
    return op(OP_READ, name)


def as_msg(fields=(), ops=(), info1=0, info2=0, info3=0, info4=0, gen=0,
           ttl=0, timeout=1000, n_fields=None, n_ops=None, result=0):
    """AS_MSG body (22-byte header + fields + ops); counts may be forced."""
    fields = list(fields)
    ops = list(ops)
    hdr = struct.pack(">BBBBBBIIIHH", 22, info1, info2, info3, info4, result,
                      gen, ttl, timeout,
                      len(fields) if n_fields is None else n_fields,
                      len(ops) if n_ops is None else n_ops)
    return hdr + b"".join(fields) + b"".join(ops)


def msg_frame(*args, **kwargs):
    return proto(T_MSG, as_msg(*args, **kwargs))


def digest(ns, set_name, key):
    return bytes(aerospike.calc_digest(ns, set_name or "", key))


def key_fields(ns, set_name, key=None, dig=None, send_key=False):
    """namespace, set and digest fields (plus KEY if send_key)."""
    if dig is None:
        dig = digest(ns, set_name, key)
    out = [field(F_NAMESPACE, ns)]
    if set_name is not None:
        out.append(field(F_SET, set_name))
    out.append(field(F_DIGEST, dig))
    if send_key:
        if isinstance(key, int):
            out.append(field(F_KEY, bytes([PT_INTEGER]) + int_value(key)))
        elif isinstance(key, str):
            out.append(field(F_KEY, bytes([PT_STRING]) + key.encode()))
        else:
            out.append(field(F_KEY, bytes([PT_BLOB]) + bytes(key)))
    return out


def get_frame(ns, set_name, key=None, dig=None, bins=None):
    """A plain 'get' as the C client builds it (all bins or named bins)."""
    if bins:
        return msg_frame(key_fields(ns, set_name, key, dig),
                         [read_bin(b) for b in bins], info1=INFO1_READ)
    return msg_frame(key_fields(ns, set_name, key, dig),
                     info1=INFO1_READ | INFO1_GET_ALL)


def put_frame(ns, set_name, key=None, bins=None, dig=None, ttl=0, info2=0,
              info3=0, gen=0, send_key=False):
    ops = []
    for name, value in (bins or {}).items():
        if isinstance(value, bool):
            raise TypeError("bool not supported by put_frame")
        if isinstance(value, int):
            ops.append(write_int(name, value))
        elif isinstance(value, str):
            ops.append(write_str(name, value))
        elif isinstance(value, (bytes, bytearray)):
            ops.append(op(OP_WRITE, name, PT_BLOB, bytes(value)))
        elif value is None:
            ops.append(op(OP_WRITE, name, PT_NULL))
        else:
            raise TypeError(type(value))
    return msg_frame(key_fields(ns, set_name, key, dig, send_key), ops,
                     info2=INFO2_WRITE | info2, info3=info3, ttl=ttl, gen=gen)


def info_frame(*commands):
    return proto(T_INFO, "".join(c + "\n" for c in commands).encode())


def compressed_frame(inner_frame):
    """Type-4 frame: u64 BE uncompressed size + zlib(complete inner frame)."""
    body = struct.pack(">Q", len(inner_frame)) + zlib.compress(inner_frame)
    return proto(T_MSG_COMPRESSED, body)


# ---------------------------------------------------------------- parsing

class Reply:
    """One parsed AS_MSG."""

    def __init__(self, info1, info2, info3, info4, result, gen, ttl, txn_ttl,
                 fields, ops):
        self.info1, self.info2, self.info3, self.info4 = info1, info2, info3, info4
        self.result = result
        self.generation = gen
        self.void_time = ttl
        self.transaction_ttl = txn_ttl
        self.fields = fields      # list of (type, bytes)
        self.ops = ops            # list of (op, ptype, name(str), value(bytes))

    def bins(self):
        out = {}
        for _op, ptype, name, value in self.ops:
            out[name] = decode_value(ptype, value)
        return out

    def field(self, ftype):
        for t, d in self.fields:
            if t == ftype:
                return d
        return None

    def __repr__(self):
        return ("Reply(result=%d gen=%d void=%d info1=%#x info3=%#x fields=%r ops=%r)"
                % (self.result, self.generation, self.void_time, self.info1,
                   self.info3, self.fields, self.ops))


def decode_value(ptype, value):
    if ptype == PT_INTEGER:
        return struct.unpack(">q", value.rjust(8, b"\0"))[0] if value else None
    if ptype == PT_FLOAT:
        return struct.unpack(">d", value)[0]
    if ptype == PT_STRING:
        return value.decode()
    if ptype == PT_NULL:
        return None
    return (ptype, value)


def parse_msgs(body):
    """Split a type-3 body into AS_MSGs (batch/scan frames hold several)."""
    out = []
    pos = 0
    while pos < len(body):
        if len(body) - pos < 22:
            raise ValueError("short AS_MSG header at %d: %r" % (pos, body[pos:]))
        (hsz, i1, i2, i3, i4, res, gen, ttl, tt, nf, no) = struct.unpack_from(
            ">BBBBBBIIIHH", body, pos)
        if hsz != 22:
            raise ValueError("header_sz %d" % hsz)
        pos += 22
        fields = []
        for _ in range(nf):
            (sz,) = struct.unpack_from(">I", body, pos)
            ftype = body[pos + 4]
            fields.append((ftype, body[pos + 5:pos + 4 + sz]))
            pos += 4 + sz
        ops = []
        for _ in range(no):
            (sz, o, pt, _fl, nl) = struct.unpack_from(">IBBBB", body, pos)
            name = body[pos + 8:pos + 8 + nl].decode(errors="replace")
            value = body[pos + 8 + nl:pos + 4 + sz]
            ops.append((o, pt, name, value))
            pos += 4 + sz
        if pos > len(body):
            raise ValueError("AS_MSG overruns its frame")
        out.append(Reply(i1, i2, i3, i4, res, gen, ttl, tt, fields, ops))
    return out


# ---------------------------------------------------------------- sockets

def connect(port, timeout=5.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return bytes(buf)


def read_frame(sock):
    """Returns (version, type, body); type-4 frames are inflated and the
    inner frame returned instead."""
    hdr = recv_exact(sock, 8)
    (v,) = struct.unpack(">Q", hdr)
    version = v >> 56
    ptype = (v >> 48) & 0xFF
    size = v & 0xFFFFFFFFFFFF
    body = recv_exact(sock, size)
    if ptype == T_MSG_COMPRESSED:
        inner = zlib.decompress(body[8:])
        (v2,) = struct.unpack(">Q", inner[:8])
        return v2 >> 56, (v2 >> 48) & 0xFF, inner[8:]
    return version, ptype, body


def read_reply(sock):
    """Read one single-record reply frame and return its (only) AS_MSG."""
    version, ptype, body = read_frame(sock)
    assert version == PROTO_VERSION, version
    assert ptype == T_MSG, ptype
    msgs = parse_msgs(body)
    assert len(msgs) == 1, msgs
    return msgs[0]


def read_stream(sock):
    """Read frames until a message with INFO3_LAST; returns all AS_MSGs
    (including the LAST one)."""
    out = []
    while True:
        version, ptype, body = read_frame(sock)
        assert ptype == T_MSG, ptype
        msgs = parse_msgs(body)
        out.extend(msgs)
        if any(m.info3 & INFO3_LAST for m in msgs):
            return out


def request(port, frame, timeout=5.0):
    """Send one single-record request on a fresh connection, return Reply."""
    with connect(port, timeout) as s:
        s.sendall(frame)
        return read_reply(s)


def parse_info(body):
    """Info response body -> list of (name, value) in order."""
    text = body.decode()
    out = []
    for line in text.split("\n"):
        if line == "":
            continue
        name, sep, value = line.partition("\t")
        out.append((name, value if sep else None))
    return out


def info(port, *commands, sock=None):
    """Send one info request with the given commands; return the list of
    (name, value) pairs of the reply."""
    if sock is None:
        with connect(port) as s:
            return info(port, *commands, sock=s)
    sock.sendall(info_frame(*commands))
    version, ptype, body = read_frame(sock)
    assert version == PROTO_VERSION
    assert ptype == T_INFO, ptype
    return parse_info(body)


def info1(port, command):
    """Value of a single info command."""
    pairs = info(port, command)
    assert len(pairs) == 1 and pairs[0][0] == command, pairs
    return pairs[0][1]


def wait_closed(sock, timeout=3.0):
    """True if the peer closes the connection (EOF or reset) within
    `timeout` without sending anything; returns the bytes received otherwise
    (b'' never: that means closed)."""
    sock.settimeout(timeout)
    deadline = time.monotonic() + timeout
    received = b""
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            return True if not received else received
        except socket.timeout:
            return received if received else False
        if not chunk:
            return True if not received else received
        received += chunk
    return received if received else False
