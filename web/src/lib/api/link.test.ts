import { describe, expect, it } from "vitest";
import { nextCursorFromLink } from "./link";

describe("nextCursorFromLink", () => {
  it("reads the cursor of the rel=next link", () => {
    const header = '</api/u1/tasks?status=all&limit=2&cursor=abc%3D%3D>; rel="next"';
    expect(nextCursorFromLink(header)).toBe("abc==");
  });

  it("picks rel=next among several links and absolute URLs", () => {
    const header =
      '<http://127.0.0.1:8000/api/u1/tasks?cursor=first>; rel="prev", <http://127.0.0.1:8000/api/u1/tasks?limit=5&cursor=n2>; rel=next';
    expect(nextCursorFromLink(header)).toBe("n2");
  });

  it("is undefined without a header or without a next link", () => {
    expect(nextCursorFromLink(null)).toBeUndefined();
    expect(nextCursorFromLink("")).toBeUndefined();
    expect(nextCursorFromLink('</api/u1/tasks?cursor=x>; rel="prev"')).toBeUndefined();
  });
});
