"""Child processes that die with devcloud: console proxies and qemu.

Each child is started in its own process group (so stop() can end it and anything it forked
with one killpg) and with PR_SET_PDEATHSIG, so that even a devcloud killed with SIGKILL
leaves no websockify or qemu behind.
"""

import ctypes
import os
import signal
import subprocess

PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Ask the kernel to send `sig` to this process when its parent exits (Linux)."""
    _libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)


def _preexec(parent: int):
    def setup() -> None:
        die_with_parent()
        if os.getppid() != parent:   # the parent died before prctl took effect
            os._exit(1)
    return setup


def spawn(args: list[str], **kwargs) -> subprocess.Popen:
    """Popen in a new process group that is signalled when devcloud exits."""
    return subprocess.Popen(args, start_new_session=True,
                            preexec_fn=_preexec(os.getpid()), **kwargs)


def end(proc: subprocess.Popen, timeout: float = 3.0) -> None:
    """SIGTERM the child, SIGKILL its process group if anything lingers, reap it."""
    if proc.poll() is not None:
        _killpg(proc.pid, signal.SIGKILL)   # whatever it forked, if it left anything
        return
    # The leader first: websockify ends its own per-connection children on SIGTERM, and a
    # child caught mid-fork by a group-wide SIGTERM can swallow it. Stragglers get SIGKILL.
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        _killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    _killpg(proc.pid, signal.SIGKILL)


def _killpg(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass
