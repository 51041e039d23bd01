#!/usr/bin/env python3
"""Load benchmarks of the task API, side by side with its two references.

Run through bench/run.sh (`make bench`), which installs wrk, the venv and builds
the binaries first. This script:
  1. makes keys and tokens (HS256 secret; an Ed25519 key served as a static JWKS),
  2. bulk-loads the data set into the API's own schema on SQLite and PostgreSQL,
  3. runs every scenario with wrk against the Rust API, the bare-axum ceiling
     and the FastAPI + SQLModel peer, measuring the server's CPU and peak RSS,
  4. walks one big user's pages and times the first and the last,
  5. writes bench/results/RESULTS.md, results.json and bench.png.

Environment: QUICK=1 (reduced matrix and data, a few minutes), DURATION (seconds
per load run), BENCH_PG_URL (server URL without a database; default
postgres://postgres@127.0.0.1:5432), SKIP_PG=1, SKIP_FASTAPI=1.
Every server it starts listens on 127.0.0.1 and is stopped on exit.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / ".work"
QUICK = os.environ.get("QUICK", "") not in ("", "0")
# A QUICK run never overwrites the committed full results.
RESULTS = BENCH / "results" / ("quick" if QUICK else "")
VENV_BIN = BENCH / ".venv" / "bin"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
PROFILE = os.environ.get("BENCH_PROFILE", "bench-release")
API_BIN = TARGET / PROFILE / "todo-api"
CEILING_BIN = TARGET / PROFILE / "bench-ceiling"

DURATION = int(os.environ.get("DURATION", "3" if QUICK else "8"))
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PG_DB = "todo_bench"
SKIP_PG = os.environ.get("SKIP_PG", "") not in ("", "0")
SKIP_FASTAPI = os.environ.get("SKIP_FASTAPI", "") not in ("", "0")

# The data set: USERS users with PER_USER tasks each, plus one user with BIG tasks.
USERS, PER_USER, BIG = (1_000, 100, 10_000) if QUICK else (10_000, 100, 100_000)
BIG_USER = "big"
SAMPLE_USERS = 1_000 if not QUICK else 200  # users whose tokens wrk spreads its requests over

PORTS = {"api": 18080, "ceiling": 18090, "fastapi": 18070, "jwks": 18060}
CONNS = [1, 64, 512]
SCENARIOS = ["list", "get", "create", "toggle", "mix"]
SCENARIO_TITLES = {
    "list": "GET list (20)",
    "get": "GET one",
    "create": "POST create",
    "toggle": "PATCH toggle",
    "mix": "mix 80/20",
    "fixed": "GET fixed 30 B",
    "first": "big user: first page",
    "last": "big user: last page",
}
STACK_TITLES = {"rust": "Rust API", "rust-warn": "Rust API, RUST_LOG=warn", "ceiling": "bare axum",
                "fastapi": "FastAPI + SQLModel"}
SECRET = "bench-" + secrets.token_hex(24)  # 54 bytes: HS256 needs at least 32
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(*parts):
    print(f"[bench {time.strftime('%H:%M:%S')}]", *parts, flush=True)


# ---------------------------------------------------------------- processes

STARTED: list[subprocess.Popen] = []


def stop(proc: subprocess.Popen):
    """Stops a server this script started (its own process group), politely first."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if proc in STARTED:
        STARTED.remove(proc)


def stop_all(*_):
    for proc in list(STARTED):
        stop(proc)


def on_signal(signum, _frame):
    stop_all()
    sys.exit(128 + signum)


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def start(name: str, argv: list[str], env: dict, port: int, health: str, cwd: str | None = None,
          quiet: bool = False) -> subprocess.Popen:
    """Starts a server and waits for `health` to answer 200. A quiet server's output (the API's
    per-request log lines: about 1 GB over a full run) goes to /dev/null unless BENCH_LOGS=1."""
    if not port_free(port):
        sys.exit(f"bench: port {port} on 127.0.0.1 is taken; stop what listens there and retry")
    if quiet and os.environ.get("BENCH_LOGS", "") in ("", "0"):
        logfile = open(os.devnull, "ab")
    else:
        logfile = open(WORK / "logs" / f"{name}.log", "ab")
    base = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    # cwd is an empty temporary directory: no .env of the repository is picked up.
    proc = subprocess.Popen(argv, env={**base, **env}, cwd=cwd or tempfile.mkdtemp(prefix="bench-"),
                            stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True)
    STARTED.append(proc)
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"bench: {name} exited with {proc.returncode} at start; see {logfile.name} "
                     "(BENCH_LOGS=1 keeps every server's output)")
        if answers(port, health, timeout=2):
            return proc
        time.sleep(0.2)
    stop(proc)
    sys.exit(f"bench: {name} did not answer {health} within 60 s; see {logfile.name}")


def answers(port: int, path: str, timeout: float) -> bool:
    """One GET of `path`: whether it came back 200."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("GET", path)
        return conn.getresponse().status == 200
    except OSError:
        return False


def healthy(port: int, path: str, wait_s: float = 15) -> bool:
    deadline = time.time() + wait_s
    while time.time() < deadline:
        if answers(port, path, timeout=5):
            return True
        time.sleep(0.5)
    return False


def tree(pid: int) -> list[int]:
    """The process and all its descendants (uvicorn's workers)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def cpu_by_pid(pids: list[int]) -> dict[int, int]:
    out = {}
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            out[p] = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15), in ticks
        except OSError:
            pass
    return out


