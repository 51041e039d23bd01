import createClient from "openapi-fetch";
import { ApiError, isNetworkError } from "./errors";
import { nextCursorFromLink } from "./link";
import type { paths } from "./schema";
import type { ListFilters } from "@/lib/tasks/filters";
import type { NewTask, TagCount, Task, TaskChanges, TaskPage } from "./types";

export interface TaskApiOptions {
  baseUrl: string;
  /** The signed-in person's id (the session's user id); every path carries it. */
  userId: string;
  fetch: (request: Request) => Promise<Response>;
  pageSize?: number;
}

export type TaskApi = ReturnType<typeof createTaskApi>;

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Turns openapi-fetch's result into data or a thrown ApiError with words for the person. */
async function settle<T>(request: Promise<FetchResult<T>>): Promise<{ data: T; response: Response }> {
  let result: FetchResult<T>;
  try {
    result = await request;
  } catch (error) {
    if (error instanceof ApiError) throw error;
    // fetch() failing outright means no answer; anything else (a body that is
    // not the JSON it claims to be) means an answer that could not be read.
    throw isNetworkError(error) ? ApiError.unreachable() : ApiError.unreadable();
  }
  if (!result.response.ok) throw ApiError.fromResponse(result.response, result.error);
  return { data: result.data as T, response: result.response };
}

export function createTaskApi({ baseUrl, userId, fetch, pageSize = 100 }: TaskApiOptions) {
  const client = createClient<paths>({ baseUrl: baseUrl.replace(/\/+$/, ""), fetch });
  const user_id = userId;

  return {
    userId,

    async list(filters: ListFilters, cursor?: string): Promise<TaskPage> {
      const { data, response } = await settle(
        client.GET("/api/{user_id}/tasks", {
          params: {
            path: { user_id },
            query: { ...filters, limit: pageSize, ...(cursor ? { cursor } : {}) },
          },
        }),
      );
      return { tasks: data, nextCursor: nextCursorFromLink(response.headers.get("Link")) };
    },

    async tags(): Promise<TagCount[]> {
      const { data } = await settle(client.GET("/api/{user_id}/tags", { params: { path: { user_id } } }));
      return data;
    },

    async create(task: NewTask): Promise<Task> {
      const { data } = await settle(client.POST("/api/{user_id}/tasks", { params: { path: { user_id } }, body: task }));
      return data;
    },

    async update(id: number, changes: TaskChanges): Promise<Task> {
      const { data } = await settle(
        client.PATCH("/api/{user_id}/tasks/{id}", { params: { path: { user_id, id } }, body: changes }),
      );
      return data;
    },

    async setCompleted(id: number, completed: boolean): Promise<Task> {
      const { data } = await settle(
        client.PATCH("/api/{user_id}/tasks/{id}/complete", { params: { path: { user_id, id } }, body: { completed } }),
      );
      return data;
    },

    /**
     * `keepalive`: the request outlives the page (a deletion sent as the tab closes).
     * A 404 is what the person asked for: the task is gone already (deleted in
     * another tab or from the command line, or an occurrence its parent took back).
     */
    async remove(id: number, { keepalive = false }: { keepalive?: boolean } = {}): Promise<void> {
      await settle(
        client.DELETE("/api/{user_id}/tasks/{id}", { params: { path: { user_id, id } }, ...(keepalive ? { keepalive } : {}) }),
      ).catch((error: unknown) => {
        if (!(error instanceof ApiError && error.status === 404)) throw error;
      });
    },
  };
}
