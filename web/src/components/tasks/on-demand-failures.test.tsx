import { renderWithApi } from "@/test/render-with-api";
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Component, type ReactNode } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeTaskService } from "@/test/fake-task-service";
import { TasksView } from "./tasks-view";

// The row editor and the add form's checks are chunks loaded on demand. Here
// their first load fails (the network dropped), as a browser's import() would;
// so do the pickers and the toaster (React lazy). Modules stay loaded across the
// tests of this file, so the order matters: the add form's tests run first
// (the editor uses the draft logic and the pickers), and the toaster's last
// (a failed toaster stays failed, by design: the page shows its error).
const { failing, failWhenAsked } = vi.hoisted(() => {
  const failing = { editor: false, draft: false, details: false, toasts: false };
  /** A module factory that fails while `failing[part]` is set, as a chunk that did not load. */
  const failWhenAsked =
    (part: keyof typeof failing) =>
    async (importOriginal: () => Promise<unknown>) => {
      if (failing[part]) throw new TypeError("Failed to fetch dynamically imported module");
      return importOriginal();
    };
  return { failing, failWhenAsked };
});
vi.mock("./task-editor", failWhenAsked("editor"));
vi.mock("sonner", failWhenAsked("toasts"));
vi.mock("./task-details-fields", failWhenAsked("details"));
vi.mock("@/lib/tasks/draft", failWhenAsked("draft"));

/** Stands in for the page's error boundary (app/error.tsx). */
class PageBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  render() {
    return this.state.failed ? <p>The page could not be shown</p> : this.props.children;
  }
}

let service: FakeTaskService;

beforeEach(() => {
  failing.editor = false;
  failing.draft = false;
  failing.details = false;
  failing.toasts = false;
  service = new FakeTaskService("user-1");
  localStorage.clear();
  vi.spyOn(console, "error").mockImplementation(() => {}); // React reports the caught errors
});
afterEach(() => vi.restoreAllMocks());

describe("parts of the page that did not load", () => {
  it("Add says so and keeps the typed title, and the next Add sends it", async () => {
    failing.draft = true;
    const user = userEvent.setup();
    renderWithApi(service, (api) => <TasksView api={api} />);

    await user.type(await screen.findByLabelText("Title"), "Call the bank{Enter}");
    expect(await screen.findByText(/Could not add the task: part of this page did not load/)).toBeInTheDocument();
    expect(screen.getByLabelText("Title")).toHaveValue("Call the bank");
    expect(service.tasks).toHaveLength(0);

    failing.draft = false;
    await user.click(screen.getByRole("button", { name: "Add task" }));
    expect(await within(await screen.findByRole("list", { name: "Tasks" })).findByText("Call the bank")).toBeInTheDocument();
    expect(service.tasks.map((task) => task.title)).toEqual(["Call the bank"]);
  });

  it("the details say so in the form, the rest of the page keeps working, and Try again shows the pickers", async () => {
    failing.details = true;
    const user = userEvent.setup();
    renderWithApi(service, (api) => <TasksView api={api} />);

    await user.click(await screen.findByRole("button", { name: "Add details" }));
    expect(await screen.findByText(/The details could not be shown: part of this page did not load/)).toBeInTheDocument();
    // The page is still there: a task can be added without the details.
    await user.type(screen.getByLabelText("Title"), "Water the plants{Enter}");
    expect(await within(await screen.findByRole("list", { name: "Tasks" })).findByText("Water the plants")).toBeInTheDocument();

    failing.details = false;
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("combobox", { name: "Tags" })).toBeInTheDocument();
  });

  it("Edit says so at the row, and the next Edit loads the editor", async () => {
    service.add("Buy milk");
    failing.editor = true;
    const user = userEvent.setup();
    renderWithApi(service, (api) => <TasksView api={api} />);

    await user.click(await screen.findByRole("button", { name: "Edit “Buy milk”" }));
    const row = screen.getByRole("listitem");
    expect(await within(row).findByText(/Could not open “Buy milk” for editing: part of this page did not load/)).toBeInTheDocument();
    expect(screen.queryByRole("form", { name: "Edit “Buy milk”" })).not.toBeInTheDocument();

    failing.editor = false;
    await user.click(screen.getByRole("button", { name: "Edit “Buy milk”" }));
    expect(await screen.findByRole("form", { name: "Edit “Buy milk”" })).toBeInTheDocument();
  });

  it("a delete whose Undo toast cannot load is not sent: the page shows its error and the task stays", async () => {
    failing.toasts = true;
    service.add("Buy milk");
    const user = userEvent.setup();
    renderWithApi(service, (api) => (
      <PageBoundary>
        <TasksView api={api} undoMs={1000} />
      </PageBoundary>
    ));

    await user.click(await screen.findByRole("button", { name: "Delete “Buy milk”" }));
    expect(await screen.findByText("The page could not be shown")).toBeInTheDocument();
    // Past the Undo window (a second here; React shows the error after its ~300 ms Suspense throttle).
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(service.count("DELETE")).toBe(0);
    expect(service.tasks.map((task) => task.title)).toEqual(["Buy milk"]);
  });
});