def cpu_ticks(pids: list[int]) -> int:
    return sum(cpu_by_pid(pids).values())


def cpu_delta(before: dict[int, int], after: dict[int, int]) -> int:
    """Ticks spent between two readings by the processes alive at the second (new ones from 0)."""
    return sum(max(0, t - before.get(p, 0)) for p, t in after.items())


def postgres_pids() -> list[int]:
    """PostgreSQL's processes on this machine (read-only: their CPU time is the store's share)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if Path(f"/proc/{entry}/comm").read_text().strip() == "postgres":
                    pids.append(int(entry))
            except OSError:
                pass
    return pids


def reset_peak_rss(pids: list[int]):
    for p in pids:
        try:
            Path(f"/proc/{p}/clear_refs").write_text("5")  # resets VmHWM to the current RSS
        except OSError:
            pass


def peak_rss_kb(pids: list[int]) -> int:
    total = 0
    for p in pids:
        try:
            m = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{p}/status").read_text())
            total += int(m.group(1)) if m else 0
        except OSError:
            pass
    return total


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


# ---------------------------------------------------------------- tokens

def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def make_keys():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    jwks_dir = WORK / "jwks"
    jwks_dir.mkdir(parents=True, exist_ok=True)
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64url(public), "kid": "bench", "alg": "EdDSA", "use": "sig"}
    (jwks_dir / "jwks.json").write_text(json.dumps({"keys": [jwk]}))
    return key


def token(sub: str, alg: str, ed_key) -> str:
    import jwt

    now = int(time.time())
    claims = {"sub": sub, "iat": now, "exp": now + 4 * 3600}
    if alg == "HS256":
        return jwt.encode(claims, SECRET, algorithm="HS256")
    return jwt.encode(claims, ed_key, algorithm="EdDSA", headers={"kid": "bench"})


def user_name(i: int) -> str:
    return f"u{i:05d}"


def write_users_files(ed_key) -> dict[str, Path]:
    """One wrk users file per algorithm: SAMPLE_USERS users spread over the data set."""
    files = {}
    step = max(1, USERS // SAMPLE_USERS)
    for alg in ("HS256", "EdDSA"):
        path = WORK / f"users-{alg}.txt"
        lines = []
        for i in range(0, USERS, step):
            lo, hi = i * PER_USER + 1, (i + 1) * PER_USER
            lines.append(f"{user_name(i)} {token(user_name(i), alg, ed_key)} {lo} {hi}")
        path.write_text("\n".join(lines) + "\n")
        big = WORK / f"big-{alg}.txt"
        big.write_text(f"{BIG_USER} {token(BIG_USER, alg, ed_key)} {USERS * PER_USER + 1} {USERS * PER_USER + BIG}\n")
        files[alg] = path
        files["big-" + alg] = big
    return files


# ---------------------------------------------------------------- data

# Each column of the store's `tasks` table, as an expression over the generated row
# (i, id, user_id, title, description, completed, ts); columns the API adds later
# with these names are filled too, and an unknown NOT NULL column stops the load.
COLUMN_EXPR = {"id": "id", "user_id": "user_id", "title": "title", "description": "description",
               "completed": "completed", "created_at": "ts", "updated_at": "ts",
               "title_folded": "lower(title)", "description_folded": "lower(description)"}


def insert_columns(columns: list[tuple[str, bool]]) -> tuple[str, str]:
    missing = [name for name, required in columns if required and name not in COLUMN_EXPR]
    if missing:
        raise RuntimeError(f"the tasks table has NOT NULL columns the loader does not know: {missing}; "
                           "add them to COLUMN_EXPR in bench/bench.py")
    names = [name for name, _ in columns if name in COLUMN_EXPR]
    return ", ".join(names), ", ".join(COLUMN_EXPR[n] for n in names)


def load_sqlite(path: Path):
    """Bulk-loads the data set straight into the schema found in the file (indexes rebuilt after)."""
    total = USERS * PER_USER
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-400000")
    indexes = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tasks' "
                          "AND sql IS NOT NULL").fetchall()
    for name, _ in indexes:
        con.execute(f"DROP INDEX {name}")
    info = con.execute("PRAGMA table_info(tasks)").fetchall()  # cid, name, type, notnull, default, pk
    names, exprs = insert_columns([(c[1], bool(c[3]) and c[4] is None and not c[5]) for c in info])
    # Timestamps: task k of a user at 2026-01-01 + k minutes (+ k s for the big user),
    # with microseconds, as RFC 3339 text like the API writes.
    fraction = "printf('.%06d+00:00', (i % 1000) * 1000 + 7)"
    con.execute(f"""
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {total - 1})
        INSERT INTO tasks ({names}) SELECT {exprs} FROM (
          SELECT i, i + 1 AS id, printf('u%05d', i / {PER_USER}) AS user_id,
                 printf('Task %d of u%05d', i % {PER_USER}, i / {PER_USER}) AS title,
                 CASE WHEN i % 3 = 0 THEN 'A description of this benchmark task' END AS description,
                 i % 4 = 0 AS completed,
                 strftime('%Y-%m-%dT%H:%M:%S', 1767225600 + (i % {PER_USER}) * 60, 'unixepoch') || {fraction} AS ts
          FROM n)""")
    con.execute(f"""
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {BIG - 1})
        INSERT INTO tasks ({names}) SELECT {exprs} FROM (
          SELECT i, {total} + i + 1 AS id, '{BIG_USER}' AS user_id, printf('Big task %d', i) AS title,
                 NULL AS description, i % 2 = 0 AS completed,
                 strftime('%Y-%m-%dT%H:%M:%S', 1767225600 + i, 'unixepoch') || {fraction} AS ts
          FROM n)""")
    con.commit()
    for _, sql in indexes:
        con.execute(sql)
    con.execute("ANALYZE")
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    count = con.execute("SELECT count(*) FROM tasks").fetchone()[0]
    con.close()
    return count


def psql(sql: str, db: str = PG_DB) -> str:
    out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", f"{PG_URL}/{db}", "-c", sql],
                         capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        raise RuntimeError(f"psql failed: {out.stderr.strip()}")
    return out.stdout.strip()


def pg_available() -> bool:
    if SKIP_PG or not shutil.which("psql"):
        return False
    try:
        psql("SELECT 1", db="postgres")
        return True
    except Exception as error:  # noqa: BLE001
        log(f"PostgreSQL not reachable at {PG_URL} ({error}); its runs are skipped")
        return False


def load_postgres():
    total = USERS * PER_USER
    indexes = [line.split("|", 1) for line in psql(
        "SELECT indexname || '|' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'tasks' "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'public.tasks'::regclass)"
    ).splitlines() if line]
    for name, _ in indexes:
        psql(f"DROP INDEX {name}")
    cols = psql("SELECT column_name || '|' || (is_nullable = 'NO' AND column_default IS NULL "
                "AND is_identity = 'NO')::text FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = 'tasks' ORDER BY ordinal_position").splitlines()
    names, exprs = insert_columns([(c.split("|")[0], c.split("|")[1] == "true") for c in cols if c])
    frac = "((i % 1000) * 1000 + 7) * interval '1 microsecond'"
    psql(f"""
        INSERT INTO tasks ({names}) OVERRIDING SYSTEM VALUE SELECT {exprs} FROM (
          SELECT i, i + 1 AS id, 'u' || lpad((i / {PER_USER})::text, 5, '0') AS user_id,
                 'Task ' || (i % {PER_USER}) || ' of u' || lpad((i / {PER_USER})::text, 5, '0') AS title,
                 CASE WHEN i % 3 = 0 THEN 'A description of this benchmark task' END AS description,
                 i % 4 = 0 AS completed,
                 timestamptz '2026-01-01 00:00:00+00' + (i % {PER_USER}) * interval '1 minute' + {frac} AS ts
          FROM generate_series(0, {total - 1}) i) s""")
    psql(f"""
        INSERT INTO tasks ({names}) OVERRIDING SYSTEM VALUE SELECT {exprs} FROM (
          SELECT i, {total} + i + 1 AS id, '{BIG_USER}' AS user_id, 'Big task ' || i AS title,
                 NULL::text AS description, i % 2 = 0 AS completed,
                 timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second' + {frac} AS ts
          FROM generate_series(0, {BIG - 1}) i) s""")
    for _, sql in indexes:
        psql(sql)
    psql("SELECT setval(pg_get_serial_sequence('tasks', 'id'), (SELECT max(id) FROM tasks))")
    psql("VACUUM ANALYZE tasks")
    return int(psql("SELECT count(*) FROM tasks"))


# ---------------------------------------------------------------- load runs

RUNS: list[dict] = []
NOTES: list[str] = []
# Interleaved rounds for the ratio targets (see interleaved_rounds); not in the All runs table.
ROUNDS: list[dict] = []
INTERLEAVED_ROUNDS = 2 if QUICK else 3


def wrk(port: int, scenario: str, conns: int, users_file: Path, duration: int, path: str | None = None) -> dict:
    out = WORK / "wrk-out.json"
    out.unlink(missing_ok=True)
    argv = ["wrk", f"-t{min(2, conns)}", f"-c{conns}", f"-d{duration}s", "--timeout", "5s",
            "-s", str(BENCH / "load.lua"), f"http://127.0.0.1:{port}", "--", scenario, str(users_file)]
    if path:
        argv.append(path)
    proc = subprocess.run(argv, env={**os.environ, "WRK_OUT": str(out)}, capture_output=True, text=True,
                          timeout=duration + 60)
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}")
    return json.loads(out.read_text())


def measure(server: subprocess.Popen, port: int, *, stack: str, store: str, alg: str, scenario: str, conns: int,
            users_file: Path, duration: int = DURATION, path: str | None = None, label: str | None = None,
            record: bool = True) -> dict:
    pids = tree(server.pid)
    reset_peak_rss(pids)
    is_pg = store == "postgres"
    load_before, t0 = loadavg(), time.time()
    cpu_before, pg_before = cpu_by_pid(pids), cpu_by_pid(postgres_pids() if is_pg else [])
    result = wrk(port, "path" if path else scenario, conns, users_file, duration, path)
    pids_after = tree(server.pid)
    cpu_ms = cpu_delta(cpu_before, cpu_by_pid(pids_after)) * 1000 / CLK_TCK
    # PostgreSQL's processes: backends that exit during the run take their time with them,
    # and other clients of the same server add theirs: a rough figure on a shared machine.
    pg_ms = cpu_delta(pg_before, cpu_by_pid(postgres_pids())) * 1000 / CLK_TCK if is_pg else 0
    if server.poll() is not None:
        raise RuntimeError(f"{stack} died during {scenario} at {conns} connections")
    reqs = result["requests"]
    errors = sum(result["errors"].values())
    if reqs == 0:  # a server that answered nothing at all: count every connection as failed
        result["errors"]["stalled"] = conns
        errors += conns
    row = {
        "stack": stack, "store": store, "alg": alg, "scenario": label or scenario, "conns": conns,
        "duration_s": round(result["duration_us"] / 1e6, 2), "requests": reqs,
        "rps": reqs / (result["duration_us"] / 1e6) if reqs else 0.0,
        "p50_ms": result["latency_us"]["p50"] / 1000, "p99_ms": result["latency_us"]["p99"] / 1000,
        "max_ms": result["latency_us"]["max"] / 1000, "errors": errors, "error_detail": result["errors"],
        "cpu_ms_per_req": cpu_ms / reqs if reqs else 0.0,
        "store_cpu_ms_per_req": (pg_ms / reqs if reqs else 0.0) if is_pg else None, "peak_rss_mb": peak_rss_kb(pids_after) / 1024,
        "loadavg": [load_before, loadavg()], "wall_s": round(time.time() - t0, 1),
    }
    log(f"{stack:8} {store:8} {alg:5} {row['scenario']:7} c={conns:<3} {row['rps']:9.0f} req/s  p50 {row['p50_ms']:7.2f}"
        f"  p99 {row['p99_ms']:8.2f}  max {row['max_ms']:8.1f} ms  err {errors:<5} cpu {row['cpu_ms_per_req'] or 0:.3f} ms/req"
        f"  rss {row['peak_rss_mb']:.1f} MB")
    if record:
        RUNS.append(row)
    return row


def warm_up(server, port, users_file, scenario="list"):
    measure(server, port, stack="warmup", store="", alg="", scenario=scenario, conns=64, users_file=users_file,
            duration=2, record=False)


def api_env(database_url: str) -> dict:
    return {
        "API_ADDR": f"127.0.0.1:{PORTS['api']}",
        "DATABASE_URL": database_url,
        "BETTER_AUTH_SECRET": SECRET,
        "BETTER_AUTH_JWKS_URL": f"http://127.0.0.1:{PORTS['jwks']}/jwks.json",
        "RATE_LIMIT_PER_MINUTE": "0",
    }


def start_api(name: str, database_url: str, quiet: bool = True, extra_env: dict | None = None) -> subprocess.Popen:
    return start(name, [str(API_BIN)], {**api_env(database_url), **(extra_env or {})}, PORTS["api"], "/readyz",
                 quiet=quiet)


def matrix(store: str) -> list[tuple[str, str, int]]:
    """(alg, scenario, connections) runs for one store of the Rust API."""
    if QUICK:
        if store == "sqlite":
            return ([("HS256", s, 64) for s in SCENARIOS] + [("HS256", "list", 1), ("HS256", "list", 512)]
                    + [("EdDSA", "list", 64)])
        return [("HS256", "list", 64), ("HS256", "create", 64), ("EdDSA", "list", 64)]
    runs = [("HS256", s, c) for s in SCENARIOS for c in CONNS]
    runs += [("EdDSA", "list", c) for c in CONNS] + [("EdDSA", "mix", 64)]
    return runs


def walk_big_user(port: int, token_: str) -> dict:
    """Follows rel="next" through the big user's tasks; returns the first and last 20-row page paths."""
    link_re = re.compile(r'<([^>]+)>;\s*rel="next"')
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token_}"}

    def page(path):
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = json.loads(response.read())
        if response.status != 200:
            raise RuntimeError(f"GET {path} -> {response.status} {body}")
        match = link_re.search(response.getheader("Link") or "")
        return len(body), (match.group(1) if match else None)

    t0 = time.time()
    # Large pages to get near the end quickly, then 20-row pages from the last large page's cursor.
    path, seen, before_last, pages = f"/api/{BIG_USER}/tasks?limit=200", 0, 0, 0
    while True:
        n, nxt = page(path)
        pages += 1
        if nxt is None:
            break
        seen += n
        path = nxt
    before_last = seen
    path = path.replace("limit=200", "limit=20")
    while True:
        n, nxt = page(path)
        pages += 1
        seen += n
        if nxt is None:
            break
        path = nxt
    if seen != BIG:
        raise RuntimeError(f"walking the big user's pages saw {seen} tasks, not {BIG}")
    log(f"walked {pages} pages ({seen} tasks, {before_last} before the last 200) in {time.time() - t0:.1f} s")
    return {"first": f"/api/{BIG_USER}/tasks?limit=20", "last": path, "pages": pages, "walk_s": time.time() - t0}


