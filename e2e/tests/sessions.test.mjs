// Sessions and revocation (SPEC) across both services: the web app's Better Auth
// hooks push Security Event Tokens to the real API, which then refuses the tokens
// of ended sessions and deletes the tasks of deleted accounts. Once per signing mode.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, test } from "node:test";

import { launchBrowser, newPerson, step } from "../lib/browser.mjs";
import { stackModes, startStack } from "../lib/stack.mjs";
import { addTask, apiStatus, claimsOf, untilApiAnswers, expectTitles, password, signIn, signUp, subjectOf, tokenOf } from "../lib/tasks-page.mjs";

// Long-lived tokens, so a 401 below can only mean "revoked", never "expired".
const TOKEN_TTL_SECONDS = 600;
const { modes, only } = stackModes();

const IPAD =
  "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

/** How many tasks of `userId` the API's own store holds (SQLite file or PostgreSQL). */
async function storedTaskCount(stack, userId) {
  assert.match(userId, /^[A-Za-z0-9_-]+$/);
  const url = stack.apiDatabaseUrl;
  if (url.startsWith("sqlite://")) {
    // Debian's sqlite3 command line, read-only: the API keeps the file open.
    const out = execFileSync("sqlite3", ["-readonly", url.slice("sqlite://".length), `SELECT count(*) FROM tasks WHERE user_id = '${userId}'`]);
    return Number(out.toString().trim());
  }
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT count(*)::int AS n FROM tasks WHERE user_id = $1", [userId]);
    return rows[0].n;
  } finally {
    await client.end();
  }
}

async function signOutFromHeader(page) {
  const started = Date.now();
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/auth/sign-out")),
    page.getByRole("button", { name: "Sign out", exact: true }).click(),
  ]);
  const tookMs = Date.now() - started;
  assert.equal(response.status(), 200);
  await page.waitForURL(/\/sign-in$/);
  return tookMs;
}

