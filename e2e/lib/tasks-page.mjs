// The tasks page as the browser tests drive it: signing up and in, adding
// tasks, reading the list back.

import assert from "node:assert/strict";

export const password = "correct horse battery staple";

export async function signUp(page, webUrl, { name, email }) {
  await page.goto(`${webUrl}/sign-up`);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(/\/tasks$/);
}

export async function signIn(page, webUrl, email) {
  await page.goto(`${webUrl}/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/tasks$/);
}

export const taskList = (page) => page.getByRole("list", { name: "Tasks" });
export const completedList = (page) => page.getByRole("list", { name: "Completed tasks" });
// The rows themselves (the open ones, then the Completed group's), not the
// lists of details (tags, due date) inside them.
export const taskItems = (page) => page.locator('ul:is([aria-label="Tasks"], [aria-label="Completed tasks"]) > li');

export async function visibleTitles(page) {
  await page.waitForLoadState("networkidle");
  if ((await taskItems(page).count()) === 0) return [];
  return (await taskItems(page).allInnerTexts()).map((text) => text.split("\n")[0].trim());
}

export async function expectTitles(page, expected) {
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
export async function addTask(page, title) {
  const input = page.getByLabel("Title", { exact: true }).first();
  await input.fill(title);
  await page.getByRole("button", { name: "Add task" }).click();
  await taskItems(page).filter({ hasText: title }).first().waitFor();
  await page.waitForFunction(() => document.querySelector("#new-task-title")?.value === "");
  await page.getByRole("button", { name: "Add task" }).waitFor();
}

/** The text of every alert of the app's own (not Next.js's route announcer). */
export async function wordedAlerts(page) {
  const texts = await page.locator('[role="alert"]:not(#__next-route-announcer__)').allInnerTexts();
  return texts.map((t) => t.trim()).filter(Boolean);
}

/** The page's own API token, as the web app obtains it (cookie session → Better Auth). */
export async function tokenOf(page) {
  return page.evaluate(async () => {
    const response = await fetch("/api/auth/token", { credentials: "include" });
    return (await response.json()).token;
  });
}

export function claimsOf(token) {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
}

export function subjectOf(token) {
  return claimsOf(token).sub;
}

/** The API's answer to a list request with `token` (200, or 401 once its session has ended). */
export async function apiStatus(stack, token) {
  const response = await fetch(`${stack.apiUrl}/api/${subjectOf(token)}/tasks`, { headers: { authorization: `Bearer ${token}` } });
  await response.body?.cancel();
  return response.status;
}

/** Creates tasks straight through the API, with the page's own token. */
export async function createTasks(stack, page, tasks) {
  const token = await tokenOf(page);
  for (const task of tasks) {
    const response = await fetch(`${stack.apiUrl}/api/${subjectOf(token)}/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(task),
    });
    assert.equal(response.status, 201, await response.text());
  }
}

/** Waits until the API answers `status` for `token` (events are pushed in the background). */
export async function untilApiAnswers(stack, token, status, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await apiStatus(stack, token);
    if (last === status) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.equal(last, status, `the API still answers ${last} after ${timeoutMs} ms`);
}
