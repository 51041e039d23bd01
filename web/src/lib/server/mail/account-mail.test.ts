// @vitest-environment node
// SPEC "Email" on the web side: the real Better Auth (PGlite in memory) sends its
// mails through nodemailer to a real SMTP server started here (nodemailer's own
// smtp-server), which records what arrives: to whom, what, with which link.
import type { AddressInfo } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { decodeJwt } from "jose";
import { PGliteDialect } from "kysely-pglite-dialect";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterEach, describe, expect, it } from "vitest";
import { deadUrl } from "@/test/dead-url";
import { readAuthConfig } from "../auth-config";
import { createMigratedAuth, type Auth } from "../auth";
import { OUTBOX_MODEL } from "../security-events/outbox";
import { outboxOf } from "../security-events/plugin";
import { Mailer } from "./mailer";

const BASE_URL = "http://localhost:3000";
const SECRET = "test-secret-that-is-at-least-32-bytes-long";
const PASSWORD = "correct-horse";
const quiet = { info() {}, warn() {}, error() {} };

interface Received {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** A real SMTP server on a free port (or `port`) keeping every mail it accepts; `refuse` answers 550 to RCPT. */
async function smtpServer({ port = 0, refuse = false } = {}) {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onRcptTo(_address, _session, callback) {
      if (refuse) return callback(Object.assign(new Error("no such mailbox"), { responseCode: 550 }));
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
          received.push({ to: to?.text ?? "", from: mail.from?.value[0]?.address ?? "", subject: mail.subject ?? "", text: mail.text ?? "", html: String(mail.html || "") });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  closers.push(close);
  return { url, received, close };
}

async function authWith(smtpUrl: string, env: Record<string, string> = {}, store = new PGlite()) {
  const config = readAuthConfig(
    {
      BETTER_AUTH_SECRET: SECRET,
      BETTER_AUTH_URL: BASE_URL,
      BETTER_AUTH_RATE_LIMIT: "off",
      NEXT_PUBLIC_API_URL: await deadUrl(),
      MAIL_FROM: "Todo <todo@example.com>",
      MAX_SESSIONS_PER_USER: "500",
      ...env,
    },
    "/repo",
  );
  const mailer = new Mailer({ smtpUrl, from: config.mailFrom, baseBackoffMs: 50, maxBackoffMs: 200, log: quiet });
  const auth = await createMigratedAuth(config, new PGliteDialect(store), { mailer, outbox: { start: false, log: quiet } });
  closers.push(async () => (await outboxOf(auth)).stop());
  return { auth, mailer };
}

function call(auth: Auth, path: string, init: { body?: object; cookie?: string; headers?: Record<string, string> } = {}) {
  const headers = new Headers({ Origin: BASE_URL, ...init.headers });
  if (init.body) headers.set("Content-Type", "application/json");
  if (init.cookie) headers.set("cookie", init.cookie);
  return auth.handler(
    new Request(`${BASE_URL}/api/auth${path}`, { method: init.body ? "POST" : "GET", headers, body: init.body && JSON.stringify(init.body) }),
  );
}

const cookieOf = (response: Response) => response.headers.get("set-cookie")?.split(";")[0];

async function signUp(auth: Auth, email: string) {
  const response = await call(auth, "/sign-up/email", { body: { name: "Ann", email, password: PASSWORD } });
  expect(response.status).toBe(200);
  return response;
}

/** The one link in a mail's plain-text part that starts with `prefix`. */
function linkIn(mail: Received, prefix: string): string {
  const links = mail.text.match(/https?:\/\/\S+/g) ?? [];
  const found = links.filter((link) => link.startsWith(prefix));
  expect(found, `links in "${mail.subject}": ${links.join(", ")}`).toHaveLength(1);
  // The HTML part carries the same link.
  expect(mail.html).toContain(found[0].replaceAll("&", "&amp;"));
  return found[0];
}

describe("account mail through a real SMTP server", { timeout: 60_000 }, () => {
  it("forgot password: the same answer with and without an account; one mail, to the account's address, with a link from BETTER_AUTH_URL", async () => {
    const smtp = await smtpServer();
    const { auth, mailer } = await authWith(smtp.url);
    await signUp(auth, "ann@example.com");
    await mailer.settled();
    smtp.received.length = 0;

    const known = await call(auth, "/request-password-reset", { body: { email: "ann@example.com" } });
    const unknown = await call(auth, "/request-password-reset", { body: { email: "nobody@example.com" } });
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(known.status);
    expect(await unknown.text()).toBe(await known.text());
    await mailer.settled();

    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail.to).toBe("ann@example.com");
    expect(mail.from).toBe("todo@example.com");
    expect(mail.subject).toBe("Reset your Todo password");
    expect(mail.text).toContain("works once, within an hour");
    expect(linkIn(mail, `${BASE_URL}/reset-password?token=`)).toMatch(/^http:\/\/localhost:3000\/reset-password\?token=[A-Za-z0-9]+$/);
  });

  it("builds links from BETTER_AUTH_URL whatever Host and X-Forwarded-Host say", async () => {
    const smtp = await smtpServer();
    const { auth, mailer } = await authWith(smtp.url);
    await signUp(auth, "ann@example.com");
    const forged = { Host: "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https" };
    const response = auth.handler(
      new Request("http://evil.example/api/auth/request-password-reset", {
        method: "POST",
        headers: { ...forged, Origin: BASE_URL, "Content-Type": "application/json" },
        body: JSON.stringify({ email: "ann@example.com" }),
      }),
    );
    expect((await response).status).toBe(200);
    await mailer.settled();
    expect(smtp.received.map((mail) => mail.subject)).toEqual(["Confirm your email address for Todo", "Reset your Todo password"]);
    for (const mail of smtp.received) {
      expect(mail.text).not.toContain("evil.example");
      expect(mail.html).not.toContain("evil.example");
    }
    linkIn(smtp.received[1], `${BASE_URL}/reset-password?token=`);
  });

  it("sends at most 3 reset mails per address per hour; past them the answer stays the same", async () => {
    const smtp = await smtpServer();
    const { auth, mailer } = await authWith(smtp.url);
    await signUp(auth, "ann@example.com");
    await mailer.settled();
    smtp.received.length = 0;
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await (await call(auth, "/request-password-reset", { body: { email: "ANN@example.com" } })).text());
    await mailer.settled();
    expect(new Set(answers).size).toBe(1);
    expect(smtp.received).toHaveLength(3);
  });

  it("a new password from the mail ends every session (over 100, each with its event), signs in here, and the link works once", async () => {
    const smtp = await smtpServer();
    const { auth, mailer } = await authWith(smtp.url);
    const { user } = (await (await signUp(auth, "ann@example.com")).json()) as { user: { id: string } };
    // More sessions than Better Auth reads at once by default (100), as many sign-ins would make.
    const context = await auth.$context;
    for (let i = 0; i < 120; i++) await context.internalAdapter.createSession(user.id);
    const sessions = () => context.adapter.findMany<{ id: string }>({ model: "session", where: [{ field: "userId", value: user.id }] });
    expect(await sessions()).toHaveLength(121);
    await mailer.settled();
    smtp.received.length = 0;

    await call(auth, "/request-password-reset", { body: { email: "ann@example.com" } });
    await mailer.settled();
    const token = new URL(linkIn(smtp.received[0], `${BASE_URL}/reset-password?token=`)).searchParams.get("token")!;

    const reset = await call(auth, "/reset-password", { body: { token, newPassword: "a-brand-new-horse" } });
    expect(reset.status).toBe(200);
    const ended = await context.adapter.findMany<{ sessionId: string }>({ model: OUTBOX_MODEL, where: [{ field: "userId", value: user.id }] });
    expect(ended).toHaveLength(121);
    // Only the session the reset opened here is left.
    const left = await sessions();
    expect(left).toHaveLength(1);
    expect(ended.map((row) => row.sessionId)).not.toContain(left[0].id);
    const here = await (await call(auth, "/get-session", { cookie: cookieOf(reset) })).json();
    expect(here.user).toMatchObject({ id: user.id, emailVerified: true });

    const again = await call(auth, "/reset-password", { body: { token, newPassword: "yet-another-horse" } });
    expect(again.status).toBe(400);
    expect((await call(auth, "/sign-in/email", { body: { email: "ann@example.com", password: "a-brand-new-horse" } })).status).toBe(200);
  });

  it("a new account is sent a confirmation link; following it confirms the address, and tokens say so", async () => {
    const smtp = await smtpServer();
    const { auth, mailer } = await authWith(smtp.url);
    const cookie = cookieOf(await signUp(auth, "ann@example.com"))!;
    const claims = async (cookie: string) => decodeJwt(((await (await call(auth, "/token", { cookie })).json()) as { token: string }).token);
    expect(await claims(cookie)).toMatchObject({ email: "ann@example.com", emailVerified: false });
    await mailer.settled();

    expect(smtp.received.map((mail) => [mail.to, mail.subject])).toEqual([["ann@example.com", "Confirm your email address for Todo"]]);
    const link = linkIn(smtp.received[0], `${BASE_URL}/api/auth/verify-email?token=`);
    expect(new URL(link).searchParams.get("callbackURL")).toBe("/email-verified");
    const followed = await call(auth, link.slice(`${BASE_URL}/api/auth`.length));
    expect(followed.status).toBe(302);
    expect(followed.headers.get("location")).toBe("/email-verified");
    expect(await claims(cookie)).toMatchObject({ emailVerified: true });
  });

  it("sends the link again at most 3 times an hour, answering alike for unknown addresses", async () => {
    const smtp = await smtpServer();
    const { auth, mailer } = await authWith(smtp.url);
    await signUp(auth, "ann@example.com");
    const answers = [];
    for (const email of ["ann@example.com", "ann@example.com", "ann@example.com", "nobody@example.com"]) {
      const response = await call(auth, "/send-verification-email", { body: { email, callbackURL: "/email-verified" } });
      answers.push(`${response.status} ${await response.text()}`);
    }
    expect(new Set(answers).size).toBe(1);
    await mailer.settled();
    // The sign-up's mail and two more: three in the hour.
    expect(smtp.received.filter((mail) => mail.to === "ann@example.com")).toHaveLength(3);
    expect(smtp.received.filter((mail) => mail.to !== "ann@example.com")).toHaveLength(0);
  });

  it("REQUIRE_EMAIL_VERIFICATION keeps new unconfirmed accounts out, lets older ones in, and the link lets them in", async () => {
    const smtp = await smtpServer();
    const store = new PGlite();
    const before = await authWith(smtp.url, {}, store);
    await signUp(before.auth, "old@example.com");

    const { auth, mailer } = await authWith(smtp.url, { REQUIRE_EMAIL_VERIFICATION: "true" }, store);
    const signIn = (email: string) => call(auth, "/sign-in/email", { body: { email, password: PASSWORD } });
    expect((await signIn("old@example.com")).status).toBe(200);

    const fresh = await signUp(auth, "new@example.com");
    expect(cookieOf(fresh)).toBeUndefined();
    const refused = await signIn("new@example.com");
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: "EMAIL_NOT_VERIFIED" });

    // A sign-up with a taken address answers like a new one; the owner hears of it.
    const taken = await call(auth, "/sign-up/email", { body: { name: "Eve", email: "old@example.com", password: "eves-password" } });
    expect(taken.status).toBe(200);
    expect(cookieOf(taken)).toBeUndefined();

    await mailer.settled();
    expect(smtp.received.filter((m) => m.to === "old@example.com").map((m) => m.subject)).toContain("Someone tried to make a Todo account with your address");
    const mail = smtp.received.find((m) => m.to === "new@example.com")!;
    const followed = await call(auth, linkIn(mail, `${BASE_URL}/api/auth/verify-email?token=`).slice(`${BASE_URL}/api/auth`.length));
    expect(followed.status).toBe(302);
    expect(cookieOf(followed)).toBeTruthy();
    expect((await signIn("new@example.com")).status).toBe(200);
  });

  it("changes the address with the password, once the new address's link is followed; the old one is told; a taken one answers alike", async () => {
    const smtp = await smtpServer();
    const { auth, mailer } = await authWith(smtp.url);
    const cookie = cookieOf(await signUp(auth, "ann@example.com"))!;
    await signUp(auth, "bob@example.com");
    await mailer.settled();
    smtp.received.length = 0;
    const change = (newEmail: string, password?: string) =>
      call(auth, "/change-email", { cookie, body: { newEmail, callbackURL: "/email-verified", ...(password === undefined ? {} : { password }) } });

    expect((await change("ann@new.example")).status).toBe(400);
    const wrong = await change("ann@new.example", "not-my-password");
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ code: "INVALID_PASSWORD" });

    const free = await change("ann@new.example", PASSWORD);
    const taken = await change("bob@example.com", PASSWORD);
    expect(free.status).toBe(200);
    expect(taken.status).toBe(200);
    expect(await taken.text()).toBe(await free.text());
    await mailer.settled();
    expect(smtp.received.map((m) => [m.to, m.subject])).toEqual([
      ["ann@new.example", "Confirm your new email address for Todo"],
      ["bob@example.com", "Your address was given for another Todo account"],
    ]);
    const me = async () => ((await (await call(auth, "/get-session", { cookie })).json()) as { user: { email: string; emailVerified: boolean } }).user;
    expect((await me()).email).toBe("ann@example.com");

    const link = linkIn(smtp.received[0], `${BASE_URL}/api/auth/verify-email?token=`);
    smtp.received.length = 0;
    expect((await call(auth, link.slice(`${BASE_URL}/api/auth`.length), { cookie })).status).toBe(302);
    expect(await me()).toMatchObject({ email: "ann@new.example", emailVerified: true });
    await mailer.settled();
    expect(smtp.received.map((m) => [m.to, m.subject])).toEqual([["ann@example.com", "Your Todo address was changed"]]);
    expect(smtp.received[0].text).toContain("ann@new.example");
  });

  it("with SMTP down the requests answer at once and the mail goes out when it is back; a 5xx refusal is counted, not retried", async () => {
    const first = await smtpServer();
    const port = Number(new URL(first.url).port);
    await first.close();
    const { auth, mailer } = await authWith(`smtp://127.0.0.1:${port}`);
    await signUp(auth, "ann@example.com");
    expect((await call(auth, "/request-password-reset", { body: { email: "ann@example.com" } })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mailer.counts.retried).toBeGreaterThan(0);
    expect(mailer.counts.sent).toBe(0);

    const back = await smtpServer({ port });
    await mailer.settled();
    expect(back.received.map((m) => m.subject).sort()).toEqual(["Confirm your email address for Todo", "Reset your Todo password"]);

    const refusing = await smtpServer({ refuse: true });
    const { auth: other, mailer: otherMailer } = await authWith(refusing.url);
    expect((await call(other, "/sign-up/email", { body: { name: "Ann", email: "ann@example.com", password: PASSWORD } })).status).toBe(200);
    await otherMailer.settled();
    expect(otherMailer.counts).toMatchObject({ sent: 0, refused: 1, retried: 0 });
  });
});
