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
import urllib.parse
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
PG_DB = os.environ.get("BENCH_PG_DB", "todo_bench")  # created and dropped by the run
SKIP_PG = os.environ.get("SKIP_PG", "") not in ("", "0")
SKIP_FASTAPI = os.environ.get("SKIP_FASTAPI", "") not in ("", "0")

# The data set: USERS users with PER_USER tasks each, plus one user with BIG tasks.
USERS, PER_USER, BIG = (1_000, 100, 10_000) if QUICK else (10_000, 100, 100_000)
BIG_USER = "big"
SAMPLE_USERS = 1_000 if not QUICK else 200  # users whose tokens wrk spreads its requests over

PORTS = {"api": 18080, "ceiling": 18090, "fastapi": 18070, "jwks": 18060}
CONNS = [1, 64, 512]
# The first scenarios (every stack), then those of "Organizing tasks" (the Rust API only,
# HS256 at 64 connections): see load.lua.
WAVE1_SCENARIOS = ["list", "get", "create", "toggle", "mix"]
ORGANIZE_SCENARIOS = ["list-tag", "list-due", "complete-recurring"]
SCENARIOS = WAVE1_SCENARIOS + ORGANIZE_SCENARIOS
# The big user's pages are timed under these sorts: (scenario suffix, query, title).
BIG_SORTS = [("", "", "newest first"), ("-due", "sort=due_at&order=asc&", "by due date"),
             ("-priority", "sort=priority&order=desc&", "by priority")]
# Searches (`q`) on the big user (titles "Big task {i}"), each judged against the big
# user's plain first page: (scenario, text, title).
BIG_SEARCHES = [("search", "task 4242", "q: a few tasks match"),
                ("search-none", "nowhere at all", "q: no task matches"),
                ("search-all", "big task", "q: every task matches")]
# One person with LONG_TASKS tasks of LONG_CHARS characters of everyday words (issue 24): a
# search over them must answer in under LONG_SEARCH_MS whether it matches or not. Each word
# of a task is a draw of (task, place), so both stores get the same text (written from Python).
LONG_USER, LONG_TASKS, LONG_CHARS, LONG_SEARCH_MS = "long", 20_000, 1_000, 100
LONG_WORDS = ["the", "of", "meeting", "project", "report", "call", "email", "budget", "review", "plan", "team",
              "client", "draft", "notes", "garden", "kitchen", "weekend", "doctor", "invoice", "travel", "school",
              "market", "bread", "milk", "paint", "window", "letter", "bank", "phone", "update", "friday",
              "monday", "summer", "winter", "house", "car", "lunch", "dinner", "book", "read", "write", "send",
              "check", "order", "fix", "clean", "water", "plants", "study", "exam"]
# (scenario, text, title): words every task holds, in an order none holds; and a pair many hold.
LONG_SEARCHES = [("search-long-none", "milk garden meeting draft the exam", "q on 20,000 long tasks: none match"),
                 ("search-long", "bread milk", "q on 20,000 long tasks: some match")]
BIG_SCENARIOS = ([f"{which}{suffix}" for suffix, _, _ in BIG_SORTS for which in ("first", "last")]
                 + [name for name, _, _ in BIG_SEARCHES])
