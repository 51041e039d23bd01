import { describe, expect, it } from "vitest";
import { authErrorMessage, characterCount, describeWait, validateCredentials } from "./auth-messages";

describe("auth messages", () => {
  it("words a wait in the largest unit that fits, rounded up", () => {
    expect(describeWait(0)).toBe("1 second");
    expect(describeWait(1)).toBe("1 second");
    expect(describeWait(30)).toBe("30 seconds");
    expect(describeWait(58.2)).toBe("59 seconds");
    expect(describeWait(59.2)).toBe("1 minute");
    expect(describeWait(60)).toBe("1 minute");
    expect(describeWait(61)).toBe("2 minutes");
    expect(describeWait(900)).toBe("15 minutes");
  });

  it("says when a paused account may try again, or just later when the wait is unknown", () => {
    expect(authErrorMessage({ status: 429, code: "TOO_MANY_FAILED_SIGN_INS", retryAfter: 900 })).toMatch(/Try again in 15 minutes\.$/);
    expect(authErrorMessage({ status: 429, code: "TOO_MANY_FAILED_SIGN_INS" })).toMatch(/Try again later\.$/);
    expect(authErrorMessage({ status: 429, code: "TOO_MANY_FAILED_SIGN_INS", retryAfter: "soon" })).toMatch(/later\.$/);
  });

  it("counts a name's characters as a person does", () => {
    expect(characterCount("🙂".repeat(100))).toBe(100);
    expect(validateCredentials("sign-up", { name: "🙂".repeat(100), email: "a@b.c", password: "correct-horse" })).toBeUndefined();
    expect(validateCredentials("sign-up", { name: `  ${"a".repeat(100)}  `, email: "a@b.c", password: "correct-horse" })).toBeUndefined();
    expect(validateCredentials("sign-up", { name: "a".repeat(101), email: "a@b.c", password: "correct-horse" })).toMatch(/too long/);
  });
});
