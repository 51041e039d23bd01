// Debian's Chromium driven by playwright-core: no browser downloads.

import { writeFile } from "node:fs/promises";
import path from "node:path";
import { chromium } from "playwright-core";

import { artifactsDir } from "./stack.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// Without the background-networking switches Chromium reaches for Google's hosts.
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}

/**
 * A browser context at phone width whose console is recorded for the artifacts.
 * `contextOptions` adds Playwright context options (e.g. `timezoneId`).
 */
export async function newPerson(browser, name, contextOptions = {}) {
  const context = await browser.newContext({ viewport: { width: 375, height: 800 }, ...contextOptions });
  const page = await context.newPage();
  const consoleLines = [];
  page.on("console", (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
  page.on("pageerror", (error) => consoleLines.push(`[pageerror] ${error.message}`));
  return { name, context, page, consoleLines };
}

/**
 * Runs one step of a flow; on failure keeps a screenshot and the console log of
 * every person's page under e2e/artifacts/, then fails the test.
 */
export async function step(label, people, run) {
  try {
    return await run();
  } catch (error) {
    const slug = label.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
    for (const person of people) {
      const base = path.join(artifactsDir, `${slug}-${person.name}`);
      await person.page.screenshot({ path: `${base}.png`, fullPage: true }).catch(() => {});
      await writeFile(`${base}-console.log`, person.consoleLines.join("\n") + "\n").catch(() => {});
    }
    error.message = `${label}: ${error.message}`;
    throw error;
  }
}
