#!/usr/bin/env python3
"""A minimal Flotilla spoke, written only against the spoke MUSTs of docs/protocol.md.

It shares no code with the Swift agent: it is the proof that the document is enough to
implement a spoke. It verifies and inflates each envelope, keeps its state (epoch, sequence
counter, outbox, stored and applied bundle) in a small JSON file written atomically before
anything derived from it is published, reports `received` then `applied`, deletes outbox rows
only on acks, resends what is unacknowledged, and follows the ack rules (other epoch ignored,
`newEpoch`, an ack beyond what it ever wrote, a `hash` that differs from its own report).

The applier is a null applier: it changes nothing, and only writes the applied objects'
identities to --applied-file when one is given.

Needs Python 3.9+, paho-mqtt 2.x. Ed25519 verification uses `cryptography` when installed and
a small RFC 8032 implementation otherwise.

    minimal_spoke.py --broker 127.0.0.1:1883 --name store-py --hub-pub hub.pub --state spoke.json \
        [--username U --password P | --password-file F] [--run-seconds N] [--until-applied-generation G]

At exit it prints one JSON line: its epoch, last sequence number, outbox length, and what it
applied (generation, hash, object names). Exit status: 0 when --until-applied-generation was
reached (or not asked for), 2 when --run-seconds ran out first, 1 on a usage or state error.
"""

import argparse
import base64
import hashlib
import json
import os
import queue
import signal
import struct
import sys
import threading
import time
import unicodedata
import uuid
import zlib

try:
    import paho.mqtt.client as mqtt
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties
except ImportError:  # pragma: no cover - reported to the caller
    print("minimal_spoke.py needs paho-mqtt 2.x: python3 -m pip install 'paho-mqtt>=2,<3'", file=sys.stderr)
    sys.exit(3)

MAX_COUNTER = 2**53 - 1
MAX_HEADER = 16 * 1024
MAX_REPORT_BYTES = 256 * 1024 - 16 * 1024  # the hub's default limit, with room to spare
MAX_MESSAGE = 4096
AGENT_VERSION = "minimal-spoke/1"


# --------------------------------------------------------------------------------------------
# Ed25519 verification (RFC 8032, section 5.1.7), used when `cryptography` is not installed.

_P = 2**255 - 19
_L = 2**252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _recover_x(y, sign):
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P != 0:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P != 0:
        return None
    if (x & 1) != sign:
        x = _P - x
    return x


def _add(a, b):
    A = (a[1] - a[0]) * (b[1] - b[0]) % _P
    B = (a[1] + a[0]) * (b[1] + b[0]) % _P
    C = 2 * a[3] * b[3] * _D % _P
    D = 2 * a[2] * b[2] % _P
    E, F, G, H = B - A, D - C, D + C, B + A
    return (E * F % _P, G * H % _P, F * G % _P, E * H % _P)


def _mul(s, pt):
    q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            q = _add(q, pt)
        pt = _add(pt, pt)
        s >>= 1
    return q


def _equal(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % _P == 0 and (a[1] * b[2] - b[1] * a[2]) % _P == 0


def _decompress(s):
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % _P)


_GY = 4 * pow(5, _P - 2, _P) % _P
_GX = _recover_x(_GY, 0)
_G = (_GX, _GY, 1, _GX * _GY % _P)


