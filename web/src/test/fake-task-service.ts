import type { Task } from "@/lib/api/types";
import { fold } from "@/lib/tasks/fold";
import { listQuery, VIEWS } from "./fake-list-query";

type Failure = { status: number; body?: object } | "network";

/** Which requests a planned failure or hold applies to; absent parts match anything. */
export interface RequestMatch {
  method?: string;
  path?: RegExp;
}

interface Plan {
  match: RequestMatch;
  failure?: Failure;
  hold?: Promise<void>;
}

/**
 * An in-memory stand-in for the task API, as a fetch function: enough of the
 * contract (routes, filters, problem documents) to drive the UI in tests.
 */
export class FakeTaskService {
  tasks: Task[] = [];
  requests: { method: string; path: string; query: URLSearchParams; auth: string | null; body?: unknown }[] = [];
  private plans: Plan[] = [];
  private nextId = 1;
  private clock = Date.parse("2026-11-24T10:00:00Z");
  /** The time the views are computed at (the test's clock unless set). */
  now: () => number = () => Date.now();

  constructor(readonly userId: string) {}

  add(title: string, fields: Partial<Task> = {}): Task {
    const at = new Date((this.clock += 1000)).toISOString();
    const task: Task = {
      id: this.nextId, user_id: this.userId, title, description: null, completed: false,
      priority: "none", tags: [], due_at: null, all_day: false, time_zone: "UTC",
      recurrence: null, remind_at: null, next_occurrence_id: null, list_id: null,
      // Newer tasks first, as the API places them: keys that sort lower as ids grow.
      position: (0xffffffff - this.nextId).toString(16),
      created_at: at, updated_at: at, ...fields,
    };
    this.nextId++;
    this.tasks.push(task);
    return task;
  }

  /** The next (matching) request fails this way (a status with a problem body, or no answer at all). */
  failNext(failure: Failure, match: RequestMatch = {}): void {
    this.plans.push({ match, failure });
  }

  /**
   * The next matching request waits (and then fails, if `failure` is given)
   * until the returned function is called.
   */
  holdNext(match: RequestMatch = {}, failure?: Failure): () => void {
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    this.plans.push({ match, hold, ...(failure ? { failure } : {}) });
    return release;
  }

  /** How many requests of this method (and path) have arrived. */
  count(method: string, path?: RegExp): number {
    return this.requests.filter((request) => request.method === method && (!path || path.test(request.path))).length;
  }

  fetch = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const record: (typeof this.requests)[number] = {
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      auth: request.headers.get("Authorization"),
    };
    this.requests.push(record);
    const planIndex = this.plans.findIndex(
      ({ match }) => (!match.method || match.method === request.method) && (!match.path || match.path.test(url.pathname)),
    );
    const plan = planIndex >= 0 ? this.plans.splice(planIndex, 1)[0] : undefined;
    if (plan?.hold) await plan.hold;
    const failure = plan?.failure;
    if (failure === "network") throw new TypeError("Failed to fetch");
    if (failure) return problem(failure.status, failure.body ?? {});

    const tagsMatch = /^\/api\/([^/]+)\/tags$/.exec(url.pathname);
    if (tagsMatch && tagsMatch[1] === this.userId && request.method === "GET") return json(200, this.tagCounts());
    const match = /^\/api\/([^/]+)\/tasks(?:\/(\d+))?(\/complete)?$/.exec(url.pathname);
    if (!match || match[1] !== this.userId) return problem(403, { detail: "this resource belongs to another user" });
    const id = match[2] ? Number(match[2]) : undefined;
    const body = request.method === "GET" || request.method === "DELETE" ? undefined : await request.json().catch(() => undefined);
    record.body = body;

    if (id === undefined && request.method === "GET") {
      const view = url.searchParams.get("view");
      if (view !== null && !(VIEWS as readonly string[]).includes(view)) {
        return problem(422, { detail: `view: unknown view ${view}`, errors: [{ field: "view", message: "unknown view" }] });
      }
      // Offset cursors stand in for the API's opaque keyset cursors.
      const all = listQuery(this.tasks, url.searchParams, this.now());
      const limit = Number(url.searchParams.get("limit") ?? 100);
      const offset = Number(url.searchParams.get("cursor") ?? 0);
      const page = all.slice(offset, offset + limit);
      const next = new URL(url);
      next.searchParams.set("cursor", String(offset + limit));
      const headers: Record<string, string> =
        offset + limit < all.length ? { Link: `<${next.pathname}${next.search}>; rel="next"` } : {};
      return json(200, page, headers);
    }
    if (id === undefined && request.method === "POST") {
      const title = String(body?.title ?? "").trim();
      if (!title) return problem(422, { detail: "title: must not be empty", errors: [{ field: "title", message: "must not be empty" }] });
      const fields: Partial<Task> = { ...body };
      delete fields.title;
      return json(201, this.add(title, { ...fields, ...(fields.tags ? { tags: [...fields.tags].sort() } : {}) }));
    }
    const task = this.tasks.find((candidate) => candidate.id === id);
    if (!task) return problem(404, { detail: "no such task" });
    if (request.method === "DELETE") {
      this.tasks = this.tasks.filter((candidate) => candidate !== task);
      return new Response(null, { status: 204 });
    }
    if (match[3]) Object.assign(task, { completed: body?.completed ?? !task.completed });
    else Object.assign(task, body);
    task.updated_at = new Date((this.clock += 1000)).toISOString();
    return json(200, task);
  };

  private tagCounts(): { name: string; count: number }[] {
    const counts = new Map<string, { name: string; count: number }>();
    for (const tag of this.tasks.flatMap((task) => task.tags)) {
      const entry = counts.get(fold(tag)) ?? { name: tag, count: 0 };
      entry.count += 1;
      counts.set(fold(tag), entry);
    }
    return [...counts.values()].sort((a, b) => fold(a.name).localeCompare(fold(b.name)));
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

function problem(status: number, fields: object): Response {
  return new Response(JSON.stringify({ type: "about:blank", title: "Error", status, ...fields }), {
    status,
    headers: { "Content-Type": "application/problem+json" },
  });
}
