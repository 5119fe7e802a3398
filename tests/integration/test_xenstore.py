# SPDX-License-Identifier: MIT
"""Debian's unchanged xenstore clients (xenstore-utils) against Keel's
xenstored on the host: build/tools/xenstored --socket <tmp> --foreground.

In Xen 4.17 every client opens the store through libxenstore's xs_open(0),
which takes the socket from $XENSTORED_PATH (else $XENSTORED_RUNDIR/socket,
else /var/run/xenstored/socket); their -s flag is accepted and changes
nothing. The tools wrap their requests in a transaction and retry on
EAGAIN. /usr/bin/xenstore-control is Debian's wrapper script, which wants
/sys/hypervisor; the real client is /usr/lib/xen-4.17/bin/xenstore-control
(xen-utils-4.17), and its test skips when that is not installed.

Output and exit codes below are those of Debian's tools against Debian's
own xenstored (XENSTORE_REFERENCE=1 runs them against both).
"""
import re
import subprocess
import time

import pytest

import xsdaemon

TIMEOUT = 30


@pytest.fixture(params=xsdaemon.kinds())
def daemon(request, tmp_path):
    why = xsdaemon.missing(request.param)
    if why:
        pytest.skip(why)
    if not xsdaemon.tool("xenstore-read"):
        pytest.skip("Debian's xenstore-utils is not installed (scripts/install-deps.sh test)")
    d = xsdaemon.Daemon(request.param, tmp_path)
    yield d
    code = d.stop()
    assert code is None, f"xenstored exited ({code}) during the test:\n{d.log_text()}"


def xs(daemon, name, *args, rc=0):
    """Runs Debian's tool `name` with args; checks its exit code; returns stdout."""
    exe = xsdaemon.tool(name)
    if not exe:
        pytest.skip(f"{name} is not installed")
    run = subprocess.run([exe, *args], env=daemon.env(), capture_output=True, text=True,
                         timeout=TIMEOUT)
    assert run.returncode == rc, (f"{name} {' '.join(args)}: exit {run.returncode}, "
                                  f"want {rc}\nstdout: {run.stdout}\nstderr: {run.stderr}")
    return run.stdout


def test_write_read(daemon):
    xs(daemon, "xenstore-write", "/t/a", "1", "/t/b", "two words")
    assert xs(daemon, "xenstore-read", "/t/a", "/t/b") == "1\ntwo words\n"
    assert xs(daemon, "xenstore-read", "-s", "/t/a") == "1\n"
    assert xs(daemon, "xenstore-read", "-p", "/t/a") == "/t/a: 1\n"
    xs(daemon, "xenstore-read", "/t/none", rc=1)
    # An odd number of arguments is a usage error.
    xs(daemon, "xenstore-write", "/t", rc=1)


def test_ls_list(daemon):
    xs(daemon, "xenstore-write", "/t/a", "1", "/t/b", "two words", "/t/b/c", "x")
    assert xs(daemon, "xenstore-ls", "/t") == 'a = "1"\nb = "two words"\n c = "x"\n'
    assert xs(daemon, "xenstore-ls", "-f", "/t") == \
        '/t/a = "1"\n/t/b = "two words"\n/t/b/c = "x"\n'
    assert sorted(xs(daemon, "xenstore-list", "/t").split()) == ["a", "b"]
    assert sorted(xs(daemon, "xenstore-list", "-p", "/t").split()) == ["/t/a", "/t/b"]
    xs(daemon, "xenstore-list", "/t/none", rc=1)
    # The whole store from the root includes what the tests wrote.
    assert re.search(r'^t = ""$', xs(daemon, "xenstore-ls"), re.M)