def _ed25519_verify_pure(public, message, signature):
    if len(public) != 32 or len(signature) != 64:
        return False
    a = _decompress(public)
    r = _decompress(signature[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= _L:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % _L
    return _equal(_mul(s, _G), _add(r, _mul(h, a)))


def ed25519_verify(public, message, signature):
    """True when `signature` (64 bytes) is `public`'s Ed25519 signature of `message`."""
    if len(signature) != 64 or len(public) != 32:
        return False
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return _ed25519_verify_pure(public, message, signature)
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
        return True
    except (InvalidSignature, ValueError):
        return False


# --------------------------------------------------------------------------------------------
# Wire formats.


def canonical(obj):
    """Canonical JSON: keys sorted, no whitespace, UTF-8."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def is_int(v, lo=1, hi=MAX_COUNTER):
    return isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi


def key_id(public):
    return hashlib.sha256(public).digest()[:8].hex()


def load_public_key(path):
    with open(path, "r", encoding="ascii") as f:
        raw = base64.b64decode(f.read().strip(), validate=True)
    if len(raw) != 32:
        raise ValueError("%s: not a base64 raw 32-byte Ed25519 public key" % path)
    return raw


class Refusal(Exception):
    """Why a bundle was refused; `generation` when the envelope was readable that far."""

    def __init__(self, message, generation=None, stored_generation=None):
        super().__init__(message)
        self.message = message
        self.generation = generation
        self.stored_generation = stored_generation


def decode_envelope(data, keys, max_bytes):
    """Checks an envelope in the documented order and returns (header, payload bytes).

    size -> structure -> signature -> inflate -> hash. Raises Refusal.
    """
    if len(data) > max_bytes:
        raise Refusal("refused bundle: envelope of %d bytes > limit %d" % (len(data), max_bytes))
    if len(data) < 8 or data[:4] != b"FLT1":
        raise Refusal("refused bundle: bad magic")
    (hlen,) = struct.unpack(">I", data[4:8])
    if hlen > MAX_HEADER or 8 + hlen > len(data):
        raise Refusal("refused bundle: bad header length")
    try:
        header = json.loads(data[8 : 8 + hlen].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Refusal("refused bundle: header is not valid JSON")
    if not isinstance(header, dict):
        raise Refusal("refused bundle: header is not a JSON object")
    for field, kind in (("spoke", str), ("hash", str), ("compression", str), ("keyId", str)):
        if not isinstance(header.get(field), kind):
            raise Refusal("refused bundle: header field %s missing or not a string" % field)
    if not is_int(header.get("generation")):
        raise Refusal("refused bundle: header generation missing or outside 1..2^53-1")
    if not is_int(header.get("size"), lo=0, hi=2**63 - 1):
        raise Refusal("refused bundle: header size missing or negative")
    if header["compression"] != "deflate":
        raise Refusal("refused bundle: unknown compression %s" % header["compression"])
    if header["size"] > max_bytes:
        raise Refusal("refused bundle: payload of %d bytes > limit %d" % (header["size"], max_bytes))
    off = 8 + hlen
    if off + 4 > len(data):
        raise Refusal("refused bundle: truncated payload")
    (plen,) = struct.unpack(">I", data[off : off + 4])
    off += 4
    if off + plen > len(data):
        raise Refusal("refused bundle: truncated payload")
    compressed = data[off : off + plen]
    off += plen
    signed = data[:off]
    if off + 2 > len(data):
        raise Refusal("refused bundle: bad signature block")
    (slen,) = struct.unpack(">H", data[off : off + 2])
    off += 2
    if off + slen != len(data):
        raise Refusal("refused bundle: bad signature block")
    sig = data[off:]
    if slen == 0:
        raise Refusal("refused bundle: bundle is not signed")
    key = next((k for k in keys if key_id(k) == header["keyId"]), None)
    if key is None:
        raise Refusal("refused bundle: key %s is not trusted" % (header["keyId"] or "(none)"))
    if slen != 64 or not ed25519_verify(key, signed, sig):
        raise Refusal("refused bundle: bad signature")
    size = header["size"]
    inflater = zlib.decompressobj(-15)  # raw deflate (RFC 1951), no zlib or gzip wrapper
    try:
        payload = inflater.decompress(compressed, size + 1)
    except zlib.error:
        raise Refusal("refused bundle: payload does not inflate")
    if len(payload) != size or not inflater.eof or inflater.unused_data:
        raise Refusal("refused bundle: payload does not inflate to its declared %d bytes" % size)
    if hashlib.sha256(payload).hexdigest() != header["hash"]:
        raise Refusal("refused bundle: payload hash does not match the header")
    return header, payload


def _label(s):
    """DNS-1123 label: 1-63 of [a-z0-9-], alphanumeric at both ends."""
    if not 1 <= len(s) <= 63:
        return False
    ok = "abcdefghijklmnopqrstuvwxyz0123456789-"
    an = "abcdefghijklmnopqrstuvwxyz0123456789"
    return all(c in ok for c in s) and s[0] in an and s[-1] in an


def _subdomain(s):
    """DNS-1123 subdomain: at most 253 characters; dot-separated parts of [a-z0-9-], each
    alphanumeric at both ends (no 63-character limit per part)."""
    ok = "abcdefghijklmnopqrstuvwxyz0123456789-"
    an = "abcdefghijklmnopqrstuvwxyz0123456789"
    return 1 <= len(s) <= 253 and all(
        part and all(c in ok for c in part) and part[0] in an and part[-1] in an for part in s.split("."))


def _path_segment(s):
    """Kubernetes' path-segment rule: ':' and upper case allowed."""
    return s not in ("", ".", "..") and "/" not in s and "%" not in s


# The rule of each kind whose names are not DNS-1123 subdomains (docs/protocol.md, "Object names").
NAME_RULES = {
    ("", "Namespace"): _label,
    ("apps", "StatefulSet"): _label,
    ("", "Service"): lambda s: _label(s) and s[0].isalpha(),
    ("batch", "CronJob"): lambda s: len(s) <= 52 and _subdomain(s),
    ("policy", "PodDisruptionBudget"): _path_segment,
    ("rbac.authorization.k8s.io", "Role"): _path_segment,
    ("rbac.authorization.k8s.io", "ClusterRole"): _path_segment,
    ("rbac.authorization.k8s.io", "RoleBinding"): _path_segment,
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): _path_segment,
}


def _has_control(s):
    return any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in s)


