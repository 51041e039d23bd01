// Server only, but without `import "server-only"`: next.config.ts loads this
// file in plain Node.js, where that marker package throws by design.
import fs from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";

/** The repository root: `web/` is one level below it and npm runs scripts from `web/`. */
export function repoRoot(): string {
  return path.resolve(process.cwd(), "..");
}

/**
 * Loads `<repo root>/.env`, the one file that configures both services.
 * Next.js only reads `web/.env*` by itself. Variables already present in the
 * process environment win over the file.
 */
export function loadRootEnv(rootDir: string = repoRoot()): void {
  const file = path.join(rootDir, ".env");
  let content: string;
  try {
    content = fs.readFileSync(file, "utf8");
  } catch {
    return;
  }
  for (const [key, value] of Object.entries(parseEnv(content))) {
    if (process.env[key] === undefined && value !== undefined) {
      process.env[key] = value;
    }
  }
}
