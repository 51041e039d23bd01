"use client";

import { useEffect, useState } from "react";
import type { Priority, SortField, SortOrder, StatusFilter, TagCount } from "@/lib/api/types";
import { VIEWS, type TaskFilters, type View } from "@/lib/tasks/filters";

const SEARCH_DELAY_MS = 300;

interface TaskControlsProps {
  filters: TaskFilters;
  onChange: (filters: TaskFilters) => void;
  /** The person's tags, for the tag filter. */
  tags: TagCount[];
}

export function TaskControls({ filters, onChange, tags }: TaskControlsProps) {
  const [search, setSearch] = useState(filters.q);

  // Search as the person types, but only once they pause.
  useEffect(() => {
    if (search === filters.q) return;
    const timer = setTimeout(() => onChange({ ...filters, q: search }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [search, filters, onChange]);

  const selectClass =
    "mt-1 block w-full rounded-md border border-zinc-400 bg-white px-2 py-1.5 text-base text-zinc-900 dark:bg-zinc-900 dark:text-zinc-100";
  const chosenTag = filters.tags[0] ?? "";
  // A tag chosen earlier stays selectable while the tag list reloads (or after its last task went).
  const tagOptions = chosenTag && !tags.some((tag) => tag.name.toLowerCase() === chosenTag.toLowerCase())
    ? [{ name: chosenTag, count: 0 }, ...tags]
    : tags;

  return (
    <div role="search" aria-label="Filter tasks" className="space-y-3">
      <fieldset>
        <legend className="sr-only">View</legend>
        <div className="flex flex-wrap gap-1.5">
          {VIEWS.map((view) => (
            <label key={view.value}
              className="shrink-0 cursor-pointer rounded-full border border-zinc-400 px-3 py-1 text-sm font-medium has-checked:border-blue-700 has-checked:bg-blue-700 has-checked:text-white has-focus-visible:outline-3 has-focus-visible:outline-blue-600 dark:has-checked:border-blue-400 dark:has-checked:bg-blue-400 dark:has-checked:text-zinc-950">
              <input type="radio" name="task-view" value={view.value} checked={filters.view === view.value}
                onChange={() => onChange({ ...filters, view: view.value as View })} className="sr-only" />
              {view.label}
            </label>
          ))}
        </div>
      </fieldset>
      <div>
        <label htmlFor="task-search" className="sr-only">
          Search
        </label>
        <input id="task-search" type="search" value={search} placeholder="Search titles and descriptions"
          onChange={(event) => setSearch(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter") onChange({ ...filters, q: search });
          }}
          className={selectClass.replace("mt-1 ", "")} />
      </div>
      <div className="grid grid-cols-3 gap-2 text-sm sm:grid-cols-5">
        <div>
          <label htmlFor="task-status" className="block font-medium">
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
          <label htmlFor="task-tag" className="block font-medium">
            Tag
          </label>
          <select id="task-tag" value={chosenTag}
            onChange={(event) => onChange({ ...filters, tags: event.target.value ? [event.target.value] : [] })} className={selectClass}>
            <option value="">Any</option>
            {tagOptions.map((tag) => (
              <option key={tag.name} value={tag.name}>
                {tag.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="task-priority" className="block font-medium">
            Priority
          </label>
          <select id="task-priority" value={filters.priorities[0] ?? ""}
            onChange={(event) => onChange({ ...filters, priorities: event.target.value ? [event.target.value as Priority] : [] })}
            className={selectClass}>
            <option value="">Any</option>
            <option value="high">High</option>
            <option value="medium">Medium</option>
            <option value="low">Low</option>
            <option value="none">None</option>
          </select>
        </div>
        <div>
          <label htmlFor="task-sort" className="block font-medium">
            Sort by
          </label>
          <select id="task-sort" value={filters.sort}
            onChange={(event) => {
              const sort = event.target.value as SortField;
              // Soonest due first is what a person means by "by due date".
              onChange({ ...filters, sort, ...(sort === "due_at" ? { order: "asc" as const } : {}), ...(sort === "priority" ? { order: "desc" as const } : {}) });
            }}
            className={selectClass}>
            <option value="created_at">Created</option>
            <option value="updated_at">Updated</option>
            <option value="title">Title</option>
            <option value="due_at">Due date</option>
            <option value="priority">Priority</option>
          </select>
        </div>
        <div>
          <label htmlFor="task-order" className="block font-medium">
            Order
          </label>
          <select id="task-order" value={filters.order}
            onChange={(event) => onChange({ ...filters, order: event.target.value as SortOrder })} className={selectClass}>
            <option value="desc">Descending</option>
            <option value="asc">Ascending</option>
          </select>
        </div>
      </div>
    </div>
  );
}
