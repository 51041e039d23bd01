// The whole product in a real Chromium against the real web app (with the real
// Better Auth) and the real task API, once per signing mode, and once with both
// services on PostgreSQL when TEST_DATABASE_URL is set.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { launchBrowser, newPerson, step } from "../lib/browser.mjs";
import { startStack } from "../lib/stack.mjs";

const TOKEN_TTL_SECONDS = 20;
const modes = [
  { label: "hs256-embedded", alg: "HS256" },
  { label: "eddsa-embedded", alg: "EdDSA" },
];
if (process.env.TEST_DATABASE_URL) {
  modes.push({ label: "hs256-postgres", alg: "HS256", postgresUrl: process.env.TEST_DATABASE_URL });
}
const only = process.env.E2E_MODES?.split(",").filter(Boolean);

const password = "correct horse battery staple";

async function signUp(page, webUrl, { name, email }) {
  await page.goto(`${webUrl}/sign-up`);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(/\/tasks$/);
}

async function signIn(page, webUrl, email) {
  await page.goto(`${webUrl}/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/tasks$/);
}

const taskList = (page) => page.getByRole("list", { name: "Tasks" });
const taskItems = (page) => taskList(page).getByRole("listitem");

async function visibleTitles(page) {
  await page.waitForLoadState("networkidle");
  if (!(await taskList(page).isVisible())) return [];
  return (await taskItems(page).allInnerTexts()).map((text) => text.split("\n")[0].trim());
}

async function expectTitles(page, expected) {
  const deadline = Date.now() + 10_000;
  let titles;
  while (Date.now() < deadline) {
    titles = await visibleTitles(page);
    if (JSON.stringify([...titles].sort()) === JSON.stringify([...expected].sort())) return;
    await page.waitForTimeout(200);
  }
  assert.deepEqual([...titles].sort(), [...expected].sort());
}

/** Adds a task and waits until the API has answered (the form clears on success). */
async function addTask(page, title) {
  const input = page.getByLabel("Title", { exact: true }).first();
  await input.fill(title);
  await page.getByRole("button", { name: "Add task" }).click();
  await taskItems(page).filter({ hasText: title }).first().waitFor();
  await page.waitForFunction(() => document.querySelector("#new-task-title")?.value === "");
  await page.getByRole("button", { name: "Add task" }).waitFor();
}

/** The text of every alert of the app's own (not Next.js's route announcer). */
async function wordedAlerts(page) {
  const texts = await page.locator('[role="alert"]:not(#__next-route-announcer__)').allInnerTexts();
  return texts.map((t) => t.trim()).filter(Boolean);
}

/** The page's own API token, as the web app obtains it (cookie session → Better Auth). */
async function tokenOf(page) {
  return page.evaluate(async () => {
    const response = await fetch("/api/auth/token", { credentials: "include" });
    return (await response.json()).token;
  });
}

function subjectOf(token) {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).sub;
}

for (const mode of modes) {
  describe(`Todo in the browser (${mode.label})`, { skip: only && !only.includes(mode.label) }, () => {
    let stack;
    let browser;
    const alice = { name: "Alice", email: `alice-${Date.now()}@example.com` };
    const bob = { name: "Bob", email: `bob-${Date.now()}@example.com` };
    let a;
    let b;

    before(async () => {
      stack = await startStack({ alg: mode.alg, postgresUrl: mode.postgresUrl, tokenTtlSeconds: TOKEN_TTL_SECONDS, label: mode.label });
      browser = await launchBrowser();
      a = await newPerson(browser, "alice");
      b = await newPerson(browser, "bob");
    });

    after(async () => {
      await browser?.close();
      await stack?.stop();
    });

    test("a person signs up, manages tasks, and finds them again after signing back in", async () => {
      const { page } = a;
      await step(`${mode.label} sign up`, [a], () => signUp(page, stack.webUrl, alice));
      await step(`${mode.label} empty list`, [a], async () => {
        await page.getByText("No tasks yet").waitFor();
      });

      await step(`${mode.label} add three tasks`, [a], async () => {
        for (const title of ["Buy milk", "Call mum", "Write report"]) {
          await addTask(page, title);
        }
        await expectTitles(page, ["Buy milk", "Call mum", "Write report"]);
      });

      await step(`${mode.label} edit in place`, [a], async () => {
        await page.getByRole("button", { name: "Edit “Write report”" }).click();
        const editor = page.getByRole("form", { name: "Edit “Write report”" });
        await editor.getByLabel("Title").fill("Write the quarterly report");
        await editor.getByRole("button", { name: "Save" }).click();
        await expectTitles(page, ["Buy milk", "Call mum", "Write the quarterly report"]);
      });

      await step(`${mode.label} complete one`, [a], async () => {
        // The box is controlled by the query cache, so it flips a moment after the click.
        const done = page.getByRole("checkbox", { name: "Done: Buy milk" });
        await done.click();
        await page.waitForFunction(() => document.querySelector('input[aria-label="Done: Buy milk"]')?.checked === true);
        await page.waitForLoadState("networkidle");
      });

      await step(`${mode.label} filter by status`, [a], async () => {
        await page.getByLabel("Show").selectOption("completed");
        await expectTitles(page, ["Buy milk"]);
        await page.getByLabel("Show").selectOption("pending");
        await expectTitles(page, ["Call mum", "Write the quarterly report"]);
        await page.getByLabel("Show").selectOption("all");
        await expectTitles(page, ["Buy milk", "Call mum", "Write the quarterly report"]);
      });

      await step(`${mode.label} search`, [a], async () => {
        await page.getByLabel("Search").fill("QUARTERLY");
        await expectTitles(page, ["Write the quarterly report"]);
        await page.getByLabel("Search").fill("");
        await expectTitles(page, ["Buy milk", "Call mum", "Write the quarterly report"]);
      });

      await step(`${mode.label} delete one`, [a], async () => {
        await page.getByRole("button", { name: "Delete “Call mum”" }).click();
        await expectTitles(page, ["Buy milk", "Write the quarterly report"]);
      });

      await step(`${mode.label} reload keeps everything`, [a], async () => {
        await page.reload();
        await expectTitles(page, ["Buy milk", "Write the quarterly report"]);
        assert.equal(await page.getByRole("checkbox", { name: "Done: Buy milk" }).isChecked(), true);
        assert.equal(await page.getByRole("checkbox", { name: "Done: Write the quarterly report" }).isChecked(), false);
      });

      await step(`${mode.label} sign out`, [a], async () => {
        await page.getByRole("button", { name: "Sign out" }).click();
        await page.waitForURL(/\/sign-in/);
        await page.goto(`${stack.webUrl}/tasks`);
        await page.waitForURL(/\/sign-in/);
      });

      await step(`${mode.label} sign back in`, [a], async () => {
        await signIn(page, stack.webUrl, alice.email);
        await expectTitles(page, ["Buy milk", "Write the quarterly report"]);
      });
    });

    test("another person sees none of it, and their token cannot reach it", async () => {
      const aliceToken = await step(`${mode.label} alice token`, [a], () => tokenOf(a.page));
      const aliceId = subjectOf(aliceToken);
      const listAlice = async (token) => {
        const response = await fetch(`${stack.apiUrl}/api/${aliceId}/tasks`, { headers: { authorization: `Bearer ${token}` } });
        return { status: response.status, body: await response.json() };
      };
      const before = await listAlice(aliceToken);
      assert.equal(before.status, 200);
      assert.equal(before.body.length, 2);

      await step(`${mode.label} bob signs up`, [b], async () => {
        await signUp(b.page, stack.webUrl, bob);
        await b.page.getByText("No tasks yet").waitFor();
        assert.deepEqual(await visibleTitles(b.page), []);
      });

      const bobToken = await step(`${mode.label} bob token`, [b], () => tokenOf(b.page));
      assert.notEqual(subjectOf(bobToken), aliceId);
      assert.equal((await listAlice(bobToken)).status, 403);
      for (const [method, suffix, body] of [
        ["POST", "", { title: "planted" }],
        ["PATCH", `/${before.body[0].id}`, { title: "hijacked" }],
        ["PATCH", `/${before.body[0].id}/complete`, undefined],
        ["DELETE", `/${before.body[0].id}`, undefined],
      ]) {
        const response = await fetch(`${stack.apiUrl}/api/${aliceId}/tasks${suffix}`, {
          method,
          headers: { authorization: `Bearer ${bobToken}`, ...(body ? { "content-type": "application/json" } : {}) },
          body: body ? JSON.stringify(body) : undefined,
        });
        assert.equal(response.status, 403, `${method} ${suffix}`);
      }
      const afterwards = await listAlice(await tokenOf(a.page));
      assert.deepEqual(afterwards.body, before.body, "alice's tasks are unchanged, field by field");
    });

    test("the page keeps working past the token's expiry without the person doing anything", async () => {
      await step(`${mode.label} token renewal`, [a], async () => {
        await a.page.waitForTimeout((TOKEN_TTL_SECONDS + 10) * 1000);
        await addTask(a.page, "Added after the first token expired");
        await expectTitles(a.page, ["Buy milk", "Write the quarterly report", "Added after the first token expired"]);
        assert.deepEqual(await wordedAlerts(a.page), [], "no error shown");
      });
    });

    test("with the API down the page says so, keeps the input, and recovers without a reload", async () => {
      const { page } = a;
      await step(`${mode.label} api down`, [a], async () => {
        await stack.stopApi();
        await page.getByLabel("Title", { exact: true }).first().fill("Typed while the API was down");
        await page.getByRole("button", { name: "Add task" }).click();
        const alert = page.getByRole("alert").filter({ hasText: /task service/i }).first();
        await alert.waitFor();
        assert.match(await alert.innerText(), /cannot reach the task service|unavailable/i);
        assert.equal(await page.getByLabel("Title", { exact: true }).first().inputValue(), "Typed while the API was down");
      });
      await step(`${mode.label} api back`, [a], async () => {
        await stack.restartApi();
        await page.getByRole("button", { name: "Add task" }).click();
        await taskItems(page).filter({ hasText: "Typed while the API was down" }).first().waitFor({ timeout: 15_000 });
        await expectTitles(page, [
          "Buy milk",
          "Write the quarterly report",
          "Added after the first token expired",
          "Typed while the API was down",
        ]);
      });
    });
  });
}
