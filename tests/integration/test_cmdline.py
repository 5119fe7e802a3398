# SPDX-License-Identifier: MIT
"""Command-line handling at boot: bad options are reported and skipped, and
the boot still completes; maxcpus limits the CPUs brought up."""
import re

import pytest

import checks
from keelqemu import Scenario

BAD_OPTIONS = [
    # (option, what the warning must say about it)
    ("foo=bar", "unknown option 'foo=bar'"),
    # maxcpus is a real option; only its value is wrong.
    ("maxcpus=abc", "'maxcpus=abc'"),
]
BAD_BOOTS = [Scenario(f"cmdline-{opt.replace('=', '-')}", "kernel", 2, 256,
                      append=f"console=com1 loglvl=3 {opt}") for opt, _ in BAD_OPTIONS]
WARNINGS = dict(zip(BAD_BOOTS, (w for _, w in BAD_OPTIONS)))
MAXCPUS = 1
MAXCPUS_BOOT = Scenario(f"cmdline-maxcpus-{MAXCPUS}", "kernel", 2, 256,
                        append=f"console=com1 loglvl=3 maxcpus={MAXCPUS}")

bad_boots = pytest.mark.parametrize("boot", BAD_BOOTS, indirect=True, ids=lambda s: s.name)


@bad_boots
def test_bad_option_warns(boot):
    expected = WARNINGS[boot.scenario]
    m = boot.expect(re.escape(expected), f"warning containing {expected!r}")
    if "unknown option" not in expected:
        assert "unknown option" not in m.string, (
            f"a known option with a bad value is reported as unknown: {m.string!r}"
            f"{boot.context()}")


@bad_boots
def test_bad_option_boot_completes(boot):
    # A rejected value leaves the default: every CPU QEMU gives comes up.
    checks.cpus_online(boot, boot.scenario.smp)
    checks.clean_power_off(boot)


@pytest.mark.parametrize("boot", [MAXCPUS_BOOT], indirect=True, ids=lambda s: s.name)
def test_maxcpus_limits_cpus(boot):
    assert MAXCPUS < boot.scenario.smp
    checks.cpus_online(boot, MAXCPUS)
    checks.clean_power_off(boot)
