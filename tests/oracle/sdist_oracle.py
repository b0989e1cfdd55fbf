"""What Python's tarfile with the `data` filter writes from each sdist.

One process for a whole batch: reads a JSON list of .tar.gz paths on stdin, writes one JSON
object per line: {"files": [[path, kind, sha256 or link target, mode], ...]} or
{"error": str}. The `data` filter (Python 3.11.4+, 3.12+) refuses absolute names, names and
links that leave the destination, and device or FIFO members, and clears setuid, setgid,
sticky and group/other write bits. extractall() stops at the first refusal (errorlevel 1), so
a refusal is the answer for the whole archive.
"""
import json
import sys
import tarfile
import tempfile

from oracle_walk import walk


def extract(path):
    with tempfile.TemporaryDirectory() as target:
        try:
            with tarfile.open(path, "r:gz") as t:
                t.extractall(target, filter="data")
        except Exception as e:  # the oracle's answer is "refused", whatever the reason
            return {"error": f"{type(e).__name__}: {e}"}
        return {"files": walk(target)}


def main():
    if not hasattr(tarfile, "data_filter"):
        sys.exit("this Python's tarfile has no data filter (3.11.4+ / 3.12+ needed)")
    for p in json.load(sys.stdin):
        print(json.dumps(extract(p)), flush=True)


if __name__ == "__main__":
    main()
