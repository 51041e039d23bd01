// axe-core (through @axe-core/playwright) over the pages a person sees, in the
// real Chromium against the production build, in light and in dark mode (the
// app follows prefers-color-scheme): sign-in, sign-up, and the tasks page with
// tasks of every kind, the add form's details open, a row being edited, the
// Completed group, a failure said at a row, the Undo toast, and the Sessions
// page. Rules: WCAG 2.0/2.1/2.2 A and AA. Also what axe cannot see: Undo by
// keyboard alone, and the filters' selects showing their choices whole.
// Once, on the embedded stores: what is checked does not depend on how tokens
// are signed.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import AxeBuilder from "@axe-core/playwright";

import { launchBrowser, newPerson, step } from "../lib/browser.mjs";
import { startStack } from "../lib/stack.mjs";
import { createTasks, expectTitles, signUp } from "../lib/tasks-page.mjs";

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const label = "a11y-embedded";
const only = process.env.E2E_MODES?.split(",").filter(Boolean);

/** Fails with every violation in words: rule, impact, what it says, and where. */
async function expectNoViolations(page, what) {
  const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const described = violations.map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help}\n` +
      violation.nodes.map((node) => `    ${node.target.join(" ")}: ${node.failureSummary?.split("\n").slice(1).join("; ")}`).join("\n"),
  );
  assert.deepEqual(described, [], `${what}:\n${described.join("\n")}`);
}

describe("Accessibility (axe-core)", { skip: only && !only.includes(label) }, () => {
  let stack;
  let browser;

  before(async () => {
    stack = await startStack({ alg: "HS256", label });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  for (const colorScheme of ["light", "dark"]) {
    test(`sign-in, sign-up and the tasks page in ${colorScheme} mode`, async () => {
      const person = await newPerson(browser, `axe-${colorScheme}`, { colorScheme });
      const { page } = person;

      await step(`${colorScheme}: sign-in and sign-up, also with a problem shown`, [person], async () => {
        await page.goto(`${stack.webUrl}/sign-in`);
        await expectNoViolations(page, "sign-in");
        await page.getByLabel("Email").fill(`nobody-${Date.now()}@example.com`);
        await page.getByLabel("Password", { exact: true }).fill("not the password at all");
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.getByRole("alert").filter({ hasText: /./ }).first().waitFor();
        await expectNoViolations(page, "sign-in with a failure");
        await page.goto(`${stack.webUrl}/sign-up`);
        await expectNoViolations(page, "sign-up");
      });

      await step(`${colorScheme}: the tasks page`, [person], async () => {
        await signUp(page, stack.webUrl, { name: "Axe", email: `axe-${colorScheme}-${Date.now()}@example.com` });
        const dayAgo = new Date(Date.now() - 86_400_000).toISOString();
        const inTwoDays = new Date(Date.now() + 2 * 86_400_000).toISOString();
        await createTasks(stack, page, [
          { title: "Overdue and high", priority: "high", tags: ["work"], due_at: dayAgo },
          { title: "Weekly with a reminder", priority: "medium", tags: ["home", "garden"], due_at: inTwoDays,
            recurrence: "FREQ=WEEKLY", remind_at: inTwoDays, description: "Water the roses" },
          { title: "Low, no date", priority: "low" },
          { title: "Already done", completed: true },
        ]);
        await page.reload();
        await page.getByRole("button", { name: "Completed (1)" }).waitFor();
        await expectNoViolations(page, "tasks page");
      });

      await step(`${colorScheme}: the add form's details, and a row being edited`, [person], async () => {
        await page.getByRole("button", { name: "Add details" }).click();
        await page.locator("#new-task-repeat").selectOption("weekly");
        await page.locator("#new-task-reminder").selectOption("custom");
        await page.getByRole("combobox", { name: "Tags" }).pressSequentially("wo");
        await page.getByRole("listbox").waitFor();
        await expectNoViolations(page, "add form with its details");
        await page.keyboard.press("Escape");
        await page.getByRole("button", { name: "Hide details" }).click();
        await page.getByRole("button", { name: "Edit “Low, no date”" }).click();
        await page.getByRole("form", { name: "Edit “Low, no date”" }).getByLabel("Priority").waitFor();
        await expectNoViolations(page, "a row being edited");
        await page.keyboard.press("Escape");
      });

      await step(`${colorScheme}: a failure at a row, and the Completed group folded`, [person], async () => {
        await stack.stopApi();
        try {
          await page.getByRole("checkbox", { name: "Done: Low, no date" }).click();
          await page.getByText(/Could not update “Low, no date”/).waitFor({ timeout: 15_000 });
          await expectNoViolations(page, "a failed tick said at its row");
        } finally {
          await stack.restartApi();
        }
        await page.reload();
        await page.getByRole("button", { name: /^Completed \(\d\)$/ }).click();
        await expectNoViolations(page, "Completed group folded");
      });

      await step(`${colorScheme}: the Undo toast of a deletion`, [person], async () => {
        await page.getByRole("button", { name: "Delete “Overdue and high”" }).click();
        await page.getByRole("button", { name: "Undo" }).waitFor();
        // Checked once it has faded in: mid-animation its text is still translucent.
        await page.waitForFunction(() => {
          const toast = document.querySelector("[data-sonner-toast]");
          return toast && getComputedStyle(toast).opacity === "1" && toast.getAnimations().every((a) => a.playState !== "running");
        });
        await expectNoViolations(page, "the Undo toast");
        await page.getByRole("button", { name: "Undo" }).click();
      });

      await step(`${colorScheme}: the Sessions page`, [person], async () => {
        await page.getByRole("link", { name: "Sessions" }).click();
        await page.getByRole("list", { name: "Sessions" }).waitFor();
        await expectNoViolations(page, "the Sessions page");
      });

      await person.context.close();
    });
  }

  test("the filters' selects show every choice whole, on a phone and at 1024 px", async () => {
    const person = await newPerson(browser, "select-widths");
    const { page } = person;
    await step("select widths: sign up", [person], () =>
      signUp(page, stack.webUrl, { name: "Wes", email: `wes-${Date.now()}@example.com` }),
    );
    for (const width of [375, 1024]) {
      await step(`select widths at ${width} px`, [person], async () => {
        await page.setViewportSize({ width, height: 800 });
        // Each select against a copy of it at its own width (Chromium's: its widest choice, the arrow and padding).
        const cut = await page.getByRole("search", { name: "Filter tasks" }).evaluate((search) =>
          [...search.querySelectorAll("select")].flatMap((select) => {
            const copy = select.cloneNode(true);
            copy.removeAttribute("id");
            copy.style.cssText = "width: auto; position: absolute; visibility: hidden";
            select.parentElement.append(copy);
            const needed = copy.getBoundingClientRect().width;
            copy.remove();
            const shown = select.getBoundingClientRect().width;
            return shown + 0.5 < needed ? [`${select.labels[0]?.textContent}: ${Math.round(shown)} px of ${Math.round(needed)}`] : [];
          }),
        );
        assert.deepEqual(cut, [], `choices cut short at ${width} px`);
      });
    }
    await person.context.close();
  });

  /** The accessible name of what holds the focus, once it settles on `name`. */
  async function expectFocusOn(page, name) {
    try {
      await page.waitForFunction((wanted) => document.activeElement?.getAttribute("aria-label") === wanted, name, { timeout: 5_000 });
    } catch {
      const actual = await page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.outerHTML.slice(0, 80));
      assert.equal(actual, name, "the focus is elsewhere");
    }
  }

  test("by keyboard alone, Undo is named in its toast, reached at once, and gives the focus back to the restored task", async () => {
    const person = await newPerson(browser, "undo-keyboard");
    const { page } = person;
    await step("undo by keyboard: sign up", [person], async () => {
      await signUp(page, stack.webUrl, { name: "Kay", email: `kay-${Date.now()}@example.com` });
      await createTasks(stack, page, [{ title: "Walk the dog" }, { title: "Buy milk" }]);
      await page.reload();
      await page.getByRole("button", { name: "Delete “Walk the dog”" }).waitFor();
    });
    const [first, second] = (await page.locator('ul[aria-label="Tasks"] > li').allInnerTexts()).map((text) => text.split("\n")[0].trim());

    await step("undo by keyboard: through the toast's Undo button", [person], async () => {
      await page.getByRole("button", { name: `Delete “${first}”` }).focus();
      await page.keyboard.press("Enter");
      // The row below takes the focus at the deletion.
      await expectFocusOn(page, `Delete “${second}”`);
      await page.getByText(`Deleted “${first}”`).waitFor();
      await page.keyboard.press("Alt+t");
      await page.keyboard.press("Tab");
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Undo");
      await page.keyboard.press("Enter");
      await page.getByText(`Deleted “${first}”`).waitFor({ state: "detached" });
      await expectFocusOn(page, `Delete “${first}”`);
    });

    await step("undo by keyboard: Ctrl+Z, as the toast says", [person], async () => {
      // The next Enter deletes the task restored, not the one below it.
      await page.keyboard.press("Enter");
      const toast = page.locator("[data-sonner-toast]").filter({ hasText: `Deleted “${first}”` });
      await toast.waitFor();
      assert.match(await toast.innerText(), /Press Ctrl\+Z to undo/);
      await expectFocusOn(page, `Delete “${second}”`);
      await page.keyboard.press("Control+z");
      await toast.waitFor({ state: "detached" });
      await expectFocusOn(page, `Delete “${first}”`);
      await expectTitles(page, [first, second]);
    });
    await person.context.close();
  });
});
