/**
 * The API's text folding (`domain/src/text.rs`: NFKC, full Unicode case
 * folding, NFKC again), so that the web app treats two spellings as one tag or
 * one search exactly when the API does: "STRASSE" and "straße", "ǅ" and "ǆ",
 * "ﬀ" and "FF", "ΟΔΟΣ" and "οδος".
 *
 * JavaScript has no case folding of its own, and Unicode's folding table is
 * not worth shipping to the browser for this: lower-, upper- then lower-casing
 * puts every string in the same class as full case folding does, checked for
 * every code point against Unicode 14's table, with two exceptions handled
 * here. Upper-casing alone leaves "ẞ" as it is, while folding makes it "ss"
 * like "ß" (hence the first lower-casing); and the dotless "ı", which folding
 * keeps apart from "i", would become "I" and then "i", so it is left alone.
 * The folded strings are for comparing: they need not be the API's
 * character for character (a final "ς" stays one).
 */
export function fold(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/[^ı]+/g, (run) => run.toLowerCase().toUpperCase().toLowerCase())
    .normalize("NFKC");
}
