"use client";

import { useEffect, useState } from "react";
import type { SortField, SortOrder, StatusFilter } from "@/lib/api/types";
import type { TaskFilters } from "@/lib/tasks/filters";

const SEARCH_DELAY_MS = 300;

export function TaskControls({ filters, onChange }: { filters: TaskFilters; onChange: (filters: TaskFilters) => void }) {
  const [search, setSearch] = useState(filters.q);

  // Search as the person types, but only once they pause.
  useEffect(() => {
    if (search === filters.q) return;
    const timer = setTimeout(() => onChange({ ...filters, q: search }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [search, filters, onChange]);

  const selectClass =
    "mt-1 block w-full rounded-md border border-zinc-400 bg-white px-2 py-2 text-base text-zinc-900 dark:bg-zinc-900 dark:text-zinc-100";

  return (
    <div role="search" aria-label="Filter tasks" className="grid grid-cols-2 gap-3 sm:grid-cols-4">
      <div className="col-span-2 sm:col-span-4">
        <label htmlFor="task-search" className="block text-sm font-medium">
          Search
        </label>
        <input id="task-search" type="search" value={search} placeholder="Text in title or description"
          onChange={(event) => setSearch(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter") onChange({ ...filters, q: search });
          }}
          className={selectClass} />
      </div>
      <div>
        <label htmlFor="task-status" className="block text-sm font-medium">
          Show
        </label>
        <select id="task-status" value={filters.status}
          onChange={(event) => onChange({ ...filters, status: event.target.value as StatusFilter })} className={selectClass}>
          <option value="all">All</option>
          <option value="pending">Pending</option>
          <option value="completed">Completed</option>
        </select>
      </div>
      <div>
        <label htmlFor="task-sort" className="block text-sm font-medium">
          Sort by
        </label>
        <select id="task-sort" value={filters.sort}
          onChange={(event) => onChange({ ...filters, sort: event.target.value as SortField })} className={selectClass}>
          <option value="created_at">Created</option>
          <option value="updated_at">Updated</option>
          <option value="title">Title</option>
        </select>
      </div>
      <div>
        <label htmlFor="task-order" className="block text-sm font-medium">
          Order
        </label>
        <select id="task-order" value={filters.order}
          onChange={(event) => onChange({ ...filters, order: event.target.value as SortOrder })} className={selectClass}>
          <option value="desc">Descending</option>
          <option value="asc">Ascending</option>
        </select>
      </div>
    </div>
  );
}
