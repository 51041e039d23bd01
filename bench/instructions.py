#!/usr/bin/env python3
"""CPU instructions per request of the task API, counted by valgrind's callgrind.

Requests per second on a shared 2-core machine move by ±30% between runs; the
instructions the API executes for one request do not. This runs the API binary
under `valgrind --tool=callgrind` on a store with data and sends each scenario
a fixed sequence of requests, one at a time: after a few warm-up requests, a
short batch and a long batch, each between `callgrind_control --zero` and
`--dump`. The difference of the two, divided by the difference of their sizes,
is what one request costs, with what a batch costs whatever its size (timers,
the threads waking up for it) taken out.

Only the API's own process is counted: on PostgreSQL the server's work is not
in the figure (it is in `bench.py`'s CPU column).

Standalone (`make bench-instructions`, or `bench/run.sh --instructions`): loads
bench.py's QUICK data set (1,000 users with 100 tasks, `big` with 10,000, `long`
with 20,000 of 1,000 characters) into a fresh SQLite file and a PostgreSQL
database, then prints a table (and writes bench/.work/instructions.json). `make bench`
runs the same measurement on its full data set after each store's load runs
and reports it beside the rates.

Environment: as bench.py (BENCH_PROFILE, SKIP_PG, BENCH_PG_URL), and
INSTR_SMALL / INSTR_LARGE (the batch sizes, default 20 and 120; see BATCHES for
the scenarios with sizes of their own),
INSTR_ONLY=create,toggle (scenarios to run, in that order), INSTR_CONCURRENCY (requests
sent at once, default 1: see `batch`), INSTR_PG_DB (the standalone's
database, default todo_bench_instr; dropped at the end), TODO_API_BIN (the API
binary to measure, e.g. a build of another commit; its own migrations make the
schema).
"""

from __future__ import annotations

import concurrent.futures
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path

if __name__ == "__main__":
    os.environ.setdefault("QUICK", "1")  # standalone: bench.py's QUICK data set
sys.path.insert(0, str(Path(__file__).resolve().parent))
# bench.py: the data set, the loaders, starting servers. When bench.py itself runs (as
# __main__) it registers itself as `bench` first, so both share one secret and one state.
import bench as B  # noqa: E402

SMALL = int(os.environ.get("INSTR_SMALL", "20"))
LARGE = int(os.environ.get("INSTR_LARGE", "120"))
CONCURRENCY = int(os.environ.get("INSTR_CONCURRENCY", "1"))
CONCURRENT_WRITES = {"create", "toggle", "complete-recurring"}
WARM_UP = 5
# Batches of their own, (warm-up, small, large): writes over a longer run, as SQLite's
# search index merges its segments in lumps (every 16 writes, every 256, …), and a search
# that costs tens of milliseconds natively (seconds under callgrind) over a short one.
BATCHES = {"create": (WARM_UP, SMALL, SMALL + 4 * (LARGE - SMALL)),
           "complete-recurring": (WARM_UP, SMALL, SMALL + 4 * (LARGE - SMALL)),
           "search-long-none": (1, 1, 4)}
OUT = B.WORK / "callgrind"

# The create body of issue 24: what a person fills in, not a bare title.
CREATE_BODY = {"title": "Buy milk and bread for the weekend", "description": "Oat milk, the dark rye from the market",
               "priority": "high", "tags": ["home", "errands"], "due_at": "2026-12-24T16:00:00Z"}
# Scenario: title. The requests themselves are in `requests`. Reads first, on the data as
# loaded: what a search costs depends on the segments SQLite's search index holds, which
# every write adds to, so the writes come after them.
SCENARIOS = {
    "list": "GET list (20)",
    "list-due": "GET list (20) by due date",
    "get": "GET one",
    "search": "big user: q, a few tasks match",
    "search-none": "big user: q, no task matches",
    "search-long-none": "q on 20,000 long tasks, none match",
    "toggle": "PATCH toggle",
    "create": "POST create (title, description, priority, two tags, a due date)",
    "complete-recurring": "PATCH complete recurring (alternating)",
}


