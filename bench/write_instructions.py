#!/usr/bin/env python3
"""Instructions per write request of the API on SQLite, under callgrind.

Runs the given `todo-api` binary under `valgrind --tool=callgrind` on a fresh
SQLite file, sends N creates, then N toggles (one per created task), one at a
time over one keep-alive connection, dumping callgrind's counters after each
phase. Two runs, N=100 and N=600: the difference between them, divided by 500,
is what one more create (or toggle) costs, without start-up, migrations and
the first requests' warm-up. Instruction counts, unlike wall time, hardly move
with the load of a shared machine.

    python3 bench/write_instructions.py target/release/todo-api

Needs valgrind; nothing else beyond Python's standard library (the HS256
token is made here, as bench.py's `token` makes it with PyJWT).
"""

import base64
import glob
import hashlib
import hmac
import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time

SECRET = "bench-" + secrets.token_hex(24)
USER = "u00001"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token() -> str:
    now = int(time.time())
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = b64(json.dumps({"sub": USER, "iat": now, "exp": now + 4 * 3600}).encode())
    signature = hmac.new(SECRET.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    return f"{header}.{claims}.{b64(signature)}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def totals(path: str) -> int:
    with open(path) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise RuntimeError(f"no totals in {path}")


def run(binary: str, n: int) -> tuple[int, int]:
    """(instructions of the N creates, of the N toggles)."""
    work = tempfile.mkdtemp(prefix="write-instr-")
    port = free_port()
    out = os.path.join(work, "callgrind.out")
    env = {**os.environ, "API_ADDR": f"127.0.0.1:{port}", "DATABASE_URL": f"sqlite://{work}/todo.db",
           "BETTER_AUTH_SECRET": SECRET, "RATE_LIMIT_PER_MINUTE": "0", "RUST_LOG": "warn"}
    server = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 600
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline or server.poll() is not None:
                raise RuntimeError("the API did not start")
            time.sleep(1)
        auth = {"Authorization": f"Bearer {token()}", "Content-Type": "application/json"}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

        def send(method, path, body=None):
            conn.request(method, path, body=body, headers=auth)
            response = conn.getresponse()
            data = response.read()
            if response.status >= 300:
                raise RuntimeError(f"{method} {path}: {response.status} {data[:200]!r}")
            return json.loads(data)

        subprocess.run(["callgrind_control", "--zero", str(server.pid)], check=True, capture_output=True)
        ids = [send("POST", f"/api/{USER}/tasks", json.dumps({"title": f"Task {i}"}))["id"] for i in range(n)]
        subprocess.run(["callgrind_control", "--dump=creates", str(server.pid)], check=True, capture_output=True)
        for task in ids:
            send("PATCH", f"/api/{USER}/tasks/{task}/complete")
        subprocess.run(["callgrind_control", "--dump=toggles", str(server.pid)], check=True, capture_output=True)
        dumps = sorted(glob.glob(out + ".*"), key=lambda p: int(re.sub(r".*\.(\d+)(-\d+)?$", r"\1", p)))
        if len(dumps) < 2:
            raise RuntimeError(f"expected two dumps, found {dumps}")
        return totals(dumps[-2]), totals(dumps[-1])
    finally:
        server.terminate()
        server.wait(timeout=120)


def main():
    binary = sys.argv[1]
    small, large = 100, 600
    c1, t1 = run(binary, small)
    c2, t2 = run(binary, large)
    per_create = (c2 - c1) / (large - small)
    per_toggle = (t2 - t1) / (large - small)
    print(json.dumps({"binary": binary, "creates": [c1, c2], "toggles": [t1, t2],
                      "instructions_per_create": round(per_create), "instructions_per_toggle": round(per_toggle)}))


if __name__ == "__main__":
    main()
