import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { createTaskApi, type TaskApi, type TaskApiOptions } from "@/lib/api/task-api";
import type { FakeTaskService } from "./fake-task-service";

/**
 * Renders `ui` with a task API over `service` (the fake API) and a fresh query
 * client that never retries, so a failure shows at once. `options` overrides the
 * API's fetch or page size.
 */
export function renderWithApi(
  service: FakeTaskService,
  ui: (api: TaskApi) => ReactElement,
  options: Partial<Pick<TaskApiOptions, "fetch" | "pageSize">> = {},
) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const api = createTaskApi({ baseUrl: "http://api.test", userId: service.userId, fetch: service.fetch, ...options });
  const rendered = render(<QueryClientProvider client={queryClient}>{ui(api)}</QueryClientProvider>);
  return { ...rendered, queryClient };
}
