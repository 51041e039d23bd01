import { describe, expect, it } from "vitest";
import { describeRRule, describeRule, parseRRule, toRRule } from "./recurrence";

describe("repeat rules", () => {
  it("writes each choice as the API's canonical RRULE", () => {
    expect(toRRule({ kind: "none", interval: 1, days: [] })).toBeNull();
    expect(toRRule({ kind: "daily", interval: 1, days: [] })).toBe("FREQ=DAILY");
    expect(toRRule({ kind: "daily", interval: 3, days: [] })).toBe("FREQ=DAILY;INTERVAL=3");
    expect(toRRule({ kind: "weekdays", interval: 1, days: [] })).toBe("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR");
    expect(toRRule({ kind: "weekly", interval: 2, days: ["TH", "MO"] })).toBe("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH");
    expect(toRRule({ kind: "monthly", interval: 1, days: [] })).toBe("FREQ=MONTHLY");
    expect(toRRule({ kind: "yearly", interval: 1, days: [] })).toBe("FREQ=YEARLY");
  });

  it("reads back what it wrote, and keeps a rule it cannot show untouched", () => {
    for (const rule of ["FREQ=DAILY;INTERVAL=3", "FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=MONTHLY", "FREQ=YEARLY;INTERVAL=2"]) {
      expect(toRRule(parseRRule(rule))).toBe(rule);
    }
    expect(parseRRule("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR").kind).toBe("weekdays");
    const custom = parseRRule("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=5");
    expect(custom.kind).toBe("custom");
    expect(toRRule(custom)).toBe("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=5");
  });

  it("says the rule in words", () => {
    expect(describeRRule("FREQ=WEEKLY;BYDAY=MO,TH")).toBe("Every week on Mon, Thu");
    expect(describeRRule("FREQ=DAILY;INTERVAL=2")).toBe("Every 2 days");
    expect(describeRRule("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")).toBe("Every weekday");
    expect(describeRRule(null)).toBeUndefined();
    expect(describeRule(parseRRule("FREQ=YEARLY;UNTIL=20301231"))).toBe("Repeats (FREQ=YEARLY;UNTIL=20301231)");
  });
});
