#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""qmp.py: talk to a QEMU through its QMP socket (QEMU's own protocol:
one JSON object per line, a greeting, then qmp_capabilities).

  qmp.py SOCKET run COMMAND [ARGUMENTS-JSON]
      run one command, print its "return" as JSON; exit 1 on an error
  qmp.py SOCKET incoming URI
      on a QEMU started with -incoming defer: turn on x-ignore-shared
      (RAM in shared files is not sent: the pod moves it) and listen on URI
  qmp.py SOCKET migrate URI TIMEOUT
      turn on x-ignore-shared, migrate to URI (retried while the target
      does not listen yet), wait until done, print one line:
      "migrated: total T ms, downtime D ms, stream S bytes"; exit 1 if the
      migration failed or did not end within TIMEOUT seconds (it is then
      cancelled, and the guest goes on running here)
  qmp.py SOCKET listen URI [postcopy]
      on a QEMU started with -incoming defer: listen on URI for an
      ordinary migration, every page of RAM in the stream (with
      "postcopy": capability postcopy-ram on, as its source must have it)
  qmp.py SOCKET precopy URI TIMEOUT
  qmp.py SOCKET postcopy URI TIMEOUT
      QEMU's own migration of all RAM to URI, no x-ignore-shared: plain
      precopy, or precopy switched to postcopy at once
      (migrate-start-postcopy right after migrate); otherwise as migrate,
      the same line
  qmp.py SOCKET wait-socket TIMEOUT
      wait until SOCKET accepts a connection
"""
import json
import socket
import sys
import time


class QMPError(Exception):
    pass


class QMP:
    def __init__(self, path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.file = self.sock.makefile("r")
        greeting = self._read()
        if "QMP" not in greeting:
            raise QMPError("no QMP greeting from %s" % path)
        self.cmd("qmp_capabilities")

    def _read(self):
        line = self.file.readline()
        if not line:
            raise QMPError("QEMU closed the QMP socket")
        try:
            return json.loads(line)
        except ValueError:
            raise QMPError("not QMP: %r" % line[:80])

    def cmd(self, name, args=None):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall((json.dumps(msg) + "\n").encode())
        while True:
            reply = self._read()
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise QMPError("%s: %s" % (name, reply["error"].get("desc", reply["error"])))
            # an event: not ours


def set_caps(q, *caps):
    q.cmd("migrate-set-capabilities", {"capabilities": [
        {"capability": c, "state": True} for c in caps]})


def ignore_shared(q):
    set_caps(q, "x-ignore-shared")


def migrate(q, uri, timeout, caps=("x-ignore-shared",), postcopy=False):
    if caps:
        set_caps(q, *caps)
    end = time.time() + timeout
    while True:
        q.cmd("migrate", {"uri": uri})
        if postcopy:
            # switch as soon as the migration runs (not while it sets up)
            while q.cmd("query-migrate").get("status") in ("none", "setup"):
                time.sleep(0.05)
            try:
                q.cmd("migrate-start-postcopy")
            except QMPError as e:
                # it may have failed (the target not listening yet) or ended
                if q.cmd("query-migrate").get("status") not in ("failed", "completed"):
                    raise e
        while True:
            st = q.cmd("query-migrate")
            status = st.get("status", "none")
            if status == "completed":
                ram = st.get("ram", {})
                print("migrated: total %d ms, downtime %d ms, stream %d bytes" %
                      (st.get("total-time", -1), st.get("downtime", -1),
                       ram.get("transferred", -1)))
                return 0
            if status == "failed":
                break
            if time.time() > end:
                ram = st.get("ram", {})
                q.cmd("migrate_cancel")
                print("qmp.py: the migration to %s did not end within %d s "
                      "(status %s, %d bytes sent, %d bytes remaining, %d "
                      "pages dirtied per s); cancelled" %
                      (uri, timeout, status, ram.get("transferred", -1),
                       ram.get("remaining", -1), ram.get("dirty-pages-rate", -1)),
                      file=sys.stderr)
                return 1
            time.sleep(0.2)
        err = st.get("error-desc", "")
        # the target may not listen yet: try again
        if "refused" not in err or time.time() > end:
            print("qmp.py: the migration to %s failed: %s" % (uri, err),
                  file=sys.stderr)
            return 1
        time.sleep(1)


def wait_socket(path, timeout):
    end = time.time() + timeout
    while time.time() < end:
        try:
            QMP(path).sock.close()
            return 0
        except (OSError, QMPError):
            time.sleep(0.5)
    print("qmp.py: %s did not answer within %d s" % (path, timeout),
          file=sys.stderr)
    return 1


def number(s, what):
    try:
        v = int(s)
    except ValueError:
        v = 0
    if v < 1 or v > 86400:
        raise QMPError("%s: '%s' is not a number of seconds from 1 to 86400" % (what, s))
    return v


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path, op, rest = argv[1], argv[2], argv[3:]
    try:
        if op == "wait-socket" and len(rest) == 1:
            return wait_socket(path, number(rest[0], "wait-socket"))
        if op == "run" and len(rest) in (1, 2):
            args = json.loads(rest[1]) if len(rest) == 2 else None
            print(json.dumps(QMP(path).cmd(rest[0], args)))
            return 0
        if op == "incoming" and len(rest) == 1:
            q = QMP(path)
            ignore_shared(q)
            q.cmd("migrate-incoming", {"uri": rest[0]})
            return 0
        if op == "migrate" and len(rest) == 2:
            timeout = number(rest[1], "migrate")
            return migrate(QMP(path, timeout=30.0), rest[0], timeout)
        if op == "listen" and len(rest) in (1, 2) and rest[1:] in ([], ["postcopy"]):
            q = QMP(path)
            if rest[1:]:
                set_caps(q, "postcopy-ram")
            q.cmd("migrate-incoming", {"uri": rest[0]})
            return 0
        if op in ("precopy", "postcopy") and len(rest) == 2:
            timeout = number(rest[1], op)
            post = op == "postcopy"
            return migrate(QMP(path, timeout=30.0), rest[0], timeout,
                           caps=("postcopy-ram",) if post else (), postcopy=post)
    except (OSError, QMPError, ValueError) as e:
        print("qmp.py: %s" % e, file=sys.stderr)
        return 1
    print("qmp.py: '%s' with %d arguments: see qmp.py's usage" % (op, len(rest)),
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
