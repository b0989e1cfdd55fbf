"""What the Python oracles share: the list of what an installer wrote under a directory."""
import hashlib
import os
import stat


def walk(root, skip=lambda rel: False):
    """Every path under `root` as [path, kind, sha256 or link target, mode], sorted; kind is
    file, dir, symlink or other. `skip(rel)` leaves out files the installer writes about the
    install itself."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            st = os.lstat(full)
            mode = st.st_mode & 0o7777
            if stat.S_ISLNK(st.st_mode):
                out.append([rel, "symlink", os.readlink(full), mode])
            elif stat.S_ISDIR(st.st_mode):
                out.append([rel, "dir", None, mode])
            elif stat.S_ISREG(st.st_mode):
                if skip(rel):
                    continue
                with open(full, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
                out.append([rel, "file", digest, mode])
            else:
                out.append([rel, "other", None, mode])
    return sorted(out)
