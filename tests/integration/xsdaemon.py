# SPDX-License-Identifier: MIT
"""Runs a xenstored on the host for the xenstore tests (no QEMU).

Daemon kinds:

* "keel": Keel's daemon, $KEEL_XENSTORED or build/tools/xenstored, run as
  `xenstored --socket S --foreground [--unprivileged-socket DOMID:PATH ...]`.
  Connections on S are dom0's; each --unprivileged-socket listens on PATH
  and treats every connection there as domain DOMID (a test-only option).
* "debian": Debian's C xenstored (/usr/lib/xen-4.17/bin/xenstored from
  xen-utils-4.17) as a reference, run with -N and fake_xen.so preloaded
  (tests/xenstore/fake_xen.c: outside Xen it has no evtchn/gnttab/privcmd,
  and with -D it crashes on the first request); an unprivileged
  connection is a ring_bridge process that introduces DOMID and plays its
  guest through a shared "ring page".

Both give a privileged socket path and one socket path per unprivileged
domid asked for.
"""
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("KEEL_BUILD", "build"))
if not BUILD.is_absolute():
    BUILD = REPO / BUILD
XST = BUILD / "tests" / "xenstore"
KEEL_XENSTORED = Path(os.environ.get("KEEL_XENSTORED", BUILD / "tools" / "xenstored"))
DEBIAN_XENSTORED = Path("/usr/lib/xen-4.17/bin/xenstored")
START_TIMEOUT = 10.0


def kinds():
    """The daemons to test: Keel's, plus Debian's when XENSTORE_REFERENCE=1."""
    return ["keel"] + (["debian"] if os.environ.get("XENSTORE_REFERENCE") == "1" else [])


def missing(kind):
    """Why kind cannot run here, or None."""
    if kind == "keel":
        if not KEEL_XENSTORED.exists():
            return (f"Keel's xenstored is not built yet ({KEEL_XENSTORED} is missing; "
                    "it comes with the xenstored branch)")
        return None
    if not DEBIAN_XENSTORED.exists():
        return (f"{DEBIAN_XENSTORED} is missing: install xen-utils-4.17 "
                "(scripts/install-deps.sh xenstore-ref)")
    for f in ("fake_xen.so", "ring_bridge"):
        if not (XST / f).exists():
            return f"{XST / f} is missing (run 'make xenstore-test-build')"
    return None


def _wait_socket(path, proc, what):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before serving {path}")
        if os.path.exists(path):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(str(path))
                return
            except OSError:
                pass
            finally:
                s.close()
        time.sleep(0.02)
    raise RuntimeError(f"{what} did not serve {path} within {START_TIMEOUT:.0f} s")


class Daemon:
    """One xenstored in workdir, serving workdir/socket; unprivileged(domid)
    gives the socket of a connection acting as domid (domids must be listed
    at start). stop() returns the daemon's exit code, None if it was still
    running (the healthy case)."""

    def __init__(self, kind, workdir, unprivileged_domids=()):
        self.kind = kind
        self.dir = Path(workdir)
        self.socket = self.dir / "socket"
        self.log = self.dir / f"xenstored-{kind}.log"
        self.bridges = []
        self._unpriv = {d: self.dir / f"unpriv-{d}" for d in unprivileged_domids}
        env = dict(os.environ)
        env.pop("XENSTORED_PATH", None)
        logf = open(self.log, "wb")
        if kind == "keel":
            argv = [str(KEEL_XENSTORED), "--socket", str(self.socket), "--foreground"]
            for d, path in self._unpriv.items():
                argv += ["--unprivileged-socket", f"{d}:{path}"]
        else:
            shim = self.dir / "shim"
            shim.mkdir()
            env.update(KEEL_XS_SHIM_DIR=str(shim), XENSTORED_PATH=str(self.socket),
                       LD_PRELOAD=str(XST / "fake_xen.so"))
            argv = [str(DEBIAN_XENSTORED), "-N"]
        self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=logf,
                                     stderr=subprocess.STDOUT, cwd=self.dir)
        logf.close()
        try:
            _wait_socket(self.socket, self.proc, f"{kind} xenstored")
            if kind == "debian":
                for d, path in self._unpriv.items():
                    self._start_bridge(d, path)
            else:
                for d, path in self._unpriv.items():
                    _wait_socket(path, self.proc, f"{kind} xenstored (domain {d})")
        except Exception:
            self.stop()
            raise

    def _start_bridge(self, domid, path):
        log = open(self.dir / f"bridge-{domid}.log", "wb")
        proc = subprocess.Popen([str(XST / "ring_bridge"), str(self.dir / "shim"),
                                 str(self.socket), str(domid), str(path)],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log)
        log.close()
        self.bridges.append(proc)
        line = proc.stdout.readline()
        if line.strip() != b"ready":
            raise RuntimeError(f"ring_bridge for domain {domid} failed "
                               f"(see {self.dir / f'bridge-{domid}.log'})")

    def unprivileged(self, domid):
        return self._unpriv[domid]

    def env(self):
        """Environment for Xen's own clients (libxenstore reads XENSTORED_PATH)."""
        env = dict(os.environ)
        env["XENSTORED_PATH"] = str(self.socket)
        return env

    def alive(self):
        return self.proc.poll() is None

    def log_text(self):
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self):
        for b in self.bridges:
            if b.poll() is None:
                b.kill()
            b.wait()
            b.stdout.close()
        code = self.proc.poll()
        if code is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return code


def tool(name):
    """Path of one of Debian's xenstore clients, or None."""
    if name == "xenstore-control":
        # /usr/bin/xenstore-control (xenstore-utils) is Debian's wrapper script,
        # which needs /sys/hypervisor; the real binary comes with xen-utils-4.17.
        found = sorted(Path("/usr/lib").glob("xen-4.*/bin/xenstore-control"))
        return str(found[-1]) if found else None
    return shutil.which(name)
