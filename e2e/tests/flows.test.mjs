// The whole product in a real Chromium against the real web app (with the real
// Better Auth) and the real task API, once per signing mode, and once with both
// services on PostgreSQL when TEST_DATABASE_URL is set.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { launchBrowser, newPerson, step } from "../lib/browser.mjs";
import { stackModes, startStack } from "../lib/stack.mjs";
import { addTask, expectTitles, password, signIn, signUp, subjectOf, taskItems, tokenOf, visibleTitles, wordedAlerts } from "../lib/tasks-page.mjs";

const TOKEN_TTL_SECONDS = 20;
const { modes, only } = stackModes();

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

    test("Back after signing up through the sign-in page's link shows no signed-out form", async () => {
      const carol = await newPerson(browser, "carol");
      const { page } = carol;
      try {
        await step(`${mode.label} sign up from the sign-in page`, [carol], async () => {
          await page.goto(`${stack.webUrl}/tasks`);
          await page.waitForURL(/\/sign-in$/);
          await page.getByRole("link", { name: "Create an account" }).click();
          await page.waitForURL(/\/sign-up$/);
          await page.getByLabel("Name").fill("Carol");
          await page.getByLabel("Email").fill(`carol-${Date.now()}@example.com`);
          await page.getByLabel("Password", { exact: true }).fill(password);
          await page.getByRole("button", { name: "Create account" }).click();
          await page.waitForURL(/\/tasks$/);
          await page.getByText("No tasks yet").waitFor();
        });
        await step(`${mode.label} back`, [carol], async () => {
          await page.goBack();
          await page.waitForLoadState("load");
          // Neither form comes back from the router's cache as if signed out.
          assert.doesNotMatch(page.url(), /\/sign-(in|up)/);
          assert.equal(await page.getByRole("button", { name: /^(Sign in|Create account)$/ }).count(), 0);
        });
      } finally {
        await carol.context.close();
      }
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
