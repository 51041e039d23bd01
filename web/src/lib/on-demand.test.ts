import { describe, expect, it, vi } from "vitest";
import { onDemand } from "./on-demand";

describe("onDemand", () => {
  it("imports once, however often it is asked, and is at hand once loaded", async () => {
    const exported = { answer: 42 };
    const importModule = vi.fn(async () => exported);
    const loader = onDemand(importModule);
    expect(importModule).not.toHaveBeenCalled();
    expect(loader.current).toBeUndefined();

    const [first, second] = await Promise.all([loader.load(), loader.load()]);
    expect(first).toBe(exported);
    expect(second).toBe(exported);
    expect(loader.current).toBe(exported);
    await loader.load();
    expect(importModule).toHaveBeenCalledTimes(1);
  });
});
