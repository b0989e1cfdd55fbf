#!/usr/bin/env python3
"""Benchmark `shipcheck ls` against `tar -tzf` and a bare zlib-rs inflate, in one run.

Usage: python3 bench/ls.py [--runs N]        (from the repository root)

Inputs (cached in bench/.cache, not committed):
  - next@14.2.18 from the npm registry (`npm pack`), a large real tarball;
  - a generated 100,000-file npm-style tarball;
  - a 3 GiB gzip bomb, to show `ls` refuses it at the --max-unpacked-size cap with bounded RSS.
Reports median wall time of N runs, the ratios the issue sets as targets, and peak RSS
(from wait4, per process) against the largest single entry.
"""
import json, os, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, "bench", ".cache")
BIN = os.path.join(ROOT, "target", "release", "shipcheck")
TOOLS = os.path.join(ROOT, "target", "release", "examples", "bench_tools")
RUNS = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5


def run(cmd):
    """Runs cmd with stdout discarded; returns (seconds, peak RSS in MB, exit code).

    RSS comes from /usr/bin/time: wait4's ru_maxrss would include this Python process's own
    memory, which Linux carries across fork+exec.
    """
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    rss_kb = int(p.stderr.decode().strip().splitlines()[-1].split()[-1])
    return elapsed, rss_kb / 1024, p.returncode


def median(cmd):
    times, rss = [], 0.0
    run(cmd)  # warm the page cache
    for _ in range(RUNS):
        t, r, code = run(cmd)
        if code != 0:
            sys.exit(f"{cmd} exited {code}")
        times.append(t)
        rss = max(rss, r)
    return statistics.median(times), rss


def prepare():
    os.makedirs(CACHE, exist_ok=True)
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "shipcheck", "--example", "bench_tools"], cwd=ROOT, check=True)
    nxt = os.path.join(CACHE, "next-14.2.18.tgz")
    if not os.path.exists(nxt):
        subprocess.run(["npm", "pack", "next@14.2.18", "--pack-destination", CACHE, "--ignore-scripts", "--silent"], check=True, stdout=subprocess.DEVNULL)
    many = os.path.join(CACHE, "many-100000.tgz")
    if not os.path.exists(many):
        subprocess.run([TOOLS, "many", many, "100000"], check=True)
    bomb = os.path.join(CACHE, "bomb-3g.tgz")
    if not os.path.exists(bomb):
        subprocess.run([TOOLS, "bomb", bomb, "3"], check=True)
    return {"next@14.2.18": nxt, "100,000 files": many}, bomb


def largest_entry(path):
    out = subprocess.run([BIN, "ls", "--json", path], check=True, capture_output=True).stdout
    entries = json.loads(out)["entries"]
    return max((e["size"] for e in entries), default=0), len(entries)


def main():
    inputs, bomb = prepare()
    print(f"median of {RUNS} runs, {os.cpu_count()} cores\n")
    for name, path in inputs.items():
        ls_t, ls_rss = median([BIN, "ls", path])
        tar_t, _ = median(["tar", "-tzf", path])
        inf_t, _ = median([TOOLS, "inflate", path])
        gz_t, _ = median(["gzip", "-dc", path])
        big, n = largest_entry(path)
        print(f"{name}: {os.path.getsize(path)/1e6:.1f} MB packed, {n} entries, largest entry {big/1e6:.2f} MB")
        print(f"  shipcheck ls   {ls_t*1000:8.1f} ms   peak RSS {ls_rss:6.1f} MB (target <= {64 + big/2**20:.0f} MB)")
        print(f"  tar -tzf       {tar_t*1000:8.1f} ms   ratio ls/tar     {ls_t/tar_t:.2f} (target <= 0.5)")
        print(f"  zlib-rs inflate{inf_t*1000:8.1f} ms   ratio ls/inflate {ls_t/inf_t:.2f} (target <= 1.5)")
        print(f"  gzip -dc       {gz_t*1000:8.1f} ms   ratio ls/gzip    {ls_t/gz_t:.2f}")
    t, rss, code = run([BIN, "ls", bomb])
    print(f"\ngzip bomb (3 GiB of zeros, {os.path.getsize(bomb)/1e6:.1f} MB packed): exit {code} in {t*1000:.0f} ms, peak RSS {rss:.1f} MB (default cap 1 GiB unpacked)")


if __name__ == "__main__":
    main()
