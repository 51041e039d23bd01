// SPEC "Email" in Chromium: the web app sends its mail to the local catcher `make dev`
// starts (MailDev), and the person follows the links from its inbox. One stack per
// mode, with REQUIRE_EMAIL_VERIFICATION on: new accounts confirm their address first.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { launchBrowser, newPerson, step } from "../lib/browser.mjs";
import { linkIn, startMailCatcher } from "../lib/mail.mjs";
import { stackModes, startStack } from "../lib/stack.mjs";
import { addTask, apiStatus, claimsOf, expectTitles, untilApiAnswers, password, signIn, tokenOf } from "../lib/tasks-page.mjs";

// Long-lived tokens, so a 401 below can only mean "revoked", never "expired".
const TOKEN_TTL_SECONDS = 600;
const CONFIRM = "Confirm your email address for Todo";
const { modes, only } = stackModes();

for (const mode of modes) {
  describe(`Account mail (${mode.label})`, { skip: only && !only.includes(mode.label) }, () => {
    let stack;
    let mail;
    let browser;
    const email = (who) => `${who}-${Date.now()}@example.com`;

    before(async () => {
      mail = await startMailCatcher(`${mode.label}-mail`);
      stack = await startStack({
        alg: mode.alg,
        postgresUrl: mode.postgresUrl,
        tokenTtlSeconds: TOKEN_TTL_SECONDS,
        label: `${mode.label}-mail`,
        mail,
        webEnv: { REQUIRE_EMAIL_VERIFICATION: "true" },
      });
      browser = await launchBrowser();
    });

    after(async () => {
      await browser?.close();
      await stack?.stop();
      await mail?.stop();
    });

    /** Signs up; with REQUIRE_EMAIL_VERIFICATION the form then says to check the inbox. */
    async function signUpUnconfirmed(page, address) {
      await page.goto(`${stack.webUrl}/sign-up`);
      await page.getByLabel("Name").fill("Robin");
      await page.getByLabel("Email").fill(address);
      await page.getByLabel("Password", { exact: true }).fill(password);
      await page.getByRole("button", { name: "Create account" }).click();
      await page.getByRole("heading", { name: "Check your inbox" }).waitFor();
    }

    /** Follows the `count`-th confirmation link sent to `address`: confirmed and signed in. */
    async function confirmFromInbox(page, address, count = 1) {
      const link = linkIn(await mail.waitForMail(address, CONFIRM, { count }), `${stack.webUrl}/api/auth/verify-email?token=`);
      await page.goto(link);
      await page.waitForURL(/\/email-verified$/);
      await page.getByRole("heading", { name: "Your address is confirmed" }).waitFor();
      await page.getByRole("link", { name: "Go to your tasks" }).click();
      await page.waitForURL(/\/tasks$/);
    }

    test("a new account is kept out until it follows the link; the sign-in page sends it again", async () => {
      const who = email("new");
      const p = await newPerson(browser, "confirm");
      await step(`${mode.label} sign up`, [p], () => signUpUnconfirmed(p.page, who));
      await step(`${mode.label} sign-in refused, link sent again`, [p], async () => {
        await p.page.goto(`${stack.webUrl}/sign-in`);
        await p.page.getByLabel("Email").fill(who);
        await p.page.getByLabel("Password", { exact: true }).fill(password);
        await p.page.getByRole("button", { name: "Sign in" }).click();
        await p.page.getByRole("alert").filter({ hasText: "Confirm your email address first" }).waitFor();
        await p.page.getByRole("button", { name: "Send the link again" }).click();
        await p.page.getByRole("status").filter({ hasText: "a new link is on its way" }).waitFor();
      });
      await step(`${mode.label} the second link confirms and signs in`, [p], async () => {
        await confirmFromInbox(p.page, who, 2);
        assert.equal(await p.page.getByText("Your email address is not confirmed yet").count(), 0);
        const token = await tokenOf(p.page);
        assert.deepEqual([claimsOf(token).email, claimsOf(token).emailVerified], [who, true]);
        assert.equal(await apiStatus(stack, token), 200);
      });
    });

    test("forgot password from the inbox to the tasks; every other device is signed out", async () => {
      const who = email("forgetful");
      const laptop = await newPerson(browser, "laptop");
      const phone = await newPerson(browser, "phone");
      const lost = await newPerson(browser, "new-device");
      await step(`${mode.label} laptop signs up and confirms`, [laptop], async () => {
        await signUpUnconfirmed(laptop.page, who);
        await confirmFromInbox(laptop.page, who);
        await addTask(laptop.page, "Water plants");
      });
      await step(`${mode.label} phone signs in`, [phone], () => signIn(phone.page, stack.webUrl, who));
      const tokens = [await tokenOf(laptop.page), await tokenOf(phone.page)];

      let answer;
      await step(`${mode.label} forgot password`, [lost], async () => {
        await lost.page.goto(`${stack.webUrl}/sign-in`);
        await lost.page.getByRole("link", { name: "Forgot password?" }).click();
        await lost.page.waitForURL(/\/forgot-password$/);
        // An address without an account is answered in the same words.
        const ask = async (address) => {
          await lost.page.getByLabel("Email").fill(address);
          await lost.page.getByRole("button", { name: "Send me a link" }).click();
          const status = lost.page.getByRole("status").filter({ hasText: address });
          await status.waitFor();
          return (await status.innerText()).replace(address, "…");
        };
        const stranger = await ask(email("nobody"));
        answer = await ask(who);
        assert.equal(answer, stranger);
      });
      assert.match(answer, /a link to choose a new password is on its way/);
      await step(`${mode.label} the link from the inbox sets a new password`, [lost], async () => {
        const link = linkIn(await mail.waitForMail(who, "Reset your Todo password"), `${stack.webUrl}/reset-password?token=`);
        await lost.page.goto(link);
        await lost.page.getByLabel("New password").fill("a brand new horse staple");
        await lost.page.getByRole("button", { name: "Set the new password" }).click();
        await lost.page.waitForURL(/\/tasks$/);
        await expectTitles(lost.page, ["Water plants"]);
      });
      await step(`${mode.label} the other devices are signed out, at the API too`, [laptop, phone], async () => {
        for (const token of tokens) await untilApiAnswers(stack, token, 401, 5_000);
        await phone.page.reload();
        await phone.page.waitForURL(/\/sign-in/);
        assert.equal(await apiStatus(stack, await tokenOf(lost.page)), 200);
      });
      await step(`${mode.label} the link works once`, [lost], async () => {
        const link = linkIn(await mail.waitForMail(who, "Reset your Todo password"), `${stack.webUrl}/reset-password?token=`);
        const again = await newPerson(browser, "again");
        await again.page.goto(link);
        await again.page.getByLabel("New password").fill("yet another horse staple");
        await again.page.getByRole("button", { name: "Set the new password" }).click();
        await again.page.getByRole("alert").filter({ hasText: "This link has expired or was already used." }).waitFor();
      });
    });

    test("changing the address from the Account page takes effect from the new address's link; the old one is told", async () => {
      const before = email("before");
      const afterward = email("after");
      const p = await newPerson(browser, "change");
      await step(`${mode.label} sign up and confirm`, [p], async () => {
        await signUpUnconfirmed(p.page, before);
        await confirmFromInbox(p.page, before);
      });
      await step(`${mode.label} ask for the change`, [p], async () => {
        await p.page.getByRole("link", { name: "Account", exact: true }).click();
        await p.page.waitForURL(/\/account$/);
        await p.page.getByText("· confirmed").waitFor();
        await p.page.getByLabel("New email address").fill(afterward);
        await p.page.getByLabel("Your password", { exact: true }).fill("not my password");
        await p.page.getByRole("button", { name: "Change address" }).click();
        await p.page.getByRole("alert").filter({ hasText: "That is not your current password." }).waitFor();
        await p.page.getByLabel("Your password", { exact: true }).fill(password);
        await p.page.getByRole("button", { name: "Change address" }).click();
        await p.page.getByRole("status").filter({ hasText: `A link is on its way to ${afterward}` }).waitFor();
        await p.page.reload();
        await p.page.getByText(before, { exact: true }).waitFor();
      });
      await step(`${mode.label} follow the new address's link`, [p], async () => {
        const link = linkIn(await mail.waitForMail(afterward, "Confirm your new email address for Todo"), `${stack.webUrl}/api/auth/verify-email?token=`);
        await p.page.goto(link);
        await p.page.getByRole("heading", { name: "Your address is changed" }).waitFor();
        await p.page.getByText(`Your account now uses ${afterward}.`).waitFor();
        const notice = await mail.waitForMail(before, "Your Todo address was changed");
        assert.match(notice.text, new RegExp(afterward.replaceAll(".", "\\.")));
        await p.page.goto(`${stack.webUrl}/account`);
        await p.page.getByText(afterward, { exact: true }).waitFor();
        await p.page.getByText("· confirmed").waitFor();
        assert.equal(claimsOf(await tokenOf(p.page)).email, afterward);
      });
    });
  });
}
