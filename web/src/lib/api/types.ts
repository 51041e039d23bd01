import type { paths } from "./schema";

// Every task type is derived from the generated OpenAPI paths rather than from
// schema names, so a renamed schema in the API does not ripple through the app.
type TasksPath = paths["/api/{user_id}/tasks"];
type TaskPath = paths["/api/{user_id}/tasks/{id}"];

export type Task = TasksPath["post"]["responses"][201]["content"]["application/json"];
export type NewTask = NonNullable<TasksPath["post"]["requestBody"]>["content"]["application/json"];
export type TaskChanges = NonNullable<TaskPath["put"]["requestBody"]>["content"]["application/json"];
export type ListQuery = NonNullable<TasksPath["get"]["parameters"]["query"]>;

export type StatusFilter = NonNullable<ListQuery["status"]>;
export type SortField = NonNullable<ListQuery["sort"]>;
export type SortOrder = NonNullable<ListQuery["order"]>;
export type Priority = Task["priority"];
export type TagCount = paths["/api/{user_id}/tags"]["get"]["responses"][200]["content"]["application/json"][number];

export interface TaskPage {
  tasks: Task[];
  /** The opaque cursor of the next page, from the `Link: <…>; rel="next"` header. */
  nextCursor: string | undefined;
}

/** An RFC 9457 problem document as the API sends it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field: string; message: string }[];
}
