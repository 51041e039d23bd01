"use client";

import {
  infiniteQueryOptions,
  keepPreviousData,
  queryOptions,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type InfiniteData,
  type QueryClient,
  type QueryKey,
} from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import type { TaskApi } from "@/lib/api/task-api";
import type { NewTask, Task, TaskChanges, TaskPage } from "@/lib/api/types";
import { browserTimeZone, calendarDate } from "@/lib/dates/zoned";
import { listFilters, type TaskFilters } from "@/lib/tasks/filters";

type ListData = InfiniteData<TaskPage, string | undefined>;

export function tasksKey(userId: string, filters?: TaskFilters) {
  return filters ? (["tasks", userId, filters] as const) : (["tasks", userId] as const);
}

/** The person's tags with their counts (`/tags`): for the tag filter and autocomplete. */
export function tagsKey(userId: string) {
  return ["tags", userId] as const;
}

function tagsQuery(api: TaskApi) {
  return queryOptions({ queryKey: tagsKey(api.userId), queryFn: () => api.tags(), staleTime: 60_000 });
}

export function useTags(api: TaskApi) {
  return useQuery(tagsQuery(api));
}

/** The person's open tasks, read for their reminders (not a list on the page). */
export function remindersKey(userId: string) {
  return ["reminders", userId] as const;
}

/** Pages of open tasks read for reminders: enough for anyone's open tasks, bounded all the same. */
const REMINDER_PAGES = 5;

function reminderTasksQuery(api: TaskApi) {
  return queryOptions({
    queryKey: remindersKey(api.userId),
    queryFn: async () => {
      const tasks: Task[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < REMINDER_PAGES; page++) {
        const result = await api.list({ status: "pending", sort: "due_at", order: "asc" }, cursor);
        tasks.push(...result.tasks);
        cursor = result.nextCursor;
        if (!cursor) break;
      }
      return tasks;
    },
    staleTime: 60_000,
    refetchInterval: 5 * 60_000,
  });
}

export function useReminderTasks(api: TaskApi) {
  return useQuery(reminderTasksQuery(api));
}

/** Every task mutation of one person shares this key, so settling ones can see the others still running. */
export function taskMutationKey(userId: string) {
  return ["tasks", userId] as const;
}

/** Done/not-done changes of one task: under the shared key, so they count among the others. */
export function setCompletedMutationKey(userId: string, taskId: number) {
  return ["tasks", userId, "set-completed", taskId] as const;
}

/** Mutations of one task run one after the other, in the order they were made. */
export function taskScope(id: number) {
  return { id: `task-${id}` };
}

