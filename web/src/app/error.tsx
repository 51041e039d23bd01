"use client";

import { reloadPage } from "@/lib/reload-page";

// Shown when rendering a page fails, on the server (for example the account
// store is unreachable or misconfigured) or in the browser (for example a part
// of the page that did not load); the details are in the server's log or the
// browser console. The cause is not known here, so the words do not guess at one.
//
// "Try again" loads the page afresh rather than re-rendering it (`reset`, or
// `retry`, which also asks the server again): a part whose script failed to
// load stays failed in this document (React's lazy keeps its failure), and
// after an update its old chunk is gone for good; a new load gets new scripts.
export default function ErrorPage() {
  return (
    <main className="mx-auto flex w-full max-w-sm flex-1 flex-col justify-center px-4 py-10">
      <h1 className="mb-3 text-2xl font-semibold">Something went wrong</h1>
      <p role="alert" className="mb-6 text-zinc-700 dark:text-zinc-300">
        This page could not be shown. Try again in a moment.
      </p>
      <button type="button" onClick={reloadPage}
        className="rounded-md bg-blue-700 px-4 py-2 font-medium text-white hover:bg-blue-800">
        Try again
      </button>
    </main>
  );
}
