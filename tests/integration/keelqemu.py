# SPDX-License-Identifier: MIT
"""Boots Keel in QEMU and parses what it printed on the serial port.

A Scenario names one boot (medium, vCPUs, RAM, command line). boot() runs it
once: QEMU's serial port goes to build/test-logs/<scenario>.log; its command,
outcome and stderr to <scenario>.qemu. The result, a BootLog, holds the
"(keel) " lines without their tag plus the exit status, and tells whether
QEMU exited by itself or had to be killed.

QEMU is killed when it outlives the timeout, or when Keel has printed its
"Powering off" line and QEMU is still running a few seconds later (ACPI S5
ends QEMU at once, so waiting the whole timeout would only slow the suite).
"""
import dataclasses
import os
import re
import signal
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("KEEL_BUILD", "build"))
if not BUILD.is_absolute():
    BUILD = REPO / BUILD
LOG_DIR = Path(os.environ.get("KEEL_TEST_LOGS", BUILD / "test-logs"))
QEMU = os.environ.get("QEMU", "qemu-system-x86_64")
TIMEOUT = float(os.environ.get("KEEL_TEST_TIMEOUT", "60"))
POWER_OFF_GRACE = 5.0

TAG = "(keel) "


@dataclasses.dataclass(frozen=True)
class Scenario:
    """One QEMU boot. medium is "kernel" (-kernel keel.elf, multiboot1) or
    "iso" (-cdrom keel.iso, GRUB, multiboot2; its command line is the one
    baked into the ISO, so append must be None)."""
    name: str
    medium: str = "kernel"
    smp: int = 1
    mem: int = 256
    append: str | None = "console=com1 loglvl=3"
    # Multiboot module 1 (the dom0 kernel) for medium "kernel": a path
    # relative to the build directory, then its command line after a space.
    initrd: str | None = None
    # The hypervisor image for medium "kernel", relative to the build
    # directory: the gcc build, or "clang/keel.elf" for the clang build.
    hypervisor: str = "keel.elf"
    # Measures time-sensitive behaviour (shares of CPU time, timer latency):
    # boots with no other QEMU beside it, so host load does not skew it.
    exclusive: bool = False
    # Further multiboot modules after the initrd, each "path [args]" relative
    # to the build directory (a test guest's own guests, e.g. a domU image).
    modules: tuple = ()
    # A boot known to take long (seconds): its limit is this or the
    # KEEL_TEST_TIMEOUT, whichever is longer; conftest starts it first.
    timeout: float | None = None

    def time_limit(self):
        return max(TIMEOUT, self.timeout or 0)

    def initrd_path(self):
        return BUILD / self.initrd.split(" ", 1)[0] if self.initrd else None

    def initrd_arg(self):
        """QEMU's -initrd value: "file args" per module, modules separated by
        commas, so a comma inside the arguments is doubled."""
        def one(module):
            path, _, args = module.partition(" ")
            return " ".join(filter(None, [str(BUILD / path), args])).replace(",", ",,")
        return ",".join(one(m) for m in (self.initrd, *self.modules))

    def qemu_argv(self):
        argv = [QEMU, "-machine", "q35", "-cpu", "max", "-smp", str(self.smp),
                "-m", str(self.mem), "-nographic", "-no-reboot", "-display", "none",
                "-serial", "stdio", "-monitor", "none"]
        if self.medium == "kernel":
            argv += ["-kernel", str(BUILD / self.hypervisor), "-append", self.append]
            return argv + (["-initrd", self.initrd_arg()] if self.initrd else [])
        if self.medium == "iso":
            return argv + ["-cdrom", str(BUILD / "keel.iso"), "-boot", "d"]
        raise ValueError(f"unknown medium {self.medium!r}")

    def image(self):
        return BUILD / (self.hypervisor if self.medium == "kernel" else "keel.iso")


@dataclasses.dataclass
class BootLog:
    scenario: Scenario
    log_path: Path
    raw: str            # the serial output, decoded
    lines: list         # Keel's lines, tag and line end removed
    exit_code: int | None
    timed_out: bool     # killed at the timeout
    hung_after_power_off: bool  # killed after "Powering off"
    seconds: float
    stderr: str

    @property
    def exited_by_itself(self):
        return not self.timed_out and not self.hung_after_power_off

    def search(self, pattern):
        """First match of pattern in Keel's lines, or None."""
        rx = re.compile(pattern)
        for line in self.lines:
            m = rx.search(line)
            if m:
                return m
        return None

    def search_all(self, pattern):
        rx = re.compile(pattern)
        return [m for m in map(rx.search, self.lines) if m]

    def index(self, pattern):
        """Index of the first of Keel's lines matching pattern, or -1."""
        rx = re.compile(pattern)
        return next((i for i, line in enumerate(self.lines) if rx.search(line)), -1)

    def outcome(self):
        if self.timed_out:
            how = f"killed after the {self.scenario.time_limit():.0f} s timeout"
        elif self.hung_after_power_off:
            how = f"still running {POWER_OFF_GRACE:.0f} s after 'Powering off', killed"
        else:
            how = f"QEMU exited by itself with code {self.exit_code}"
            if not any(line.startswith("Powering off") for line in self.lines):
                # -no-reboot turns a reset into an exit: a triple fault on
                # any CPU looks like this.
                how += " without 'Powering off' (a triple fault under -no-reboot?)"
        return f"{how} after {self.seconds:.1f} s"

    def context(self, tail=12):
        """Where to look, for assertion messages."""
        last = "\n".join("    " + line for line in self.lines[-tail:]) or "    (no Keel output)"
        err = f"\n  QEMU stderr: {self.stderr.strip()}" if self.stderr.strip() else ""
        return (f"\n  scenario {self.scenario.name}: {self.outcome()}; serial log "
                f"{self.log_path}\n  last Keel lines:\n{last}{err}")

    def expect(self, pattern, what):
        """The first match of pattern; fails the test naming what is missing."""
        m = self.search(pattern)
        assert m, f"no {what} (regex {pattern!r}) in the log{self.context()}"
        return m


