import { describe, expect, it, vi } from "vitest";
import { onDemand } from "./on-demand";

/** An import that fails the first time (the network dropped), then loads. */
function failingOnce() {
  const exported = { answer: 42 };
  const importModule = vi.fn<() => Promise<typeof exported>>();
  importModule.mockRejectedValueOnce(new TypeError("Failed to fetch dynamically imported module"));
  importModule.mockResolvedValueOnce(exported);
  return { exported, importModule };
}

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

  it("tries again after a failed load", async () => {
    const { exported, importModule } = failingOnce();
    const loader = onDemand(importModule);

    await expect(loader.load()).rejects.toThrow("Failed to fetch");
    expect(loader.current).toBeUndefined();
    await expect(loader.load()).resolves.toBe(exported);
    expect(loader.current).toBe(exported);
    expect(importModule).toHaveBeenCalledTimes(2);
  });

  it("prefetches from a detached handler, and a failed prefetch leaves the next load to try again", async () => {
    const { exported, importModule } = failingOnce();
    const { prefetch, load } = onDemand(importModule);

    prefetch();
    await vi.waitFor(() => expect(importModule).toHaveBeenCalledTimes(1));
    await expect(load()).resolves.toBe(exported);
    expect(importModule).toHaveBeenCalledTimes(2);
  });
});