function taskListQuery(api: TaskApi, filters: TaskFilters) {
  return infiniteQueryOptions({
    queryKey: tasksKey(api.userId, filters),
    // The API works out a view's window at each request, so a refetch after
    // midnight (or any later one for Overdue) moves it on.
    queryFn: ({ pageParam }) => api.list(listFilters(filters, browserTimeZone), pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
  });
}

export function useTaskList(api: TaskApi, filters: TaskFilters) {
  return useInfiniteQuery(taskListQuery(api, filters));
}

/**
 * A view's rows depend on the date (SPEC "Live updates": views are fetched again
 * when the local day changes), and nothing else would ask again in a tab left
 * open overnight: when `now` reaches another local day, every loaded view list
 * is fetched again. The zone is read only while a view is shown.
 */
/** Whether a query is a list of one of the views (its key's filters name one). */
function isViewList(key: QueryKey): boolean {
  const filters = key[2] as Partial<TaskFilters> | undefined;
  return typeof filters === "object" && filters !== null && filters.view !== undefined && filters.view !== "all";
}

export function useViewsFollowTheDay(api: TaskApi, filters: TaskFilters, now: Date) {
  const queryClient = useQueryClient();
  const day = filters.view === "all" ? undefined : calendarDate(now, browserTimeZone());
  const seen = useRef(day);
  useEffect(() => {
    if (day === undefined) return;
    if (seen.current !== undefined && seen.current !== day) {
      void queryClient.invalidateQueries({
        queryKey: tasksKey(api.userId),
        predicate: (query) => isViewList(query.queryKey),
      });
    }
    seen.current = day;
  }, [api.userId, day, queryClient]);
}

/**
 * Starts the page's first requests (the list as first shown, the tags, the
 * reminders) while React renders the page rather than after it has painted,
 * where the queries' own effects would start them: that wait was a quarter of
 * the time from the sign-in click to the tasks on screen. In the browser only:
 * the server renders the page without tasks, and has no session cookie to send.
 * (TanStack's usePrefetchQuery does the same, but on the server too.)
 */
export function usePrefetchFirstRequests(api: TaskApi, filters: TaskFilters) {
  const queryClient = useQueryClient();
  if (typeof window === "undefined") return;
  const list = taskListQuery(api, filters);
  if (!queryClient.getQueryState(list.queryKey)) void queryClient.prefetchInfiniteQuery(list);
  const tags = tagsQuery(api);
  if (!queryClient.getQueryState(tags.queryKey)) void queryClient.prefetchQuery(tags);
  const reminders = reminderTasksQuery(api);
  if (!queryClient.getQueryState(reminders.queryKey)) void queryClient.prefetchQuery(reminders);
}

/**
 * Rewrites the pages of every cached task list of this person. `change` returns
 * the array it was given when it changes nothing, so untouched lists stay as they are.
 */
function changeLists(
  queryClient: QueryClient,
  userId: string,
  change: (tasks: Task[], pageIndex: number, queryKey: QueryKey) => Task[],
): void {
  for (const [queryKey, data] of queryClient.getQueriesData<ListData>({ queryKey: tasksKey(userId) })) {
    if (!data) continue;
    let changed = false;
    const pages = data.pages.map((page, pageIndex) => {
      const tasks = change(page.tasks, pageIndex, queryKey);
      if (tasks === page.tasks) return page;
      changed = true;
      return { ...page, tasks };
    });
    if (changed) queryClient.setQueryData<ListData>(queryKey, { ...data, pages });
  }
}

function changeTask(tasks: Task[], id: number, change: (task: Task) => Task): Task[] {
  const index = tasks.findIndex((task) => task.id === id);
  if (index < 0) return tasks;
  const next = [...tasks];
  next[index] = change(tasks[index]);
  return next;
}

/** The task as the most recently written cached list holds it (optimistic changes included). */
export function latestTask(queryClient: QueryClient, userId: string, id: number): Task | undefined {
  const queries = queryClient
    .getQueryCache()
    .findAll({ queryKey: tasksKey(userId) })
    .sort((a, b) => b.state.dataUpdatedAt - a.state.dataUpdatedAt);
  for (const query of queries) {
    const data = query.state.data as ListData | undefined;
    for (const page of data?.pages ?? []) {
      const task = page.tasks.find((candidate) => candidate.id === id);
      if (task) return task;
    }
  }
  return undefined;
}

/**
 * Shows a new task's placeholder at the top of the list on screen (the cached
 * lists being watched) while the create is under way. Whether the task belongs
 * in that list, and where, is the API's to say: the lists are fetched again
 * once the change has settled.
 */
export function showPlaceholder(queryClient: QueryClient, userId: string, task: Task): void {
  for (const query of queryClient.getQueryCache().findAll({ queryKey: tasksKey(userId), type: "active" })) {
    const data = query.state.data as ListData | undefined;
    const [first, ...rest] = data?.pages ?? [];
    if (!data || !first) continue;
    queryClient.setQueryData<ListData>(query.queryKey, { ...data, pages: [{ ...first, tasks: [task, ...first.tasks] }, ...rest] });
  }
}

interface OptimisticOptions<Variables, Result, Undo> {
  mutationFn: (variables: Variables) => Promise<Result>;
  /** Changes the cached lists as the API is expected to; returns what `undo` needs. */
  apply: (variables: Variables) => Undo;
  /** Takes back only this mutation's own change, leaving everything else in the lists alone. */
  undo: (variables: Variables, undo: Undo) => void;
  onSuccess?: (result: Result, variables: Variables) => void;
  /**
   * Called for every failed call. Unlike the callbacks given to `mutate`, it
   * also runs after the row that started it has gone (a deleted row unmounts).
   */
  onFailure?: (error: Error, variables: Variables) => void;
  scope?: { id: string };
  /** A longer key starting with `taskMutationKey` (still matched by it). */
  mutationKey?: readonly unknown[];
}

/**
 * A mutation that first changes every cached task list of this person, takes
 * back just its own change if the API refuses or cannot be reached, and, once
 * no other task mutation is still running, refetches the lists (TanStack
 * Query's pattern for concurrent optimistic updates).
 */
function useOptimisticTaskMutation<Variables, Result, Undo>(
  api: TaskApi,
  options: OptimisticOptions<Variables, Result, Undo>,
) {
  const queryClient = useQueryClient();
  const mutationKey = taskMutationKey(api.userId);
  return useMutation<Result, Error, Variables, Undo>({
    mutationKey: options.mutationKey ?? mutationKey,
    ...(options.scope ? { scope: options.scope } : {}),
    mutationFn: options.mutationFn,
    onMutate: async (variables) => {
      await queryClient.cancelQueries({ queryKey: tasksKey(api.userId) });
      return options.apply(variables);
    },
    onSuccess: (result, variables) => options.onSuccess?.(result, variables),
    onError: (error, variables, undo) => {
      if (undo !== undefined) options.undo(variables, undo);
      options.onFailure?.(error, variables);
    },
    onSettled: () => {
      // This mutation still counts itself; a refetch now would overwrite the
      // optimistic state of the others, so the last one to settle refetches.
      if (queryClient.isMutating({ mutationKey }) === 1) {
        void queryClient.invalidateQueries({ queryKey: tagsKey(api.userId) });
        void queryClient.invalidateQueries({ queryKey: remindersKey(api.userId) });
        return queryClient.invalidateQueries({ queryKey: tasksKey(api.userId) });
      }
    },
  });
}

export interface CreateVariables {
  task: NewTask;
  /** A negative id for the placeholder row shown until the API answers. */
  placeholderId: number;
}

export function useCreateTask(api: TaskApi) {
  const queryClient = useQueryClient();
  const userId = api.userId;
  const removePlaceholder = (placeholderId: number) =>
    changeLists(queryClient, userId, (tasks) =>
      tasks.some((task) => task.id === placeholderId) ? tasks.filter((task) => task.id !== placeholderId) : tasks,
    );
  return useOptimisticTaskMutation(api, {
    mutationFn: ({ task }: CreateVariables) => api.create(task),
    apply: ({ task, placeholderId }) => {
      const now = new Date().toISOString();
      const placeholder: Task = {
        id: placeholderId,
        user_id: userId,
        title: task.title,
        description: task.description ?? null,
        completed: task.completed ?? false,
        priority: task.priority ?? "none",
        tags: task.tags ?? [],
        due_at: task.due_at ?? null,
        all_day: task.all_day ?? false,
        time_zone: task.time_zone ?? "UTC",
        recurrence: task.recurrence ?? null,
        remind_at: task.remind_at ?? null,
        next_occurrence_id: null,
        list_id: task.list_id ?? null,
        // Placed by the API; the placeholder is shown where the list's order puts a new task.
        position: "",
        created_at: now,
        updated_at: now,
      };
      showPlaceholder(queryClient, userId, placeholder);
      return placeholderId;
    },
    undo: (_variables, placeholderId) => removePlaceholder(placeholderId),
    // The saved task takes the placeholder's place at once: the row no longer
    // depends on the refetch that follows (which may fail) to stop "Saving…".
    onSuccess: (created, { placeholderId }) =>
      changeLists(queryClient, userId, (tasks) => {
        if (!tasks.some((task) => task.id === placeholderId)) return tasks;
        if (tasks.some((task) => task.id === created.id)) return tasks.filter((task) => task.id !== placeholderId);
        return tasks.map((task) => (task.id === placeholderId ? created : task));
      }),
  });
}

type TaskFields = TaskChanges;

/**
 * The field-level optimistic change behind edits and toggles: sets `changes`
 * on the task and, on failure, puts back the earlier value of each field that
 * still shows this change (a later change to the same field is left alone).
 */
function useFieldMutation<Variables>(
  api: TaskApi,
  taskId: number,
  mutationFn: (variables: Variables) => Promise<Task>,
  changesOf: (variables: Variables) => TaskFields,
  onFailure: (error: Error, variables: Variables) => void,
  mutationKey?: readonly unknown[],
) {
  const queryClient = useQueryClient();
  const userId = api.userId;
  return useOptimisticTaskMutation(api, {
    scope: taskScope(taskId),
    ...(mutationKey ? { mutationKey } : {}),
    mutationFn,
    apply: (variables) => {
      const changes = changesOf(variables);
      const current = latestTask(queryClient, userId, taskId);
      const previous: TaskFields = {};
      if (current) {
        for (const field of Object.keys(changes) as (keyof TaskFields)[]) {
          Object.assign(previous, { [field]: current[field] });
        }
      }
      changeLists(queryClient, userId, (tasks) => changeTask(tasks, taskId, (task) => ({ ...task, ...changes })));
      return { changes, previous };
    },
    undo: (_variables, { changes, previous }) =>
      changeLists(queryClient, userId, (tasks) => {
        const task = tasks.find((candidate) => candidate.id === taskId);
        if (!task) return tasks;
        const restore: TaskFields = {};
        for (const field of Object.keys(previous) as (keyof TaskFields)[]) {
          if (task[field] === changes[field]) Object.assign(restore, { [field]: previous[field] });
        }
        return Object.keys(restore).length ? changeTask(tasks, taskId, (row) => ({ ...row, ...restore })) : tasks;
      }),
    onFailure,
  });
}

export interface UpdateVariables {
  changes: TaskChanges;
  /** The task's title when the person started the edit (for messages). */
  titleBefore: string;
}

export function useUpdateTask(api: TaskApi, taskId: number, onFailure: (error: Error, variables: UpdateVariables) => void) {
  return useFieldMutation(
    api,
    taskId,
    ({ changes }: UpdateVariables) => api.update(taskId, changes),
    ({ changes }) => changes,
    onFailure,
  );
}

export interface SetCompletedVariables {
  /** The task as shown when the person asked (for messages). */
  task: Task;
  completed: boolean;
}

export function useSetCompleted(api: TaskApi, taskId: number, onFailure: (error: Error, task: Task) => void) {
  return useFieldMutation(
    api,
    taskId,
    ({ completed }: SetCompletedVariables) => api.setCompleted(taskId, completed),
    ({ completed }) => ({ completed }),
    (error, { task }) => onFailure(error, task),
    setCompletedMutationKey(api.userId, taskId),
  );
}

/**
 * Whether the task is done as far as the person has asked: the value of their
 * latest toggle still under way, else the cached task (optimistic changes
 * included). A quick second click must undo the first, even before the row has
 * re-rendered with it.
 */
export function intendedCompleted(queryClient: QueryClient, userId: string, task: Task): boolean {
  const pending = queryClient
    .getMutationCache()
    .findAll({ mutationKey: setCompletedMutationKey(userId, task.id), exact: true, status: "pending" });
  const latest = pending.at(-1)?.state.variables as SetCompletedVariables | undefined;
  if (latest) return latest.completed;
  return (latestTask(queryClient, userId, task.id) ?? task).completed;
}

interface RemovedAt {
  queryKey: QueryKey;
  pageIndex: number;
  index: number;
}

export interface DeleteVariables {
  task: Task;
  /** Sent as the page goes away: the request must outlive it. */
  keepalive?: boolean;
}

export function useDeleteTask(api: TaskApi, taskId: number, onFailure: (error: Error, task: Task) => void) {
  const queryClient = useQueryClient();
  const userId = api.userId;
  return useOptimisticTaskMutation(api, {
    scope: taskScope(taskId),
    mutationFn: ({ task, keepalive }: DeleteVariables) => api.remove(task.id, { keepalive }),
    apply: ({ task }) => {
      const removed = latestTask(queryClient, userId, taskId) ?? task;
      const places: RemovedAt[] = [];
      changeLists(queryClient, userId, (tasks, pageIndex, queryKey) => {
        const index = tasks.findIndex((candidate) => candidate.id === taskId);
        if (index < 0) return tasks;
        places.push({ queryKey, pageIndex, index });
        return tasks.filter((candidate) => candidate.id !== taskId);
      });
      return { removed, places };
    },
    // Puts the one row back where it was, in each list it was taken from.
    undo: (_variables, { removed, places }) => {
      for (const { queryKey, pageIndex, index } of places) {
        const data = queryClient.getQueryData<ListData>(queryKey);
        const page = data?.pages[pageIndex];
        if (!data || !page) continue;
        if (data.pages.some((other) => other.tasks.some((task) => task.id === taskId))) continue;
        const tasks = [...page.tasks];
        tasks.splice(Math.min(index, tasks.length), 0, removed);
        queryClient.setQueryData<ListData>(queryKey, {
          ...data,
          pages: data.pages.map((other, i) => (i === pageIndex ? { ...other, tasks } : other)),
        });
      }
    },
    onFailure: (error, { task }) => onFailure(error, task),
  });
}

/** Placeholder rows (not yet saved) carry negative ids. */
export function isPlaceholder(task: Task): boolean {
  return task.id < 0;
}
