// Starts the task API and the web app the way `make dev` does, but on free
// ports and fresh stores, so a test run never touches a developer's data.

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const artifactsDir = path.join(repoRoot, "e2e", "artifacts");

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function waitForOk(url, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      lastError = new Error(`${url} answered ${response.status}`);
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not start within ${timeoutMs} ms: ${lastError?.message}`);
}

/** A child process whose output goes to a log file under e2e/artifacts/. */
export function startProcess(name, command, args, { cwd, env, logName }) {
  const log = createWriteStream(path.join(artifactsDir, logName), { flags: "a" });
  const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((resolve) => child.on("exit", resolve));
  return {
    name,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, "SIGTERM"); // the whole process group: next start spawns workers
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try { process.kill(-child.pid, "SIGKILL"); } catch { /* already gone */ }
      }, 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A fresh PostgreSQL database for one run, dropped by `drop()`. */
async function freshPostgresDatabase(baseUrl) {
  const { default: pg } = await import("pg");
  const name = `todo_e2e_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * The configurations the browser suites run in: each signing mode on the
 * embedded stores, and HS256 on PostgreSQL when TEST_DATABASE_URL is set.
 * `only`: the labels E2E_MODES names, when it is set.
 */
export function stackModes() {
  const modes = [
    { label: "hs256-embedded", alg: "HS256" },
    { label: "eddsa-embedded", alg: "EdDSA" },
  ];
  if (process.env.TEST_DATABASE_URL) {
    modes.push({ label: "hs256-postgres", alg: "HS256", postgresUrl: process.env.TEST_DATABASE_URL });
  }
  const only = process.env.E2E_MODES?.split(",").filter(Boolean);
  return { modes, only };
}

/**
 * Both services, configured alike from one environment as the root `.env` would.
 * `alg`: the web app's BETTER_AUTH_JWT_ALG. In asymmetric modes the API is given
 * no secret at all, so it can only verify through the web app's JWKS.
 * `webEnv`: settings of the web app's to add or override (e.g. its rate limits).
 * `mail`: a mail catcher (lib/mail.mjs) the web app sends to, as `make dev` sets up;
 * without one the web app only logs its mails.
 */
export async function startStack({ alg = "HS256", postgresUrl, tokenTtlSeconds = 20, label = alg, webEnv: extraWebEnv = {}, mail }) {
  await mkdir(artifactsDir, { recursive: true });
  const [apiPort, webPort] = [await freePort(), await freePort()];
  const dir = await mkdtemp(path.join(os.tmpdir(), "todo-e2e-"));
  const secret = randomBytes(32).toString("base64");
  const webUrl = `http://localhost:${webPort}`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const database = postgresUrl ? await freshPostgresDatabase(postgresUrl) : undefined;

  const baseEnv = { PATH: process.env.PATH, HOME: process.env.HOME ?? dir, LANG: "C.UTF-8" };
  const apiEnv = {
    ...baseEnv,
    API_ADDR: `127.0.0.1:${apiPort}`,
    DATABASE_URL: database ? database.url : `sqlite://${path.join(dir, "todo.db")}`,
    BETTER_AUTH_URL: webUrl,
    CORS_ORIGINS: webUrl,
    RUST_LOG: "info,sqlx=warn",
    ...(alg === "HS256" ? { BETTER_AUTH_SECRET: secret } : {}),
  };
  const webEnv = {
    ...baseEnv,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: String(webPort),
    BETTER_AUTH_SECRET: secret,
    BETTER_AUTH_URL: webUrl,
    BETTER_AUTH_JWT_ALG: alg,
    BETTER_AUTH_JWT_EXPIRES_IN: String(tokenTtlSeconds),
    BETTER_AUTH_RATE_LIMIT: "off",
    AUTH_PGLITE_DIR: path.join(dir, "auth"),
    AUTH_DATABASE_URL: database ? database.url : "",
    NEXT_PUBLIC_API_URL: apiUrl,
    ...(mail ? { SMTP_URL: mail.smtpUrl } : {}),
    ...extraWebEnv,
  };

  // TODO_API_BIN: an API binary built elsewhere (default: the one run.sh builds).
  const apiBinary = process.env.TODO_API_BIN || path.join(repoRoot, "target", "debug", "todo-api");
  // From the temporary directory, so the API reads no developer .env.
  const startApi = async () => {
    const api = startProcess("api", apiBinary, [], { cwd: dir, env: apiEnv, logName: `${label}-api.log` });
    await waitForOk(`${apiUrl}/readyz`, 30_000, "the API");
    return api;
  };
  let api = await startApi();
  const nextBin = path.join(repoRoot, "web", "node_modules", "next", "dist", "bin", "next");
  const web = startProcess("web", process.execPath, [nextBin, "start", "-p", String(webPort)], {
    cwd: path.join(repoRoot, "web"),
    env: webEnv,
    logName: `${label}-web.log`,
  });
  try {
    await waitForOk(`${webUrl}/sign-in`, 60_000, "the web app");
  } catch (error) {
    // Nothing may outlive a stack that failed to start (a running API child keeps the test runner alive).
    await Promise.allSettled([api.stop(), web.stop()]);
    if (database) await database.drop().catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    apiUrl,
    webUrl,
    /** The API's own store (sqlite:// or postgres://), for tests that check what it holds. */
    apiDatabaseUrl: apiEnv.DATABASE_URL,
    async stopApi() {
      await api.stop();
    },
    async restartApi() {
      api = await startApi();
    },
    async stop() {
      await Promise.allSettled([api.stop(), web.stop()]);
      if (database) await database.drop().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
