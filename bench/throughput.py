"""Requests per second under gunicorn: each list against a trivial logged-in view, in one run.

    .venv/bin/python bench/scale.py --keep      # once: builds the bench database (about 3 minutes)
    .venv/bin/python bench/throughput.py        # about 3 minutes
    make bench-throughput                       # the same

Starts gunicorn (3 sync workers, production settings: DEBUG off, persistent connections as
configured) on 127.0.0.1 against the bench database of bench/scale.py, logs in through the login
form as the large tenant's manager, then runs a bounded load generator: 4 connections (threads with
http.client) hammer one URL for a few seconds, then the next, and the whole sequence is repeated so
the trivial view and each list are measured interleaved (a busy machine hurts all of them alike).
The lists: organisations, applications, reviews, due diligence, the audit log, calls, members,
awards, the finance page (payments awaiting approval or processing), progress reports, training
sessions, the participants of the big session (its detail page, 300 registrations), reach and
capacity assessments.
Prints req/s per page and its ratio to the trivial view (the workspace picker), the issue's goal
being >= 50 % for every list. `BENCH_DATABASE_URL`, `BENCH_SECONDS` (per slice, default 3) and
`BENCH_ROUNDS` (default 3) adjust it; `BENCH_PAGES` (comma-separated parts of the names, e.g.
"members,finance") measures only those lists, against the trivial view still.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/relais_bench")
SLUG = "bench-large"
EMAIL, PASSWORD = "manager0@bench.test", "bench-relais-2026"  # as bench/scale.py creates them
CONNECTIONS = 4
SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
TRIVIAL = "/workspaces/"
PAGES = {
    "trivial (workspace picker)": TRIVIAL,
    "organisation list": f"/{SLUG}/organisations/",
    "application list": f"/{SLUG}/applications/",
    "review list": f"/{SLUG}/reviews/",
    "due-diligence overview": f"/{SLUG}/due-diligence/",
    "audit log": f"/{SLUG}/audit/",
    "call list": f"/{SLUG}/calls/",
    "members": f"/{SLUG}/members/",
    "award list": f"/{SLUG}/awards/",
    "finance page (payments to approve / processing)": f"/{SLUG}/finance/",
    "report list": f"/{SLUG}/reports/",
    "session list": f"/{SLUG}/training/",
    "participants (big session detail)": "",  # filled in by big_session_path()
    "reach": f"/{SLUG}/training/reach/",
    "assessment list": f"/{SLUG}/training/assessments/",
}
BIG_SESSION_TITLE = "Grande session : médiation communautaire (banc d'essai)"  # as bench/scale.py names it


def big_session_path() -> str:
    """The detail page of the large tenant's session with 300 registrations (its id depends on the build)."""
    import psycopg

    with psycopg.connect(DATABASE_URL) as conn:
        row = conn.execute("SELECT s.id FROM training_trainingsession s JOIN relais_tenant t ON t.id = s.tenant_id "
                           "WHERE t.slug = %s AND s.title = %s", [SLUG, BIG_SESSION_TITLE]).fetchone()
    assert row is not None, "no big session: rebuild the bench database with bench/scale.py"
    return f"/{SLUG}/training/{row[0]}/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(var: Path) -> dict[str, str]:
    return {
        **os.environ, "DATABASE_URL": DATABASE_URL, "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false", "BEHIND_TLS_PROXY": "false",
        "SECURE_HSTS_SECONDS": "0", "VAR_DIR": str(var), "LOG_LEVEL": "WARNING",
    }


def request(conn: http.client.HTTPConnection, method: str, path: str, cookies: dict[str, str],
            body: str | None = None) -> http.client.HTTPResponse:
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "Host": "127.0.0.1"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            cookies[name] = rest.split(";", 1)[0]
    return response


def log_in(port: int) -> dict[str, str]:
    cookies: dict[str, str] = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/accounts/login/", headers={"Host": "127.0.0.1"})
    page = conn.getresponse()
    html = page.read().decode()
    for header, value in page.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            cookies[name] = rest.split(";", 1)[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token, "no CSRF token on the login page"
    response = request(conn, "POST", "/accounts/login/", cookies,
                       urlencode({"csrfmiddlewaretoken": token.group(1), "login": EMAIL, "password": PASSWORD}))
    assert response.status == 302 and "sessionid" in cookies, f"login failed ({response.status})"
    return cookies


def hammer(port: int, path: str, cookies: dict[str, str], seconds: float) -> tuple[int, int]:
    """CONNECTIONS threads request `path` until the time is up: (responses, errors)."""
    done = [0] * CONNECTIONS
    errors = [0] * CONNECTIONS
    stop = time.perf_counter() + seconds

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        own = dict(cookies)
        while time.perf_counter() < stop:
            try:
                response = request(conn, "GET", path, own)
            except (OSError, http.client.HTTPException):
                conn.close()
                errors[index] += 1
                continue
            if response.status == 200:
                done[index] += 1
            else:
                errors[index] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done), sum(errors)


def main() -> None:
    started = time.perf_counter()
    PAGES["participants (big session detail)"] = big_session_path()
    wanted = [part.strip() for part in os.environ.get("BENCH_PAGES", "").split(",") if part.strip()]
    if wanted:
        trivial_name = next(iter(PAGES))
        for name in list(PAGES)[1:]:
            if not any(part in name for part in wanted):
                del PAGES[name]
        assert trivial_name in PAGES
    var = Path(os.environ.get("BENCH_VAR_DIR", "/tmp/relais-bench-throughput"))
    env = server_env(var)
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env,
                   check=True)
    port = free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "3",
         "--log-level", "warning"], cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        cookies = log_in(port)
        for path in PAGES.values():  # warm every worker's caches (templates, translations)
            for _ in range(6):
                request(http.client.HTTPConnection("127.0.0.1", port, timeout=60), "GET", path, dict(cookies))
        totals = {name: [0, 0, 0.0] for name in PAGES}
        for _ in range(ROUNDS):
            for name, path in PAGES.items():
                begin = time.perf_counter()
                done, errors = hammer(port, path, cookies, SECONDS)
                totals[name][0] += done
                totals[name][1] += errors
                totals[name][2] += time.perf_counter() - begin
    finally:
        server.terminate()
        server.wait(timeout=30)
    trivial = totals[next(iter(PAGES))]
    trivial_rate = trivial[0] / trivial[2]
    print(f"\ngunicorn 3 workers, {CONNECTIONS} connections, {ROUNDS} rounds × {SECONDS:g} s per page, interleaved")
    print("| page | req/s | ratio to trivial | errors |")
    print("| --- | ---: | ---: | ---: |")
    for name, (done, errors, spent) in totals.items():
        rate = done / spent
        print(f"| {name} | {rate:.1f} | {rate / trivial_rate:.0%} | {errors} |")
    print(f"\ntook {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
