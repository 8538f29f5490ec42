"""`make run` serves the demo with its task worker beside it (bin/run-dev): both start, both stop.

The script runs for real on a free loopback port with a throw-away SQLite database (only the task
queue's tables, so the worker can poll), and every wait is bounded.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bin" / "run-dev"

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists() or shutil.which("bash") is None,
                                reason="reads the process table from /proc; needs bash")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state, ppid = stat.rsplit(")", 1)[1].split()[:2]
    return None if state == "Z" else int(ppid)


def descendants(root: int) -> dict[int, str]:
    """Every live process under root, with its command line."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (ppid := parent_of(int(entry.name))) is not None:
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = {}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            try:
                found[child] = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    return parent_of(pid) is not None


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('run-dev') / 'relais.sqlite3'}"
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "django_tasks_database"],
                   cwd=ROOT, env={**os.environ, "DATABASE_URL": url}, check=True, capture_output=True,
                   timeout=60)
    return url


def test_run_dev_serves_beside_a_worker_and_ctrl_c_stops_both(database, tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database, "HOST": "127.0.0.1", "PORT": str(port),
           "PYTHON": sys.executable}
    env.pop("RELAIS_BASE_URL", None)
    with open(tmp_path / "out.txt", "wb") as out:
        script = subprocess.Popen(["bash", str(SCRIPT)], cwd=ROOT, env=env, stdout=out, stderr=out)
    seen: dict[int, str] = {}
    try:
        assert wait_until(lambda: answers(port), timeout=20), (tmp_path / "out.txt").read_text()
        seen = descendants(script.pid)
        workers = [pid for pid, cmd in seen.items() if "manage.py db_worker" in cmd]
        assert any(parent_of(pid) == script.pid for pid in workers), seen
        environ = Path(f"/proc/{workers[0]}/environ").read_bytes().split(b"\0")
        assert f"RELAIS_BASE_URL=http://127.0.0.1:{port}".encode() in environ

        script.send_signal(signal.SIGINT)
        script.wait(timeout=15)
        assert wait_until(lambda: not any(alive(pid) for pid in seen), timeout=10), descendants(script.pid)
        assert not answers(port)
    finally:
        for pid in [script.pid, *seen]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


FAKE_PYTHON = """#!/usr/bin/env bash
echo "$$ $RELAIS_BASE_URL $*" >> "$FAKE_LOG"
exec sleep 60
"""


@pytest.mark.parametrize("stop", ["sigterm", "server_exits"])
def test_run_dev_stops_both_on_sigterm_or_when_one_exits_and_keeps_a_set_base_url(tmp_path, stop):
    fake = tmp_path / "python"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    log = tmp_path / "log.txt"
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": "8123", "PYTHON": str(fake), "FAKE_LOG": str(log),
           "RELAIS_BASE_URL": "https://relais.example.org"}
    script = subprocess.Popen(["bash", str(SCRIPT)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    started: dict[str, int] = {}
    try:
        assert wait_until(lambda: log.exists() and len(log.read_text().splitlines()) == 2, timeout=10)
        for line in log.read_text().splitlines():
            pid, base_url, *command = line.split()
            assert base_url == "https://relais.example.org"
            started[" ".join(command)] = int(pid)
        assert set(started) == {"manage.py db_worker", "manage.py runserver 127.0.0.1:8123"}
        assert all(parent_of(pid) == script.pid for pid in started.values())

        if stop == "sigterm":
            script.send_signal(signal.SIGTERM)
        else:
            os.kill(started["manage.py runserver 127.0.0.1:8123"], signal.SIGKILL)
        script.wait(timeout=10)
        assert wait_until(lambda: not any(alive(pid) for pid in started.values()), timeout=10)
    finally:
        for pid in [script.pid, *started.values()]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_passes_host_and_port_to_the_script():
    dry_run = subprocess.run(["make", "-n", "run", "HOST=0.0.0.0", "PORT=8080"], cwd=ROOT,
                             capture_output=True, text=True, timeout=30, check=True).stdout
    [line] = [line for line in dry_run.splitlines() if "bin/run-dev" in line]
    assert "HOST=0.0.0.0 PORT=8080" in line
