import type { Task } from "@/lib/api/types";

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
  requests: { method: string; path: string; auth: string | null; body?: unknown }[] = [];
  private plans: Plan[] = [];
  private nextId = 1;
  private clock = Date.parse("2026-11-24T10:00:00Z");

  constructor(readonly userId: string) {}

  add(title: string, fields: Partial<Task> = {}): Task {
    const at = new Date((this.clock += 1000)).toISOString();
    const task: Task = {
      id: this.nextId++, user_id: this.userId, title, description: null, completed: false,
      priority: "none", tags: [], due_at: null, all_day: false, time_zone: "UTC",
      recurrence: null, remind_at: null, next_occurrence_id: null,
      created_at: at, updated_at: at, ...fields,
    };
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
    const record: (typeof this.requests)[number] = { method: request.method, path: url.pathname, auth: request.headers.get("Authorization") };
    this.requests.push(record);
    const planIndex = this.plans.findIndex(
      ({ match }) => (!match.method || match.method === request.method) && (!match.path || match.path.test(url.pathname)),
    );
    const plan = planIndex >= 0 ? this.plans.splice(planIndex, 1)[0] : undefined;
    if (plan?.hold) await plan.hold;
    const failure = plan?.failure;
    if (failure === "network") throw new TypeError("Failed to fetch");
    if (failure) return problem(failure.status, failure.body ?? {});

    const match = /^\/api\/([^/]+)\/tasks(?:\/(\d+))?(\/complete)?$/.exec(url.pathname);
    if (!match || match[1] !== this.userId) return problem(403, { detail: "this resource belongs to another user" });
    const id = match[2] ? Number(match[2]) : undefined;
    const body = request.method === "GET" || request.method === "DELETE" ? undefined : await request.json().catch(() => undefined);
    record.body = body;

    if (id === undefined && request.method === "GET") {
      // Offset cursors stand in for the API's opaque keyset cursors.
      const all = this.list(url.searchParams);
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
      return json(201, this.add(title, { description: body?.description ?? null, completed: body?.completed ?? false }));
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

  private list(params: URLSearchParams): Task[] {
    const status = params.get("status") ?? "all";
    const q = (params.get("q") ?? "").toLowerCase();
    const sort = (params.get("sort") ?? "created_at") as "created_at" | "updated_at" | "title";
    const direction = params.get("order") === "asc" ? 1 : -1;
    return this.tasks
      .filter((task) => status === "all" || task.completed === (status === "completed"))
      .filter((task) => !q || `${task.title} ${task.description ?? ""}`.toLowerCase().includes(q))
      .sort((a, b) => (a[sort] < b[sort] ? -direction : a[sort] > b[sort] ? direction : 0));
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
