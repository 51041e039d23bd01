// The local mail catcher `make dev` starts (MailDev, from the web app's packages),
// on free ports, read through its REST API the way a person reads its inbox page.

import assert from "node:assert/strict";
import path from "node:path";

import { freePort, repoRoot, startProcess, waitForOk } from "./stack.mjs";

export async function startMailCatcher(label) {
  const [smtpPort, webPort] = [await freePort(), await freePort()];
  const bin = path.join(repoRoot, "web", "node_modules", "maildev", "dist", "bin", "maildev.js");
  const catcher = startProcess("maildev", process.execPath, [bin, "--ip", "127.0.0.1", "--smtp", String(smtpPort), "--web-ip", "127.0.0.1", "--web", String(webPort)], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    logName: `${label}-maildev.log`,
  });
  const inboxUrl = `http://127.0.0.1:${webPort}`;
  await waitForOk(`${inboxUrl}/api/healthz`, 30_000, "MailDev");
  const mails = async () => (await fetch(`${inboxUrl}/api/email`)).json();
  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    inboxUrl,
    /** Every mail the catcher holds for `address`, oldest first. */
    async mailsTo(address) {
      return (await mails()).filter((mail) => mail.to.some((to) => to.address.toLowerCase() === address.toLowerCase()));
    },
    /** Waits for the `count`-th mail to `address` whose subject is `subject`, and returns it. */
    async waitForMail(address, subject, { count = 1, timeoutMs = 15_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      let found = [];
      while (Date.now() < deadline) {
        found = (await this.mailsTo(address)).filter((mail) => mail.subject === subject);
        if (found.length >= count) return found[count - 1];
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.fail(`no mail "${subject}" #${count} to ${address} within ${timeoutMs} ms (has ${found.length})`);
    },
    stop: () => catcher.stop(),
  };
}

/** The one link of a mail's plain-text part that starts with `prefix` (its HTML part holds it too). */
export function linkIn(mail, prefix) {
  const links = (mail.text.match(/https?:\/\/\S+/g) ?? []).filter((link) => link.startsWith(prefix));
  assert.equal(links.length, 1, `links to ${prefix} in "${mail.subject}":\n${mail.text}`);
  assert.ok(mail.html.includes(links[0].replaceAll("&", "&amp;")), "the HTML part carries the same link");
  return links[0];
}
