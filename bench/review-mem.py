#!/usr/bin/env python3
"""Issue #12's review rows in one command: peak RSS of `shipcheck review` (in a pseudo-terminal,
as a reviewer runs it), its first frame against `shipcheck ls`, the first preview, and
`check`'s time and RSS against `gzip -dc`, on next@14.2.18 and on the 1.73 GB tarball of 20
copies of it (bench/make-big.py). Prints measured vs target. The first preview's latency is measured by
`cargo bench --bench review` (with SHIPCHECK_BENCH_ARTIFACT for a real package).

Usage: python3 bench/review-mem.py [BINARY]   (default target/release/shipcheck, built first)
"""
import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, "bench", ".cache")
LIMITS = ["--max-unpacked-size", "4G"]
MB = 1 << 20


def timed(cmd):
    """Wall time and peak RSS of a command, its output discarded. The peak comes from
    /usr/bin/time: a child forked from this (large) Python process keeps the parent's resident
    size in its ru_maxrss across exec, which read 203 MB for a `check` that peaks at 70 MB."""
    t = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    elapsed = time.monotonic() - t
    if p.returncode not in (0, 1):
        sys.exit(f"{cmd} failed")
    return elapsed, int(p.stderr.decode().strip().splitlines()[-1]) * 1024


def vm_hwm(pid):
    """The peak resident set of a running process, from /proc (its own, since its exec)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    sys.exit("no VmHWM")


def best(cmd, runs=3):
    results = [timed(cmd) for _ in range(runs)]
    return min(r[0] for r in results), max(r[1] for r in results)


def review(binary, artifact, preview, settle):
    """Runs review in a pty, opens `preview`, quits: (first frame s, peak RSS bytes)."""
    pid, fd = os.forkpty()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.execv(binary, [binary, "review", artifact, *LIMITS])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    start = time.monotonic()
    seen = b""

    def wait(text, deadline=600):
        nonlocal seen
        end = time.monotonic() + deadline
        while text not in seen:
            if time.monotonic() > end:
                sys.exit(f"review never showed {text!r}")
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    sys.exit("review exited early")
        return time.monotonic()

    first = wait(b"quit") - start

    def quiet(gap=0.5):
        """Reads until the screen has been still for `gap` seconds."""
        nonlocal seen
        while True:
            r, _, _ = select.select([fd], [], [], gap)
            if not r:
                return
            seen += os.read(fd, 65536)

    quiet()  # the findings frame
    os.write(fd, f"/{preview}\r".encode())
    quiet()
    os.write(fd, b"\r")  # open it: the preview reads the file again
    quiet()
    # The seek index is built after the first frame, on a thread of its own: give it the
    # time of a few listings to finish, so that its memory counts.
    time.sleep(settle)
    quiet()
    # Read before quitting: a forked child's ru_maxrss keeps this Python process's size.
    peak = vm_hwm(pid)
    os.write(fd, b"q")
    os.wait4(pid, 0)
    os.close(fd)
    return first, peak


def unpacked_and_largest(binary, artifact):
    import json
    out = subprocess.run([binary, "ls", "--json", *LIMITS, artifact], check=True,
                         capture_output=True).stdout
    sizes = [e["size"] for e in json.loads(out)["entries"] if e["kind"] == "file"]
    return sum(sizes), max(sizes)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "release", "shipcheck")
    if len(sys.argv) <= 1:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "shipcheck"], cwd=ROOT, check=True)
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "make-big.py")], check=True,
                   stdout=subprocess.DEVNULL)
    inputs = [("next@14.2.18", os.path.join(CACHE, "next-14.2.18.tgz"), "package.json"),
              ("20x next (1.73 GB)", os.path.join(CACHE, "big-20x-next.tgz"), "package.json")]
    for name, path, preview in inputs:
        unpacked, largest = unpacked_and_largest(binary, path)
        subprocess.run(["cat", path], stdout=subprocess.DEVNULL)  # warm the page cache
        ls, _ = best([binary, "ls", *LIMITS, path])
        gz, _ = best(["gzip", "-dc", path])
        check, check_rss = best([binary, "check", *LIMITS, path], runs=2)
        first, rss = min((review(binary, path, preview, 3 * ls) for _ in range(2)),
                               key=lambda r: r[0])
        target = 64 * MB + unpacked // 10
        print(f"{name}: {unpacked / MB:.0f} MB unpacked, largest entry {largest / MB:.1f} MB")
        print(f"  review peak RSS      {rss / MB:7.0f} MB   target <= {target / MB:.0f} MB (64 MB + 10% unpacked)")
        print(f"  review first frame   {first:7.2f} s    = {first / ls:.2f}x ls ({ls:.2f} s)   target <= 1.5x (findings arrive with it)")
        print(f"  check                {check:7.2f} s    = {check / gz:.2f}x gzip -dc ({gz:.2f} s)   target <= 0.5x")
        print(f"  check peak RSS       {check_rss / MB:7.0f} MB   target <= 64 MB + 2x largest = {(64 * MB + 2 * largest) / MB:.0f} MB (+ findings)")


if __name__ == "__main__":
    main()