def valid_name(group, kind, name):
    if not name or _has_control(name):
        return False
    return NAME_RULES.get((group, kind), _subdomain)(name)


def decode_payload(payload):
    """Returns the bundle's objects as dicts of identity and flags. Raises Refusal."""
    try:
        tree = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Refusal("refused bundle: payload is not JSON")
    if not isinstance(tree, dict) or not isinstance(tree.get("objects"), list):
        raise Refusal("refused bundle: payload has no objects list")
    out = []
    for i, item in enumerate(tree["objects"]):
        obj = item.get("object") if isinstance(item, dict) else None
        meta = obj.get("metadata") if isinstance(obj, dict) else None
        if not isinstance(meta, dict):
            raise Refusal("refused bundle: item %d has no object.metadata" % i)
        api, kind, name = obj.get("apiVersion"), obj.get("kind"), meta.get("name")
        ns = meta.get("namespace")
        ns = "" if ns is None else ns
        if not all(isinstance(v, str) and v for v in (api, kind, name)) or not isinstance(ns, str):
            raise Refusal("refused bundle: item %d lacks apiVersion, kind or metadata.name" % i)
        group = api.split("/", 1)[0] if "/" in api else ""
        if not valid_name(group, kind, name):
            raise Refusal("refused bundle: item %d: invalid metadata.name %r for %s" % (i, name, kind))
        if ns and not _label(ns):
            raise Refusal("refused bundle: item %d: invalid metadata.namespace %r" % (i, ns))
        out.append(
            {
                "apiVersion": api,
                "kind": kind,
                "namespace": ns,
                "name": name,
                "createOnly": item.get("createOnly") is True,
                "singleton": item.get("singleton") is True,
            }
        )
    return out


# --------------------------------------------------------------------------------------------
# State: one JSON file, replaced atomically.


class State:
    def __init__(self, path, spoke):
        self.path = path
        if os.path.exists(path):
            with open(path, "r", encoding="utf-8") as f:
                d = json.load(f)
            if d.get("spoke") != spoke:
                raise SystemExit("state file %s belongs to spoke %r, not %r" % (path, d.get("spoke"), spoke))
        else:
            d = {"spoke": spoke, "epoch": str(uuid.uuid4()), "lastSeq": 0, "ackedSeq": 0, "outbox": []}
        self.d = d
        self.save()

    def __getattr__(self, name):
        try:
            return self.__dict__["d"][name]
        except KeyError:
            raise AttributeError(name)

    def save(self):
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self.d, f, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        dfd = os.open(os.path.dirname(os.path.abspath(self.path)), os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)

    def enqueue(self, kind, **fields):
        """Adds a report to the outbox (the caller saves). Returns its sequence number."""
        seq = self.d["lastSeq"] + 1
        self.d["lastSeq"] = seq
        report = {"epoch": self.d["epoch"], "seq": seq, "kind": kind, "time": round(time.time(), 3)}
        report.update({k: v for k, v in fields.items() if v is not None})
        if len(report.get("message", "")) > MAX_MESSAGE:
            # A refusal can quote a hostile name of any length: keep the report under the limit.
            report["message"] = report["message"][:MAX_MESSAGE] + "…"
        self.d["outbox"].append({"seq": seq, "body": encode_report(report).decode("utf-8")})
        return seq

    def new_epoch(self):
        """A new epoch: every pending report renumbered from 1, none deleted."""
        epoch = str(uuid.uuid4())
        rows = []
        for i, row in enumerate(sorted(self.d["outbox"], key=lambda r: r["seq"]), start=1):
            report = json.loads(row["body"])
            report["seq"], report["epoch"] = i, epoch
            rows.append({"seq": i, "body": encode_report(report).decode("utf-8")})
        self.d.update(epoch=epoch, outbox=rows, lastSeq=len(rows), ackedSeq=0)


