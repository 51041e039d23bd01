import { renderWithApi } from "@/test/render-with-api";
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeTaskService } from "@/test/fake-task-service";
import { UNDO_MS } from "./pending-deletes";
import { TasksView } from "./tasks-view";

let service: FakeTaskService;

function renderTasks() {
  return renderWithApi(service, (api) => <TasksView api={api} />);
}

const advance = (ms: number) => act(async () => void (await vi.advanceTimersByTimeAsync(ms)));
const rows = () => screen.queryByRole("list", { name: "Tasks" });

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true });
  service = new FakeTaskService("user-1");
});

afterEach(() => {
  vi.useRealTimers();
});

describe("delete with Undo", () => {
  it("hides the task at once, sends nothing while Undo is offered, and Undo brings it back", async () => {
    service.add("Buy milk");
    service.add("Walk the dog");
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    renderTasks();

    await user.click(await screen.findByRole("button", { name: "Delete “Buy milk”" }));
    expect(within(rows()!).queryByText("Buy milk")).not.toBeInTheDocument();
    expect(await screen.findByText("Deleted “Buy milk”")).toBeInTheDocument();
    await advance(UNDO_MS - 500);
    expect(service.count("DELETE")).toBe(0);

    await user.click(screen.getByRole("button", { name: "Undo" }));
    expect(await within(rows()!).findByText("Buy milk")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("button", { name: "Delete “Buy milk”" })).toHaveFocus());
    await advance(UNDO_MS * 2);
    expect(service.count("DELETE")).toBe(0);
    expect(service.tasks.map((task) => task.title)).toEqual(["Buy milk", "Walk the dog"]);
    expect(screen.queryByText("Deleted “Buy milk”")).not.toBeInTheDocument();
  });

  it("says in the toast how to undo from the keyboard, and Ctrl+Z undoes the latest deletion in time", async () => {
    service.add("Walk the dog");
    service.add("Buy milk");
    service.add("Feed the cat");
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    renderTasks();

    await user.click(await screen.findByRole("button", { name: "Delete “Walk the dog”" }));
    await user.click(screen.getByRole("button", { name: "Delete “Buy milk”" }));
    const hint = await screen.findByText("Deleted “Buy milk”");
    // Said to screen readers: the toast is in a polite live region, with how to undo it.
    const region = hint.closest("[aria-live]")!;
    expect(region).toHaveAttribute("aria-live", "polite");
    expect(region).toHaveTextContent(/Deleted “Buy milk”\s*Press Ctrl\+Z to undo/);

    // In a text field Ctrl+Z is the field's own.
    await user.click(screen.getByLabelText("Title"));
    await user.keyboard("{Control>}z{/Control}");
    expect(within(rows()!).queryByText("Buy milk")).not.toBeInTheDocument();

    // Anywhere else it undoes the latest deletion, then the one before.
    screen.getByRole("button", { name: "Delete “Feed the cat”" }).focus();
    await user.keyboard("{Control>}z{/Control}");
    expect(await within(rows()!).findByText("Buy milk")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("button", { name: "Delete “Buy milk”" })).toHaveFocus());
    expect(within(rows()!).queryByText("Walk the dog")).not.toBeInTheDocument();
    await user.keyboard("{Control>}z{/Control}");
    expect(await within(rows()!).findByText("Walk the dog")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("button", { name: "Delete “Walk the dog”" })).toHaveFocus());

    await advance(UNDO_MS * 2);
    expect(service.count("DELETE")).toBe(0);
    // Nothing is waiting any more: Ctrl+Z does nothing, and a sent deletion is not undone.
    await user.click(screen.getByRole("button", { name: "Delete “Feed the cat”" }));
    await advance(UNDO_MS);
    await waitFor(() => expect(service.count("DELETE")).toBe(1));
    await user.keyboard("{Control>}z{/Control}");
    await advance(100);
    expect(within(rows()!).queryByText("Feed the cat")).not.toBeInTheDocument();
  });

  it("sends the DELETE once the window has passed, and takes the toast away", async () => {
    service.add("Buy milk");
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    renderTasks();

    await user.click(await screen.findByRole("button", { name: "Delete “Buy milk”" }));
    await screen.findByText("Deleted “Buy milk”");
    await advance(UNDO_MS);
    await waitFor(() => expect(service.count("DELETE")).toBe(1));
    await waitFor(() => expect(service.tasks).toEqual([]));
    await advance(1000);
    expect(screen.queryByText("Deleted “Buy milk”")).not.toBeInTheDocument();
    expect(screen.getByText(/No tasks yet/)).toBeInTheDocument();
  });

  it("keeps the task hidden while the list is refetched during the window", async () => {
    service.add("Buy milk");
    service.add("Walk the dog");
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    renderTasks();

    await user.click(await screen.findByRole("button", { name: "Delete “Buy milk”" }));
    // Another change settles, and the lists are refetched with the task still in them.
    await user.click(screen.getByRole("checkbox", { name: "Done: Walk the dog" }));
    await waitFor(() => expect(service.count("GET", /\/tasks$/)).toBe(2));
    await advance(100);
    expect(screen.getByRole("checkbox", { name: "Done: Walk the dog" })).toBeChecked();
    expect(screen.queryByText("Buy milk")).not.toBeInTheDocument();
  });

  it("brings the task back and says why at its row when the deletion is refused", async () => {
    service.add("Buy milk");
    service.add("Walk the dog");
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    renderTasks();

    await user.click(await screen.findByRole("button", { name: "Delete “Buy milk”" }));
    service.failNext({ status: 503 }, { method: "DELETE" });
    await advance(UNDO_MS);
    const row = (await within(rows()!).findByText("Buy milk")).closest("li")!;
    // Said once, at the row, as an alert (announced), and tied to its checkbox.
    const alert = within(row).getByRole("alert");
    expect(alert).toHaveTextContent(/Could not delete “Buy milk”\. The task service is unavailable/);
    expect(screen.getAllByText(/Could not delete/)).toHaveLength(1);
    expect(within(row).getByRole("checkbox", { name: "Done: Buy milk" })).toHaveAttribute("aria-describedby", alert.id);
    expect(service.tasks.map((task) => task.title)).toEqual(["Buy milk", "Walk the dog"]);

    await user.click(within(row).getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByText(/Could not delete/)).not.toBeInTheDocument();
    expect(within(row).getByRole("checkbox", { name: "Done: Buy milk" })).toHaveFocus();
  });

  it("says at the row when the task service cannot be reached, and a new try clears it", async () => {
    service.add("Buy milk");
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    renderTasks();

    await user.click(await screen.findByRole("button", { name: "Delete “Buy milk”" }));
    service.failNext("network", { method: "DELETE" });
    await advance(UNDO_MS);
    const row = (await within(rows()!).findByText("Buy milk")).closest("li")!;
    expect(within(row).getByRole("alert")).toHaveTextContent(/Could not delete “Buy milk”\. Cannot reach the task service/);

    await user.click(within(row).getByRole("button", { name: "Delete “Buy milk”" }));
    expect(screen.queryByText(/Could not delete/)).not.toBeInTheDocument();
    await advance(UNDO_MS);
    await waitFor(() => expect(service.tasks).toEqual([]));
    expect(screen.queryByText(/Could not delete/)).not.toBeInTheDocument();
  });

  it("says it above the list when the list shown no longer holds the task", async () => {
    service.add("Buy milk");
    service.add("Answer mail", { completed: true });
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    renderTasks();

    await user.click(await screen.findByRole("button", { name: "Delete “Buy milk”" }));
    await user.selectOptions(screen.getByLabelText("Show"), "completed");
    await waitFor(() => expect(within(rows()!).queryByText("Answer mail")).toBeInTheDocument());
    service.failNext({ status: 503 }, { method: "DELETE" });
    await advance(UNDO_MS);
    const alert = await screen.findByText(/Could not delete “Buy milk”/);
    expect(rows()).not.toContainElement(alert);

    // Back in a list that shows the task, it is said at the row.
    await user.selectOptions(screen.getByLabelText("Show"), "all");
    const row = (await within(rows()!).findByText("Buy milk")).closest("li")!;
    await waitFor(() => expect(within(row).getByRole("alert")).toHaveTextContent(/Could not delete “Buy milk”/));
    expect(screen.getAllByText(/Could not delete/)).toHaveLength(1);
  });

  it("sends waiting deletions at once when the page goes away", async () => {
    service.add("Buy milk");
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    renderTasks();

    await user.click(await screen.findByRole("button", { name: "Delete “Buy milk”" }));
    await screen.findByText("Deleted “Buy milk”");
    window.dispatchEvent(new Event("pagehide"));
    await waitFor(() => expect(service.count("DELETE")).toBe(1));
    // The window passing later sends nothing more.
    await advance(UNDO_MS * 2);
    expect(service.count("DELETE")).toBe(1);
  });
});
