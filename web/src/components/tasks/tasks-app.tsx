"use client";

import { useState } from "react";
import { createAuthorizedFetch } from "@/lib/api/authorized-fetch";
import { createTaskApi } from "@/lib/api/task-api";
import { TokenStore } from "@/lib/api/token-store";
import { fetchApiToken } from "@/lib/auth-client";
import { TasksView } from "./tasks-view";

export interface TasksAppProps {
  /** The session's user id; it goes into every API path. */
  userId: string;
  apiUrl: string;
}

/** Binds the API client to the signed-in person, with the token held in memory. */
export function TasksApp({ userId, apiUrl }: TasksAppProps) {
  const [api] = useState(() =>
    createTaskApi({ baseUrl: apiUrl, userId, fetch: createAuthorizedFetch(new TokenStore(fetchApiToken)) }),
  );
  return <TasksView api={api} />;
}