def test_exists_rm(daemon):
    xs(daemon, "xenstore-write", "/t/a", "1", "/t/b/c", "2")
    xs(daemon, "xenstore-exists", "/t/a")
    xs(daemon, "xenstore-exists", "/t/zz", rc=1)
    xs(daemon, "xenstore-rm", "/t/a")
    xs(daemon, "xenstore-exists", "/t/a", rc=1)
    # Removing a missing node whose parent exists succeeds; a missing parent fails.
    xs(daemon, "xenstore-rm", "/t/zz")
    xs(daemon, "xenstore-rm", "/none/x", rc=1)
    # -t also removes parents left empty.
    xs(daemon, "xenstore-rm", "-t", "/t/b/c")
    xs(daemon, "xenstore-exists", "/t/b", rc=1)
    xs(daemon, "xenstore-exists", "/t", rc=1)


def test_chmod(daemon):
    xs(daemon, "xenstore-write", "/t/a", "1", "/t/d/e", "2")
    xs(daemon, "xenstore-chmod", "/t/a", "n0", "r5")
    out = xs(daemon, "xenstore-ls", "-p", "/t")
    assert re.search(r'^a = "1"[ .]*\(n0,r5\)$', out, re.M), out
    # -r: the node and everything below it.
    xs(daemon, "xenstore-chmod", "-r", "/t/d", "b3")
    out = xs(daemon, "xenstore-ls", "-p", "/t/d")
    assert re.search(r'^e = "2"[ .]*\(b3\)$', out, re.M), out
    xs(daemon, "xenstore-chmod", "/t/none", "n0", rc=1)


def test_watch(daemon):
    xs(daemon, "xenstore-write", "/t/w", "")
    exe = xsdaemon.tool("xenstore-watch")
    watch = subprocess.Popen([exe, "-n", "3", "/t/w"], env=daemon.env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # The initial event says the watch is in place.
        assert watch.stdout.readline() == "/t/w\n"
        xs(daemon, "xenstore-write", "/t/w/x", "1")
        xs(daemon, "xenstore-write", "/t/other", "1")
        xs(daemon, "xenstore-rm", "/t/w/x")
        out, err = watch.communicate(timeout=TIMEOUT)
    finally:
        if watch.poll() is None:
            watch.kill()
            watch.communicate()
    assert watch.returncode == 0, err
    assert out == "/t/w/x\n/t/w/x\n"


def test_control(daemon):
    if not xsdaemon.tool("xenstore-control"):
        pytest.skip("the real xenstore-control comes with xen-utils-4.17, not installed "
                    "(/usr/bin/xenstore-control is a wrapper needing /sys/hypervisor)")
    assert xs(daemon, "xenstore-control", "print", "hello from the test") == "OK\n"
    assert xs(daemon, "xenstore-control", "log", "on") == "OK\n"
    assert xs(daemon, "xenstore-control", "log", "off") == "OK\n"
    out = xs(daemon, "xenstore-control", "help")
    for cmd in ("log", "print", "quota", "help"):
        assert re.search(rf"^{cmd}\b", out, re.M), out
    out = xs(daemon, "xenstore-control", "quota")
    # Xen's quota names and defaults.
    for name, value in (("nodes", 1000), ("watches", 128), ("transactions", 10),
                        ("outstanding", 20), ("node-size", 2048)):
        assert re.search(rf"^{name}\s*:\s*{value}\b", out, re.M), out
    # An unknown command: the daemon says EINVAL, the tool prints help and exits 3.
    xs(daemon, "xenstore-control", "no-such-command", rc=3)


def test_many_clients(daemon):
    """Several tools at once, each writing its own nodes through transactions."""
    exe = xsdaemon.tool("xenstore-write")
    procs = [subprocess.Popen([exe] + [a for j in range(20) for a in (f"/m/{i}/{j}", str(j))],
                              env=daemon.env()) for i in range(8)]
    deadline = time.monotonic() + TIMEOUT
    for p in procs:
        assert p.wait(timeout=max(1, deadline - time.monotonic())) == 0
    out = xs(daemon, "xenstore-ls", "-f", "/m")
    assert len(re.findall(r"^/m/\d+/\d+ = ", out, re.M)) == 160
