"""What pip installs from each wheel, and what Python's zipfile reads from it.

One process for a whole batch: reads a JSON list of wheel paths on stdin, writes one JSON
object per line on stdout, in order:
  {"zipfile": {"files": [[name, sha256], ...]} | {"error": str},
   "pip": {"files": [[path, kind, sha256, mode], ...]} | {"error": str}}

"zipfile" is ZipFile.infolist() in order, each non-directory member read in full (so the
CRC is checked), later duplicates replacing earlier ones. "pip" is pip's own wheel installer
(pip._internal.operations.install.wheel.install_wheel, what `pip install --no-deps --target`
runs) into an empty directory laid out as --target lays it out, then every path it wrote:
kind (file, dir, symlink), sha256 of files, and mode. The files pip writes about the install
itself (RECORD rewritten, INSTALLER, REQUESTED, direct_url.json) are left out.
"""
import hashlib
import json
import os
import sys
import tempfile
import zipfile

from oracle_walk import walk

from pip._internal.models.scheme import Scheme
from pip._internal.operations.install.wheel import install_wheel

OWN = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


def read_zipfile(path):
    try:
        files = {}
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                if info.is_dir():
                    continue
                files[info.filename] = hashlib.sha256(z.read(info)).hexdigest()
        return {"files": sorted(files.items())}
    except Exception as e:  # the oracle's answer is "refused", whatever the reason
        return {"error": f"{type(e).__name__}: {e}"}


def own(rel):
    """The files pip writes about the install itself, left out."""
    parts = rel.split(os.sep)
    return len(parts) == 2 and parts[0].endswith(".dist-info") and parts[1] in OWN


def pip_install(path):
    with tempfile.TemporaryDirectory() as target:
        scheme = Scheme(
            platlib=target,
            purelib=target,
            headers=os.path.join(target, "include"),
            scripts=os.path.join(target, "bin"),
            data=target,
        )
        try:
            install_wheel(
                "pkg",
                path,
                scheme=scheme,
                req_description="pkg",
                pycompile=False,
                warn_script_location=False,
            )
        except BaseException as e:  # noqa: B036 - pip raises SystemExit-like errors too
            if isinstance(e, KeyboardInterrupt):
                raise
            return {"error": f"{type(e).__name__}: {e}"}
        return {"files": walk(target, own)}


def main():
    paths = json.load(sys.stdin)
    for p in paths:
        print(json.dumps({"zipfile": read_zipfile(p), "pip": pip_install(p)}), flush=True)


if __name__ == "__main__":
    main()
