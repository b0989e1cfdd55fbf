#!/usr/bin/env python3
"""Writes bench/.cache/real.map: a ~63 MB source map whose sourcesContent holds 1,906 real
JavaScript/TypeScript files (typescript, firebase, webpack, rxjs, next from the npm registry,
fetched by bench/precision.sh and bench/ls.py), like the incident's map of real sources.
Real code has far more escapes (quotes, tabs, backslashes, non-ASCII) than generated text,
which is what a JSON parser spends its time on.

Usage: python3 bench/make-map.py      (from the repository root)
"""
import json, os, tarfile

CACHE = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".cache")
TARBALLS = ["pkgs/rxjs-7.8.1.tgz", "pkgs/webpack-5.96.1.tgz", "next-14.2.18.tgz",
            "pkgs/typescript-5.6.3.tgz", "pkgs/firebase-11.0.2.tgz"]


def sources():
    for name in TARBALLS:
        with tarfile.open(os.path.join(CACHE, name)) as t:
            for m in t.getmembers():
                n = m.name
                if m.isfile() and n.endswith((".js", ".ts", ".mjs", ".cjs")) and ".min." not in n and ".prod." not in n:
                    yield m.size, name, n, t.extractfile(m).read().decode("utf-8", "replace")


def main():
    files = sorted((f for f in sources() if f[0] <= 3_000_000), key=lambda f: (-f[0], f[1], f[2]))
    # 1,906 consecutive files of that order (largest first) summing to at most 60 MB, like the
    # incident's ~1,900 sources in ~60 MB.
    start = next(k for k in range(len(files)) if sum(f[0] for f in files[k:k + 1906]) <= 60e6)
    picked = files[start:start + 1906]
    total = sum(f[0] for f in picked)
    m = {"version": 3, "file": "cli.js",
         "sources": ["webpack://app/./src/" + p for _, _, p, _ in picked],
         "sourcesContent": [c for _, _, _, c in picked], "names": [], "mappings": "AAAA;" * 200000}
    out = os.path.join(CACHE, "real.map")
    with open(out, "w") as f:
        json.dump(m, f, ensure_ascii=False)
    print(f"{out}: {os.path.getsize(out) / 1e6:.1f} MB, {len(picked)} sources, {total / 1e6:.1f} MB of them")


if __name__ == "__main__":
    main()
