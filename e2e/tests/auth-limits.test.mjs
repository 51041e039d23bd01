// The web app's defences against sign-in abuse and hostile input, through its
// real HTTP endpoints: `next start` with Better Auth's own rate limit on, as in
// production, and the real task API beside it. Once on the embedded store, and
// once on PostgreSQL when TEST_DATABASE_URL is set.
//
// Requests come from two loopback addresses: 127.0.0.1, a client talking to
// the server directly, and 127.0.0.2, the one peer listed in TRUSTED_PROXIES,
// standing in for a reverse proxy that tells the app who its clients are.

import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, test } from "node:test";

import { launchBrowser, newPerson, step } from "../lib/browser.mjs";
import { startStack } from "../lib/stack.mjs";

const PROXY = "127.0.0.2";
const DIRECT = "127.0.0.1";
const password = "correct horse battery staple";

const modes = [{ label: "auth-limits-embedded" }];
if (process.env.TEST_DATABASE_URL) {
  modes.push({ label: "auth-limits-postgres", postgresUrl: process.env.TEST_DATABASE_URL });
}
const only = process.env.E2E_MODES?.split(",").filter(Boolean);

/**
 * One HTTP request to the web app from local address `from` (the socket
 * address the server sees). JSON bodies are sent and parsed.
 */
function request(stack, path, { from = DIRECT, body, headers = {}, method } = {}) {
  const url = new URL(path, stack.webUrl);
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      {
        host: "127.0.0.1",
        port: url.port,
        path: url.pathname + url.search,
        method: method ?? (data ? "POST" : "GET"),
        localAddress: from,
        headers: {
          host: url.host,
          origin: stack.webUrl,
          ...(data ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {}),
          ...headers,
        },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () => {
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: response.statusCode, headers: response.headers, text, json });
        });
      },
    );
    outgoing.on("error", reject);
    if (data) outgoing.write(data);
    outgoing.end();
  });
}

// Every forwarded client gets an address of its own: no test shares Better Auth's per-address buckets.
let lastHost = 0;
const freshClient = () => {
  lastHost += 1;
  return `198.51.${Math.floor(lastHost / 250)}.${(lastHost % 250) + 1}`;
};
/** Through the trusted proxy, on behalf of a client seen nowhere else. */
const viaProxy = (client = freshClient()) => ({ from: PROXY, headers: { "x-forwarded-for": client } });

const signUp = (stack, { name, email }, via = viaProxy()) =>
  request(stack, "/api/auth/sign-up/email", { ...via, body: { name, email, password } });
const signIn = (stack, email, pass, via = viaProxy()) =>
  request(stack, "/api/auth/sign-in/email", { ...via, body: { email, password: pass } });

const stamp = Date.now();
const emailOf = (name) => `${name}-${stamp}@example.com`;

