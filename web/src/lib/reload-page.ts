/** Loads this page afresh (a new document). A module of its own so tests can stand in for it. */
export function reloadPage(): void {
  window.location.reload();
}
