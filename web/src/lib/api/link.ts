/**
 * Returns the `cursor` query parameter of the `rel="next"` link in an RFC 8288
 * `Link` header, or undefined when there is no next page.
 */
export function nextCursorFromLink(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!match) continue;
    const [, target, params] = match;
    const rels = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(params)?.[1]?.toLowerCase().split(/\s+/) ?? [];
    if (!rels.includes("next")) continue;
    const url = new URL(target, "http://link.invalid");
    return url.searchParams.get("cursor") ?? undefined;
  }
  return undefined;
}
