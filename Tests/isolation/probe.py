"""Tries file accesses as another uid, for real (IsolationTests).

Usage: probe.py UID GID < [{"op": "read"|"sqlite"|"list"|"connect", "path": ...}, ...]
Drops to UID and GID (no supplementary groups), then prints one JSON list: for each request
"ok" or the error's name (EACCES, ...). Run as root.
"""
import errno
import json
import os
import socket
import sqlite3
import sys


def attempt(request):
    op, path = request["op"], request["path"]
    try:
        if op == "read":
            with open(path, "rb") as handle:
                handle.read(16)
        elif op == "list":
            os.listdir(path)
        elif op == "sqlite":
            connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
            try:
                connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
            finally:
                connection.close()
        elif op == "connect":
            client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                client.connect(path)
            finally:
                client.close()
        else:
            return f"unknown op {op}"
        return "ok"
    except OSError as error:
        return errno.errorcode.get(error.errno, str(error))
    except sqlite3.Error as error:
        return f"sqlite: {error}"


def main():
    uid, gid = int(sys.argv[1]), int(sys.argv[2])
    requests = json.load(sys.stdin)
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    print(json.dumps([attempt(request) for request in requests]))


if __name__ == "__main__":
    main()
