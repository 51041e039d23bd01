import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Component, type ReactNode } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { isLoadFailure, lazyPart } from "./lazy-part";

function Greeting({ name }: { name: string }) {
  return <p>Hello, {name}</p>;
}

/** Stands in for the page's error boundary (app/error.tsx). */
class PageBoundary extends Component<{ children: ReactNode }, { error?: Error }> {
  state: { error?: Error } = {};
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  render() {
    return this.state.error ? <p>Page error: {this.state.error.message}</p> : this.props.children;
  }
}

const failed = (retry: () => void) => (
  <p role="alert">
    Did not load. <button onClick={retry}>Try again</button>
  </p>
);

beforeEach(() => {
  vi.spyOn(console, "error").mockImplementation(() => {}); // React reports the caught errors
});
afterEach(() => vi.restoreAllMocks());

/** A load that fails the first time (the network dropped), then gives Greeting. */
function failingOnce() {
  const load = vi.fn<() => Promise<{ default: typeof Greeting }>>();
  load.mockRejectedValueOnce(new TypeError("Failed to fetch dynamically imported module: /chunks/x.js"));
  load.mockResolvedValue({ default: Greeting });
  return load;
}

describe("lazyPart", () => {
  it("shows its failure in place when the script did not load, loads it on Try again and puts the focus in it", async () => {
    const load = failingOnce();
    const LazyGreeting = lazyPart(load);
    const focusAfterRetry = vi.fn();

    render(<PageBoundary><p>The rest of the page</p><LazyGreeting name="Ada" loading={<p>Loading…</p>} failed={failed} focusAfterRetry={focusAfterRetry} /></PageBoundary>);
    expect(await screen.findByRole("alert")).toHaveTextContent("Did not load.");
    expect(screen.getByText("The rest of the page")).toBeInTheDocument();
    expect(focusAfterRetry).not.toHaveBeenCalled();

    await userEvent.setup().click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("Hello, Ada")).toBeInTheDocument();
    expect(load).toHaveBeenCalledTimes(2);
    expect(focusAfterRetry).toHaveBeenCalledOnce();
  });

  it("loads afresh for a part mounted after a failure, and leaves a part already shown as it is", async () => {
    const load = failingOnce();
    const LazyGreeting = lazyPart(load);
    const { rerender } = render(<LazyGreeting name="Ada" loading={<p>Loading…</p>} failed={failed} />);
    expect(await screen.findByRole("alert")).toBeInTheDocument();

    // Another instance (details opened again, another row's editor) tries again by itself.
    rerender(<><LazyGreeting name="Ada" loading={<p>Loading…</p>} failed={failed} /><LazyGreeting key="b" name="Bo" loading={<p>Loading…</p>} failed={failed} /></>);
    expect(await screen.findByText("Hello, Bo")).toBeInTheDocument();
    expect(screen.getByRole("alert")).toBeInTheDocument();

    // The first one's retry takes the loaded part; the second is not loaded again.
    await userEvent.setup().click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("Hello, Ada")).toBeInTheDocument();
    expect(screen.getByText("Hello, Bo")).toBeInTheDocument();
    expect(load).toHaveBeenCalledTimes(2);
  });

  it("leaves any other error to the page's error boundary", async () => {
    function Broken(): ReactNode {
      throw new Error("a bug, not the network");
    }
    const LazyBroken = lazyPart(async () => ({ default: Broken }));

    render(<PageBoundary><LazyBroken loading={<p>Loading…</p>} failed={failed} /></PageBoundary>);
    expect(await screen.findByText("Page error: a bug, not the network")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("tells a failed load from other errors", () => {
    const chunkError = Object.assign(new Error("Failed to load chunk /_next/static/chunks/x.js"), { name: "ChunkLoadError" });
    expect(isLoadFailure(chunkError)).toBe(true);
    expect(isLoadFailure(new TypeError("Importing a module script failed."))).toBe(true);
    expect(isLoadFailure(new Error("could not import", { cause: new TypeError("Failed to fetch dynamically imported module") }))).toBe(true);
    expect(isLoadFailure(new TypeError("Cannot read properties of undefined"))).toBe(false);
    expect(isLoadFailure("Failed to fetch dynamically imported module")).toBe(false);
  });
});