def bench_api(store: str, database_url: str, users: dict[str, Path]):
    server = start_api(f"api-{store}", database_url)
    try:
        warm_up(server, PORTS["api"], users["HS256"])
        for alg, scenario, conns in matrix(store):
            measure(server, PORTS["api"], stack="rust", store=store, alg=alg, scenario=scenario, conns=conns,
                    users_file=users[alg])
        if store == "sqlite":
            interleaved_rounds(server, users)
        big_token = users["big-HS256"].read_text().split()[1]
        walk = walk_big_user(PORTS["api"], big_token)
        for which in ("first", "last"):
            for conns in ([1] if QUICK else [1, 64]):
                measure(server, PORTS["api"], stack="rust", store=store, alg="HS256", scenario=which, conns=conns,
                        users_file=users["big-HS256"], path=walk[which], duration=max(3, DURATION // 2))
    finally:
        stop(server)
    if store == "sqlite" and not QUICK:
        # What the per-request INFO log line costs: the same runs with RUST_LOG=warn.
        server = start_api(f"api-{store}-warn", database_url, extra_env={"RUST_LOG": "warn"})
        try:
            warm_up(server, PORTS["api"], users["HS256"])
            for scenario in ("list", "create"):
                measure(server, PORTS["api"], stack="rust-warn", store=store, alg="HS256", scenario=scenario,
                        conns=64, users_file=users["HS256"])
        finally:
            stop(server)


def start_ceiling() -> subprocess.Popen:
    return start("ceiling", [str(CEILING_BIN)], {"CEILING_ADDR": f"127.0.0.1:{PORTS['ceiling']}"},
                 PORTS["ceiling"], "/healthz")


def interleaved_rounds(api: subprocess.Popen, users: dict[str, Path]):
    """The two ratio targets compare runs made minutes apart in the matrix, where whatever
    else the machine does in between moves one side and not the other (±30% seen). Here
    the ceiling, HS256 list and EdDSA list at 64 connections take turns, a few rounds, and
    the targets use each one's median."""
    ceiling = start_ceiling()
    try:
        for n in range(1, INTERLEAVED_ROUNDS + 1):
            for stack, server, port, alg, scenario, label in (
                    ("ceiling", ceiling, PORTS["ceiling"], "-", "list", "fixed"),
                    ("rust", api, PORTS["api"], "HS256", "list", None),
                    ("rust", api, PORTS["api"], "EdDSA", "list", None)):
                row = measure(server, port, stack=stack, store="sqlite" if stack == "rust" else "-", alg=alg,
                              scenario=scenario, conns=64, users_file=users[alg if alg != "-" else "HS256"],
                              label=label, record=False)
                ROUNDS.append({**row, "round": n})
    finally:
        stop(ceiling)


def median_rps(stack: str, alg: str) -> float | None:
    rates = [r["rps"] for r in ROUNDS if r["stack"] == stack and r["alg"] == alg]
    return statistics.median(rates) if rates else None


def bench_ceiling(users: dict[str, Path]):
    server = start_ceiling()
    try:
        warm_up(server, PORTS["ceiling"], users["HS256"])
        for conns in CONNS:
            measure(server, PORTS["ceiling"], stack="ceiling", store="-", alg="-", scenario="list", conns=conns,
                    users_file=users["HS256"], label="fixed")
    finally:
        stop(server)


def start_fastapi(db_path: Path) -> subprocess.Popen:
    # uvicorn with one worker process per core, as FastAPI's deployment docs advise.
    workers = os.cpu_count() or 2
    argv = [str(VENV_BIN / "uvicorn"), "app:app", "--app-dir", str(BENCH / "peers" / "fastapi"),
            "--host", "127.0.0.1", "--port", str(PORTS["fastapi"]), "--workers", str(workers),
            "--no-access-log", "--log-level", "warning"]
    env = {"DATABASE_URL": f"sqlite:///{db_path}", "BETTER_AUTH_SECRET": SECRET}
    return start("fastapi", argv, env, PORTS["fastapi"], "/healthz")


def bench_fastapi(db_path: Path, users: dict[str, Path]):
    server = start_fastapi(db_path)
    try:
        warm_up(server, PORTS["fastapi"], users["HS256"])
        scenarios = ["list", "create"] if QUICK else SCENARIOS
        conns_list = [64] if QUICK else CONNS
        for scenario in scenarios:
            for conns in conns_list:
                measure(server, PORTS["fastapi"], stack="fastapi", store="sqlite", alg="HS256", scenario=scenario,
                        conns=conns, users_file=users["HS256"])
                if not healthy(PORTS["fastapi"], "/healthz"):
                    log("FastAPI stopped answering after that run: restarting it for the next one")
                    NOTES.append(f"FastAPI stopped answering after {SCENARIO_TITLES[scenario]} at {conns} "
                                 "connections and was restarted.")
                    stop(server)
                    server = start_fastapi(db_path)
    finally:
        stop(server)


# ---------------------------------------------------------------- report

def machine() -> dict:
    cpu = "unknown"
    try:
        cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text()).group(1)
    except Exception:  # noqa: BLE001
        pass
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "api", "Cargo.lock", "Cargo.toml"],
                           capture_output=True, text=True).stdout.strip()
    if dirty:
        commit += " with uncommitted changes in api/"
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    return {"cpus": os.cpu_count(), "cpu": cpu, "kernel": platform.release(), "commit": commit,
            "wrk": (wrk_version.stdout + wrk_version.stderr).split("\n")[0].strip(),
            "python": platform.python_version()}


