#!/usr/bin/env python3
# The NFS operations that Debian's libnfs-utils has no (working) command for (mkdir, stat, chmod,
# rmdir, unlink, and writes: nfs-cp fails on anything over ~3.9 KiB with libnfs 4.0), done through the same libnfs library (libnfs13) with ctypes, so nothing is compiled and
# nothing is mounted. Called by harness/nfs/nfs-client.ts, one operation per process (the caller
# kills the process when the server hangs).
#
# usage: libnfs-ops.py <op> <export-url> <path-inside-export> [octal-mode]
#   op: mkdir | stat | chmod | rmdir | unlink | write | overwrite (data on stdin)
#   export-url: nfs://127.0.0.1/<pseudo>?version=4&nfsport=<port>[&uid=N&gid=N]
# Output: one JSON line on stdout; {"ok": true, ...} or {"ok": false, "errno": N, "error": "..."}.
# Exit code 0 on success, 1 on an NFS error, 2 on a usage or library error.

import ctypes
import ctypes.util
import json
import os
import sys

CHUNK = 3072


class NfsUrl(ctypes.Structure):
    _fields_ = [("server", ctypes.c_char_p), ("path", ctypes.c_char_p), ("file", ctypes.c_char_p)]


class NfsStat64(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint64) for name in (
        "dev", "ino", "mode", "nlink", "uid", "gid", "rdev", "size", "blksize", "blocks",
        "atime", "mtime", "ctime", "atime_nsec", "mtime_nsec", "ctime_nsec", "used")]


def load_libnfs():
    for name in ("libnfs.so.13", ctypes.util.find_library("nfs")):
        if not name:
            continue
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    return None


def out(obj, code):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.exit(code)


def main(argv):
    if len(argv) < 4:
        out({"ok": False, "errno": 0, "error": "usage: libnfs-ops.py <op> <export-url> <path> [mode]"}, 2)
    op, url, path = argv[1], argv[2], argv[3]
    mode = int(argv[4], 8) if len(argv) > 4 else 0o755
    lib = load_libnfs()
    if lib is None:
        out({"ok": False, "errno": 0, "error": "libnfs.so.13 not found (apt-get install libnfs-utils)"}, 2)

    lib.nfs_init_context.restype = ctypes.c_void_p
    lib.nfs_destroy_context.argtypes = [ctypes.c_void_p]
    lib.nfs_get_error.restype = ctypes.c_char_p
    lib.nfs_get_error.argtypes = [ctypes.c_void_p]
    lib.nfs_parse_url_dir.restype = ctypes.POINTER(NfsUrl)
    lib.nfs_parse_url_dir.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.nfs_destroy_url.argtypes = [ctypes.POINTER(NfsUrl)]
    lib.nfs_mount.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
    lib.nfs_mkdir2.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    lib.nfs_rmdir.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.nfs_unlink.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.nfs_chmod.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    lib.nfs_create.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int,
                               ctypes.POINTER(ctypes.c_void_p)]
    lib.nfs_open.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_void_p)]
    lib.nfs_fchmod.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
    lib.nfs_pwrite.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint64,
                               ctypes.c_char_p]
    lib.nfs_close.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    lib.nfs_stat64.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(NfsStat64)]

    nfs = lib.nfs_init_context()
    if not nfs:
        out({"ok": False, "errno": 0, "error": "nfs_init_context failed"}, 2)

    def fail(rc, what):
        err = lib.nfs_get_error(nfs)
        out({"ok": False, "errno": -rc if rc < 0 else 0,
             "error": "%s: %s" % (what, err.decode("utf-8", "replace") if err else "rc %d" % rc)}, 1)

    parsed = lib.nfs_parse_url_dir(nfs, url.encode())
    if not parsed:
        fail(-22, "parse url")
    rc = lib.nfs_mount(nfs, parsed.contents.server, parsed.contents.path)
    if rc != 0:
        fail(rc, "mount")
    if ".." in path.split("/"):
        out({"ok": False, "errno": 22, "error": "path must not contain '..': " + path}, 2)
    p = ("/" + path.lstrip("/")).encode()
    if op == "mkdir":
        rc = lib.nfs_mkdir2(nfs, p, mode)
        result = {"ok": True}
    elif op == "chmod":
        rc = lib.nfs_chmod(nfs, p, mode)
        result = {"ok": True}
    elif op == "rmdir":
        rc = lib.nfs_rmdir(nfs, p)
        result = {"ok": True}
    elif op == "unlink":
        rc = lib.nfs_unlink(nfs, p)
        result = {"ok": True}
    elif op in ("write", "overwrite"):
        # Data on stdin. libnfs 4.0 quirks this works around: a WRITE over ~3.9 KiB fails to
        # encode ("ZDR error: Failed to encode COMPOUND4args"), so data goes in 3 KiB chunks;
        # nfs_creat() opens read-only with EXCLUSIVE4 (times set to the verifier, year 2106);
        # nfs_create() ignores the mode (ganesha makes 0600), so a new file is fchmod()ed.
        data = sys.stdin.buffer.read()
        st = NfsStat64()
        existed = lib.nfs_stat64(nfs, p, ctypes.byref(st)) == 0
        if existed and op == "write":
            out({"ok": False, "errno": 17, "error": "%s exists (NFS4ERR_EXIST(-17))" % path}, 1)
        fh = ctypes.c_void_p()
        if existed:
            # nfs_create() on an existing file fails with NFS4ERR_EXIST even without O_EXCL.
            rc = lib.nfs_open(nfs, p, os.O_WRONLY | os.O_TRUNC, ctypes.byref(fh))
        else:
            rc = lib.nfs_create(nfs, p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode, ctypes.byref(fh))
        if rc != 0:
            fail(rc, "open" if existed else "create")
        off = 0
        while off < len(data):
            chunk = data[off:off + CHUNK]
            n = lib.nfs_pwrite(nfs, fh, off, len(chunk), chunk)
            if n <= 0:
                fail(n if n < 0 else -5, "write at %d" % off)
            off += n
        if not existed:
            rc = lib.nfs_fchmod(nfs, fh, mode)
            if rc != 0:
                fail(rc, "fchmod")
        rc = lib.nfs_close(nfs, fh)
        if rc != 0:
            fail(rc, "close")
        result = {"ok": True, "written": off}
    elif op == "stat":
        st = NfsStat64()
        rc = lib.nfs_stat64(nfs, p, ctypes.byref(st))
        result = {"ok": True, "mode": st.mode, "uid": st.uid, "gid": st.gid, "size": st.size,
                  "nlink": st.nlink, "ino": st.ino, "mtime": st.mtime}
    else:
        out({"ok": False, "errno": 0, "error": "unknown op " + op}, 2)
    if rc != 0:
        fail(rc, op)
    lib.nfs_destroy_url(parsed)
    lib.nfs_destroy_context(nfs)
    out(result, 0)


if __name__ == "__main__":
    main(sys.argv)
