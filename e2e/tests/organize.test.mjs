// Organizing tasks in a real Chromium against the real web app and API: a
// repeating task's next occurrence, the views and the tag filter. The browser
// runs in Berlin's time zone, the machine in its own: the page's days are Berlin's.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { launchBrowser, newPerson, step } from "../lib/browser.mjs";
import { stackModes, startStack } from "../lib/stack.mjs";
import { completedList, createTasks, expectTitles, signUp, subjectOf, taskItems, taskList, tokenOf } from "../lib/tasks-page.mjs";

const TIME_ZONE = "Europe/Berlin";
const { modes, only } = stackModes();

/** The calendar date (YYYY-MM-DD) in Berlin, `days` from today. */
function berlinDate(days = 0) {
  const date = new Date(Date.now() + days * 86_400_000);
  return new Intl.DateTimeFormat("en-CA", { timeZone: TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
}

const row = (page, title, { done } = {}) =>
  taskItems(page).filter({ hasText: title }).filter({ has: page.getByRole("checkbox", { name: `Done: ${title}`, checked: done }) });

for (const mode of modes) {
  describe(`Organizing tasks in the browser (${mode.label})`, { skip: only && !only.includes(mode.label) }, () => {
    let stack;
    let browser;

    before(async () => {
      stack = await startStack({ alg: mode.alg, postgresUrl: mode.postgresUrl, label: `${mode.label}-organize` });
      browser = await launchBrowser();
    });

    after(async () => {
      await browser?.close();
      await stack?.stop();
    });

    test("a weekly task, once completed, shows its next occurrence; un-completing takes it away", async () => {
      const carol = await newPerson(browser, "carol", { timezoneId: TIME_ZONE });
      const { page } = carol;
      await step(`${mode.label} carol signs up`, [carol], () =>
        signUp(page, stack.webUrl, { name: "Carol", email: `carol-${Date.now()}@example.com` }),
      );

      await step(`${mode.label} add a weekly task with the pickers`, [carol], async () => {
        await page.getByLabel("Title", { exact: true }).fill("Water the plants");
        await page.getByRole("button", { name: "Add details" }).click();
        await page.getByLabel("Due date").fill(berlinDate(1));
        await page.getByLabel(/^Time/).fill("09:00");
        await page.getByLabel("Repeat").selectOption("weekly");
        await page.getByRole("combobox", { name: "Tags" }).pressSequentially("home,");
        // Typed, not confirmed with Enter or a comma: kept all the same.
        await page.getByRole("combobox", { name: "Tags" }).pressSequentially("garden");
        await page.getByRole("button", { name: "Add task" }).click();
        await row(page, "Water the plants").first().waitFor();
        await page.waitForFunction(() => document.querySelector("#new-task-title")?.value === "");
        const text = await row(page, "Water the plants").first().innerText();
        assert.match(text, /Due tomorrow 9:00|Due tomorrow 09:00/);
        assert.match(text, /Every week on \w{3}/);
        assert.match(text, /home/);
        assert.match(text, /garden/);
      });

      await step(`${mode.label} complete it: the next one appears a week later`, [carol], async () => {
        await page.getByRole("checkbox", { name: "Done: Water the plants" }).click();
        // The tick shown first: until then the open row found could be the task itself.
        await row(page, "Water the plants", { done: true }).waitFor();
        await row(page, "Water the plants", { done: false }).waitFor({ timeout: 10_000 });
        assert.equal(await taskItems(page).count(), 2);
        const next = await row(page, "Water the plants", { done: false }).innerText();
        assert.match(next, /Due (\w{3}, \w{3} \d{1,2}|\w{3} 9:00|\w{3} 09:00)/);
        assert.match(next, /Every week/);
        assert.match(await page.getByText(/left · \d+ done/).innerText(), /^1 left · 1 done$/);
      });

      await step(`${mode.label} the done one sits in the Completed group, which folds away and stays folded`, [carol], async () => {
        assert.equal(await taskList(page).getByRole("checkbox", { name: "Done: Water the plants", checked: false }).count(), 1);
        assert.equal(await completedList(page).getByRole("checkbox", { name: "Done: Water the plants", checked: true }).count(), 1);
        const group = page.getByRole("button", { name: "Completed (1)" });
        await group.click();
        assert.equal(await group.getAttribute("aria-expanded"), "false");
        await completedList(page).waitFor({ state: "detached" });
        await page.reload();
        await row(page, "Water the plants", { done: false }).waitFor();
        assert.equal(await group.getAttribute("aria-expanded"), "false");
        assert.equal(await taskItems(page).count(), 1);
        await group.click();
        await row(page, "Water the plants", { done: true }).waitFor();
      });

      await step(`${mode.label} un-complete it: the occurrence goes away`, [carol], async () => {
        await row(page, "Water the plants", { done: true }).getByRole("checkbox").click();
        await expectTitles(page, ["Water the plants"]);
        assert.equal(await page.getByRole("checkbox", { name: "Done: Water the plants" }).isChecked(), false);
      });
    });

    test("the tag filter and the Today, Overdue, Upcoming and No date views", async () => {
      const dave = await newPerson(browser, "dave", { timezoneId: TIME_ZONE });
      const { page } = dave;
      await step(`${mode.label} dave signs up`, [dave], () =>
        signUp(page, stack.webUrl, { name: "Dave", email: `dave-${Date.now()}@example.com` }),
      );
      await step(`${mode.label} dave's tasks`, [dave], async () => {
        await createTasks(stack, page, [
          // Yesterday at noon, Berlin time.
          { title: "Pay the bills", tags: ["home"], due_at: new Date(Date.parse(berlinAllDay(-1).due_at) + 12 * 3_600_000).toISOString(), time_zone: TIME_ZONE },
          // All day today: in Today, and not overdue although its day began hours ago.
          { title: "Call the bank", ...berlinAllDay(0) },
          { title: "Buy a gift", tags: ["Home", "shopping"] },
          { title: "Plan the trip", tags: ["travel"], due_at: new Date(Date.now() + 3 * 86_400_000).toISOString(), priority: "high" },
        ]);
        await page.reload();
        await expectTitles(page, ["Pay the bills", "Call the bank", "Buy a gift", "Plan the trip"]);
        assert.match(await row(page, "Pay the bills").innerText(), /Overdue: yesterday/);
        assert.match(await row(page, "Call the bank").innerText(), /Due today/);
        assert.match(await row(page, "Plan the trip").innerText(), /High/);
      });

      await step(`${mode.label} tag filter`, [dave], async () => {
        // /tags names a tag by the spelling that sorts first ("Home" before "home"); the filter ignores case.
        await page.getByLabel("Tag", { exact: true }).selectOption("Home");
        await expectTitles(page, ["Pay the bills", "Buy a gift"]);
        await page.getByLabel("Tag", { exact: true }).selectOption("");
        await expectTitles(page, ["Pay the bills", "Call the bank", "Buy a gift", "Plan the trip"]);
      });

      await step(`${mode.label} views`, [dave], async () => {
        const view = (name) => page.getByRole("radio", { name, exact: true }).check({ force: true });
        await view("Today");
        await expectTitles(page, ["Call the bank"]);
        await view("Overdue");
        await expectTitles(page, ["Pay the bills"]);
        await view("Upcoming");
        await expectTitles(page, ["Plan the trip"]);
        await view("No date");
        await expectTitles(page, ["Buy a gift"]);
        await view("All");
        await expectTitles(page, ["Pay the bills", "Call the bank", "Buy a gift", "Plan the trip"]);
      });
    });

    test("delete then Undo keeps the task; a delete left alone is sent once the toast has gone", async () => {
      const erin = await newPerson(browser, "erin", { timezoneId: TIME_ZONE });
      const { page } = erin;
      await step(`${mode.label} erin signs up`, [erin], async () => {
        await signUp(page, stack.webUrl, { name: "Erin", email: `erin-${Date.now()}@example.com` });
        await createTasks(stack, page, [{ title: "Keep me" }, { title: "Remove me" }]);
        await page.reload();
        await expectTitles(page, ["Keep me", "Remove me"]);
      });

      await step(`${mode.label} delete and undo`, [erin], async () => {
        await page.getByRole("button", { name: "Delete “Keep me”" }).click();
        await expectTitles(page, ["Remove me"]);
        await page.getByText("Deleted “Keep me”").waitFor();
        await page.getByRole("button", { name: "Undo" }).click();
        await expectTitles(page, ["Keep me", "Remove me"]);
        // Well past the window: nothing was sent.
        await page.waitForTimeout(8000);
        assert.deepEqual((await listTitles(stack, page)).sort(), ["Keep me", "Remove me"]);
      });

      await step(`${mode.label} delete without undo`, [erin], async () => {
        await page.getByRole("button", { name: "Delete “Remove me”" }).click();
        await expectTitles(page, ["Keep me"]);
        const toast = page.getByText("Deleted “Remove me”");
        await toast.waitFor();
        assert.deepEqual((await listTitles(stack, page)).sort(), ["Keep me", "Remove me"], "not deleted while Undo is offered");
        await toast.waitFor({ state: "detached", timeout: 15_000 });
        const deadline = Date.now() + 5000;
        while (Date.now() < deadline && (await listTitles(stack, page)).length > 1) await page.waitForTimeout(200);
        assert.deepEqual(await listTitles(stack, page), ["Keep me"]);
        await page.reload();
        await expectTitles(page, ["Keep me"]);
      });
    });

    test("a reminder shows on the page at its time", async () => {
      const fay = await newPerson(browser, "fay", { timezoneId: TIME_ZONE });
      const { page } = fay;
      await step(`${mode.label} fay signs up`, [fay], () =>
        signUp(page, stack.webUrl, { name: "Fay", email: `fay-${Date.now()}@example.com` }),
      );
      await step(`${mode.label} reminder`, [fay], async () => {
        const remindAt = Date.now() + 8000;
        await createTasks(stack, page, [
          { title: "Stretch your legs", remind_at: new Date(remindAt).toISOString() },
          { title: "Done already", remind_at: new Date(remindAt).toISOString(), completed: true },
        ]);
        await page.reload();
        await expectTitles(page, ["Stretch your legs", "Done already"]);
        const banner = page.getByRole("alert", { name: "Reminders" });
        assert.equal(await banner.count(), 0, "not before its time");
        await banner.getByText("Reminder: Stretch your legs").waitFor({ timeout: 20_000 });
        assert.ok(Date.now() >= remindAt - 1000, "shown at its time, not before");
        assert.doesNotMatch(await banner.innerText(), /Done already/);
        await banner.getByRole("button", { name: "Dismiss the reminder for “Stretch your legs”" }).click();
        await banner.waitFor({ state: "detached" });
        // Once: a reload does not bring it back.
        await page.reload();
        await expectTitles(page, ["Stretch your legs", "Done already"]);
        await page.waitForTimeout(1500);
        assert.equal(await page.getByRole("alert", { name: "Reminders" }).count(), 0);
      });
    });
  });
}

/** The titles of the page's person's tasks, as the API has them. */
async function listTitles(stack, page) {
  const token = await tokenOf(page);
  const response = await fetch(`${stack.apiUrl}/api/${subjectOf(token)}/tasks`, { headers: { authorization: `Bearer ${token}` } });
  return (await response.json()).map((task) => task.title);
}

/** An all-day task's fields for the Berlin date `days` from today: its local midnight, as the web app sends it. */
function berlinAllDay(days) {
  const date = berlinDate(days);
  // Midnight in Berlin is 23:00 or 22:00 UTC the day before; ask Intl which.
  const noonUtc = new Date(`${date}T12:00:00Z`);
  const berlinNoon = Number(new Intl.DateTimeFormat("en-GB", { timeZone: TIME_ZONE, hour: "numeric", hourCycle: "h23" }).format(noonUtc));
  const offsetHours = berlinNoon - 12;
  return { due_at: new Date(Date.parse(`${date}T00:00:00Z`) - offsetHours * 3_600_000).toISOString(), all_day: true, time_zone: TIME_ZONE };
}
