"""Start a rehearsal server from Python: for a vendor's CI, ketensim's own tests and the load benchmark.

:func:`start` runs ``python -m ketensim kto serve ARGS --data DIR --port 0`` as a subprocess, waits
until it listens, and returns a :class:`ServerProcess` with its URL and the tokens it showed (once).
A thread keeps reading what the server prints, so a chatty server never blocks on a full pipe.

    from ketensim.kto.launch import start
    server = start(["2022-3.0-3.1", "--start", "heen_block - 3d"], Path("kto-data"))
    with server.client() as client:
        client.post("/kto/klok", json={"tot": "2022-03-31T14:00"})
    server.stop()
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ketensim.exceptions import KetensimError

__all__ = ["ServerProcess", "start"]

_LISTENING = re.compile(r"listening on (http://\S+)")
_TOKEN = re.compile(r"token for (\w+) (\d+) \(shown once, keep it\): (\S+)")


@dataclass
class ServerProcess:
    """A running ``ketensim kto serve``: its URL, the tokens per party kind, data directory and process."""

    url: str
    tokens: dict[str, str]  # party kind (aanbieder, gemeente) -> token
    data: Path
    proc: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)  # every line it printed so far

    @property
    def token(self) -> str:
        """The token of the first party (the only one in a one-vendor session)."""
        return next(iter(self.tokens.values()))

    def client(self, token: str | None = None, timeout: float = 120.0) -> httpx.Client:
        """An HTTP client sending ``token`` (default: the first party's; "" sends no Authorization header)."""
        token = self.token if token is None else token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def peak_rss_mb(self) -> float | None:
        """The server's peak resident set size (VmHWM, Linux), while it runs."""
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
        except OSError:
            return None
        return None

    def stop(self, timeout: float = 30.0) -> int | None:
        """Ctrl-C (the server writes its report and closes the journal); killed after ``timeout`` seconds."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def kill9(self) -> None:
        """SIGKILL: no report, no clean shutdown (the journal must survive it)."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)


def _drain(proc: subprocess.Popen[str], output: list[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        output.append(line.rstrip("\n"))


def start(args: Sequence[str], data: Path, *, tokens: dict[str, str] | None = None,
          timeout: float = 120.0) -> ServerProcess:
    """Start ``ketensim kto serve ARGS --data DATA --port 0`` and wait until it listens.

    ``tokens`` gives the tokens of a resumed session (it does not show them again).

    Raises:
        KetensimError: The server exited or did not listen within ``timeout`` seconds (its output is in the message).
    """
    cmd = [sys.executable, "-m", "ketensim", "kto", "serve", *args, "--data", str(data), "--port", "0"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"))
    assert proc.stdout is not None
    output: list[str] = []
    found: dict[str, str] = dict(tokens or {})
    url = None
    deadline = time.monotonic() + timeout
    while url is None and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        output.append(line.rstrip("\n"))
        token = _TOKEN.search(line)
        if token:
            found[token.group(1)] = token.group(3)
        listening = _LISTENING.search(line)
        if listening:
            url = listening.group(1)
    if url is None or not found:
        proc.kill()
        proc.wait()
        raise KetensimError("ketensim kto serve did not start: " + " | ".join(output[-8:]))
    threading.Thread(target=_drain, args=(proc, output), daemon=True).start()
    return ServerProcess(url, found, Path(data), proc, output)