def find(stack, scenario, conns, store=None, alg=None):
    for r in RUNS:
        if (r["stack"] == stack and r["scenario"] == scenario and r["conns"] == conns
                and (store is None or r["store"] == store) and (alg is None or r["alg"] == alg)):
            return r
    return None


def fmt_ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "–"


def targets() -> list[tuple[str, str, str]]:
    out = []

    def add(name, measured, ok):
        out.append((name, measured, "met" if ok else ("**missed**" if ok is not None else "not measured")))

    def add_ratio(name, threshold, rounds, matrix_rows):
        """A ratio target: judged on the interleaved rounds' medians when there are
        some, else on the matrix's runs; the measured column shows both."""
        (a, b), (ra, rb) = rounds, matrix_rows
        in_matrix = fmt_ratio(ra and ra["rps"], rb and rb["rps"])
        if a and b:
            add(name, f"{fmt_ratio(a, b)} (interleaved medians: {a:,.0f} vs {b:,.0f}/s; in the matrix {in_matrix})",
                a / b >= threshold)
        else:
            add(name, in_matrix, (ra["rps"] / rb["rps"] >= threshold) if ra and rb else None)

    rl = find("rust", "list", 64, "sqlite", "HS256")
    ce = find("ceiling", "fixed", 64)
    fa = find("fastapi", "list", 64)
    add_ratio("GET list ≥ 0.3× the bare-axum ceiling (64 conns)", 0.3,
              (median_rps("rust", "HS256"), median_rps("ceiling", "-")), (rl, ce))
    add("GET list ≥ 100× the FastAPI stack (64 conns)",
        fmt_ratio(rl and rl["rps"], fa and fa["rps"]), (rl["rps"] / fa["rps"] >= 100) if rl and fa else None)
    best_post = max((r["rps"] for r in RUNS if r["stack"] == "rust" and r["store"] == "sqlite"
                     and r["scenario"] == "create"), default=None)
    add("POST ≥ 10,000/s on SQLite (best connection count)",
        f"{best_post:,.0f}/s" if best_post else "–", (best_post >= 10_000) if best_post else None)
    at64 = [r for r in RUNS if r["stack"] == "rust" and r["conns"] == 64 and r["scenario"] in SCENARIOS]
    worst = max(at64, key=lambda r: r["p99_ms"], default=None)
    add("p99 ≤ 10 ms at 64 connections (every Rust scenario)",
        f"worst {worst['p99_ms']:.1f} ms ({worst['store']} {worst['alg']} {SCENARIO_TITLES[worst['scenario']]})"
        if worst else "–", (worst["p99_ms"] <= 10) if worst else None)
    at512 = [r for r in RUNS if r["stack"] == "rust" and r["conns"] == 512]
    errs = sum(r["errors"] for r in at512)
    maxlat = max((r["max_ms"] for r in at512), default=None)
    add("no errors and no stall at 512 connections (Rust)",
        f"{errs} errors, max latency {maxlat:,.0f} ms" if at512 else "–",
        (errs == 0 and maxlat < 5000) if at512 else None)
    rust = [r for r in RUNS if r["stack"] == "rust"]
    rss = max((r["peak_rss_mb"] for r in rust), default=None)
    add("RSS under load ≤ 50 MB (Rust, every run)", f"peak {rss:.1f} MB" if rss else "–",
        (rss <= 50) if rss else None)
    add_ratio("EdDSA GET list ≥ 0.8× HS256 (SQLite, 64 conns)", 0.8,
              (median_rps("rust", "EdDSA"), median_rps("rust", "HS256")),
              (find("rust", "list", 64, "sqlite", "EdDSA"), rl))
    return out