for (const mode of modes) {
  describe(`Sessions and revocation (${mode.label})`, { skip: only && !only.includes(mode.label) }, () => {
    let stack;
    let browser;
    const people = [];
    const person = async (name, contextOptions) => {
      const p = await newPerson(browser, name, contextOptions);
      people.push(p);
      return p;
    };
    const email = (who) => `${who}-${Date.now()}@example.com`;

    before(async () => {
      stack = await startStack({ alg: mode.alg, postgresUrl: mode.postgresUrl, tokenTtlSeconds: TOKEN_TTL_SECONDS, label: `${mode.label}-sessions` });
      browser = await launchBrowser();
    });

    after(async () => {
      await browser?.close();
      await stack?.stop();
    });

    test("signing out ends the session at the API: a token taken before it is refused", async () => {
      const a = await person("signout");
      await step(`${mode.label} sign up`, [a], () => signUp(a.page, stack.webUrl, { name: "Sam", email: email("sam") }));
      const token = await tokenOf(a.page);
      assert.ok(claimsOf(token).sid, "access tokens carry the session id");
      assert.equal(await apiStatus(stack, token), 200);

      await step(`${mode.label} sign out`, [a], () => signOutFromHeader(a.page));
      await step(`${mode.label} old token refused`, [a], () => untilApiAnswers(stack, token, 401, 5_000));
    });

    test("the Sessions page signs out one other device, then all the others", async () => {
      const who = email("pat");
      const phone = await person("phone");
      const laptop = await person("laptop");
      await step(`${mode.label} phone signs up`, [phone], async () => {
        await signUp(phone.page, stack.webUrl, { name: "Pat", email: who });
        await addTask(phone.page, "Water plants");
      });
      const phoneToken = await tokenOf(phone.page);
      await step(`${mode.label} laptop signs in`, [laptop], () => signIn(laptop.page, stack.webUrl, who));
      const laptopToken = await tokenOf(laptop.page);

      // A third device that names itself differently, to be signed out on its own.
      const tablet = await person("tablet", { userAgent: IPAD });
      await step(`${mode.label} tablet signs in`, [tablet], () => signIn(tablet.page, stack.webUrl, who));
      const tabletToken = await tokenOf(tablet.page);

      await step(`${mode.label} laptop sees the three sessions`, [laptop], async () => {
        await laptop.page.getByRole("link", { name: "Sessions" }).click();
        await laptop.page.waitForURL(/\/sessions$/);
        const sessions = laptop.page.getByRole("list", { name: "Sessions" }).locator(":scope > li");
        assert.equal(await sessions.count(), 3);
        assert.equal(await sessions.filter({ hasText: "This device" }).count(), 1);
        assert.match(await sessions.first().innerText(), /Chrom/);
        // Phone and laptop are the same Chromium on one machine: the rows still
        // read differently (when each signed in and was last active), and the
        // loopback address (::1, kept by Better Auth as eight groups of zeros) is said in words.
        const texts = await sessions.allInnerTexts();
        assert.equal(new Set(texts).size, 3, `rows that read the same:\n${texts.join("\n--\n")}`);
        for (const text of texts) {
          assert.match(text, /IP address\s+this computer \(localhost\)/);
          assert.match(text, /Signed in\s+\S.*\d:\d\d:\d\d/);
          assert.match(text, /Last active\s+\S.*\d:\d\d:\d\d/);
        }
        // Their accessible names too (what a screen reader says of each row).
        const snapshot = await laptop.page.getByRole("list", { name: "Sessions" }).ariaSnapshot();
        // A name with YAML's special characters ("#2", ": ") comes quoted: `- 'listitem "…"':`.
        const names = snapshot.split("\n").filter((line) => /^\s*- '?listitem\b/.test(line));
        assert.equal(names.length, 3, snapshot);
        assert.equal(new Set(names).size, 3, `rows named alike:\n${snapshot}`);
      });
      await step(`${mode.label} laptop signs the tablet out`, [laptop, tablet], async () => {
        await laptop.page.getByRole("button", { name: "Sign out Safari 17 on iOS" }).click();
        await laptop.page.getByRole("status").filter({ hasText: "Safari 17 on iOS is signed out." }).waitFor();
        await laptop.page.getByRole("listitem", { name: "Safari 17 on iOS" }).waitFor({ state: "detached" });
        await untilApiAnswers(stack, tabletToken, 401, 5_000);
        assert.equal(await apiStatus(stack, phoneToken), 200, "the phone is still signed in");
      });
      await step(`${mode.label} sign out all other devices`, [laptop], async () => {
        await laptop.page.getByRole("button", { name: "Sign out all other devices" }).click();
        await laptop.page.getByRole("status").filter({ hasText: "Every other device is signed out." }).waitFor();
        await laptop.page.getByText("No other device is signed in.").waitFor();
      });

      await step(`${mode.label} the phone's token is refused, the laptop's is not`, [phone], async () => {
        await untilApiAnswers(stack, phoneToken, 401, 5_000);
        assert.equal(await apiStatus(stack, laptopToken), 200);
      });
      await step(`${mode.label} the phone's next action lands on sign-in`, [phone], async () => {
        // Still showing its tasks (nothing tells a page that its session ended
        // elsewhere); ticking one is what finds out, and leads to sign-in, back here after.
        assert.match(phone.page.url(), /\/tasks$/);
        await phone.page.getByRole("checkbox", { name: "Done: Water plants" }).click();
        await phone.page.waitForURL(/\/sign-in\?next=%2Ftasks$/);
      });
    });

    test("deleting the account deletes every task at the API; the same email then starts empty", async () => {
      const who = email("dee");
      const a = await person("delete");
      await step(`${mode.label} sign up with tasks`, [a], async () => {
        await signUp(a.page, stack.webUrl, { name: "Dee", email: who });
        for (const title of ["One", "Two", "Three"]) await addTask(a.page, title);
      });
      const token = await tokenOf(a.page);
      const userId = subjectOf(token);
      assert.equal(await storedTaskCount(stack, userId), 3);

      await step(`${mode.label} wrong password keeps the account`, [a], async () => {
        await a.page.getByRole("link", { name: "Account" }).click();
        await a.page.waitForURL(/\/account$/);
        await a.page.getByText("and every one of your tasks").waitFor();
        await a.page.getByLabel("Type your password to confirm").fill("not my password");
        await a.page.getByRole("button", { name: "Delete my account and all my tasks" }).click();
        await a.page.getByRole("alert").filter({ hasText: "That is not your current password." }).waitFor();
        assert.equal(await apiStatus(stack, token), 200);
      });
      await step(`${mode.label} delete the account`, [a], async () => {
        await a.page.getByLabel("Type your password to confirm").fill(password);
        await a.page.getByRole("button", { name: "Delete my account and all my tasks" }).click();
        await a.page.waitForURL(/\/sign-up$/);
      });
      await step(`${mode.label} the API forgot the account`, [a], async () => {
        await untilApiAnswers(stack, token, 401, 5_000);
        // The sessions' events and account-purged are sent side by side; the first to land makes the 401.
        const deadline = Date.now() + 5_000;
        let left = await storedTaskCount(stack, userId);
        while (left !== 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          left = await storedTaskCount(stack, userId);
        }
        assert.equal(left, 0, "the API still holds tasks of the deleted account");
      });
      await step(`${mode.label} the same email signs up afresh`, [a], async () => {
        await signUp(a.page, stack.webUrl, { name: "Dee", email: who });
        await a.page.getByText("No tasks yet").waitFor();
        await expectTitles(a.page, []);
        assert.notEqual(subjectOf(await tokenOf(a.page)), userId);
      });
    });

    test("with the API down, signing out completes at once and the revocation arrives once it is back", async () => {
      const a = await person("api-down");
      await step(`${mode.label} sign up`, [a], () => signUp(a.page, stack.webUrl, { name: "Kim", email: email("kim") }));
      const token = await tokenOf(a.page);
      assert.equal(await apiStatus(stack, token), 200);

      await stack.stopApi();
      try {
        const tookMs = await step(`${mode.label} sign out while the API is down`, [a], () => signOutFromHeader(a.page));
        assert.ok(tookMs < 1_000, `signing out took ${tookMs} ms`);
        // Let the outbox fail at least once before the API comes back.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
      } finally {
        await stack.restartApi();
      }
      // Retries back off up to 30 s between attempts.
      await step(`${mode.label} the revocation arrives`, [a], () => untilApiAnswers(stack, token, 401, 45_000));
    });
  });
}