for (const mode of modes) {
  describe(`sign-in limits, names and security headers (${mode.label})`, { skip: only && !only.includes(mode.label) }, () => {
    let stack;
    let browser;

    before(async () => {
      stack = await startStack({
        alg: "HS256",
        postgresUrl: mode.postgresUrl,
        label: mode.label,
        // As in production: Better Auth's per-address limit on (3 sign-ins per 10 s).
        webEnv: { BETTER_AUTH_RATE_LIMIT: "on", TRUSTED_PROXIES: PROXY },
      });
      browser = await launchBrowser();
    });

    after(async () => {
      await browser?.close();
      await stack?.stop();
    });

    test("an account is paused after 5 wrong passwords from 5 different addresses, and the sign-in page says so", async () => {
      const victim = { name: "Vic", email: emailOf("victim") };
      const bystander = { name: "Bea", email: emailOf("bystander") };
      assert.equal((await signUp(stack, victim)).status, 200);
      assert.equal((await signUp(stack, bystander)).status, 200);

      for (let i = 1; i <= 5; i++) {
        const wrong = await signIn(stack, victim.email, `wrong password ${i}`);
        assert.equal(wrong.status, 401, `wrong password ${i} from its own address: ${wrong.text}`);
      }
      const paused = await signIn(stack, victim.email, password);
      assert.equal(paused.status, 429, "the right password waits too");
      assert.equal(paused.json?.code, "TOO_MANY_FAILED_SIGN_INS");
      const retryAfter = Number(paused.headers["retry-after"]);
      assert.ok(retryAfter > 800 && retryAfter <= 900, `Retry-After ${paused.headers["retry-after"]}`);
      // Other accounts sign in as usual.
      assert.equal((await signIn(stack, bystander.email, password)).status, 200);

      const person = await newPerson(browser, "victim");
      try {
        await step(`${mode.label} paused sign-in in the browser`, [person], async () => {
          await person.page.goto(`${stack.webUrl}/sign-in`);
          await person.page.getByLabel("Email").fill(victim.email);
          await person.page.getByLabel("Password", { exact: true }).fill(password);
          await person.page.getByRole("button", { name: "Sign in" }).click();
          const alert = person.page.locator('[role="alert"]:not(#__next-route-announcer__)');
          await alert.waitFor();
          assert.match(
            await alert.innerText(),
            /^Too many wrong passwords for this account, so signing in to it is paused for its safety\. Try again in 1[45] minutes\.$/,
          );
        });
      } finally {
        await person.context.close();
      }
    });

    test("30 wrong passwords with a made-up X-Forwarded-For each are limited as one client", async () => {
      const account = { name: "Sam", email: emailOf("spoof-target") };
      assert.equal((await signUp(stack, account)).status, 200);
      const statuses = [];
      let firstRefusal;
      for (let i = 1; i <= 30; i++) {
        // A different email each time, so only the per-address limit can answer 429.
        const response = await signIn(stack, emailOf(`nobody-${i}`), "wrong password", {
          from: DIRECT,
          headers: { "x-forwarded-for": `203.0.113.${i}`, "x-real-ip": `203.0.114.${i}` },
        });
        statuses.push(response.status);
        firstRefusal ??= response.status === 429 ? response : undefined;
      }
      const firstLimited = statuses.indexOf(429);
      assert.ok(firstLimited !== -1 && firstLimited < 29, `a 429 before the 30th attempt: ${statuses.join(" ")}`);
      assert.ok(statuses.filter((status) => status === 401).length <= 6, `at most 3 per 10 s got through: ${statuses.join(" ")}`);
      assert.ok(Number(firstRefusal.headers["retry-after"]) > 0, "Retry-After on the 429");
      // The right password from yet another made-up address is refused as well.
      const right = await signIn(stack, account.email, password, { from: DIRECT, headers: { "x-forwarded-for": "203.0.113.200" } });
      assert.equal(right.status, 429);
      assert.notEqual(right.json?.code, "TOO_MANY_FAILED_SIGN_INS", "the per-address limit, not the per-account one");
    });

    test("behind the trusted proxy, clients are told apart by the address the proxy appended", async () => {
      // Four clients, one wrong password each: no 429, each has its own budget.
      for (let i = 1; i <= 4; i++) {
        const response = await signIn(stack, emailOf(`stranger-${i}`), "wrong password", viaProxy());
        assert.equal(response.status, 401, `client ${i}`);
      }
      // One client prepending a new made-up address each time is still that client.
      const client = freshClient();
      const statuses = [];
      for (let i = 1; i <= 4; i++) {
        const response = await signIn(stack, emailOf(`prepender-${i}`), "wrong password", {
          from: PROXY,
          headers: { "x-forwarded-for": `203.0.113.${i}, ${client}` },
        });
        statuses.push(response.status);
      }
      assert.deepEqual(statuses, [401, 401, 401, 429]);
    });

    test("a name over 100 characters is refused at sign-up and when changed; 100 is fine", async () => {
      const refused = await signUp(stack, { name: "n".repeat(101), email: emailOf("long-name") });
      assert.equal(refused.status, 400);
      assert.equal(refused.json?.code, "NAME_TOO_LONG");
      assert.match(refused.json?.message ?? "", /at most 100 characters/);

      const accepted = await signUp(stack, { name: "n".repeat(100), email: emailOf("long-name") });
      assert.equal(accepted.status, 200, "the refused sign-up left no account behind");
      const cookie = [accepted.headers["set-cookie"]].flat()[0].split(";")[0];

      const via = viaProxy();
      const update = (name) => request(stack, "/api/auth/update-user", { ...via, body: { name }, headers: { ...via.headers, cookie } });
      const tooLong = await update("m".repeat(101));
      assert.equal(tooLong.status, 400);
      assert.equal(tooLong.json?.code, "NAME_TOO_LONG");
      const session = await request(stack, "/api/auth/get-session", { ...via, headers: { ...via.headers, cookie } });
      assert.equal(session.json?.user?.name, "n".repeat(100));
      assert.equal((await update("Nina")).status, 200);
    });

    test("every page carries the security headers, and the app works under its CSP", async () => {
      for (const path of ["/sign-in", "/sign-up", "/tasks", "/no-such-page"]) {
        const page = await request(stack, path);
        assert.ok([200, 307, 404].includes(page.status), `${path}: ${page.status}`);
        const csp = page.headers["content-security-policy"] ?? "";
        assert.equal(page.headers["x-frame-options"], "DENY", path);
        assert.equal(page.headers["x-content-type-options"], "nosniff", path);
        assert.equal(page.headers["referrer-policy"], "strict-origin-when-cross-origin", path);
        assert.match(csp, /frame-ancestors 'none'/, path);
        assert.match(csp, /object-src 'none'/, path);
        const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)' 'strict-dynamic'(;|$)/.exec(csp)?.[1];
        assert.ok(nonce, `${path}: a nonce and no 'unsafe-eval' or 'unsafe-inline' for scripts in ${csp}`);
        assert.ok(csp.split(";").some((d) => d.trim() === `connect-src 'self' ${stack.apiUrl}`), `${path}: ${csp}`);
        // Every script tag carries this response's nonce.
        const scripts = page.text.match(/<script\b[^>]*>/g) ?? [];
        for (const tag of scripts) assert.ok(tag.includes(`nonce="${nonce}"`), `${path}: ${tag}`);
        if (page.status === 200) assert.ok(scripts.length > 0, `${path} has scripts`);
      }
      const second = await request(stack, "/sign-in");
      const first = await request(stack, "/sign-in");
      assert.notEqual(first.headers["content-security-policy"], second.headers["content-security-policy"], "a fresh nonce per response");
      const api = await request(stack, "/api/auth/get-session");
      assert.equal(api.headers["x-content-type-options"], "nosniff");
      assert.equal(api.headers["content-security-policy"], "default-src 'none'; frame-ancestors 'none'");

      // In Chromium: sign up through the form, add a task (a call to the task
      // API: connect-src), reload; not one CSP violation on the way.
      const person = await newPerson(browser, "csp");
      try {
        await person.context.addInitScript(() => {
          window.__cspViolations = [];
          document.addEventListener("securitypolicyviolation", (event) => {
            window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
          });
        });
        const { page } = person;
        const violations = async () => [
          ...(await page.evaluate(() => window.__cspViolations ?? [])),
          ...person.consoleLines.filter((line) => /Content Security Policy/i.test(line)),
        ];
        await step(`${mode.label} app under its CSP`, [person], async () => {
          await page.goto(`${stack.webUrl}/sign-up`);
          assert.equal(await page.getByLabel("Name").getAttribute("maxlength"), "100");
          await page.getByLabel("Name").fill("Cora");
          await page.getByLabel("Email").fill(emailOf("csp"));
          await page.getByLabel("Password", { exact: true }).fill(password);
          await page.getByRole("button", { name: "Create account" }).click();
          await page.waitForURL(/\/tasks$/);
          await page.getByText("No tasks yet").waitFor();
          await page.getByLabel("Title", { exact: true }).first().fill("Checked under the CSP");
          await page.getByRole("button", { name: "Add task" }).click();
          await page.getByRole("list", { name: "Tasks" }).getByText("Checked under the CSP").waitFor();
          assert.deepEqual(await violations(), []);
          await page.reload();
          await page.getByRole("list", { name: "Tasks" }).getByText("Checked under the CSP").waitFor();
          assert.deepEqual(await violations(), []);
          // And it blocks what injected markup would run: an inline event handler.
          await page.evaluate(() => {
            document.body.insertAdjacentHTML("beforeend", '<img src="data:," onerror="window.__injected = true" onload="window.__injected = true">');
          });
          await page.waitForFunction(() => window.__cspViolations.some((v) => v.startsWith("script-src")));
          assert.equal(await page.evaluate(() => window.__injected ?? false), false);
        });
      } finally {
        await person.context.close();
      }
    });
  });
}
