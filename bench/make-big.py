#!/usr/bin/env python3
"""Writes bench/.cache/big-20x-next.tgz: 20 copies of next@14.2.18 under different folders
(~127k files, ~1.73 GB unpacked, ~417 MB packed), made with Python's tarfile as issue #12
describes. Usage: python3 bench/make-big.py [NEXT_TGZ] (default bench/.cache/next-14.2.18.tgz,
fetched with `npm pack` when missing)."""
import os
import subprocess
import sys
import tarfile

CACHE = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".cache")
COPIES = 20


def main():
    os.makedirs(CACHE, exist_ok=True)
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(CACHE, "next-14.2.18.tgz")
    if not os.path.exists(src):
        subprocess.run(["npm", "pack", "next@14.2.18", "--pack-destination", CACHE,
                        "--ignore-scripts", "--silent"], check=True, stdout=subprocess.DEVNULL)
    out = os.path.join(CACHE, "big-20x-next.tgz")
    if os.path.exists(out):
        print(out)
        return
    tmp = out + ".part"
    with tarfile.open(src, "r:gz") as t:
        members = [(m, t.extractfile(m).read() if m.isfile() else None) for m in t]
    with tarfile.open(tmp, "w:gz") as o:
        for k in range(COPIES):
            for m, data in members:
                c = tarfile.TarInfo(m.name.replace("package/", f"package/copy{k:02}/", 1))
                c.size, c.mode, c.type, c.mtime = m.size, m.mode, m.type, m.mtime
                c.linkname = m.linkname
                if k == 0 and m.name == "package/package.json":
                    c.name = m.name  # one manifest at the root: the package stays next@14.2.18
                    o.addfile(c, __import__("io").BytesIO(data))
                    c = tarfile.TarInfo(f"package/copy{k:02}/package.json")
                    c.size, c.mode, c.mtime = m.size, m.mode, m.mtime
                o.addfile(c, __import__("io").BytesIO(data) if data is not None else None)
    os.replace(tmp, out)
    print(out)


if __name__ == "__main__":
    main()