SCENARIO_TITLES = {
    "list": "GET list (20)",
    "get": "GET one",
    "create": "POST create",
    "toggle": "PATCH toggle",
    "mix": "mix 80/20",
    "list-tag": "GET list (20) ?tag=",
    "list-due": "GET list (20) by due date",
    "complete-recurring": "PATCH complete recurring",
    "fixed": "GET fixed 30 B",
    "first": "big user: first page",
    "last": "big user: last page",
    **{f"{which}{suffix}": f"big user: {which} page, {title}" for suffix, _, title in BIG_SORTS[1:]
       for which in ("first", "last")},
    **{name: f"big user: {title}" for name, _, title in BIG_SEARCHES},
    **{name: title for name, _, title in LONG_SEARCHES},
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
    """One wrk users file per algorithm: SAMPLE_USERS users spread over the data set, each
    line `user token first_id last_id tag recurring_ids`: a tag the user has (list-tag) and
    up to two of their pending recurring tasks (complete-recurring), `-` when none."""
    files = {}
    step = max(1, USERS // SAMPLE_USERS)
    sample = [(i, *user_picks(i)) for i in range(0, USERS, step)]
    for alg in ("HS256", "EdDSA"):
        path = WORK / f"users-{alg}.txt"
        lines = []
        for i, tag, recurring in sample:
            lo, hi = i * PER_USER + 1, (i + 1) * PER_USER
            ids = ",".join(str(n) for n in recurring) or "-"
            lines.append(f"{user_name(i)} {token(user_name(i), alg, ed_key)} {lo} {hi} {tag or '-'} {ids}")
        path.write_text("\n".join(lines) + "\n")
        big = WORK / f"big-{alg}.txt"
        big.write_text(f"{BIG_USER} {token(BIG_USER, alg, ed_key)} {USERS * PER_USER + 1} {USERS * PER_USER + BIG}\n")
        long = WORK / f"long-{alg}.txt"
        long.write_text(f"{LONG_USER} {token(LONG_USER, alg, ed_key)} 0 0\n")
        files[alg] = path
        files["big-" + alg] = big
        files["long-" + alg] = long
    with_tag = sum(1 for _, tag, _ in sample if tag)
    with_rec = sum(1 for _, _, rec in sample if rec)
    log(f"users files: {len(sample)} users, {with_tag} with a tag for list-tag, {with_rec} with pending "
        f"recurring tasks for complete-recurring ({sum(len(r) for _, _, r in sample)} tasks)")
    return files


# ---------------------------------------------------------------- data

# The fields of "Organizing tasks", spread over the data set. Every draw is a function of
# the task's 0-based position g (= id - 1) or of the user's index, written once in Python
# (to pick each sampled user's tag and recurring tasks) and once as SQL (to load), so the
# two always agree; load_* checks that they did.
TAG_VOCABULARY = ["home", "work", "errands", "health", "finance", "family", "study", "garden"]
USER_VOCABULARY = 5  # each user files under 5 of the 8 words: a rotation of the list by user index % 8
# Share of tasks, in %: priority none/low/medium/high; tagged; with a due date; all-day (of those
# with one); recurring (‰ of those with one, ~5% overall); with a reminder (of those with one, ~10%).
PRIORITY_SHARES = [60, 20, 12, 8]
TAGGED_PCT, DUE_PCT, ALL_DAY_PCT, RECURRING_PERMILLE, REMIND_PCT = 50, 40, 25, 125, 25
DUE_DAYS = 60  # due dates spread over ±60 days around the day of the load
# Canonical RRULE text, as the API's Recurrence writes it (FREQ, INTERVAL, BYDAY Monday first, …),
# with about the days to the next occurrence and that occurrence's rule.
RULES = [("FREQ=DAILY", 1, None), ("FREQ=WEEKLY", 7, None), ("FREQ=WEEKLY;BYDAY=MO", 7, None),
         ("FREQ=WEEKLY;BYDAY=MO,WE,FR", 2, None), ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", 14, None),
         ("FREQ=MONTHLY", 30, None), ("FREQ=MONTHLY;BYMONTHDAY=1", 30, None),
         ("FREQ=MONTHLY;BYMONTHDAY=31", 30, None), ("FREQ=YEARLY", 365, None),
         ("FREQ=DAILY;COUNT=5", 1, "FREQ=DAILY;COUNT=4")]
# Each user's zone (share of users, %); all-day tasks are due at local midnight, timed ones 08:00–20:00.
ZONES = [("UTC", 40), ("Europe/Berlin", 25), ("America/New_York", 25), ("Asia/Tokyo", 10)]
REMIND_LEADS_S = [15 * 60, 3600, 86400]  # before a timed due date; all-day: 09:00 local on the day
CAPITALIZED_USERS = 10  # users with (index // 8) % 10 == 0 (10%) spell "Work", "Home": tag_folded differs

HASH_M = 1_000_003
# name: (multiplier, second factor's modulus, offset): h = ((x·a mod M)·(x mod p + 1) + b) mod M.
DRAWS = {"priority": (7919, 1009, 17), "tagged": (104729, 1013, 29), "tagset": (224737, 1019, 31),
         "due": (15485, 1021, 37), "day": (32452, 1031, 41), "all_day": (49979, 1033, 43),
         "minute": (86243, 1039, 47), "recurring": (122949, 1049, 53), "rule": (160001, 1051, 59),
         "remind": (179425, 1061, 61), "lead": (275604, 1063, 67), "zone": (300007, 1069, 71)}


def draw(name: str, x: int) -> int:
    a, p, b = DRAWS[name]
    return ((x * a) % HASH_M * (x % p + 1) + b) % HASH_M


def draw_sql(name: str, x: str) -> str:
    a, p, b = DRAWS[name]
    return f"(((({x} * {a}) % {HASH_M}) * (({x} % {p}) + 1) + {b}) % {HASH_M})"


def tag_slots() -> list[tuple[int, ...]]:
    """100 slots of positions in a user's vocabulary: 50% one tag, 30% two, 20% three."""
    from itertools import combinations

    slots: list[tuple[int, ...]] = []
    for size, each in ((1, 10), (2, 3), (3, 2)):
        for combo in combinations(range(USER_VOCABULARY), size):
            slots += [combo] * each
    assert len(slots) == 100, len(slots)
    return slots


TAG_SLOTS = tag_slots()


def user_variant(uidx: int) -> int:
    """0–15: the rotation of the vocabulary (uidx % 8), +8 when the user capitalizes."""
    return uidx % 8 + (8 if (uidx // 8) % CAPITALIZED_USERS == 0 else 0)


def variant_sql(uidx: str) -> str:
    return f"({uidx} % 8 + CASE WHEN ({uidx} / 8) % {CAPITALIZED_USERS} = 0 THEN 8 ELSE 0 END)"


def tagset(variant: int, slot: int) -> list[str]:
    """The tags of one slot, spelled as that user does, sorted as the API sorts them (folded)."""
    words = [TAG_VOCABULARY[(variant % 8 + k) % len(TAG_VOCABULARY)] for k in range(USER_VOCABULARY)]
    spelled = [words[k].capitalize() if variant >= 8 else words[k] for k in TAG_SLOTS[slot]]
    return sorted(spelled, key=str.lower)


def threshold_case(value: str, shares: list[int]) -> str:
    """SQL: the index of the share `value` (0–99) falls into."""
    out, total = [], 0
    for k, share in enumerate(shares[:-1]):
        total += share
        out.append(f"WHEN {value} < {total} THEN {k}")
    return f"CASE {' '.join(out)} ELSE {len(shares) - 1} END"


def task_plan(g: int, uidx: int, completed: bool) -> dict:
    """What the loader writes for task g of user uidx (the parts the users files need)."""
    tags = tagset(user_variant(uidx), draw("tagset", g) % 100) if draw("tagged", g) % 100 < TAGGED_PCT else []
    due = draw("due", g) % 100 < DUE_PCT
    recurring = due and draw("recurring", g) % 1000 < RECURRING_PERMILLE
    return {"id": g + 1, "tags": tags, "recurring": recurring, "completed": completed}


def user_picks(i: int) -> tuple[str | None, list[int]]:
    """A sampled user's most used tag (folded) and up to two of their pending recurring tasks."""
    counts: dict[str, int] = {}
    recurring = []
    for k in range(PER_USER):
        g = i * PER_USER + k
        plan = task_plan(g, i, completed=g % 4 == 0)
        for tag in plan["tags"]:
            counts[tag.lower()] = counts.get(tag.lower(), 0) + 1
        if plan["recurring"] and not plan["completed"] and len(recurring) < 2:
            recurring.append(plan["id"])
    tag = max(sorted(counts), key=lambda t: counts[t]) if counts else None
    return tag, recurring


def zone_days(today: dt.date) -> list[tuple[int, int, int]]:
    """(zone, day, epoch seconds of that local midnight) for the days around `today`."""
    from zoneinfo import ZoneInfo

    out = []
    for z, (name, _) in enumerate(ZONES):
        zone = ZoneInfo(name)
        for day in range(2 * DUE_DAYS + 1):
            date = today + dt.timedelta(days=day - DUE_DAYS)
            out.append((z, day, int(dt.datetime(date.year, date.month, date.day, tzinfo=zone).timestamp())))
    return out


def occurrence_id(g: int) -> int:
    """The id of the occurrence that completing task g created (the completed recurring tasks
    of every user but the big one have one, as completing them through the API made it)."""
    return USERS * PER_USER + BIG + g + 1


def organize_sql(base: str, dialect: str, link: bool) -> str:
    """Wraps the generated rows of `base` (columns g, uidx and the plain ones) with the
    organizing fields, as both stores keep them: priority (rank), tags (SQLite: JSON text;
    PostgreSQL: text[]), due_at/remind_at (SQLite: µs since 1970; PostgreSQL: timestamptz),
    all_day, time_zone, recurrence, next_occurrence_id; and, for a completed recurring task
    (`linked`, when `link`), its occurrence's id, due_at, remind_at and recurrence (occ_*)."""
    pg = dialect == "postgres"
    zone_case = threshold_case(f"{draw_sql('zone', 'uidx')} % 100", [share for _, share in ZONES])
    zone_names = " ".join(f"WHEN {z} THEN '{name}'" for z, (name, _) in enumerate(ZONES))
    rules = " ".join(f"WHEN {k} THEN '{rule}'" for k, (rule, _, _) in enumerate(RULES))
    next_rules = " ".join(f"WHEN {k} THEN '{after or rule}'" for k, (rule, _, after) in enumerate(RULES))
    steps = " ".join(f"WHEN {k} THEN {days * 86400}" for k, (_, days, _) in enumerate(RULES))
    linked = f"(o.completed AND o.due AND o.recurring)" if link else ("FALSE" if pg else "0")
    leads = " ".join(f"WHEN {k} THEN {s}" for k, s in enumerate(REMIND_LEADS_S))
    instant = (lambda s: f"to_timestamp({s})") if pg else (lambda s: f"({s}) * 1000000")
    empty_tags = "'{}'::text[]" if pg else "'[]'"
    due_s = "(d.midnight + CASE WHEN o.is_all_day THEN 0 ELSE o.minute * 60 END)"
    remind_s = f"({due_s} - CASE WHEN o.is_all_day THEN -9 * 3600 ELSE CASE o.lead {leads} END END)"
    return f"""
        SELECT o.*, {threshold_case('o.pr', PRIORITY_SHARES)} AS priority,
               COALESCE(t.tags, {empty_tags}) AS tags,
               CASE WHEN o.due THEN {instant(due_s)} END AS due_at,
               (o.due AND o.is_all_day) AS all_day,
               CASE o.zone {zone_names} END AS time_zone,
               CASE WHEN o.due AND o.recurring THEN CASE o.rule {rules} END END AS recurrence,
               CASE WHEN o.due AND o.remind THEN {instant(remind_s)} END AS remind_at,
               CASE WHEN {linked} THEN {occurrence_id(0) - 1} + o.g + 1 END AS next_occurrence_id,
               {linked} AS linked,
               {occurrence_id(0) - 1} + o.g + 1 AS occ_id,
               CASE WHEN o.due THEN {instant(f"{due_s} + CASE o.rule {steps} END")} END AS occ_due_at,
               CASE WHEN o.due AND o.remind THEN {instant(f"{remind_s} + CASE o.rule {steps} END")} END
                 AS occ_remind_at,
               CASE o.rule {next_rules} END AS occ_recurrence
        FROM (
          SELECT b.*, {draw_sql('priority', 'g')} % 100 AS pr,
                 {draw_sql('tagged', 'g')} % 100 < {TAGGED_PCT} AS tagged,
                 {draw_sql('tagset', 'g')} % 100 AS slot, {variant_sql('uidx')} AS variant,
                 {zone_case} AS zone,
                 {draw_sql('due', 'g')} % 100 < {DUE_PCT} AS due, {draw_sql('day', 'g')} % {2 * DUE_DAYS + 1} AS day,
                 {draw_sql('all_day', 'g')} % 100 < {ALL_DAY_PCT} AS is_all_day,
                 8 * 60 + ({draw_sql('minute', 'g')} % 25) * 30 AS minute,
                 {draw_sql('recurring', 'g')} % 1000 < {RECURRING_PERMILLE} AS recurring,
                 {draw_sql('rule', 'g')} % {len(RULES)} AS rule,
                 {draw_sql('remind', 'g')} % 100 < {REMIND_PCT} AS remind,
                 {draw_sql('lead', 'g')} % {len(REMIND_LEADS_S)} AS lead
          FROM ({base}) b) o
        LEFT JOIN bench_tagsets t ON o.tagged AND t.variant = o.variant AND t.slot = o.slot
        LEFT JOIN bench_days d ON o.due AND d.zone = o.zone AND d.day = o.day"""


def task_tags_sql(base: str, occurrences: bool = False) -> str:
    """The `task_tags` rows of the tagged tasks of `base` (or of their occurrences):
    (task_id, user_id, tag_folded, tag)."""
    task_id = f"{occurrence_id(0) - 1} + b.g + 1" if occurrences else "b.g + 1"
    only = (f" AND b0.completed AND {draw_sql('due', 'g')} % 100 < {DUE_PCT} "
            f"AND {draw_sql('recurring', 'g')} % 1000 < {RECURRING_PERMILLE}") if occurrences else ""
    return f"""
        SELECT {task_id}, b.user_id, i.tag_folded, i.tag
        FROM (SELECT g, user_id, {draw_sql('tagset', 'g')} % 100 AS slot, {variant_sql('uidx')} AS variant
              FROM ({base}) b0 WHERE {draw_sql('tagged', 'g')} % 100 < {TAGGED_PCT}{only}) b
        JOIN bench_tag_items i ON i.variant = b.variant AND i.slot = b.slot
        ORDER BY 1, 3"""  # in primary key order: PostgreSQL's join returns them by tag set (2× slower)


def long_text(i: int) -> str:
    """Task i's description (and, cut short, its title) of the long person: LONG_CHARS characters."""
    words, k = [], 0
    while sum(len(w) + 1 for w in words) <= LONG_CHARS:
        words.append(LONG_WORDS[draw("rule", i * 1000 + k) % len(LONG_WORDS)])
        k += 1
    return " ".join(words)[:LONG_CHARS]


def long_rows() -> list[tuple]:
    """The long person's tasks: (user_id, title, title_folded, description, description_folded, created_at)."""
    rows = []
    for i in range(LONG_TASKS):
        text = long_text(i)
        title = f"Note {i}: {text[:60]}"
        stamp = (dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=i)).isoformat()
        rows.append((LONG_USER, title, title.lower(), text, text, stamp))
    none_text = LONG_SEARCHES[0][1]
    if any(none_text in r[2] or none_text in r[4] for r in rows):
        raise RuntimeError(f"the long person's tasks hold {none_text!r}, which the search that matches none asks for")
    return rows


def long_position(i: int) -> str:
    """The long person's task i's place in the Inbox: a key as POSITION_EXPR writes them, distinct per task."""
    return f"{i + 1:016x}80"


def helper_rows(today: dt.date):
    """The small lookup tables the load joins: tag sets per (variant, slot), their items, zone days."""
    sets, items = [], []
    for variant in range(16):
        for slot in range(100):
            tags = tagset(variant, slot)
            sets.append((variant, slot, tags))
            items += [(variant, slot, tag.lower(), tag) for tag in tags]
    return sets, items, zone_days(today)


# The load's day: due dates spread around it (the same for both stores within one run).
LOAD_DAY = dt.datetime.now(dt.timezone.utc).date()

# Each column of the store's `tasks` table, as an expression over the generated row
# (i, g, uidx, id, user_id, title, description, completed, ts and the organizing fields);
# columns the API adds later with these names are filled too, and an unknown NOT NULL
# column stops the load.
COLUMN_EXPR = {"id": "id", "user_id": "user_id", "title": "title", "description": "description",
               "completed": "completed", "created_at": "ts", "updated_at": "ts",
               "title_folded": "lower(title)", "description_folded": "lower(description)",
               "priority": "priority", "tags": "tags", "due_at": "due_at", "all_day": "all_day",
               "time_zone": "time_zone", "recurrence": "recurrence", "remind_at": "remind_at",
               "next_occurrence_id": "next_occurrence_id"}
# The occurrences: the same row but for these (created when its task was completed, untouched since).
OCCURRENCE_EXPR = {**COLUMN_EXPR, "id": "occ_id", "completed": "FALSE", "due_at": "occ_due_at",
                   "remind_at": "occ_remind_at", "recurrence": "occ_recurrence", "next_occurrence_id": "NULL"}
ORGANIZE_COLUMNS = {"priority", "tags", "due_at", "all_day", "time_zone", "recurrence", "remind_at",
                    "next_occurrence_id"}
# The indexes the migrations of "Organizing tasks" create: looked for after every load of the API's store.
ORGANIZE_INDEXES = {"tasks_user_due", "tasks_user_priority", "tasks_next_occurrence",
                    "task_tags_user_tag"}


# A task's place in its list (migrations/*/0010_lists.sql): a fractional key as the API
# writes them (hex bytes ending in 80), distinct per task, made from its id.
POSITION_EXPR = {"sqlite": "printf('%016x80', {id})", "postgres": "lpad(to_hex({id}), 16, '0') || '80'"}


def insert_columns(columns: list[tuple[str, bool]], exprs: dict[str, str] = COLUMN_EXPR,
                   store: str = "sqlite") -> tuple[str, str]:
    exprs = {**exprs, "position": POSITION_EXPR[store].format(id=exprs["id"])}
    missing = [name for name, required in columns if required and name not in exprs]
    if missing:
        raise RuntimeError(f"the tasks table has NOT NULL columns the loader does not know: {missing}; "
                           "add them to COLUMN_EXPR in bench/bench.py")
    names = [name for name, _ in columns if name in exprs]
    return ", ".join(names), ", ".join(exprs[n] for n in names)


def check_indexes(before: set[str], after: set[str], organized: bool, store: str):
    """Every index the load dropped is back; the ones of "Organizing tasks" are named in the
    notes when the store has none of that name (a migration may have renamed them)."""
    missing = before - after
    if missing:
        raise RuntimeError(f"{store}: indexes missing after the load: {sorted(missing)}")
    absent = sorted(ORGANIZE_INDEXES - after) if organized else []
    if absent:
        log(f"{store}: the schema has no index named {', '.join(absent)}")
        NOTES.append(f"{store}: the schema the API made has no index named {', '.join(absent)}.")
    elif organized:
        log(f"{store}: {len(after)} indexes after the load, {', '.join(sorted(ORGANIZE_INDEXES))} among them")


def check_load(store: str, query) -> None:
    """Compares what was loaded with what the users files were written from (the Python side
    of the draws), checks the occurrence links, and logs how the organizing fields are spread."""
    step = max(1, USERS // SAMPLE_USERS)
    for i in (0, step, (USERS // step - 1) * step):
        tag, recurring = user_picks(i)
        plans = [task_plan(g, i, completed=g % 4 == 0) for g in range(i * PER_USER, (i + 1) * PER_USER)]
        # A tagged task counts once, twice with its occurrence.
        expected = sum((1 + (p["recurring"] and p["completed"])) for p in plans
                       if tag in [t.lower() for t in p["tags"]])
        got = query(f"SELECT count(*) FROM task_tags WHERE user_id = '{user_name(i)}' AND tag_folded = '{tag}'")
        ids = ",".join(str(n) for n in recurring) or "0"
        pending = query(f"SELECT count(*) FROM tasks WHERE id IN ({ids}) AND recurrence IS NOT NULL "
                        "AND due_at IS NOT NULL AND NOT completed AND next_occurrence_id IS NULL")
        if (tag and int(got) != expected) or int(pending) != len(recurring):
            raise RuntimeError(f"{store}: the loaded data does not match the draws for {user_name(i)}: "
                               f"{got} tasks tagged {tag} (expected {expected}), {pending} of {recurring} "
                               "pending recurring")
    dangling = query("SELECT count(*) FROM tasks t WHERE next_occurrence_id IS NOT NULL AND NOT EXISTS "
                     "(SELECT 1 FROM tasks o WHERE o.id = t.next_occurrence_id AND o.user_id = t.user_id "
                     "AND NOT o.completed AND o.created_at = o.updated_at)")
    if int(dangling):
        raise RuntimeError(f"{store}: {dangling} tasks link to an occurrence that is not theirs, open and untouched")
    total, linked, *spread = (int(n or 0) for n in query("SELECT " + ", ".join([
        "count(*)", "sum(CASE WHEN next_occurrence_id IS NOT NULL THEN 1 ELSE 0 END)",
        *(f"sum(CASE WHEN priority = {p} THEN 1 ELSE 0 END)" for p in range(4)),
        "sum(CASE WHEN due_at IS NOT NULL THEN 1 ELSE 0 END)", "sum(CASE WHEN all_day THEN 1 ELSE 0 END)",
        "sum(CASE WHEN recurrence IS NOT NULL THEN 1 ELSE 0 END)",
        "sum(CASE WHEN remind_at IS NOT NULL THEN 1 ELSE 0 END)"]) + " FROM tasks").split("|"))
    tagged, tag_rows = query("SELECT count(DISTINCT task_id) || '|' || count(*) FROM task_tags").split("|")
    pct = [f"{100 * n / total:.1f}%" for n in spread]
    log(f"{store}: {total:,} tasks ({linked:,} completed recurring ones with their next occurrence); "
        f"priority none/low/medium/high {'/'.join(pct[:4])}, tagged {100 * int(tagged) / total:.1f}% "
        f"({int(tag_rows) / max(1, int(tagged)):.2f} tags each), due {pct[4]} (all-day {pct[5]}), "
        f"recurring {pct[6]}, reminder {pct[7]}")


def load_sqlite(path: Path):
    """Bulk-loads the data set straight into the schema found in the file (indexes rebuilt after)."""
    total = USERS * PER_USER
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-400000")
    has_tag_table = con.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                "AND name = 'task_tags'").fetchone()[0] == 1
    index_sql = ("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('tasks', 'task_tags') "
                 "AND sql IS NOT NULL")
    indexes = con.execute(index_sql).fetchall()
    for name, _ in indexes:
        con.execute(f"DROP INDEX {name}")
    # Since 0011_search_queue.sql the triggers queue each row for the search index, which the
    # API's writer feeds in per batch. One statement feeding 131,000 rows (or 1,000,000) at
    # once leaves FTS5 with unfinished merges that the bench's creates then paid for (2.8M
    # instructions a create instead of 0.7M): the load indexes row by row through 0004's
    # triggers instead, as every run before 0011 did, so the loaded index has the same shape.
    queue_triggers = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                 "AND name LIKE 'tasks_search_%' AND sql LIKE '%search_queue%'").fetchall()
    if queue_triggers:
        direct = (ROOT / "api/migrations/sqlite/0004_search.sql").read_text()
        for name, _ in queue_triggers:
            con.execute(f"DROP TRIGGER {name}")
        con.executescript(direct[direct.index("CREATE TRIGGER tasks_search_insert"):])
    info = con.execute("PRAGMA table_info(tasks)").fetchall()  # cid, name, type, notnull, default, pk
    columns = [(c[1], bool(c[3]) and c[4] is None and not c[5]) for c in info]
    names, exprs = insert_columns(columns)
    organized = bool(ORGANIZE_COLUMNS & {c[1] for c in info})
    if organized != has_tag_table:
        raise RuntimeError("the tasks table and task_tags do not go together: the loader knows the schema "
                           "of migrations/sqlite/0002_organize.sql")
    # Timestamps: task k of a user at 2026-01-01 + k minutes (+ k s for the big user),
    # with microseconds, as RFC 3339 text like the API writes.
    fraction = "printf('.%06d+00:00', (i % 1000) * 1000 + 7)"
    bases = [(total, f"""
          SELECT i, i AS g, i / {PER_USER} AS uidx, i + 1 AS id, printf('u%05d', i / {PER_USER}) AS user_id,
                 printf('Task %d of u%05d', i % {PER_USER}, i / {PER_USER}) AS title,
                 CASE WHEN i % 3 = 0 THEN 'A description of this benchmark task' END AS description,
                 i % 4 = 0 AS completed,
                 strftime('%Y-%m-%dT%H:%M:%S', 1767225600 + (i % {PER_USER}) * 60, 'unixepoch') || {fraction} AS ts
          FROM n""", True), (BIG, f"""
          SELECT i, {total} + i AS g, {USERS} AS uidx, {total} + i + 1 AS id, '{BIG_USER}' AS user_id,
                 printf('Big task %d', i) AS title, NULL AS description, i % 2 = 0 AS completed,
                 strftime('%Y-%m-%dT%H:%M:%S', 1767225600 + i, 'unixepoch') || {fraction} AS ts
          FROM n""", False)]
    if organized:
        sets, items, days = helper_rows(LOAD_DAY)
        con.execute("CREATE TEMP TABLE bench_tagsets (variant INTEGER, slot INTEGER, tags TEXT, "
                    "PRIMARY KEY (variant, slot))")
        con.execute("CREATE TEMP TABLE bench_tag_items (variant INTEGER, slot INTEGER, tag_folded TEXT, tag TEXT, "
                    "PRIMARY KEY (variant, slot, tag_folded))")
        con.execute("CREATE TEMP TABLE bench_days (zone INTEGER, day INTEGER, midnight INTEGER, PRIMARY KEY (zone, day))")
        # The JSON text exactly as the API's serde_json writes a Vec<String>: no spaces.
        con.executemany("INSERT INTO bench_tagsets VALUES (?, ?, ?)",
                        [(v, s, json.dumps(tags, separators=(",", ":"), ensure_ascii=False)) for v, s, tags in sets])
        con.executemany("INSERT INTO bench_tag_items VALUES (?, ?, ?, ?)", items)
        con.executemany("INSERT INTO bench_days VALUES (?, ?, ?)", days)
    for count, base, link in bases:
        rows = organize_sql(base, "sqlite", link) if organized else base
        series = f"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {count - 1})"
        con.execute(f"{series} INSERT INTO tasks ({names}) SELECT {exprs} FROM ({rows})")
        if organized:
            con.execute(f"{series} INSERT INTO task_tags (task_id, user_id, tag_folded, tag) {task_tags_sql(base)}")
        if organized and link:
            occ_names, occ_exprs = insert_columns(columns, OCCURRENCE_EXPR)
            con.execute(f"{series} INSERT INTO tasks ({occ_names}) SELECT {occ_exprs} FROM ({rows}) WHERE linked")
            con.execute(f"{series} INSERT INTO task_tags (task_id, user_id, tag_folded, tag) "
                        f"{task_tags_sql(base, occurrences=True)}")
    # The long person's tasks (through the triggers, like every row: search index, counts),
    # with distinct positions where the schema has them (the unique index is rebuilt below).
    listed = "position" in {c[1] for c in info}
    con.executemany("INSERT INTO tasks (user_id, title, title_folded, description, description_folded, completed, "
                    f"created_at, updated_at{', position' if listed else ''}) "
                    f"VALUES (?1, ?2, ?3, ?4, ?5, FALSE, ?6, ?6{', ?7' if listed else ''})",
                    [(*row, long_position(i)) if listed else row for i, row in enumerate(long_rows())])
    con.commit()
    for name, sql in queue_triggers:  # the schema's own triggers back
        con.execute(f"DROP TRIGGER {name}")
        con.execute(sql)
    con.commit()
    for _, sql in indexes:
        con.execute(sql)
    con.execute("ANALYZE")
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    check_indexes({n for n, _ in indexes}, {n for n, _ in con.execute(index_sql)}, organized, "SQLite")
    if organized:
        check_load("SQLite", lambda sql: "|".join(str(v) for v in con.execute(sql).fetchone()))
    count = con.execute("SELECT count(*) FROM tasks").fetchone()[0]
    con.close()
    return count


def psql(sql: str, db: str | None = None) -> str:
    # Long statements (the loader's lookup tables) go through stdin: one argument may not exceed 128 KiB.
    long = len(sql) > 32_000
    out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", f"{PG_URL}/{db or PG_DB}",
                          *(["-f", "-"] if long else ["-c", sql])], input=sql if long else None,
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


def pg_literal(value) -> str:
    if isinstance(value, list):
        return "ARRAY[" + ", ".join(pg_literal(v) for v in value) + "]::text[]" if value else "'{}'::text[]"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def pg_values(rows) -> str:
    return ", ".join("(" + ", ".join(pg_literal(v) for v in row) + ")" for row in rows)


def load_postgres():
    total = USERS * PER_USER
    index_sql = ("SELECT indexname || '|' || indexdef FROM pg_indexes WHERE schemaname = 'public' "
                 "AND tablename IN ('tasks', 'task_tags') AND indexname NOT IN (SELECT conname FROM pg_constraint "
                 "WHERE connamespace = 'public'::regnamespace)")
    indexes = [line.split("|", 1) for line in psql(index_sql).splitlines() if line]
    for name, _ in indexes:
        psql(f"DROP INDEX {name}")
    cols = psql("SELECT column_name || '|' || (is_nullable = 'NO' AND column_default IS NULL "
                "AND is_identity = 'NO')::text FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = 'tasks' ORDER BY ordinal_position").splitlines()
    columns = [(c.split("|")[0], c.split("|")[1] == "true") for c in cols if c]
    names, exprs = insert_columns(columns, store="postgres")
    organized = bool(ORGANIZE_COLUMNS & {name for name, _ in columns})
    frac = "((i % 1000) * 1000 + 7) * interval '1 microsecond'"
    bases = [(total, f"""
          SELECT i, i AS g, i / {PER_USER} AS uidx, i + 1 AS id, 'u' || lpad((i / {PER_USER})::text, 5, '0') AS user_id,
                 'Task ' || (i % {PER_USER}) || ' of u' || lpad((i / {PER_USER})::text, 5, '0') AS title,
                 CASE WHEN i % 3 = 0 THEN 'A description of this benchmark task' END AS description,
                 i % 4 = 0 AS completed,
                 timestamptz '2026-01-01 00:00:00+00' + (i % {PER_USER}) * interval '1 minute' + {frac} AS ts
          FROM generate_series(0::bigint, {total - 1}) i""", True), (BIG, f"""
          SELECT i, {total} + i AS g, {USERS}::bigint AS uidx, {total} + i + 1 AS id, '{BIG_USER}'::text AS user_id,
                 'Big task ' || i AS title, NULL::text AS description, i % 2 = 0 AS completed,
                 timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second' + {frac} AS ts
          FROM generate_series(0::bigint, {BIG - 1}) i""", False)]
    if organized:
        sets, items, days = helper_rows(LOAD_DAY)
        psql("CREATE UNLOGGED TABLE bench_tagsets (variant int, slot int, tags text[], PRIMARY KEY (variant, slot)); "
             "CREATE UNLOGGED TABLE bench_tag_items (variant int, slot int, tag_folded text, tag text, "
             "PRIMARY KEY (variant, slot, tag_folded)); "
             "CREATE UNLOGGED TABLE bench_days (zone int, day int, midnight bigint, PRIMARY KEY (zone, day)); "
             f"INSERT INTO bench_tagsets VALUES {pg_values(sets)}; INSERT INTO bench_tag_items VALUES {pg_values(items)}; "
             f"INSERT INTO bench_days VALUES {pg_values(days)}; ANALYZE bench_tagsets, bench_tag_items, bench_days")
    # The foreign keys (task_tags → tasks, tasks.next_occurrence_id → tasks) hold by
    # construction: replica mode skips their per-row triggers (it needs a superuser;
    # with another role the load checks them, slower).
    # JIT compiling the generated expressions costs more (~2.5 s) than it saves.
    replica = "SET jit = off; " + ("SET session_replication_role = replica; " if pg_superuser() else "")
    try:
        for _, base, link in bases:
            rows = organize_sql(base, "postgres", link) if organized else base
            if organized and link:  # the occurrences first: the tasks link to them
                occ_names, occ_exprs = insert_columns(columns, OCCURRENCE_EXPR, "postgres")
                psql(f"{replica}INSERT INTO tasks ({occ_names}) OVERRIDING SYSTEM VALUE "
                     f"SELECT {occ_exprs} FROM ({rows}) s WHERE linked")
            psql(f"{replica}INSERT INTO tasks ({names}) OVERRIDING SYSTEM VALUE SELECT {exprs} FROM ({rows}) s")
            if organized:
                psql(f"{replica}INSERT INTO task_tags (task_id, user_id, tag_folded, tag) {task_tags_sql(base)}")
            if organized and link:
                psql(f"{replica}INSERT INTO task_tags (task_id, user_id, tag_folded, tag) "
                     f"{task_tags_sql(base, occurrences=True)}")
    finally:
        if organized:
            psql("DROP TABLE IF EXISTS bench_tagsets, bench_tag_items, bench_days")
    for _, sql in indexes:
        psql(sql)
    check_indexes({n for n, _ in indexes}, {line.split("|", 1)[0] for line in psql(index_sql).splitlines() if line},
                  organized, "PostgreSQL")
    psql("SELECT setval(pg_get_serial_sequence('tasks', 'id'), (SELECT max(id) FROM tasks))")
    # The long person's tasks, through COPY (20 MB of text), with ids from the sequence.
    # With distinct positions where the schema has them (the unique index is in place by now).
    listed = "position" in {name for name, _ in columns}
    tsv = "".join("\t".join([*(v.replace("\\", "\\\\") for v in row), row[-1],
                             *([long_position(i)] if listed else [])]) + "\n"
                  for i, row in enumerate(long_rows()))
    out = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", f"{PG_URL}/{PG_DB}", "-c",
                          "COPY tasks (user_id, title, title_folded, description, description_folded, created_at, "
                          f"updated_at{', position' if listed else ''}) FROM STDIN"],
                         input=tsv, capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        raise RuntimeError(f"psql COPY failed: {out.stderr.strip()}")
    # Replica mode skipped the triggers that count each person's tasks (0008_task_counts.sql).
    if psql("SELECT to_regclass('task_counts') IS NOT NULL") == "t":
        psql("INSERT INTO task_counts (user_id, tasks) SELECT user_id, count(*) FROM tasks GROUP BY user_id "
             "ON CONFLICT (user_id) DO UPDATE SET tasks = EXCLUDED.tasks")
    psql("VACUUM ANALYZE tasks" + (", task_tags" if organized else ""))
    if organized:
        check_load("PostgreSQL", psql)  # psql -A separates the fields with |
    return int(psql("SELECT count(*) FROM tasks"))


def pg_superuser() -> bool:
    return psql("SELECT rolsuper FROM pg_roles WHERE rolname = current_user") == "t"


# ---------------------------------------------------------------- load runs

RUNS: list[dict] = []
NOTES: list[str] = []
# Interleaved rounds for the ratio targets (see interleaved_rounds); not in the All runs table.
ROUNDS: list[dict] = []
# Instructions per request under callgrind (instructions.py), by store then scenario.
INSTRUCTIONS: dict[str, dict[str, int]] = {}
INTERLEAVED_ROUNDS = 2 if QUICK else 3


def wrk(port: int, scenario: str, conns: int, users_file: Path, duration: int, path: str | None = None) -> dict:
    out = WORK / "wrk-out.json"
    out.unlink(missing_ok=True)
    threads = min(2, conns)
    argv = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{duration}s", "--timeout", "5s",
            "-s", str(BENCH / "load.lua"), f"http://127.0.0.1:{port}", "--", scenario, str(users_file)]
    if path:
        argv.append(path)
    # WRK_THREADS: complete-recurring gives each thread its own tasks (load.lua).
    proc = subprocess.run(argv, env={**os.environ, "WRK_OUT": str(out), "WRK_THREADS": str(threads)},
                          capture_output=True, text=True,
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
    log(f"{stack:8} {store:8} {alg:5} {row['scenario']:18} c={conns:<3} {row['rps']:9.0f} req/s  p50 {row['p50_ms']:7.2f}"
        f"  p99 {row['p99_ms']:8.2f}  max {row['max_ms']:8.1f} ms  err {errors:<5} cpu {row['cpu_ms_per_req'] or 0:.3f} ms/req"
        f"  rss {row['peak_rss_mb']:.1f} MB")
    if errors:
        # wrk counts an answer with status ≥ 400 in `status` (and in `requests`, so in req/s too):
        # the report shows them in the errors column and the targets judge such a run missed.
        log(f"  ^ {errors} failed: {', '.join(f'{k} {v}' for k, v in result['errors'].items() if v)}")
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
    """(alg, scenario, connections) runs for one store of the Rust API. The organizing
    scenarios run at 64 connections (HS256): the two reads right after GET list at 64, which
    their target compares them with, complete-recurring after the first writes."""
    def with_organizing(runs):
        out = []
        for alg, scenario, conns in runs:
            out.append((alg, scenario, conns))
            if alg == "HS256" and conns == 64 and scenario == "list":
                out += [("HS256", "list-tag", 64), ("HS256", "list-due", 64)]
            if alg == "HS256" and conns == 64 and scenario == ("toggle" if store == "sqlite" or not QUICK else "create"):
                out.append(("HS256", "complete-recurring", 64))
        return out

    if QUICK:
        if store == "sqlite":
            return with_organizing([("HS256", s, 64) for s in WAVE1_SCENARIOS]
                                   + [("HS256", "list", 1), ("HS256", "list", 512)] + [("EdDSA", "list", 64)])
        return with_organizing([("HS256", "list", 64), ("HS256", "create", 64), ("EdDSA", "list", 64)])
    runs = [("HS256", s, c) for s in WAVE1_SCENARIOS for c in CONNS]
    runs += [("EdDSA", "list", c) for c in CONNS] + [("EdDSA", "mix", 64)]
    return with_organizing(runs)


def walk_big_user(port: int, token_: str, query: str = "") -> dict:
    """Follows rel="next" through the big user's tasks in one sort (`query`: its sort and
    order parameters, each followed by &); returns the first and last 20-row page paths."""
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
    path, seen, before_last, pages = f"/api/{BIG_USER}/tasks?{query}limit=200", 0, 0, 0
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
        raise RuntimeError(f"walking the big user's pages ({query or 'default sort'}) saw {seen} tasks, not {BIG}")
    log(f"walked {pages} pages ({query or 'default sort'}; {seen} tasks, {before_last} before the last 200) "
        f"in {time.time() - t0:.1f} s")
    return {"first": f"/api/{BIG_USER}/tasks?{query}limit=20", "last": path, "pages": pages,
            "walk_s": time.time() - t0}


def users_of(users_file: Path) -> list[dict]:
    """The users file's lines: user, token, tag (or None) and pending recurring task ids."""
    out = []
    for line in users_file.read_text().splitlines():
        user, tok, _lo, _hi, tag, ids = line.split()
        out.append({"user": user, "token": tok, "tag": None if tag == "-" else tag,
                    "recurring": [] if ids == "-" else [int(n) for n in ids.split(",")]})
    return out


def call(conn: http.client.HTTPConnection, method: str, path: str, tok: str, body: dict | None = None):
    headers = {"Authorization": f"Bearer {tok}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    raw = response.read()
    return response.status, (json.loads(raw) if raw else None)


def probe_organizing(port: int, users_file: Path, store: str):
    """One request of each organizing scenario, checked for what it should answer, so that a
    scenario that only collects errors (or answers the wrong thing fast) is named in the notes."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    problems = []
    u = next(u for u in users_of(users_file) if u["tag"] and u["recurring"])
    base = f"/api/{u['user']}/tasks"
    status, body = call(conn, "GET", f"{base}?tag={u['tag']}&limit=20", u["token"])
    if status != 200 or not body or any(u["tag"] not in [t.lower() for t in task["tags"]] for task in body):
        problems.append(f"list-tag: GET ?tag={u['tag']} answered {status} with "
                        f"{len(body) if isinstance(body, list) else body!r} tasks")
    status, body = call(conn, "GET", f"{base}?sort=due_at&order=asc&limit=20", u["token"])
    dues = [task["due_at"] for task in body] if status == 200 and isinstance(body, list) else None
    if not dues or dues[0] is None or [d for d in dues if d] != sorted(d for d in dues if d):
        problems.append(f"list-due: answered {status}, due dates {dues}")
    task_id = u["recurring"][0]
    status, done = call(conn, "PATCH", f"{base}/{task_id}/complete", u["token"], {"completed": True})
    if status != 200 or not done.get("completed") or not done.get("next_occurrence_id"):
        problems.append(f"complete-recurring: completing task {task_id} answered {status} {done}")
    status, undone = call(conn, "PATCH", f"{base}/{task_id}/complete", u["token"], {"completed": False})
    if status != 200 or undone.get("completed") or undone.get("next_occurrence_id") is not None:
        problems.append(f"complete-recurring: un-completing task {task_id} answered {status} {undone}")
    elif done.get("next_occurrence_id"):
        status, _ = call(conn, "GET", f"{base}/{done['next_occurrence_id']}", u["token"])
        if status != 404:
            problems.append(f"complete-recurring: the occurrence {done['next_occurrence_id']} outlived its "
                            f"un-completing ({status})")
    conn.close()
    for problem in problems:
        log(f"{store}: probe: {problem}")
        NOTES.append(f"{store}: the organizing scenarios' probe found: {problem}")


def reset_recurring(port: int, users_file: Path, store: str):
    """Un-completes every task complete-recurring uses (deleting the occurrence a last
    `completed: true` left), so the data set is the same before and after that run."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    failed = 0
    for u in users_of(users_file):
        for task_id in u["recurring"]:
            status, _ = call(conn, "PATCH", f"/api/{u['user']}/tasks/{task_id}/complete", u["token"],
                             {"completed": False})
            failed += status != 200
    conn.close()
    if failed:
        log(f"{store}: resetting the recurring tasks: {failed} requests failed")
        NOTES.append(f"{store}: resetting complete-recurring's tasks, {failed} requests failed.")


def bench_api(store: str, database_url: str, users: dict[str, Path]):
    server = start_api(f"api-{store}", database_url)
    try:
        warm_up(server, PORTS["api"], users["HS256"])
        probe_organizing(PORTS["api"], users["HS256"], store)
        for alg, scenario, conns in matrix(store):
            if scenario == "complete-recurring":
                reset_recurring(PORTS["api"], users[alg], store)
            measure(server, PORTS["api"], stack="rust", store=store, alg=alg, scenario=scenario, conns=conns,
                    users_file=users[alg])
            if scenario == "complete-recurring":
                reset_recurring(PORTS["api"], users[alg], store)
        if store == "sqlite":
            interleaved_rounds(server, users)
        big_token = users["big-HS256"].read_text().split()[1]
        # The first and the last page of each sort, back to back at each connection count.
        for suffix, query, _ in BIG_SORTS:
            walk = walk_big_user(PORTS["api"], big_token, query)
            for conns in ([1] if QUICK else [1, 64]):
                for which in ("first", "last"):
                    measure(server, PORTS["api"], stack="rust", store=store, alg="HS256", scenario=which + suffix,
                            conns=conns, users_file=users["big-HS256"], path=walk[which],
                            duration=max(3, DURATION // 2))
        # Searches, after the plain first page they are judged against, at one connection:
        # one user may run only MAX_SEARCHES_PER_USER (2) at once, the rest are 429.
        for name, text, _ in BIG_SEARCHES:
            path = f"/api/{BIG_USER}/tasks?q={urllib.parse.quote(text)}&limit=20"
            expected = min(20, sum(text in f"big task {i}" for i in range(BIG)))
            status, body = call(http.client.HTTPConnection("127.0.0.1", PORTS["api"], timeout=30), "GET", path,
                                big_token)
            if status != 200 or not isinstance(body, list) or len(body) != expected:
                NOTES.append(f"{store}: {name} (GET {path}) answered {status} with "
                             f"{len(body) if isinstance(body, list) else body!r} tasks, not {expected}")
            measure(server, PORTS["api"], stack="rust", store=store, alg="HS256", scenario=name, conns=1,
                    users_file=users["big-HS256"], path=path, duration=max(3, DURATION // 2))
        # Searches over the long person's 20,000 long tasks, judged by their latency.
        long_token = users["long-HS256"].read_text().split()[1]
        for name, text, _ in LONG_SEARCHES:
            path = f"/api/{LONG_USER}/tasks?q={urllib.parse.quote(text)}&limit=20"
            status, body = call(http.client.HTTPConnection("127.0.0.1", PORTS["api"], timeout=60), "GET", path,
                                long_token)
            matches_none = name.endswith("-none")
            if status != 200 or not isinstance(body, list) or (len(body) == 0) != matches_none:
                NOTES.append(f"{store}: {name} (GET {path}) answered {status} with "
                             f"{len(body) if isinstance(body, list) else body!r} tasks")
            measure(server, PORTS["api"], stack="rust", store=store, alg="HS256", scenario=name, conns=1,
                    users_file=users["long-HS256"], path=path, duration=max(3, DURATION // 2))
    finally:
        stop(server)
    # The same scenarios as CPU instructions per request: the figure that repeats on a noisy machine.
    import instructions

    try:
        INSTRUCTIONS[store] = instructions.measure(store, database_url, users)
    except (RuntimeError, subprocess.SubprocessError, OSError) as err:
        log(f"{store}: instructions per request not measured: {err}")
        NOTES.append(f"{store}: instructions per request not measured: {err}")
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
        scenarios = ["list", "create"] if QUICK else WAVE1_SCENARIOS
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


# ---------------------------------------------------------------- previous results

# The previous committed run (bench/results/results.json at HEAD), for the "no wave-1 figure
# worse by more than 10%" target; kept in this run's results.json so --report shows the same.
BASELINE: dict | None = None
BASELINE_KEYS = ("stack", "store", "alg", "scenario", "conns")


def load_baseline() -> dict | None:
    source = "bench/results/results.json"
    out = subprocess.run(["git", "-C", str(ROOT), "show", f"HEAD:{source}"], capture_output=True, text=True)
    if out.returncode != 0:
        log(f"no committed {source} to compare with ({out.stderr.strip()})")
        return None
    data = json.loads(out.stdout)
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True).stdout.strip()
    meta = data.get("meta", {})
    return {"source": f"{source} at HEAD ({head})",
            "meta": {"date": meta.get("date"), "commit": meta.get("machine", {}).get("commit"),
                     "command": meta.get("command"), "quick": meta.get("command", "").startswith("QUICK"),
                     "data": meta.get("data"), "duration_s": meta.get("duration_s")},
            "runs": [{k: r[k] for k in (*BASELINE_KEYS, "rps", "p99_ms", "errors")} for r in data["runs"]]}


def compare_baseline() -> list[dict]:
    """Every run of the previous results that this run has too: req/s and p99 then and now."""
    if not BASELINE:
        return []
    ceiling_before = {r["conns"]: r["rps"] for r in BASELINE["runs"] if r["stack"] == "ceiling"}
    out = []
    for old in BASELINE["runs"]:
        new = find(old["stack"], old["scenario"], old["conns"], old["store"], old["alg"])
        if new and old["rps"]:
            # The same change measured against each run's own ceiling at that connection count:
            # what is left once the machine's own speed that day is taken out.
            ce_now, ce_before = find("ceiling", "fixed", old["conns"]), ceiling_before.get(old["conns"])
            relative = ((new["rps"] / ce_now["rps"]) / (old["rps"] / ce_before) - 1
                        if ce_now and ce_before and old["stack"] != "ceiling" else None)
            out.append({**{k: old[k] for k in BASELINE_KEYS}, "rps_before": old["rps"], "rps_now": new["rps"],
                        "change": new["rps"] / old["rps"] - 1, "vs_ceiling": relative,
                        "p99_before": old["p99_ms"], "p99_now": new["p99_ms"]})
    return out


def baseline_label(c: dict, change: str = "change") -> str:
    store = "" if c["store"] == "-" else f"{c['store']} "
    alg = "" if c["alg"] in ("-", "HS256") else f"{c['alg']} "
    stack = "" if c["stack"] == "rust" else f"{STACK_TITLES.get(c['stack'], c['stack'])} "
    return f"{stack}{store}{alg}{SCENARIO_TITLES.get(c['scenario'], c['scenario'])} c{c['conns']} {c[change]:+.0%}"


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
    stores = [s for s in ("sqlite", "postgres") if find("rust", "list", 64, s, "HS256")]
    for scenario in ORGANIZE_SCENARIOS:
        parts, oks = [], []
        for store in stores:
            base, new = find("rust", "list", 64, store, "HS256"), find("rust", scenario, 64, store, "HS256")
            if not new:
                continue
            ratio = new["rps"] / base["rps"] if base["rps"] else 0.0
            errors = f", **{new['errors']} errors**" if new["errors"] else ""
            parts.append(f"{store} {ratio:.2f}× ({new['rps']:,.0f} vs {base['rps']:,.0f}/s{errors})")
            oks.append(ratio >= 0.5 and not new["errors"])
        add(f"{SCENARIO_TITLES[scenario]} ≥ 0.5× GET list (same run and store, HS256, 64 conns, no errors)",
            "; ".join(parts) or "–", all(oks) if oks else None)
    parts, oks = [], []
    for store in stores:
        for suffix, _, title in BIG_SORTS:
            both = [(c, find("rust", "first" + suffix, c, store), find("rust", "last" + suffix, c, store))
                    for c in CONNS]
            both = [(c, f, l) for c, f, l in both if f and l]
            if both:
                conns, first, last = both[-1]  # the most connections measured
                ratio = last["rps"] / first["rps"] if first["rps"] else 0.0
                parts.append(f"{store} {title} {ratio:.2f}× ({conns} conn{'s' if conns > 1 else ''})")
                oks.append(ratio >= 0.8 and not first["errors"] and not last["errors"])
    add("big user: last page ≥ 0.8× the first page's rate, every sort (newest first, due date, priority)",
        "; ".join(parts) or "–", all(oks) if oks else None)
    parts, oks = [], []
    for store in stores:
        for name, _, title in BIG_SEARCHES:
            first, search = find("rust", "first", 1, store), find("rust", name, 1, store)
            if first and search:
                ratio = search["rps"] / first["rps"] if first["rps"] else 0.0
                parts.append(f"{store} {title.removeprefix('q: ')} {ratio:.2f}× ({search['rps']:,.0f}/s)")
                oks.append(ratio >= 0.25 and not first["errors"] and not search["errors"])
    add("big user: `q` search ≥ 0.25× the plain first page's rate (1 conn; few, none and all match)",
        "; ".join(parts) or "–", all(oks) if oks else None)
    parts, oks = [], []
    for store in stores:
        for name, _, title in LONG_SEARCHES:
            run = find("rust", name, 1, store)
            if run:
                parts.append(f"{store} {title.split(': ')[-1]} p50 {run['p50_ms']:.1f} ms")
                oks.append(run["p50_ms"] < LONG_SEARCH_MS and not run["errors"])
    add(f"`q` over {LONG_TASKS:,} tasks of {LONG_CHARS:,} characters (one person): p50 < {LONG_SEARCH_MS} ms, "
        "matching or not (1 conn)", "; ".join(parts) or "–", all(oks) if oks else None)
    compared = compare_baseline()
    name = "no wave-1 req/s more than 10% below the previous committed run (Rust API, every run in both)"
    if not compared:
        add(name, "no previous results to compare with", None)
    else:
        judged = [c for c in compared if c["stack"] in ("rust", "rust-warn")]
        worse = sorted((c for c in judged if c["change"] < -0.10), key=lambda c: c["change"])
        better = [c for c in judged if c["change"] > 0.10]
        ceiling = [c["change"] for c in compared if c["stack"] == "ceiling"]
        text = f"{len(worse)} of {len(judged)} worse by more than 10%"
        if worse:
            text += ": " + ", ".join(baseline_label(c) for c in worse[:6]) + (", …" if len(worse) > 6 else "")
        text += f"; {len(better)} better by more than 10%"
        peer = [c["change"] for c in compared if c["stack"] == "fastapi"]
        if peer:  # its code does not change between runs: a second measure of the machine
            text += f"; the FastAPI stack (unchanged code) moved {statistics.median(peer):+.0%}"
        if ceiling:
            text += f"; the bare-axum ceiling moved {statistics.median(ceiling):+.0%} (the machine)"
            relative = sorted((c for c in judged if c["vs_ceiling"] is not None and c["vs_ceiling"] < -0.10),
                              key=lambda c: c["vs_ceiling"])
            text += (f"; against each run's own ceiling {len(relative)} worse by more than 10%"
                     + (": " + ", ".join(baseline_label(c, "vs_ceiling") for c in relative[:6])
                        + (", …" if len(relative) > 6 else "") if relative else ""))
        if BASELINE and BASELINE["meta"].get("quick") != QUICK:
            text += (" — **QUICK run against a full one** (smaller data set, shorter runs): indicative only"
                     if QUICK else " — against a QUICK run: indicative only")
        text += " (see *Against the previous committed run*)"
        add(name, text, not worse)
    return out


def write_report(meta: dict):
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "results.json").write_text(json.dumps({"meta": meta, "runs": RUNS, "rounds": ROUNDS,
                                                      "instructions": INSTRUCTIONS, "baseline": BASELINE},
                                                     indent=1) + "\n")
    lines = [
        "# Benchmark results",
        "",
        f"Made by `{meta['command']}` on {meta['date']} at commit `{meta['machine']['commit']}`, "
        f"{meta['machine']['cpus']} cores ({meta['machine']['cpu']}), Linux {meta['machine']['kernel']}, "
        f"{meta['machine']['wrk']}; load generator on the same machine. {meta['mode']}: {DURATION} s per run, "
        f"data set of {USERS * PER_USER:,} tasks over {USERS:,} users plus one user with {BIG:,} tasks "
        f"(wrk spreads requests over {SAMPLE_USERS:,} of the users, each with their own token). "
        f"{meta.get('organizing', '')} Total time {meta['total_min']:.1f} min.",
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
        "resident memory during that run (VmHWM, reset before each run). `k instr/req`: thousands of CPU "
        "instructions the API's process executes per request of that scenario under callgrind "
        "(bench/instructions.py: one request at a time, the same sequence every run; the API only, not "
        "PostgreSQL), which unlike req/s repeats within about 1% on a busy machine.",
        "",
        "| stack | store | token | scenario | conns | req/s | p50 ms | p99 ms | max ms | errors | CPU ms/req "
        "| PostgreSQL CPU ms/req | peak RSS MB | k instr/req | × ceiling | × FastAPI |",
        "|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in RUNS:
        ce = find("ceiling", "fixed", r["conns"])
        fa = find("fastapi", r["scenario"], r["conns"])
        err = str(r["errors"]) if not r["errors"] else \
            f"{r['errors']} ({', '.join(f'{k} {v}' for k, v in r['error_detail'].items() if v)})"
        instr = INSTRUCTIONS.get(r["store"], {}).get(r["scenario"]) if r["stack"] == "rust" else None
        lines.append(
            f"| {STACK_TITLES.get(r['stack'], r['stack'])} | {r['store']} | {r['alg']} | {SCENARIO_TITLES[r['scenario']]} | {r['conns']} "
            f"| {r['rps']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['max_ms']:.1f} | {err} "
            f"| {r['cpu_ms_per_req']:.3f} | "
            f"{'–' if r.get('store_cpu_ms_per_req') is None else format(r['store_cpu_ms_per_req'], '.3f')} "
            f"| {r['peak_rss_mb']:.1f} | {'–' if instr is None else format(instr / 1000, ',.0f')} "
            f"| {fmt_ratio(r['rps'], ce and ce['rps']) if r['stack'] != 'ceiling' else '1.00×'} "
            f"| {fmt_ratio(r['rps'], fa and fa['rps']) if r['stack'] != 'fastapi' else '1.00×'} |")
    compared = compare_baseline()
    if compared:
        b = BASELINE["meta"]
        data = "" if b.get("data") == meta.get("data") else f" (data set {b.get('data')})"
        lines += [
            "",
            "## Against the previous committed run",
            "",
            f"Every run also in {BASELINE['source']}: `{b['command']}` on {b['date']} at commit `{b['commit']}`"
            f"{data}, {b.get('duration_s')} s per run. The target above judges the Rust API's req/s; the ceiling "
            "shows how much faster or slower the machine itself was, and `vs ceiling` is the change of the "
            "ratio to each run's own ceiling at that connection count (the machine's speed taken out). "
            "Changes beyond ±10% in **bold**.",
            "",
            "| stack | store | token | scenario | conns | req/s before | req/s now | change | vs ceiling "
            "| p99 ms before | p99 ms now |",
            "|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|",
        ]

        def pct(x):
            return "–" if x is None else (f"**{x:+.0%}**" if abs(x) > 0.10 else f"{x:+.0%}")

        for c in compared:
            lines.append(
                f"| {STACK_TITLES.get(c['stack'], c['stack'])} | {c['store']} | {c['alg']} "
                f"| {SCENARIO_TITLES.get(c['scenario'], c['scenario'])} | {c['conns']} | {c['rps_before']:,.0f} "
                f"| {c['rps_now']:,.0f} | {pct(c['change'])} | {pct(c.get('vs_ceiling'))} "
                f"| {c['p99_before']:.2f} | {c['p99_now']:.2f} |")
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
    scenarios = ["fixed"] + SCENARIOS + BIG_SCENARIOS
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
    global BASELINE
    if "--report" in sys.argv:  # rewrite RESULTS.md and bench.png from results.json
        data = json.loads((RESULTS / "results.json").read_text())
        RUNS.extend(data["runs"])
        ROUNDS.extend(data.get("rounds", []))
        INSTRUCTIONS.update(data.get("instructions", {}))
        BASELINE = data.get("baseline")
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

    BASELINE = load_baseline()
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
        "organizing": (f"Tasks carry the organizing fields: priority none/low/medium/high "
                       f"{'/'.join(map(str, PRIORITY_SHARES))}%, {TAGGED_PCT}% with 1–3 tags (from 5 of "
                       f"{len(TAG_VOCABULARY)} words per user), {DUE_PCT}% due within ±{DUE_DAYS} days of "
                       f"{LOAD_DAY} ({ALL_DAY_PCT}% of those all-day), {DUE_PCT * RECURRING_PERMILLE / 1000:g}% "
                       f"recurring, {DUE_PCT * REMIND_PCT / 100:g}% with a reminder."),
    }
    write_report(meta)
    log(f"wrote {RESULTS / 'RESULTS.md'} and {RESULTS / 'bench.png'} in {meta['total_min']:.1f} min")


if __name__ == "__main__":
    sys.modules.setdefault("bench", sys.modules[__name__])  # instructions.py imports this module as `bench`
    main()
