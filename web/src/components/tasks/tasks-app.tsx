"use client";

import { useEffect, useState } from "react";
import { fetchApiToken } from "@/lib/api/api-token";
import { createAuthorizedFetch } from "@/lib/api/authorized-fetch";
import { createTaskApi } from "@/lib/api/task-api";
import { TokenStore, trackTokenStore } from "@/lib/api/token-store";
import { lazyPart } from "@/lib/lazy-part";
import { PART_NOT_LOADED } from "@/lib/on-demand";
import type { TaskApi } from "@/lib/api/task-api";
import { TasksView } from "./tasks-view";
import { DEFAULT_FILTERS } from "@/lib/tasks/filters";
import { usePrefetchFirstRequests, useReminderTasks } from "./use-tasks";

// The reminders' timers, banner and notifications load only for a person who
// has an open task with a reminder: most visits never fetch them. (Rendered
// in the browser only, once the tasks have loaded: React's lazy is enough.)
const Reminders = lazyPart<{ api: TaskApi }>(() => import("./reminders").then((module) => ({ default: module.Reminders })));

function RemindersWhenSet({ api }: { api: TaskApi }) {
  const { data: tasks } = useReminderTasks(api);
  if (!tasks?.some((task) => task.remind_at)) return null;
  return (
    <Reminders api={api} loading={null}
      // Nothing of the reminders takes the focus: back to the list.
      focusAfterRetry={() => document.getElementById("task-list-heading")?.focus()}
      failed={(retry) => (
        <p role="status" className="rounded-lg border border-amber-400 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-600 dark:bg-amber-950 dark:text-amber-50">
          Reminders are not running: {PART_NOT_LOADED}{" "}
          <button type="button" onClick={retry} className="font-medium underline">
            Try again
          </button>
        </p>
      )} />
  );
}

export interface TasksAppProps {
  /** The session's user id; it goes into every API path. */
  userId: string;
  apiUrl: string;
}

/**
 * Binds the API client to the signed-in person, with the token held in memory.
 * The page keys it by user id, so another person gets a new client and token.
 */
export function TasksApp({ userId, apiUrl }: TasksAppProps) {
  const [tokens] = useState(() => new TokenStore(fetchApiToken));
  const [api] = useState(() => createTaskApi({ baseUrl: apiUrl, userId, fetch: createAuthorizedFetch(tokens) }));
  // TasksView shows the default filters first.
  usePrefetchFirstRequests(api, DEFAULT_FILTERS);
  // Sign-out (a button outside this tree) clears the token through this registration.
  useEffect(() => trackTokenStore(tokens), [tokens]);
  return (
    <div className="space-y-6">
      <RemindersWhenSet api={api} />
      <TasksView api={api} />
    </div>
  );
}