def requests(scenario: str, users: list[dict], big: dict, long: dict):
    """An endless, fixed sequence of (method, path, token, body) for the scenario: the
    same requests in the same order on every run."""
    n = 0
    recurring = [(u, t) for u in users for t in u["recurring"]]
    done: dict[int, bool] = {}
    while True:
        u = users[n % len(users)]
        base = f"/api/{u['user']}/tasks"
        if scenario == "create":
            yield "POST", base, u["token"], CREATE_BODY
        elif scenario == "toggle":
            yield "PATCH", f"{base}/{u['lo'] + (n * 7) % (u['hi'] - u['lo'] + 1)}/complete", u["token"], None
        elif scenario == "list":
            yield "GET", f"{base}?limit=20", u["token"], None
        elif scenario == "list-due":
            yield "GET", f"{base}?sort=due_at&order=asc&limit=20", u["token"], None
        elif scenario == "get":
            yield "GET", f"{base}/{u['lo'] + (n * 13) % (u['hi'] - u['lo'] + 1)}", u["token"], None
        elif scenario == "complete-recurring":
            owner, task = recurring[n % len(recurring)]
            done[task] = not done.get(task, False)
            yield ("PATCH", f"/api/{owner['user']}/tasks/{task}/complete", owner["token"],
                   {"completed": done[task]})
        elif scenario in ("search", "search-none"):
            text = dict((name, text) for name, text, _ in B.BIG_SEARCHES)[scenario]
            yield "GET", f"/api/{B.BIG_USER}/tasks?q={urllib.parse.quote(text)}&limit=20", big["token"], None
        elif scenario == "search-long-none":
            text = B.LONG_SEARCHES[0][1]
            yield "GET", f"/api/{B.LONG_USER}/tasks?q={urllib.parse.quote(text)}&limit=20", long["token"], None
        else:
            raise ValueError(scenario)
        n += 1


def users_of(users_file: Path) -> list[dict]:
    """bench.py's users file, with each user's first and last task id."""
    out = []
    for line, u in zip(users_file.read_text().splitlines(), B.users_of(users_file)):
        _, _, lo, hi, *_ = line.split()
        out.append({**u, "lo": int(lo), "hi": int(hi)})
    return out


def callgrind_control(pid: int, *args: str) -> None:
    subprocess.run(["callgrind_control", *args, str(pid)], check=True, capture_output=True, timeout=120)


def dumped_instructions(pid: int, before: set[Path]) -> int:
    """The instruction total of the dump callgrind_control just asked for."""
    new = sorted(set(OUT.glob(f"callgrind.out.{pid}*")) - before, key=lambda p: p.stat().st_mtime)
    if not new:
        raise RuntimeError("callgrind wrote no dump")
    text = new[-1].read_text(errors="replace")
    match = re.search(r"^(?:summary|totals):\s*(\d+)", text, re.M)
    if not match:
        raise RuntimeError(f"no instruction total in {new[-1]}")
    return int(match.group(1))


def batch(pid: int, conn: http.client.HTTPConnection, sequence, count: int, concurrent_ok: bool = False) -> int:
    """Instructions of `count` requests of the sequence, each checked for a 2xx answer:
    one at a time, or with INSTR_CONCURRENCY > 1 that many at once on connections of
    their own (so SQLite's writer commits them in batches, as under load; the batches then
    vary from run to run, and so does the figure, by a few percent). Only for the
    writes: a person's searches are capped at two at a time."""
    requests = [next(sequence) for _ in range(count)]
    before = set(OUT.glob(f"callgrind.out.{pid}*"))
    callgrind_control(pid, "--zero")
    if CONCURRENCY > 1 and concurrent_ok:
        local = threading.local()

        def one(request):
            if not hasattr(local, "conn"):
                local.conn = http.client.HTTPConnection("127.0.0.1", B.PORTS["api"], timeout=300)
            return request, B.call(local.conn, *request)

        with concurrent.futures.ThreadPoolExecutor(CONCURRENCY) as pool:
            answers = list(pool.map(one, requests))
    else:
        answers = [(request, B.call(conn, *request)) for request in requests]
    callgrind_control(pid, "--dump")
    for (method, path, _, _), (status, answer) in answers:
        if not 200 <= status < 300:
            raise RuntimeError(f"{method} {path} answered {status}: {answer}")
    return dumped_instructions(pid, before)