def keel_lines(raw):
    """Keel's messages. A tag can follow other text on a line (SeaBIOS ends
    "Booting from ROM.." without a newline), so the tag is searched for."""
    out = []
    for line in raw.split("\n"):
        i = line.find(TAG)
        if i >= 0:
            out.append(line[i + len(TAG):].rstrip("\r"))
    return out


def _kill(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


class Runner:
    """Runs scenarios; remembers live QEMUs so an interrupted session can
    kill them (kill_all)."""

    def __init__(self):
        self.live = set()
        self.closed = False

    def boot(self, sc):
        if self.closed:
            raise RuntimeError("test session is over")
        if not sc.image().exists():
            raise FileNotFoundError(f"{sc.image()} is missing: run 'make all iso' first")
        if sc.initrd and not sc.initrd_path().exists():
            raise FileNotFoundError(f"{sc.initrd_path()} is missing: run 'make guests' first")
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        log_path = LOG_DIR / f"{sc.name}.log"
        argv = sc.qemu_argv()
        start = time.monotonic()
        timed_out = hung = False
        power_off_seen = None
        with open(log_path, "wb") as out, open(LOG_DIR / f"{sc.name}.qemu", "w+b") as err:
            proc = subprocess.Popen(argv, cwd=REPO, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=err, start_new_session=True)
            self.live.add(proc)
            try:
                while proc.poll() is None:
                    now = time.monotonic()
                    if now - start > sc.time_limit():
                        timed_out = True
                        break
                    if power_off_seen is None:
                        if b"(keel) Powering off" in log_path.read_bytes():
                            power_off_seen = now
                    elif now - power_off_seen > POWER_OFF_GRACE:
                        hung = True
                        break
                    time.sleep(0.1)
            finally:
                if proc.poll() is None:
                    _kill(proc)
                self.live.discard(proc)
            seconds = time.monotonic() - start
            err.seek(0)
            stderr = err.read().decode(errors="replace")
        raw = log_path.read_bytes().decode(errors="replace")
        log = BootLog(sc, log_path, raw, keel_lines(raw),
                      None if (timed_out or hung) else proc.returncode,
                      timed_out, hung, seconds, stderr)
        (LOG_DIR / f"{sc.name}.qemu").write_text(
            "command: " + " ".join(_quote(a) for a in argv) + "\n"
            f"outcome: {log.outcome()}\n" + (f"stderr:\n{stderr}" if stderr else ""))
        return log

    def kill_all(self):
        self.closed = True
        for proc in list(self.live):
            _kill(proc)


def _quote(arg):
    return arg if re.fullmatch(r"[\w@%+=:,./-]+", arg) else "'" + arg.replace("'", "'\\''") + "'"


def iso_command_line(iso):
    """The hypervisor command line GRUB passes: the arguments of the
    multiboot2 line in the ISO's grub.cfg (scripts/mkiso.sh writes it)."""
    out = LOG_DIR / "iso-grub.cfg"
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    subprocess.run(["xorriso", "-osirrox", "on", "-indev", str(iso),
                    "-extract", "/boot/grub/grub.cfg", str(out)],
                   check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    for line in out.read_text().splitlines():
        words = line.split(None, 2)
        if len(words) >= 2 and words[0] == "multiboot2":
            return words[2].strip() if len(words) == 3 else ""
    raise ValueError(f"no multiboot2 line in {iso}'s grub.cfg")


class Symbols:
    """Text symbols of build/keel-syms (nm), to check what a backtrace says."""

    def __init__(self, elf):
        out = subprocess.run(["nm", "-n", str(elf)], check=True, capture_output=True,
                             text=True).stdout
        self.syms = []
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "tT":
                self.syms.append((int(parts[0], 16), parts[2]))

    def address(self, name):
        return next((a for a, n in self.syms if n == name), None)

    def lookup(self, addr):
        """(name, offset) of the text symbol containing addr, or None."""
        best = None
        for a, n in self.syms:
            if a > addr:
                break
            best = (n, addr - a)
        return best