def write_report(meta: dict):
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "results.json").write_text(json.dumps({"meta": meta, "runs": RUNS, "rounds": ROUNDS}, indent=1)
                                          + "\n")
    lines = [
        "# Benchmark results",
        "",
        f"Made by `{meta['command']}` on {meta['date']} at commit `{meta['machine']['commit']}`, "
        f"{meta['machine']['cpus']} cores ({meta['machine']['cpu']}), Linux {meta['machine']['kernel']}, "
        f"{meta['machine']['wrk']}; load generator on the same machine. {meta['mode']}: {DURATION} s per run, "
        f"data set of {USERS * PER_USER:,} tasks over {USERS:,} users plus one user with {BIG:,} tasks "
        f"(wrk spreads requests over {SAMPLE_USERS:,} of the users, each with their own token). "
        f"Total time {meta['total_min']:.1f} min.",
        "",
        f"> **Noise.** The 1-minute load average was {meta['load_min']:.1f}–{meta['load_max']:.1f} during the runs "
        f"(wrk and the server alone account for about 2 on 2 cores); other builds on a shared machine "
        "take CPU from both wrk and the server, so compare ratios within one run rather than absolute figures "
        "across runs.",
        "",
        "## Targets",
        "",
        "| target | measured | |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {measured} | {verdict} |" for name, measured, verdict in targets()]
    lines += [
        "",
        "## All runs",
        "",
        "`× ceiling`: requests/s over the bare-axum ceiling's at the same connection count; "
        "`× FastAPI`: over the FastAPI + SQLModel stack's for the same scenario and connection count. "
        "CPU is the server's (all its processes) user+system time per request (for PostgreSQL runs the "
        "database's own processes are counted apart, in their own column); RSS is the server's peak "
        "resident memory during that run (VmHWM, reset before each run).",
        "",
        "| stack | store | token | scenario | conns | req/s | p50 ms | p99 ms | max ms | errors | CPU ms/req "
        "| PostgreSQL CPU ms/req | peak RSS MB | × ceiling | × FastAPI |",
        "|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in RUNS:
        ce = find("ceiling", "fixed", r["conns"])
        fa = find("fastapi", r["scenario"], r["conns"])
        err = str(r["errors"]) if not r["errors"] else \
            f"{r['errors']} ({', '.join(f'{k} {v}' for k, v in r['error_detail'].items() if v)})"
        lines.append(
            f"| {STACK_TITLES.get(r['stack'], r['stack'])} | {r['store']} | {r['alg']} | {SCENARIO_TITLES[r['scenario']]} | {r['conns']} "
            f"| {r['rps']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['max_ms']:.1f} | {err} "
            f"| {r['cpu_ms_per_req']:.3f} | "
            f"{'–' if r.get('store_cpu_ms_per_req') is None else format(r['store_cpu_ms_per_req'], '.3f')} "
            f"| {r['peak_rss_mb']:.1f} "
            f"| {fmt_ratio(r['rps'], ce and ce['rps']) if r['stack'] != 'ceiling' else '1.00×'} "
            f"| {fmt_ratio(r['rps'], fa and fa['rps']) if r['stack'] != 'fastapi' else '1.00×'} |")
    if ROUNDS:
        lines += [
            "",
            "## Interleaved rounds",
            "",
            "The two ratio targets above use these: the ceiling, HS256 list and EdDSA list at 64 connections "
            "(SQLite), taking turns, so that whatever else the machine was doing weighs on each alike.",
            "",
            "| round | stack | token | req/s | p99 ms | CPU ms/req |",
            "|--:|---|---|--:|--:|--:|",
        ]
        lines += [f"| {r['round']} | {STACK_TITLES.get(r['stack'], r['stack'])} | {r['alg']} | {r['rps']:,.0f} "
                  f"| {r['p99_ms']:.2f} | {r['cpu_ms_per_req']:.3f} |" for r in ROUNDS]
    lines += ["", "![throughput and p99 per scenario](bench.png)", ""]
    if (RESULTS / "FINDINGS.md").exists():
        lines += ["What limits the missed targets, with profiles: [FINDINGS.md](FINDINGS.md).", ""]
    if meta.get("notes"):
        lines += ["## Notes", ""] + [f"- {n}" for n in meta["notes"]] + [""]
    (RESULTS / "RESULTS.md").write_text("\n".join(lines))
    chart()


def chart():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = [("ceiling", "-", "-", "bare axum ceiling", "#7f7f7f"),
              ("rust", "sqlite", "HS256", "Rust · SQLite · HS256", "#1f77b4"),
              ("rust", "sqlite", "EdDSA", "Rust · SQLite · EdDSA", "#aec7e8"),
              ("rust-warn", "sqlite", "HS256", "Rust · SQLite · HS256 · RUST_LOG=warn", "#17becf"),
              ("rust", "postgres", "HS256", "Rust · PostgreSQL · HS256", "#2ca02c"),
              ("rust", "postgres", "EdDSA", "Rust · PostgreSQL · EdDSA", "#98df8a"),
              ("fastapi", "sqlite", "HS256", "FastAPI + SQLModel · SQLite · HS256", "#d62728")]
    series = [s for s in series if any(r["stack"] == s[0] and r["store"] == s[1] and r["alg"] == s[2] for r in RUNS)]
    scenarios = ["fixed"] + SCENARIOS + ["first", "last"]
    scenarios = [s for s in scenarios if any(r["scenario"] == s for r in RUNS)]
    conns_list = [c for c in CONNS if any(r["conns"] == c for r in RUNS)]
    fig, axes = plt.subplots(2, len(conns_list), figsize=(6.5 * len(conns_list), 9.5), squeeze=False)
    width = 0.85 / len(series)
    for col, conns in enumerate(conns_list):
        for row, (metric, label, floor) in enumerate([("rps", "requests/s (log scale)", 10),
                                                       ("p99_ms", "p99 latency, ms (log scale)", 0.1)]):
            ax = axes[row][col]
            for k, (stack, store, alg, name, color) in enumerate(series):
                xs, ys = [], []
                for i, scenario in enumerate(scenarios):
                    r = find(stack, scenario, conns, store, alg)
                    if r:
                        xs.append(i + (k - len(series) / 2 + 0.5) * width)
                        ys.append(max(r[metric], floor))
                ax.bar(xs, ys, width, label=name, color=color, bottom=0)
            ax.set_yscale("log")
            ax.set_ylim(bottom=floor)
            ax.set_xticks(range(len(scenarios)))
            ax.set_xticklabels([SCENARIO_TITLES[s] for s in scenarios], rotation=30, ha="right", fontsize=8)
            ax.set_title(f"{conns} connection{'s' if conns > 1 else ''}: {label}", fontsize=10)
            ax.grid(axis="y", alpha=0.3)
    from matplotlib.patches import Patch

    handles = [Patch(color=color, label=name) for _, _, _, name, color in series]
    fig.legend(handles=handles, loc="lower center", ncol=min(4, len(series)), fontsize=9)
    fig.suptitle("Todo task API: throughput and p99 latency per scenario (wrk on the same 2-core machine)", fontsize=12)
    fig.tight_layout(rect=(0, 0.06, 1, 0.97))
    fig.savefig(RESULTS / "bench.png", dpi=90)
    plt.close(fig)


# ---------------------------------------------------------------- main

def migrate_only(name: str, database_url: str):
    """Starts the API once on an empty store so it creates its own schema, then stops it."""
    stop(start_api(name, database_url, quiet=False))


def main():
    if "--report" in sys.argv:  # rewrite RESULTS.md and bench.png from results.json
        data = json.loads((RESULTS / "results.json").read_text())
        RUNS.extend(data["runs"])
        ROUNDS.extend(data.get("rounds", []))
        write_report(data["meta"])
        return
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    t_start = time.time()
    for binary in (API_BIN, CEILING_BIN):
        if not binary.exists():
            sys.exit(f"bench: {binary} is missing; run bench/run.sh, which builds it")
    if WORK.exists():
        shutil.rmtree(WORK / "data", ignore_errors=True)
    (WORK / "logs").mkdir(parents=True, exist_ok=True)
    (WORK / "data").mkdir(parents=True, exist_ok=True)
    notes = NOTES

    ed_key = make_keys()
    users = write_users_files(ed_key)
    jwks = start("jwks", [sys.executable, "-m", "http.server", str(PORTS["jwks"]), "--bind", "127.0.0.1",
                          "--directory", str(WORK / "jwks")], {}, PORTS["jwks"], "/jwks.json")

    try:
        # SQLite: the API makes its schema, then the data goes straight in with SQL.
        db = WORK / "data" / "todo.db"
        migrate_only("api-sqlite-migrate", f"sqlite://{db}")
        t0 = time.time()
        count = load_sqlite(db)
        log(f"SQLite: loaded {count:,} tasks in {time.time() - t0:.0f} s")

        bench_ceiling(users)
        bench_api("sqlite", f"sqlite://{db}", users)

        if pg_available():
            psql(f"DROP DATABASE IF EXISTS {PG_DB}", db="postgres")
            psql(f"CREATE DATABASE {PG_DB}", db="postgres")
            try:
                migrate_only("api-postgres-migrate", f"{PG_URL}/{PG_DB}")
                t0 = time.time()
                count = load_postgres()
                log(f"PostgreSQL: loaded {count:,} tasks in {time.time() - t0:.0f} s")
                bench_api("postgres", f"{PG_URL}/{PG_DB}", users)
            finally:
                psql(f"DROP DATABASE IF EXISTS {PG_DB}", db="postgres")
        else:
            notes.append("PostgreSQL was not reachable: its runs are missing.")

        if not SKIP_FASTAPI:
            # The peer makes its own schema (SQLModel create_all), then gets the same data.
            fastapi_db = WORK / "data" / "fastapi.db"
            stop(start_fastapi(fastapi_db))
            t0 = time.time()
            count = load_sqlite(fastapi_db)
            log(f"FastAPI's SQLite: loaded {count:,} tasks in {time.time() - t0:.0f} s")
            bench_fastapi(fastapi_db, users)
        else:
            notes.append("SKIP_FASTAPI=1: the FastAPI runs are missing.")
    finally:
        stop(jwks)
        stop_all()

    loads = [x for r in RUNS for x in r["loadavg"]]
    extra = Path(os.environ.get("BENCH_NOTES", WORK / "none"))
    if extra.exists():
        notes += [line.strip() for line in extra.read_text().splitlines() if line.strip()]
    meta = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "QUICK=1 make bench" if QUICK else "make bench",
        "mode": "QUICK mode (reduced matrix and data)" if QUICK else "Full matrix",
        "machine": machine(), "duration_s": DURATION, "total_min": (time.time() - t_start) / 60,
        "load_min": min(loads, default=0), "load_max": max(loads, default=0), "notes": notes,
        "data": {"users": USERS, "per_user": PER_USER, "big": BIG},
    }
    write_report(meta)
    log(f"wrote {RESULTS / 'RESULTS.md'} and {RESULTS / 'bench.png'} in {meta['total_min']:.1f} min")


if __name__ == "__main__":
    main()
