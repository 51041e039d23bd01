"use client";

import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQueryClient,
  type InfiniteData,
} from "@tanstack/react-query";
import type { TaskApi } from "@/lib/api/task-api";
import type { NewTask, Task, TaskChanges, TaskFilters, TaskPage } from "@/lib/api/types";

type ListData = InfiniteData<TaskPage, string | undefined>;

export function tasksKey(userId: string, filters?: TaskFilters) {
  return filters ? (["tasks", userId, filters] as const) : (["tasks", userId] as const);
}

export function useTaskList(api: TaskApi, filters: TaskFilters) {
  return useInfiniteQuery({
    queryKey: tasksKey(api.userId, filters),
    queryFn: ({ pageParam }) => api.list(filters, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
  });
}

/**
 * A mutation that first changes every cached task list of this user as the
 * API is expected to, puts the lists back as they were if the API refuses or
 * cannot be reached, and refetches afterwards either way.
 */
function useOptimisticTaskMutation<Variables, Result>(
  api: TaskApi,
  mutationFn: (variables: Variables) => Promise<Result>,
  applyToPage: (tasks: Task[], variables: Variables, pageIndex: number) => Task[],
  /**
   * Called for every failed call. Unlike the callbacks given to `mutate`, it
   * also runs after the row that started it has gone (a deleted row unmounts).
   */
  onFailure?: (error: Error, variables: Variables) => void,
) {
  const queryClient = useQueryClient();
  const key = tasksKey(api.userId);
  return useMutation({
    mutationFn,
    onMutate: async (variables: Variables) => {
      await queryClient.cancelQueries({ queryKey: key });
      const snapshot = queryClient.getQueriesData<ListData>({ queryKey: key });
      queryClient.setQueriesData<ListData>({ queryKey: key }, (data) =>
        data
          ? {
              ...data,
              pages: data.pages.map((page, index) => ({ ...page, tasks: applyToPage(page.tasks, variables, index) })),
            }
          : data,
      );
      return { snapshot };
    },
    onError: (error, variables, context) => {
      for (const [queryKey, data] of context?.snapshot ?? []) queryClient.setQueryData(queryKey, data);
      onFailure?.(error, variables);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: key }),
  });
}

export interface CreateVariables {
  task: NewTask;
  /** A negative id for the placeholder row shown until the API answers. */
  placeholderId: number;
}

export function useCreateTask(api: TaskApi) {
  return useOptimisticTaskMutation(
    api,
    ({ task }: CreateVariables) => api.create(task),
    (tasks, { task, placeholderId }, pageIndex) => {
      if (pageIndex !== 0) return tasks;
      const now = new Date().toISOString();
      const placeholder: Task = {
        id: placeholderId,
        user_id: api.userId,
        title: task.title,
        description: task.description ?? null,
        completed: task.completed ?? false,
        created_at: now,
        updated_at: now,
      };
      return [placeholder, ...tasks];
    },
  );
}

export function useUpdateTask(api: TaskApi) {
  return useOptimisticTaskMutation(
    api,
    ({ id, changes }: { id: number; changes: TaskChanges }) => api.update(id, changes),
    (tasks, { id, changes }) => tasks.map((task) => (task.id === id ? { ...task, ...changes } : task)),
  );
}

export function useSetCompleted(api: TaskApi, onFailure: (error: Error, task: Task) => void) {
  return useOptimisticTaskMutation(
    api,
    ({ task, completed }: { task: Task; completed: boolean }) => api.setCompleted(task.id, completed),
    (tasks, { task: changed, completed }) => tasks.map((task) => (task.id === changed.id ? { ...task, completed } : task)),
    (error, { task }) => onFailure(error, task),
  );
}

export function useDeleteTask(api: TaskApi, onFailure: (error: Error, task: Task) => void) {
  return useOptimisticTaskMutation(
    api,
    ({ task }: { task: Task }) => api.remove(task.id),
    (tasks, { task: removed }) => tasks.filter((task) => task.id !== removed.id),
    (error, { task }) => onFailure(error, task),
  );
}

/** Placeholder rows (not yet saved) carry negative ids. */
export function isPlaceholder(task: Task): boolean {
  return task.id < 0;
}
