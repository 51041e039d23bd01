"use client";

import { Combobox, ComboboxInput, ComboboxOption, ComboboxOptions, Field, Label } from "@headlessui/react";
import { useRef, useState, type FocusEvent, type KeyboardEvent } from "react";
import type { TagCount } from "@/lib/api/types";
import { fold } from "@/lib/tasks/fold";
import { withTag } from "@/lib/tasks/draft";

export const MAX_TAGS = 20;
export const TAG_MAX_LENGTH = 32;

interface TagsInputProps {
  tags: string[];
  onChange: (tags: string[]) => void;
  /** The person's tags (from `/tags`), offered as they type. */
  suggestions: TagCount[];
}

/**
 * Tags as chips, with an accessible combobox (Headless UI) that offers the
 * person's existing tags and adds a new one on Enter or comma.
 */
export function TagsInput({ tags, onChange, suggestions }: TagsInputProps) {
  const [query, setQuery] = useState("");
  const typed = query.trim().replace(/,/g, "");
  const chosen = new Set(tags.map(fold));
  const matching = suggestions
    .filter((tag) => !chosen.has(fold(tag.name)) && fold(tag.name).includes(fold(typed)))
    .slice(0, 8);
  const isNew = typed !== "" && !chosen.has(fold(typed)) && !suggestions.some((tag) => fold(tag.name) === fold(typed));
  const full = tags.length >= MAX_TAGS;
  const optionsRef = useRef<HTMLDivElement>(null);

  function add(tag: string) {
    onChange(withTag(tags, tag.slice(0, TAG_MAX_LENGTH)));
    setQuery("");
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "," && typed) {
      event.preventDefault();
      add(typed);
    } else if (event.key === "Tab" && typed) {
      // Before the combobox closes on Tab, which empties the field (onClose).
      add(typed);
    } else if (event.key === "Backspace" && query === "" && tags.length) {
      onChange(tags.slice(0, -1));
    }
  }

  // A tag typed but not confirmed would otherwise be lost without a word when
  // the person presses Add task or Save, or tabs on. Not when the focus went
  // to an offered tag: choosing it adds that one instead.
  function onBlur(event: FocusEvent<HTMLInputElement>) {
    if (typed && !optionsRef.current?.contains(event.relatedTarget as Node | null)) add(typed);
  }

  return (
    <Field className="min-w-0">
      <Label className="block text-sm font-medium">Tags</Label>
      {tags.length > 0 && (
        <ul aria-label="Chosen tags" className="mt-1 flex flex-wrap gap-1">
          {tags.map((tag) => (
            <li key={tag} className="flex items-center gap-1 rounded-full bg-zinc-200 py-0.5 pr-1 pl-2 text-sm text-zinc-900 dark:bg-zinc-700 dark:text-zinc-100">
              {tag}
              <button type="button" onClick={() => onChange(tags.filter((other) => other !== tag))}
                aria-label={`Remove tag ${tag}`}
                className="rounded-full px-1.5 leading-5 hover:bg-zinc-300 dark:hover:bg-zinc-600">
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <Combobox multiple value={tags} onChange={(next: string[]) => { for (const tag of next.filter((t) => !tags.includes(t))) add(tag); }}
        onClose={() => setQuery("")} disabled={full}>
        <ComboboxInput value={query} onChange={(event) => setQuery(event.target.value)} onKeyDown={onKeyDown} onBlur={onBlur}
          maxLength={TAG_MAX_LENGTH} placeholder={full ? `At most ${MAX_TAGS} tags` : "Type to add a tag"} autoComplete="off"
          className="mt-1 block w-full rounded-md border border-zinc-400 bg-white px-3 py-2 text-base text-zinc-900 dark:bg-zinc-900 dark:text-zinc-100" />
        {(isNew || matching.length > 0) && (
          <ComboboxOptions ref={optionsRef} anchor="bottom start" modal={false}
            className="z-20 w-(--input-width) rounded-md border border-zinc-300 bg-white p-1 shadow-lg empty:invisible dark:border-zinc-600 dark:bg-zinc-900">
            {isNew && (
              <ComboboxOption value={typed} className="cursor-default rounded px-2 py-1.5 data-focus:bg-blue-100 dark:data-focus:bg-blue-900">
                Add “{typed}”
              </ComboboxOption>
            )}
            {matching.map((tag) => (
              <ComboboxOption key={tag.name} value={tag.name}
                className="flex cursor-default justify-between rounded px-2 py-1.5 data-focus:bg-blue-100 dark:data-focus:bg-blue-900">
                <span>{tag.name}</span>
                <span className="text-sm text-zinc-600 dark:text-zinc-400">{tag.count}</span>
              </ComboboxOption>
            ))}
          </ComboboxOptions>
        )}
      </Combobox>
    </Field>
  );
}
