import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { renderHook } from "@testing-library/react";
import type { ReactNode } from "react";
import { describe, expect, it } from "vitest";
import type { TaskApi } from "@/lib/api/task-api";
import { DEFAULT_FILTERS, type TaskFilters } from "@/lib/tasks/filters";
import { tasksKey, useViewsFollowTheDay } from "./use-tasks";

describe("useViewsFollowTheDay", () => {
  it("fetches the loaded view lists again when the local day changes, and leaves the rest", () => {
    // Local times (the browser's zone is the one `new Date(y, m, d, …)` uses).
    const queryClient = new QueryClient();
    const api = { userId: "u1" } as TaskApi;
    const today: TaskFilters = { ...DEFAULT_FILTERS, view: "today" };
    const all: TaskFilters = DEFAULT_FILTERS;
    for (const filters of [today, all]) queryClient.setQueryData(tasksKey(api.userId, filters), { pages: [], pageParams: [] });
    const wrapper = ({ children }: { children: ReactNode }) => (
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    );
    const invalidated = (filters: TaskFilters) => queryClient.getQueryState(tasksKey(api.userId, filters))?.isInvalidated;

    const { rerender } = renderHook(({ now }) => useViewsFollowTheDay(api, today, now), {
      wrapper,
      initialProps: { now: new Date(2026, 8, 6, 23, 58) },
    });
    rerender({ now: new Date(2026, 8, 6, 23, 59) });
    expect(invalidated(today)).toBe(false);

    rerender({ now: new Date(2026, 8, 7, 0, 0, 30) });
    expect(invalidated(today)).toBe(true);
    expect(invalidated(all)).toBe(false);
  });
});
