# SPDX-License-Identifier: MIT
"""pytest glue for the QEMU integration tests.

Tests take a boot through the `boot` fixture, parametrized indirectly with a
keelqemu.Scenario. Several tests can share one scenario: it boots once. As
soon as collection is over, every scenario the selected tests need is queued
on a pool of KEEL_TEST_JOBS (default 2) threads, each running one QEMU, in
test order; a test waits only for its own boot, so the pool stays busy while
earlier tests are checked.
"""
import concurrent.futures
import threading
import os

import pytest

import keelqemu

JOBS = max(1, int(os.environ.get("KEEL_TEST_JOBS", "2")))


class BootPool:
    """Runs boots `jobs` at a time; an exclusive scenario runs alone (it
    waits for running boots to end, and holds off new ones)."""

    def __init__(self, jobs):
        self.runner = keelqemu.Runner()
        self.executor = concurrent.futures.ThreadPoolExecutor(max_workers=jobs,
                                                              thread_name_prefix="qemu")
        self.futures = {}
        self.cond = threading.Condition()
        self.running = 0
        self.exclusive = False

    def _boot(self, sc):
        with self.cond:
            self.cond.wait_for(lambda: not self.exclusive and
                               (not sc.exclusive or self.running == 0))
            self.running += 1
            self.exclusive = sc.exclusive
        try:
            return self.runner.boot(sc)
        finally:
            with self.cond:
                self.running -= 1
                if sc.exclusive:
                    self.exclusive = False
                self.cond.notify_all()

    def submit(self, sc):
        if sc not in self.futures:
            self.futures[sc] = self.executor.submit(self._boot, sc)
        return self.futures[sc]

    def result(self, sc):
        return self.submit(sc).result()

    def close(self):
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.runner.kill_all()


def _scenario(item):
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("boot") if callspec else None


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "linux_dom0: boots Debian's Linux as dom0 (test_linux_dom0.py); "
        "'make test-linux-dom0' runs it alone")
    config.keel_pool = BootPool(JOBS)


def pytest_collection_finish(session):
    if session.config.option.collectonly:
        return
    # Long boots first (a stable sort keeps test order otherwise), so the
    # short ones run beside them instead of after them.
    scenarios = [sc for sc in map(_scenario, session.items) if sc is not None]
    for sc in sorted(scenarios, key=lambda sc: -(sc.timeout or 0)):
        session.config.keel_pool.submit(sc)


def pytest_unconfigure(config):
    pool = getattr(config, "keel_pool", None)
    if pool:
        pool.close()


def pytest_report_header(config):
    return (f"keel: build {keelqemu.BUILD}, logs {keelqemu.LOG_DIR}, {JOBS} QEMU at a time, "
            f"timeout {keelqemu.TIMEOUT:.0f} s")


@pytest.fixture
def boot(request):
    """The BootLog of the scenario this test is parametrized with."""
    return request.config.keel_pool.result(request.param)


@pytest.fixture(scope="session")
def symbols():
    return keelqemu.Symbols(keelqemu.BUILD / "keel-syms")