def measure(store: str, database_url: str, users: dict[str, Path], only: list[str] | None = None) -> dict:
    """Instructions per request of each scenario, on the store's current data: starts the
    API under callgrind (port 18080) and stops it after."""
    if not shutil.which("valgrind") or not shutil.which("callgrind_control"):
        raise RuntimeError("valgrind is not installed (apt-get install valgrind)")
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("callgrind.out.*"):
        old.unlink()
    sample = users_of(users["HS256"])[:40]
    big, long = ({"user": line[0], "token": line[1]} for line in
                 (users[name].read_text().split() for name in ("big-HS256", "long-HS256")))
    argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={OUT}/callgrind.out.%p",
            "--dump-line=no", "--compress-strings=no", str(B.API_BIN)]
    server = B.start(f"api-{store}-callgrind", argv, B.api_env(database_url), B.PORTS["api"], "/readyz",
                     quiet=True)
    results = {}
    try:
        conn = http.client.HTTPConnection("127.0.0.1", B.PORTS["api"], timeout=120)
        for scenario in only or list(SCENARIOS):
            sequence = requests(scenario, sample, big, long)
            warm_up, n_small, n_large = BATCHES.get(scenario, (WARM_UP, SMALL, LARGE))
            for _ in range(warm_up):
                method, path, tok, body = next(sequence)
                B.call(conn, method, path, tok, body)
            writes = scenario in CONCURRENT_WRITES
            small = batch(server.pid, conn, sequence, n_small, writes)
            large = batch(server.pid, conn, sequence, n_large, writes)
            per_request = (large - small) / (n_large - n_small)
            results[scenario] = round(per_request)
            B.log(f"{store}: {scenario}: {per_request / 1000:,.0f}k instructions/request "
                  f"({small:,} for {n_small}, {large:,} for {n_large})")
            if scenario == "complete-recurring":
                # Leave every task open again, as bench.py's reset does.
                for u in sample:
                    for task in u["recurring"]:
                        B.call(conn, "PATCH", f"/api/{u['user']}/tasks/{task}/complete", u["token"],
                               {"completed": False})
        conn.close()
    finally:
        B.stop(server)
    return results


def table(results: dict[str, dict]) -> str:
    stores = list(results)
    lines = ["| scenario | " + " | ".join(f"{s} (k instr/req)" for s in stores) + " |",
             "|---|" + "--:|" * len(stores)]
    for scenario, title in SCENARIOS.items():
        cells = [f"{results[s][scenario] / 1000:,.0f}" if scenario in results[s] else "–" for s in stores]
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    """Standalone: QUICK-sized data on both stores, then the table (and instructions.json)."""
    if os.environ.get("TODO_API_BIN"):  # another build of the API, e.g. a commit to compare with
        B.API_BIN = Path(os.environ["TODO_API_BIN"])
    if not B.API_BIN.exists():
        sys.exit(f"instructions: {B.API_BIN} is missing; run bench/run.sh --instructions, which builds it")
    signal.signal(signal.SIGTERM, B.on_signal)
    signal.signal(signal.SIGINT, B.on_signal)
    only = [s for s in os.environ.get("INSTR_ONLY", "").split(",") if s] or None
    (B.WORK / "logs").mkdir(parents=True, exist_ok=True)
    (B.WORK / "data").mkdir(parents=True, exist_ok=True)
    users = B.write_users_files(B.make_keys())
    results = {}
    try:
        db = B.WORK / "data" / "instructions.db"
        for stale in B.WORK.glob("data/instructions.db*"):
            stale.unlink()
        B.migrate_only("api-sqlite-migrate", f"sqlite://{db}")
        B.log(f"SQLite: loaded {B.load_sqlite(db):,} tasks")
        results["sqlite"] = measure("sqlite", f"sqlite://{db}", users, only)
        if not B.SKIP_PG and B.pg_available():
            B.PG_DB = os.environ.get("INSTR_PG_DB", "todo_bench_instr")
            B.psql(f"DROP DATABASE IF EXISTS {B.PG_DB}", db="postgres")
            B.psql(f"CREATE DATABASE {B.PG_DB}", db="postgres")
            try:
                B.migrate_only("api-postgres-migrate", f"{B.PG_URL}/{B.PG_DB}")
                B.log(f"PostgreSQL: loaded {B.load_postgres():,} tasks")
                results["postgres"] = measure("postgres", f"{B.PG_URL}/{B.PG_DB}", users, only)
            finally:
                B.psql(f"DROP DATABASE IF EXISTS {B.PG_DB}", db="postgres")
    finally:
        B.stop_all()
    print(table(results))
    (B.WORK / "instructions.json").write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
