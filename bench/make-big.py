#!/usr/bin/env python3
"""Writes bench/.cache/big-20x-next.tgz: 20 copies of next@14.2.18's package under folders
copy00..copy19/ inside one npm root (`package/copy07/dist/...`), plus the root's own
`package/package.json`: 127,161 files, about 1.7 GB unpacked, about 417 MB packed, written
with Python's tarfile at gzip level 6. The large artifact of issue #12.

Usage: python3 bench/make-big.py      (from the repository root; fetches next@14.2.18 with
`npm pack` into bench/.cache on first use, as bench/ls.py does)
"""
import gzip, io, os, subprocess, tarfile

CACHE = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".cache")
NEXT = os.path.join(CACHE, "next-14.2.18.tgz")
OUT = os.path.join(CACHE, "big-20x-next.tgz")


def main():
    os.makedirs(CACHE, exist_ok=True)
    if not os.path.exists(NEXT):
        subprocess.run(["npm", "pack", "next@14.2.18", "--pack-destination", CACHE,
                        "--ignore-scripts", "--silent"], check=True, stdout=subprocess.DEVNULL)
    if os.path.exists(OUT):
        print(f"{OUT} exists")
        return
    tmp = OUT + ".part"
    with tarfile.open(NEXT) as src, gzip.open(tmp, "wb", compresslevel=6) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as out:
        members = [(m, src.extractfile(m).read() if m.isfile() else None) for m in src.getmembers()]
        for copy in range(20):
            for m, data in members:
                rest = m.name.split("/", 1)[1] if "/" in m.name else m.name
                m2 = tarfile.TarInfo(f"package/copy{copy:02d}/{rest}")
                m2.size, m2.mode, m2.mtime, m2.type = m.size, m.mode, m.mtime, m.type
                out.addfile(m2, None if data is None else io.BytesIO(data))
        (root,) = [d for m, d in members if m.name == "package/package.json"]
        top = tarfile.TarInfo("package/package.json")
        top.size, top.mode = len(root), 0o644
        out.addfile(top, io.BytesIO(root))
    os.replace(tmp, OUT)
    print(f"{OUT}: {os.path.getsize(OUT) / 1e6:.1f} MB, {20 * len(members) + 1} entries")


if __name__ == "__main__":
    main()
