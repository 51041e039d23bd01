import { describe, expect, it } from "vitest";
import { fold } from "./fold";

describe("fold", () => {
  it.each([
    ["STRASSE", "straße"],
    ["STRASSE", "STRAẞE"],
    ["ǅemal", "ǆemal"],
    ["Ǆemal", "ǆemal"],
    ["ﬀ", "FF"],
    ["ΟΔΟΣ", "οδος"],
    ["οδοσ", "οδος"],
    ["ΣΟΦΙΑ", "σοφια"],
    ["café", "CAFE\u0301"],
    ["Ｈｏｍｅ", "home"],
  ])("folds %s and %s alike, as the API does", (a, b) => {
    expect(fold(a)).toBe(fold(b));
  });

  it.each([
    ["ı", "i"],
    ["kırmızı", "KIRMIZI"],
    ["home", "homes"],
  ])("keeps %s and %s apart, as the API does", (a, b) => {
    expect(fold(a)).not.toBe(fold(b));
  });
});
