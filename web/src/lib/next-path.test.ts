import { describe, expect, it } from "vitest";
import { safeNextPath, signInThenBackTo } from "./next-path";

describe("safeNextPath", () => {
  it("keeps a path on this app with its query", () => {
    expect(safeNextPath("/device?user_code=ABCD-EFGH")).toBe("/device?user_code=ABCD-EFGH");
    expect(safeNextPath("/tasks")).toBe("/tasks");
  });

  it.each([undefined, "", "device", "//evil.example/x", "/\\evil.example", "https://evil.example/device", "javascript:alert(1)", ["/device"]])(
    "sends %j to the default",
    (value) => {
      expect(safeNextPath(value)).toBe("/tasks");
    },
  );

  it("round-trips through the sign-in address", () => {
    const next = new URL(signInThenBackTo("/device?user_code=AB CD"), "http://x").searchParams.get("next");
    expect(safeNextPath(next)).toBe("/device?user_code=AB%20CD");
  });
});
