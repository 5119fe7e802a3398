# SPDX-License-Identifier: MIT
"""libxenstore (tools/libxenstore) against a live xenstored, on the host.

Each case of tests/xenstore/xs_client_test.c (a C program built with the
library under ASan/UBSan) runs against a fresh daemon, so one case's
quotas or leftovers cannot leak into another; the daemon must still be
running afterwards. Keel's daemon by default (skipped, with the reason,
until build/tools/xenstored exists); XENSTORE_REFERENCE=1 adds Debian's C
xenstored as a reference (see xsdaemon.py).

Unprivileged connections: domain 7 (perms), 8 (the hostile one) and 9
(its victim) in quota.
"""
import os
import subprocess

import pytest

import xsdaemon

CLIENT = xsdaemon.XST / "xs_client_test"
TIMEOUT = 180

CASES = {
    "basic": (),
    "txn": (),
    "watch": (),
    "perms": (7,),
    "quota": (8, 9),
}


@pytest.fixture(params=xsdaemon.kinds())
def kind(request):
    why = xsdaemon.missing(request.param)
    if why:
        pytest.skip(why)
    if not CLIENT.exists():
        pytest.skip(f"{CLIENT} is missing (run 'make xenstore-test-build')")
    return request.param


@pytest.mark.parametrize("case", sorted(CASES))
def test_libxenstore(kind, case, tmp_path):
    domids = CASES[case]
    daemon = xsdaemon.Daemon(kind, tmp_path, domids)
    try:
        args = [str(daemon.socket)]
        if case == "perms":
            args += [str(daemon.unprivileged(7)), "7"]
        elif case == "quota":
            args += [str(daemon.unprivileged(8)), "8", str(daemon.unprivileged(9)), "9"]
        try:
            run = subprocess.run([str(CLIENT), case] + args, capture_output=True, text=True,
                                 timeout=TIMEOUT,
                                 env=dict(os.environ,
                                          ASAN_OPTIONS="detect_leaks=1:abort_on_error=1",
                                          UBSAN_OPTIONS="print_stacktrace=1"))
        except subprocess.TimeoutExpired:
            pytest.fail(f"xs_client_test {case} did not finish within {TIMEOUT} s\n"
                        f"daemon log:\n{daemon.log_text()}")
        print(run.stdout)
        assert run.returncode == 0 and f"PASS {case}" in run.stdout, (
            f"xs_client_test {case} exited {run.returncode}\n{run.stdout}{run.stderr}\n"
            f"daemon log:\n{daemon.log_text()}")
        assert daemon.alive(), f"xenstored died during {case}:\n{daemon.log_text()}"
    finally:
        daemon.stop()
