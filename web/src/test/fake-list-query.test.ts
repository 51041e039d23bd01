// @vitest-environment node
// The shared list contract (also read by the API's own tests) run through the
// fake API, so the component tests' stand-in answers list queries as the API
// does: the fixture is the oracle.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { Task } from "@/lib/api/types";
import { FakeTaskService } from "./fake-task-service";

interface Fixture {
  now: string;
  tasks: ({ key: string } & Record<string, unknown>)[];
  queries: { query: Record<string, string | string[]>; expect: string[] }[];
}

const fixture: Fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL("../../../wire/fixtures/list-queries.json", import.meta.url)), "utf8"),
);

const service = new FakeTaskService("user-1");
const keyOf = new Map<number, string>();

beforeAll(async () => {
  service.now = () => Date.parse(fixture.now);
  for (const { key, ...body } of fixture.tasks) {
    const response = await service.fetch(
      new Request("http://api.test/api/user-1/tasks", { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }),
    );
    expect(response.status).toBe(201);
    keyOf.set(((await response.json()) as Task).id, key);
  }
});

/** The keys of every task the query returns, page after page through the `Link` header. */
async function listAll(query: Fixture["queries"][number]["query"], limit?: number): Promise<string[]> {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) for (const one of [value].flat()) params.append(name, one);
  if (limit) params.set("limit", String(limit));
  const keys: string[] = [];
  let url: string | undefined = `http://api.test/api/user-1/tasks?${params}`;
  while (url) {
    const response: Response = await service.fetch(new Request(url));
    expect(response.status).toBe(200);
    keys.push(...((await response.json()) as Task[]).map((task) => keyOf.get(task.id)!));
    const next = /<([^>]*)>;\s*rel="next"/.exec(response.headers.get("Link") ?? "")?.[1];
    url = next ? new URL(next, url).href : undefined;
  }
  return keys;
}

describe("the fake API against wire/fixtures/list-queries.json", () => {
  it.each(fixture.queries.map((entry) => [JSON.stringify(entry.query), entry] as const))("answers %s", async (_, { query, expect: keys }) => {
    expect(await listAll(query)).toEqual(keys);
    // Pages of two, with the view and zone carried by each next link.
    expect(await listAll(query, 2)).toEqual(keys);
  });
});