def encode_report(report):
    """Canonical JSON under the hub's report limit: objects are dropped (failed ones kept
    first) and the number omitted said in `message` when the report would be too large."""
    body = canonical(report)
    if len(body) <= MAX_REPORT_BYTES or not report.get("objects"):
        return body
    objects = sorted(report["objects"], key=lambda o: o.get("state") != "failed")
    keep = len(objects)
    while keep > 0:
        keep //= 2
        trial = dict(report, objects=objects[:keep])
        omitted = len(objects) - keep
        trial["message"] = ((report.get("message") or "") + " (%d objects omitted)" % omitted).strip()
        body = canonical(trial)
        if len(body) <= MAX_REPORT_BYTES:
            return body
    return body


# --------------------------------------------------------------------------------------------
# The spoke.


class Spoke:
    def __init__(self, args):
        self.args = args
        self.name = args.name
        prefix = args.topic_prefix
        self.t_desired = "%s/spokes/%s/desired" % (prefix, self.name)
        self.t_ack = "%s/spokes/%s/ack" % (prefix, self.name)
        self.t_status = "%s/spokes/%s/status" % (prefix, self.name)
        self.t_presence = "%s/spokes/%s/presence" % (prefix, self.name)
        self.keys = [load_public_key(p) for p in args.hub_pub]
        self.state = State(args.state, self.name)
        self.events = queue.Queue()
        self.connected = False
        self.sent_through = self.state.ackedSeq
        self.last_progress = time.monotonic()
        self.last_refusal = None

        self.client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2, client_id=self.name, protocol=mqtt.MQTTv5
        )
        if args.username is not None:
            password = args.password
            if args.password_file:
                with open(args.password_file, "r", encoding="utf-8") as f:
                    password = f.readline().rstrip("\r\n")
            self.client.username_pw_set(args.username, password)
        self.client.will_set(self.t_presence, canonical({"state": "offline"}), qos=1, retain=True)
        self.client.reconnect_delay_set(min_delay=1, max_delay=5)
        self.client.on_connect = lambda c, u, flags, rc, props: self.events.put(("connect", rc))
        self.client.on_disconnect = lambda c, u, flags, rc, props: self.events.put(("disconnect", rc))
        self.client.on_message = lambda c, u, msg: self.events.put(("message", msg.topic, bytes(msg.payload)))

    def log(self, text):
        print("[minimal-spoke %s] %s" % (self.name, text), file=sys.stderr, flush=True)

    # ---- outbox -----------------------------------------------------------------------

    def pump(self):
        """Publishes outbox rows after `sent_through`, in order, byte for byte as stored."""
        if not self.connected:
            return
        for row in self.state.outbox:
            if row["seq"] > self.sent_through:
                info = self.client.publish(self.t_status, row["body"].encode("utf-8"), qos=1, retain=False)
                if info.rc != mqtt.MQTT_ERR_SUCCESS:
                    return
                self.sent_through = row["seq"]

    def resend_if_stalled(self):
        if self.connected and self.state.outbox and time.monotonic() - self.last_progress > self.args.resend_interval:
            self.log("resending unacknowledged reports from %d" % (self.state.ackedSeq + 1))
            self.announce()
            self.sent_through = self.state.ackedSeq
            self.last_progress = time.monotonic()
            self.pump()

    def on_ack(self, payload):
        try:
            ack = json.loads(payload.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            self.log("ignoring malformed ack")
            return
        if not isinstance(ack, dict) or not isinstance(ack.get("epoch"), str) or not is_int(ack.get("seq"), lo=0):
            self.log("ignoring malformed ack")
            return
        st = self.state
        if ack["epoch"] != st.epoch:
            return  # an ack of another epoch (an older state file, or a retained leftover)
        seq = ack["seq"]
        restart = None
        if ack.get("newEpoch") is True:
            restart = "the hub saw a report collide with one it stored"
        elif seq > st.lastSeq:
            restart = "ack %d is beyond the last sequence number %d this state ever wrote" % (seq, st.lastSeq)
        elif isinstance(ack.get("hash"), str):
            mine = next((r for r in st.outbox if r["seq"] == seq), None)
            if mine is not None and hashlib.sha256(mine["body"].encode("utf-8")).hexdigest() != ack["hash"]:
                restart = "the hub stored another report at seq %d" % seq
        if restart:
            self.log("starting a new epoch: " + restart)
            st.new_epoch()
            st.save()
            self.sent_through = 0
            self.last_progress = time.monotonic()
            self.announce()
            self.pump()
            return
        if seq <= st.ackedSeq:
            return
        st.d["outbox"] = [r for r in st.outbox if r["seq"] > seq]
        st.d["ackedSeq"] = seq
        st.save()
        self.last_progress = time.monotonic()
        if self.sent_through < seq:
            self.sent_through = seq
        self.pump()

    # ---- bundles ----------------------------------------------------------------------

    def refuse(self, r):
        self.log(r.message)
        if self.last_refusal == r.message:
            return  # consecutive identical refusals are reported once
        self.last_refusal = r.message
        self.state.enqueue(
            "refused", message=r.message, generation=r.generation, storedGeneration=r.stored_generation
        )
        self.state.save()
        self.pump()

    def on_desired(self, data):
        st = self.state
        if not data:
            self.refuse(Refusal("desired state was cleared at the broker; keeping the last bundle"))
            return
        try:
            header, payload = decode_envelope(data, self.keys, self.args.max_bundle_bytes)
            gen = header["generation"]
            if header["spoke"] != self.name:
                raise Refusal(
                    'refused bundle: bundle is for spoke "%s", not "%s"' % (header["spoke"], self.name), generation=gen
                )
            try:
                objects = decode_payload(payload)
            except Refusal as r:
                r.generation = gen
                raise
            stored = st.d.get("stored")
            if stored:
                if gen < stored["generation"] or (gen == stored["generation"] and header["hash"] != stored["hash"]):
                    raise Refusal(
                        "refused bundle: generation %d is older than stored generation %d" % (gen, stored["generation"]),
                        generation=gen,
                        stored_generation=stored["generation"],
                    )
                if gen == stored["generation"]:
                    return  # the same bundle again (retained message on reconnect): nothing to do
        except Refusal as r:
            self.refuse(r)
            return
        self.last_refusal = None
        applied = st.d.get("applied")
        st.d["stored"] = {"generation": gen, "hash": header["hash"], "envelope": base64.b64encode(data).decode("ascii")}
        if applied and applied["hash"] == header["hash"]:
            # Same content under a higher generation: record it and report it applied, no re-apply.
            applied["generation"] = gen
            st.enqueue("applied", generation=gen, hash=header["hash"])
            st.save()
            self.log("same bundle under generation %d" % gen)
            self.pump()
            return
        st.enqueue("received", generation=gen, hash=header["hash"])
        st.save()  # stored with its "received" report before anything is applied
        self.pump()
        results = self.apply(objects)
        st.d["applied"] = {
            "generation": gen,
            "hash": header["hash"],
            "objects": ["%s/%s/%s" % (o["kind"], o["namespace"], o["name"]) for o in objects],
        }
        st.enqueue("applied", generation=gen, hash=header["hash"], objects=results)
        st.save()
        self.log("applied generation %d (%d objects)" % (gen, len(objects)))
        self.pump()

    def apply(self, objects):
        """The null applier: runs nothing; optionally lists the objects in a file."""
        if self.args.applied_file:
            tmp = self.args.applied_file + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                for o in objects:
                    f.write("%s %s %s %s\n" % (o["apiVersion"], o["kind"], o["namespace"] or "-", o["name"]))
            os.replace(tmp, self.args.applied_file)
        return [
            {"apiVersion": o["apiVersion"], "kind": o["kind"], "namespace": o["namespace"], "name": o["name"], "state": "applied"}
            for o in objects
        ]

    # ---- presence and the loop --------------------------------------------------------

    def announce(self):
        st = self.state
        presence = {
            "state": "online",
            "agentVersion": AGENT_VERSION,
            "applier": "null",
            "epoch": st.epoch,
            "ackedSequence": st.ackedSeq,
            "time": round(time.time(), 3),
        }
        if st.d.get("applied"):
            presence["appliedGeneration"] = st.d["applied"]["generation"]
        self.client.publish(self.t_presence, canonical(presence), qos=1, retain=True)

    def done(self):
        g = self.args.until_applied_generation
        applied = self.state.d.get("applied")
        return g is not None and applied is not None and applied["generation"] >= g and not self.state.outbox

    def run(self):
        host, _, port = self.args.broker.rpartition(":")
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = self.args.session_expiry
        self.client.connect_async(host or "127.0.0.1", int(port), keepalive=self.args.keepalive, clean_start=False, properties=props)
        self.client.loop_start()
        deadline = time.monotonic() + self.args.run_seconds
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        reached = False
        while not stop.is_set():
            if self.done():
                reached = True
                break
            if time.monotonic() >= deadline:
                break
            try:
                event = self.events.get(timeout=0.2)
            except queue.Empty:
                self.resend_if_stalled()
                continue
            if event[0] == "connect":
                if event[1].is_failure:
                    self.log("connect refused: %s" % event[1])
                    continue
                self.connected = True
                # Subscribe on every connect: the retained desired and ack are the truth.
                self.client.subscribe([(self.t_desired, 1), (self.t_ack, 1)])
                self.announce()
                self.sent_through = self.state.ackedSeq
                self.last_progress = time.monotonic()
                self.pump()
            elif event[0] == "disconnect":
                self.connected = False
            elif event[0] == "message":
                topic, payload = event[1], event[2]
                if topic == self.t_desired:
                    self.on_desired(payload)
                elif topic == self.t_ack:
                    self.on_ack(payload)
        if self.connected:
            info = self.client.publish(self.t_presence, canonical({"state": "offline"}), qos=1, retain=True)
            try:
                info.wait_for_publish(timeout=2)
            except (RuntimeError, ValueError):
                pass
        self.client.disconnect()
        self.client.loop_stop()
        return reached

    def summary(self, reached):
        st = self.state
        applied = st.d.get("applied") or {}
        stored = st.d.get("stored") or {}
        return {
            "spoke": self.name,
            "epoch": st.epoch,
            "lastSeq": st.lastSeq,
            "ackedSeq": st.ackedSeq,
            "outbox": len(st.outbox),
            "storedGeneration": stored.get("generation"),
            "appliedGeneration": applied.get("generation"),
            "appliedHash": applied.get("hash"),
            "objects": applied.get("objects", []),
            "reached": reached,
        }


def main(argv=None):
    p = argparse.ArgumentParser(description="A minimal Flotilla spoke (null applier), for conformance tests.")
    p.add_argument("--broker", required=True, help="HOST:PORT of the MQTT broker")
    p.add_argument("--name", required=True, help="spoke name: client id and topic level")
    p.add_argument("--hub-pub", required=True, action="append", help="hub.pub file (repeat for rotation)")
    p.add_argument("--state", required=True, help="state file (JSON)")
    p.add_argument("--username")
    p.add_argument("--password")
    p.add_argument("--password-file", help="file whose first line is the password")
    p.add_argument("--run-seconds", type=float, default=60)
    p.add_argument("--until-applied-generation", type=int, help="exit once this generation is applied and the outbox is empty")
    p.add_argument("--topic-prefix", default="flotilla/v1")
    p.add_argument("--applied-file", help="write the applied objects' identities here")
    p.add_argument("--resend-interval", type=float, default=3)
    p.add_argument("--keepalive", type=int, default=30)
    p.add_argument("--session-expiry", type=int, default=7 * 24 * 3600)
    p.add_argument("--max-bundle-bytes", type=int, default=4 << 20)
    args = p.parse_args(argv)
    if not _label(args.name):
        p.error("--name must be a DNS-1123 label")
    spoke = Spoke(args)
    reached = spoke.run()
    print(json.dumps(spoke.summary(reached), sort_keys=True), flush=True)
    if args.until_applied_generation is not None and not reached:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
