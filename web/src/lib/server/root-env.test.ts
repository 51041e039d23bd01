// @vitest-environment node
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadRootEnv } from "./root-env";

const touched = ["TODO_TEST_FROM_FILE", "TODO_TEST_ALREADY_SET"];

afterEach(() => {
  for (const key of touched) delete process.env[key];
});

describe("loadRootEnv", () => {
  it("loads the root .env without overriding variables already set", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "root-env-"));
    fs.writeFileSync(
      path.join(dir, ".env"),
      '# comment\nTODO_TEST_FROM_FILE="from file"\nTODO_TEST_ALREADY_SET=from-file\n',
    );
    process.env.TODO_TEST_ALREADY_SET = "from-environment";

    loadRootEnv(dir);

    expect(process.env.TODO_TEST_FROM_FILE).toBe("from file");
    expect(process.env.TODO_TEST_ALREADY_SET).toBe("from-environment");
  });

  it("does nothing when there is no .env", () => {
    expect(() => loadRootEnv(path.join(os.tmpdir(), "no-such-dir-for-root-env"))).not.toThrow();
  });
});
