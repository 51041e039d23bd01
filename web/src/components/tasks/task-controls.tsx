"use client";

import { useEffect, useState } from "react";
import type { Priority, SortField, SortOrder, StatusFilter, TagCount } from "@/lib/api/types";
import { PRIORITIES, VIEWS, type TaskFilters, type View } from "@/lib/tasks/filters";
import { fold } from "@/lib/tasks/fold";
import { LabelledSelect, type Choice } from "./labelled-select";

const SEARCH_DELAY_MS = 300;

const ANY = { value: "", label: "Any" } as const;
const STATUS_CHOICES: Choice<StatusFilter>[] = [
  { value: "all", label: "All" },
  { value: "pending", label: "Pending" },
  { value: "completed", label: "Completed" },
];
// Highest first, as a person looks for them.
const PRIORITY_FILTER_CHOICES: Choice<Priority | "">[] = [ANY, ...[...PRIORITIES].reverse()];
const SORT_CHOICES: Choice<SortField>[] = [
  { value: "created_at", label: "Created" },
  { value: "updated_at", label: "Updated" },
  { value: "title", label: "Title" },
  { value: "due_at", label: "Due date" },
  { value: "priority", label: "Priority" },
];
const ORDER_CHOICES: Choice<SortOrder>[] = [
  { value: "desc", label: "Descending" },
  { value: "asc", label: "Ascending" },
];
const labelClass = "block font-medium";

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
  const tagOptions = chosenTag && !tags.some((tag) => fold(tag.name) === fold(chosenTag))
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
      {/* Columns no narrower than the longest choice ("Descending", "Completed")
          needs, so a select never shows a word cut short: as many as fit. */}
      <div className="grid grid-cols-[repeat(auto-fill,minmax(10rem,1fr))] gap-2 text-sm">
        <LabelledSelect id="task-status" label="Show" labelClassName={labelClass} className={selectClass} value={filters.status}
          choices={STATUS_CHOICES} onChange={(status) => onChange({ ...filters, status })} />
        <LabelledSelect id="task-tag" label="Tag" labelClassName={labelClass} className={selectClass} value={chosenTag}
          choices={[ANY, ...tagOptions.map((tag) => ({ value: tag.name, label: tag.name }))]}
          onChange={(tag) => onChange({ ...filters, tags: tag ? [tag] : [] })} />
        <LabelledSelect id="task-priority" label="Priority" labelClassName={labelClass} className={selectClass}
          value={filters.priorities[0] ?? ""} choices={PRIORITY_FILTER_CHOICES}
          onChange={(priority) => onChange({ ...filters, priorities: priority ? [priority] : [] })} />
        <LabelledSelect id="task-sort" label="Sort by" labelClassName={labelClass} className={selectClass} value={filters.sort}
          choices={SORT_CHOICES}
          onChange={(sort) =>
            // Soonest due first is what a person means by "by due date".
            onChange({ ...filters, sort, ...(sort === "due_at" ? { order: "asc" as const } : {}), ...(sort === "priority" ? { order: "desc" as const } : {}) })
          } />
        <LabelledSelect id="task-order" label="Order" labelClassName={labelClass} className={selectClass} value={filters.order}
          choices={ORDER_CHOICES} onChange={(order) => onChange({ ...filters, order })} />
      </div>
    </div>
  );
}
