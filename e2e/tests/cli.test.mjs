// The `todo` command line against the real stack: the API binary and the web
// app under `next start` with the real Better Auth. Sign-in is approved in
// Chromium on the web app's /device page, then every command runs and its
// --json is compared with what the API itself answers.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { launchBrowser, newPerson, step } from "../lib/browser.mjs";
import { repoRoot, startStack } from "../lib/stack.mjs";
import { password, signUp, subjectOf, tokenOf } from "../lib/tasks-page.mjs";

// TODO_CLI_BIN: a binary built elsewhere (default: the one run.sh builds).
const todoBinary = process.env.TODO_CLI_BIN || path.join(repoRoot, "target", "debug", "todo");

describe("the todo command line", () => {
  let stack;
  let browser;
  let person;
  let home;
  let configDir;
  let apiToken;
  let userId;
  const alice = { name: "Alice", email: `alice-cli-${Date.now()}@example.com` };

  /** Starts `todo` with a private config directory; resolves when it exits. */
  function start(args, { input } = {}) {
    const child = spawn(todoBinary, args, {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        XDG_CONFIG_HOME: path.join(home, "config"),
        TZ: "Europe/Berlin",
        LANG: "C.UTF-8",
        TODO_SERVER: stack.webUrl,
        TODO_API_URL: stack.apiUrl,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const waiters = [];
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      for (const waiter of waiters.splice(0)) waiter();
    });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
    const done = new Promise((resolve) =>
      child.on("close", (code) => resolve({ code, stdout, stderr, json: () => JSON.parse(stdout) })),
    );
    return {
      done,
      /** Resolves with the first match of `pattern` in stderr. */
      async stderrMatch(pattern, timeoutMs = 20_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const match = stderr.match(pattern);
          if (match) return match;
          if (Date.now() > deadline) throw new Error(`no ${pattern} in stderr: ${stderr}`);
          await new Promise((resolve) => {
            waiters.push(resolve);
            setTimeout(resolve, 250);
          });
        }
      },
    };
  }

  const todo = (...args) => start(args).done;

  /** The API's own answer, with the browser session's token. */
  async function api(pathAndQuery, init = {}) {
    const response = await fetch(`${stack.apiUrl}/api/${userId}${pathAndQuery}`, {
      ...init,
      headers: { Authorization: `Bearer ${apiToken}`, "Content-Type": "application/json", ...init.headers },
    });
    assert.ok(response.ok, `${pathAndQuery}: ${response.status}`);
    return response.status === 204 ? null : response.json();
  }

  /** Runs `todo login`, approves (or denies) its code in the browser, and returns how it ended. */
  async function login(decision, { page = person.page, signInFirst = false } = {}) {
    const run = start(["login", "--no-browser"]);
    const [, link] = await run.stderrMatch(/(http:\/\/\S+\/device\?user_code=\S+)/);
    const [, shown] = await run.stderrMatch(/approve the code (\S+):/);
    await page.goto(link);
    if (signInFirst) {
      // Signed out, the link leads through sign-in and back to /device with the code.
      await page.waitForURL(/\/sign-in\?next=/);
      await page.getByLabel("Email").fill(alice.email);
      await page.getByLabel("Password", { exact: true }).fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(/\/device\?user_code=/);
    }
    await page.getByLabel("Code shown in your terminal").waitFor();
    assert.equal(await page.getByLabel("Code shown in your terminal").inputValue(), shown);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByText("Todo command line (todo)").waitFor();
    await page.getByRole("button", { name: decision }).click();
    await page.getByRole("heading", { name: decision === "Approve" ? "Device approved" : "Request denied" }).waitFor();
    return run.done;
  }

  const credentialsPath = () => path.join(home, "config", "todo", "credentials");

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "todo-cli-e2e-"));
    configDir = path.join(home, "config", "todo");
    stack = await startStack({ alg: "HS256", tokenTtlSeconds: 20, label: "cli" });
    browser = await launchBrowser();
    person = await newPerson(browser, "alice");
    await signUp(person.page, stack.webUrl, alice);
    apiToken = await tokenOf(person.page);
    userId = subjectOf(apiToken);
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  test("signed out at first: exit code 3 and what to do", async () => {
    const result = await todo("ls");
    assert.equal(result.code, 3);
    assert.equal(result.stderr.trim(), "You are signed out. Run `todo login` to sign in.");
  });

  test("a denied code says so and signs nothing in", async () => {
    const result = await step("login denied", [person], () => login("Deny"));
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /The sign-in was denied on the web page\. Nothing was signed in\./);
    await assert.rejects(stat(credentialsPath()));
  });

  test("a page on another origin cannot approve a code", async () => {
    const run = start(["login", "--no-browser"]);
    const [, code] = await run.stderrMatch(/user_code=(\S+)/);
    const cookies = await person.context.cookies(stack.webUrl);
    const cookie = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
    // Claims the code for this session as the /device page would, then approves from elsewhere.
    await fetch(`${stack.webUrl}/api/auth/device?user_code=${code}`, { headers: { cookie } });
    const forged = await fetch(`${stack.webUrl}/api/auth/device/approve`, {
      method: "POST",
      headers: { cookie, Origin: "https://evil.example", "Content-Type": "application/json" },
      body: JSON.stringify({ userCode: code }),
    });
    assert.equal(forged.status, 403);
    // Denied properly so the command ends.
    const denied = await fetch(`${stack.webUrl}/api/auth/device/deny`, {
      method: "POST",
      headers: { cookie, Origin: stack.webUrl, "Content-Type": "application/json" },
      body: JSON.stringify({ userCode: code }),
    });
    assert.equal(denied.status, 200);
    assert.equal((await run.done).code, 1);
  });

  test("the bearer plugin's session token never reaches a page: no set-auth-token on a browser sign-in", async () => {
    const response = await fetch(`${stack.webUrl}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { Origin: stack.webUrl, "Content-Type": "application/json" },
      body: JSON.stringify({ email: alice.email, password }),
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("set-cookie") ?? "", /HttpOnly/i);
    assert.equal(response.headers.get("set-auth-token"), null);
  });

  test("approved in the browser: signed in, the session kept in a file only its owner can read", async () => {
    // In a second browser that is not signed in yet.
    const laptop = await newPerson(browser, "alice-laptop");
    const result = await step("login approved", [laptop], () => login("Approve", { page: laptop.page, signInFirst: true }));
    await laptop.context.close();
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, new RegExp(`Signed in as Alice <${alice.email.replace(/[.]/g, "\\.")}>\\.`));
    assert.equal((await stat(credentialsPath())).mode & 0o777, 0o600);
    assert.equal((await stat(configDir)).mode & 0o777, 0o700);
    // The session token is never printed.
    const saved = JSON.parse(await readFile(credentialsPath(), "utf8"));
    assert.ok(!result.stderr.includes(saved.session_token) && !result.stdout.includes(saved.session_token));

    const whoami = await todo("whoami", "--json");
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.deepEqual(
      { ...whoami.json(), web_url: undefined, api_url: undefined },
      { id: userId, email: alice.email, email_verified: false, name: "Alice", web_url: undefined, api_url: undefined },
    );
    const words = await todo("whoami");
    assert.match(words.stdout, /^ {2}address: {3}not confirmed \(/m);
  });

  test("every command, its --json the API's own", async () => {
    const added = await todo("add", "Buy", "milk", "--due", "tomorrow", "--tag", "errands", "--tag", "home", "--priority", "high", "--json");
    assert.equal(added.code, 0, added.stderr);
    const milk = added.json();
    assert.deepEqual(milk, await api(`/tasks/${milk.id}`));
    assert.equal(milk.title, "Buy milk");
    assert.deepEqual(milk.tags, ["errands", "home"]);
    assert.equal(milk.priority, "high");
    assert.equal(milk.all_day, true);
    assert.equal(milk.time_zone, "Europe/Berlin");

    const standup = (await todo("add", "Team standup", "--due", "mon 09:00", "--every", "weekday", "--remind", "mon 08:45", "--json")).json();
    assert.equal(standup.recurrence, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR");
    assert.equal(standup.all_day, false);
    assert.equal(Date.parse(standup.due_at) - Date.parse(standup.remind_at), 15 * 60 * 1000);

    const plain = await todo("add", "Call mum");
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^Added \d+  Call mum\n$/);

    const shown = await todo("show", String(milk.id), "--json");
    assert.deepEqual(shown.json(), await api(`/tasks/${milk.id}`));

    const edited = (await todo("edit", String(milk.id), "--title", "Buy oat milk", "--priority", "low", "--no-tags", "--json")).json();
    assert.deepEqual(edited, await api(`/tasks/${milk.id}`));
    assert.equal(edited.title, "Buy oat milk");
    assert.deepEqual(edited.tags, []);

    const done = await todo("done", String(standup.id), "--json");
    assert.equal(done.code, 0, done.stderr);
    assert.equal(done.json().completed, true);
    assert.ok(done.json().next_occurrence_id, "a repeating task gets its next occurrence");
    const undone = await todo("undo", String(standup.id), "--json");
    assert.equal(undone.json().completed, false);
    await todo("done", String(standup.id));

    const listed = await todo("ls", "--all", "--json");
    assert.equal(listed.code, 0, listed.stderr);
    const everything = await api("/tasks?status=all&limit=200");
    const byId = (tasks) => [...tasks].sort((a, b) => a.id - b.id);
    assert.deepEqual(byId(listed.json()), byId(everything));

    const table = await todo("ls");
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^\s*ID\s+PRI\s+DUE\s+TITLE\n/);
    assert.match(table.stdout, /Buy oat milk/);
    assert.doesNotMatch(table.stdout, /\u001b\[/, "no colour when stdout is not a terminal");
    const coloured = await todo("ls", "--color", "always");
    assert.match(coloured.stdout, /\u001b\[/);

    const errands = await todo("ls", "--tag", "ERRANDS", "--all", "--json");
    assert.deepEqual(errands.json(), []);
    const found = await todo("ls", "-q", "OAT", "--json");
    assert.deepEqual(found.json().map((t) => t.id), [milk.id]);
    const upcoming = await todo("ls", "--upcoming", "--json");
    assert.ok(upcoming.json().some((t) => t.id === milk.id));
    assert.ok(!upcoming.json().some((t) => t.title === "Call mum"), "no due date is not upcoming");
    // The views are the API's, in the command line's zone: the same tasks as the API lists.
    for (const [flag, view] of [["--today", "today"], ["--upcoming", "upcoming"], ["--overdue", "overdue"], ["--no-date", "no_date"]]) {
      const viewed = await todo("ls", flag, "--all", "--json");
      assert.equal(viewed.code, 0, viewed.stderr);
      const query = `status=all&view=${view}&tz=Europe%2FBerlin&sort=due_at&order=asc&limit=200`;
      assert.deepEqual(viewed.json(), await api(`/tasks?${query}`), flag);
    }
    const undated = (await todo("ls", "--no-date", "--json")).json();
    assert.ok(undated.some((t) => t.title === "Call mum") && !undated.some((t) => t.id === milk.id));

    const tags = await todo("tags", "--json");
    assert.deepEqual(tags.json(), await api("/tags"));

    const removed = await todo("rm", String(milk.id));
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout, `Deleted ${milk.id}\n`);
    const gone = await todo("show", String(milk.id));
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr.trim(), "No task has that id.");
  });

  test("lists: add, --list on add, ls and edit, mv, rename and rm, their --json the API's own", async () => {
    const work = await todo("lists", "add", "Work", "--list-color", "blue", "--json");
    assert.equal(work.code, 0, work.stderr);
    const workList = work.json();
    assert.deepEqual(workList, await api(`/lists/${workList.id}`));
    const home = await todo("lists", "add", "Home");
    assert.equal(home.stdout, "Added list Home\n");
    const clash = await todo("lists", "add", "WORK");
    assert.equal(clash.code, 1, "the API refuses a name already used");
    const inbox = await todo("lists", "add", "inbox");
    assert.equal(inbox.code, 2, "Inbox is reserved, found before any request");

    const report = (await todo("add", "Write report", "--list", "work", "--json")).json();
    assert.equal(report.list_id, workList.id);
    const slides = (await todo("add", "Make slides", "--list", "Work", "--json")).json();
    const loose = (await todo("add", "Loose end", "--json")).json();
    assert.equal(loose.list_id, null);

    const lists = await todo("lists", "--json");
    assert.deepEqual(lists.json(), await api("/lists"));
    assert.deepEqual(lists.json().lists.map((l) => [l.name, l.open_count]), [["Work", 2], ["Home", 0]]);
    const table = await todo("lists");
    assert.match(table.stdout, /^LIST\s+OPEN\s+COLOUR\nInbox\s+\d+\nWork\s+2\s+blue\nHome\s+0\n$/);
    const names = await todo("lists", "--names");
    assert.equal(names.stdout, "Inbox\nWork\nHome\n");

    // A list in its own order: newest first until moved.
    const inWork = await todo("ls", "--list", "Work", "--json");
    assert.deepEqual(inWork.json().map((t) => t.id), [slides.id, report.id]);
    assert.deepEqual(inWork.json(), await api(`/tasks?status=pending&list=${workList.id}&sort=position&order=asc&limit=200`));
    const moved = await todo("mv", String(slides.id), "--after", String(report.id), "--json");
    assert.equal(moved.code, 0, moved.stderr);
    assert.deepEqual(moved.json(), await api(`/tasks/${slides.id}`));
    const reordered = await todo("ls", "--list", "Work");
    assert.match(reordered.stdout, /^Work\n\s*ID\s+PRI\s+DUE\s+TITLE\n.*Write report\n.*Make slides\n$/s);
    const toHome = await todo("mv", String(loose.id), "--list", "Home");
    assert.match(toHome.stdout, /^Moved \d+  Loose end\n$/);
    const edited = (await todo("edit", String(report.id), "--list", "Inbox", "--json")).json();
    assert.equal(edited.list_id, null);
    const inboxFirst = (await todo("ls", "--list", "inbox", "--json")).json();
    assert.equal(inboxFirst[0].id, report.id, "a task arriving in a list goes first");
    const nowhere = await todo("ls", "--list", "Garden");
    assert.equal(nowhere.code, 1);
    assert.equal(nowhere.stderr.trim(), 'You have no list named "Garden": `todo lists` shows yours.');

    const renamed = await todo("lists", "rename", "home", "House");
    assert.equal(renamed.stdout, "Renamed Home to House\n");
    const removed = await todo("lists", "rm", "House");
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal((await api(`/tasks/${loose.id}`)).list_id, null, "its tasks went to the Inbox");
    const gone = await todo("lists", "rm", "Work", "--delete-tasks");
    assert.equal(gone.code, 0, gone.stderr);
    assert.deepEqual((await api("/lists")).lists, []);
    const bash = await todo("completions", "bash");
    assert.match(bash.stdout, /todo lists --names/);
  });

  test("ls follows the pages to the end", async () => {
    const before = (await todo("ls", "--all", "--json")).json().length;
    for (let i = 0; i < 205; i++) {
      await api("/tasks", { method: "POST", body: JSON.stringify({ title: `Bulk ${i}` }) });
    }
    const listed = await todo("ls", "--all", "--json");
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.json().length, before + 205);
    assert.equal(new Set(listed.json().map((t) => t.id)).size, before + 205);
  });

  test("problems in one sentence; usage errors exit 2", async () => {
    const badDate = await todo("add", "Something", "--due", "someday");
    assert.equal(badDate.code, 2);
    assert.match(badDate.stderr, /^Cannot read "someday" as a date; try tomorrow/);
    const badRule = await todo("add", "Something", "--due", "tomorrow", "--every", "fortnightly-ish");
    assert.equal(badRule.code, 2);
    const noDue = await todo("add", "Water plants", "--every", "2 weeks");
    assert.equal(noDue.code, 1, "the API refuses a repeating task without a due date");
    assert.equal(noDue.stderr.trim(), "Recurrence: a repeating task needs a due date (`due_at`).");
    const unknownFlag = await todo("ls", "--yesterday");
    assert.equal(unknownFlag.code, 2);
    const tooLong = await todo("add", "x".repeat(201));
    assert.equal(tooLong.code, 2);
    assert.equal(tooLong.stderr.trim(), "The title must be at most 200 characters (got 201).");
  });

  test("an access token the API refuses is renewed once, silently", async () => {
    const saved = JSON.parse(await readFile(credentialsPath(), "utf8"));
    // A cached token that looks valid for a day but whose signature is wrong:
    // the API answers 401, and the command fetches a new token and goes on.
    const [header, payload] = saved.access_token.token.split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    claims.exp = Math.floor(Date.now() / 1000) + 86_400;
    saved.access_token = {
      token: `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.AAAA`,
      renew_at: claims.exp,
    };
    await writeFile(credentialsPath(), JSON.stringify(saved));
    const result = await todo("ls", "--json");
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "");
    const renewed = JSON.parse(await readFile(credentialsPath(), "utf8"));
    assert.notEqual(renewed.access_token.token, saved.access_token.token);
    assert.equal((await stat(credentialsPath())).mode & 0o777, 0o600);
  });

  test("an expired access token is replaced before it is used", async () => {
    const before = JSON.parse(await readFile(credentialsPath(), "utf8")).access_token.token;
    const { exp } = JSON.parse(Buffer.from(before.split(".")[1], "base64url").toString());
    // Past the token's exp (20 s lifetime in this stack): the API would refuse it.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, exp * 1000 - Date.now()) + 1_000));
    const result = await todo("ls", "--json");
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "");
    const after = JSON.parse(await readFile(credentialsPath(), "utf8")).access_token.token;
    assert.notEqual(after, before);
    assert.ok(JSON.parse(Buffer.from(after.split(".")[1], "base64url").toString()).exp * 1000 > Date.now());
  });

  test("a credentials file others can read is refused", async () => {
    await chmod(credentialsPath(), 0o644);
    const result = await todo("ls");
    assert.equal(result.code, 1);
    assert.match(result.stderr, /can be read by others \(mode 644\); refusing to use it/);
    await chmod(credentialsPath(), 0o600);
  });

  test("logout ends the session on the server: its copy no longer works", async () => {
    const copy = await readFile(credentialsPath(), "utf8");
    const result = await todo("logout");
    assert.equal(result.code, 0, result.stderr);
    await assert.rejects(stat(credentialsPath()));
    const after = await todo("ls");
    assert.equal(after.code, 3);
    assert.match(after.stderr, /signed out/);

    // The same session token again, without its cached access token: the web app refuses it.
    const saved = JSON.parse(copy);
    delete saved.access_token;
    await writeFile(credentialsPath(), JSON.stringify(saved), { mode: 0o600 });
    const revived = await todo("ls");
    assert.equal(revived.code, 3, revived.stderr);
    assert.equal(revived.stderr.trim(), "You are signed out. Run `todo login` to sign in.");
  });
});

describe("the todo command line, with a code nobody approves", () => {
  const EXPIRES_SECS = 6;
  let stack;
  let home;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "todo-cli-e2e-"));
    stack = await startStack({ alg: "HS256", label: "cli-expiry", webEnv: { DEVICE_CODE_EXPIRES_SECS: String(EXPIRES_SECS) } });
  });

  after(async () => {
    await stack?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  test("the web app expires the code, and todo login says to start again", async () => {
    // Better Auth's own answer to a poll after the lifetime.
    const code = await (
      await fetch(`${stack.webUrl}/api/auth/device/code`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ client_id: "todo-cli" }),
      })
    ).json();
    assert.equal(code.expires_in, EXPIRES_SECS);

    const result = await new Promise((resolve) => {
      const child = spawn(todoBinary, ["login", "--no-browser"], {
        env: { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: path.join(home, "config"), TODO_SERVER: stack.webUrl, TODO_API_URL: stack.apiUrl },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (chunk) => (stderr += chunk));
      child.on("close", (exitCode) => resolve({ exitCode, stderr }));
    });
    assert.equal(result.exitCode, 1, result.stderr);
    assert.match(result.stderr, /The code expired before it was approved\. Run `todo login` again for a new one\./);
    await assert.rejects(stat(path.join(home, "config", "todo", "credentials")));

    const poll = await fetch(`${stack.webUrl}/api/auth/device/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ grant_type: "urn:ietf:params:oauth:grant-type:device_code", device_code: code.device_code, client_id: "todo-cli" }),
    });
    assert.equal(poll.status, 400);
    assert.equal((await poll.json()).error, "expired_token");
  });
});
