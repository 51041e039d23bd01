import { renderWithApi } from "@/test/render-with-api";
import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { createAuthorizedFetch } from "@/lib/api/authorized-fetch";
import { ApiError } from "@/lib/api/errors";
import { TokenStore } from "@/lib/api/token-store";
import { browserTimeZone } from "@/lib/dates/zoned";
import { FakeTaskService } from "@/test/fake-task-service";
import type { TaskApi } from "@/lib/api/task-api";
import { DEFAULT_FILTERS } from "@/lib/tasks/filters";
import { COMPLETED_SHOWN_KEY, TasksView } from "./tasks-view";
import { usePrefetchFirstRequests, useReminderTasks } from "./use-tasks";

let service: FakeTaskService;

function renderTasks(pageSize = 100, fetch: (request: Request) => Promise<Response> = service.fetch) {
  // Deletions are sent after a short Undo window here; pending-deletes.test.tsx covers the real one.
  return renderWithApi(service, (api) => <TasksView api={api} undoMs={20} />, { fetch, pageSize });
}

const taskList = () => screen.getByRole("list", { name: "Tasks" });
const titles = () => within(taskList()).getAllByRole("listitem").map((item) => item.querySelector("p")?.textContent);
/** The query of the latest list request. */
const lastList = () => service.requests.filter((request) => request.method === "GET" && LIST.test(request.path)).at(-1)!;

beforeEach(() => {
  service = new FakeTaskService("user-1");
  localStorage.clear();
});

describe("TasksView", () => {
  it("shows a loading state, then the person's tasks", async () => {
    service.add("Buy milk", { description: "Two litres" });
    service.add("Walk the dog", { completed: true });
    renderTasks();

    expect(screen.getByText("Loading tasks…")).toBeInTheDocument();
    // Open tasks first; the done ones in their own group below.
    const items = await within(await screen.findByRole("list", { name: "Tasks" })).findAllByRole("listitem");
    expect(items.map((item) => item.textContent)).toEqual([expect.stringContaining("Buy milk")]);
    expect(within(screen.getByRole("list", { name: "Completed tasks" })).getAllByRole("listitem").map((item) => item.textContent)).toEqual([
      expect.stringContaining("Walk the dog"),
    ]);
    expect(screen.getByText("Two litres")).toBeInTheDocument();
    expect(screen.getByRole("checkbox", { name: "Done: Walk the dog" })).toBeChecked();
    expect(service.requests[0].path).toBe("/api/user-1/tasks");
  });

  it("loads further pages through the Link header's cursor", async () => {
    for (const title of ["One", "Two", "Three"]) service.add(title);
    const user = userEvent.setup();
    renderTasks(2);

    expect(await screen.findByText("Three")).toBeInTheDocument();
    expect(screen.queryByText("One")).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByText("One")).toBeInTheDocument();
    expect(within(taskList()).getAllByRole("listitem")).toHaveLength(3);
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
  });

  it("shows an empty state", async () => {
    renderTasks();
    expect(await screen.findByText(/No tasks yet/)).toBeInTheDocument();
  });

  it("filters by view and status, searches and sorts through the API's query", async () => {
    service.add("Buy bread");
    service.add("Answer mail", { completed: true });
    service.add("Buy milk");
    const user = userEvent.setup();
    renderTasks();
    await screen.findByText("Answer mail");
    // Newest first by default.
    expect(titles()).toEqual(["Buy milk", "Buy bread"]);

    await user.click(screen.getByRole("radio", { name: "No date" }));
    await user.selectOptions(screen.getByLabelText("Show"), "pending");
    await waitFor(() => expect(screen.queryByText("Answer mail")).not.toBeInTheDocument());

    await user.selectOptions(screen.getByLabelText("Sort by"), "title");
    await user.selectOptions(screen.getByLabelText("Order"), "asc");
    await waitFor(() => expect(titles()).toEqual(["Buy bread", "Buy milk"]));
    expect(Object.fromEntries(lastList().query)).toEqual({
      view: "no_date", tz: browserTimeZone(), status: "pending", sort: "title", order: "asc", limit: "100",
    });

    await user.type(screen.getByLabelText("Search"), "bread{Enter}");
    await waitFor(() => expect(screen.queryByText("Buy milk")).not.toBeInTheDocument());
    expect(screen.getByText("Buy bread")).toBeInTheDocument();
    expect(lastList().query.get("q")).toBe("bread");

    await user.clear(screen.getByLabelText("Search"));
    await user.type(screen.getByLabelText("Search"), "nothing like this{Enter}");
    expect(await screen.findByText("No tasks match these filters.")).toBeInTheDocument();
  });

  it("adds a task and clears the form once the API has saved it", async () => {
    const user = userEvent.setup();
    renderTasks();
    await screen.findByText(/No tasks yet/);

    await user.type(screen.getByLabelText("Title"), "Buy milk");
    await user.type(screen.getByLabelText(/Description/), "Semi-skimmed");
    await user.click(screen.getByRole("button", { name: "Add task" }));

    expect(await within(taskList()).findByText("Buy milk")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByLabelText("Title")).toHaveValue(""));
    expect(service.tasks).toMatchObject([{ title: "Buy milk", description: "Semi-skimmed" }]);
  });

  it("keeps what was typed and shows the API's words when adding fails", async () => {
    const user = userEvent.setup();
    renderTasks();
    await screen.findByText(/No tasks yet/);

    service.failNext({ status: 422, body: { detail: "title: is too long", errors: [{ field: "title", message: "is too long" }] } });
    await user.type(screen.getByLabelText("Title"), "Too long a title");
    await user.click(screen.getByRole("button", { name: "Add task" }));

    // The field's own message sits next to it; the alert does not repeat it.
    expect(await screen.findByText("Could not add the task. Check the highlighted fields.")).toBeInTheDocument();
    expect(screen.getByText("is too long")).toBeInTheDocument();
    expect(screen.queryByText(/title: is too long/)).not.toBeInTheDocument();
    expect(screen.getByLabelText("Title")).toHaveValue("Too long a title");
    expect(screen.getByLabelText("Title")).toHaveAttribute("aria-invalid", "true");
    // The optimistic row is gone again.
    await waitFor(() => expect(screen.queryByRole("list", { name: "Tasks" })).not.toBeInTheDocument());
  });

  it("says the task service cannot be reached when the network fails", async () => {
    const user = userEvent.setup();
    renderTasks();
    await screen.findByText(/No tasks yet/);

    service.failNext("network");
    await user.type(screen.getByLabelText("Title"), "Buy milk");
    await user.click(screen.getByRole("button", { name: "Add task" }));

    expect(await screen.findByText(/Cannot reach the task service/)).toBeInTheDocument();
    expect(screen.getByLabelText("Title")).toHaveValue("Buy milk");
  });

  it("shows an error state with a retry when the list cannot load", async () => {
    service.failNext({ status: 503 }, { method: "GET", path: LIST });
    service.add("Buy milk");
    const user = userEvent.setup();
    renderTasks();

    expect(await screen.findByText(/Could not load your tasks\. The task service is unavailable/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("Buy milk")).toBeInTheDocument();
  });

  it("toggles done at once and rolls back when the API refuses", async () => {
    service.add("Buy milk");
    const user = userEvent.setup();
    renderTasks();
    // The row moves to the Completed group and back: found anew each time.
    const checkbox = () => screen.getByRole("checkbox", { name: "Done: Buy milk" });
    await user.click(await screen.findByRole("checkbox", { name: "Done: Buy milk" }));
    expect(checkbox()).toBeChecked();
    await waitFor(() => expect(service.tasks[0].completed).toBe(true));

    service.failNext({ status: 404, body: { detail: "no such task" } });
    await user.click(checkbox());
    expect(await screen.findByText(/Could not update “Buy milk”\. no such task/)).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("checkbox", { name: "Done: Buy milk" })).toBeChecked());
  });

  it("edits title and description in place", async () => {
    service.add("Buy milk");
    const user = userEvent.setup();
    renderTasks();

    await user.click(await screen.findByRole("button", { name: "Edit “Buy milk”" }));
    const form = await screen.findByRole("form", { name: "Edit “Buy milk”" });
    const title = within(form).getByLabelText("Title");
    expect(title).toHaveFocus();
    await user.clear(title);
    await user.type(title, "Buy oat milk");
    await user.type(within(form).getByLabelText("Description"), "Barista");
    await user.click(within(form).getByRole("button", { name: "Save" }));

    expect(await within(taskList()).findByText("Buy oat milk")).toBeInTheDocument();
    await waitFor(() => expect(service.tasks[0]).toMatchObject({ title: "Buy oat milk", description: "Barista" }));
  });

  it("reopens the editor with the typed text when saving fails, and Escape cancels", async () => {
    service.add("Buy milk");
    const user = userEvent.setup();
    renderTasks();

    await user.click(await screen.findByRole("button", { name: "Edit “Buy milk”" }));
    const form = await screen.findByRole("form", { name: "Edit “Buy milk”" });
    await user.clear(within(form).getByLabelText("Title"));
    await user.type(within(form).getByLabelText("Title"), "Buy oat milk");
    service.failNext("network");
    await user.click(within(form).getByRole("button", { name: "Save" }));

    expect(await screen.findByText(/Could not save the changes\. Cannot reach the task service/)).toBeInTheDocument();
    const reopened = screen.getByRole("form", { name: "Edit “Buy milk”" });
    expect(within(reopened).getByLabelText("Title")).toHaveValue("Buy oat milk");
    expect(service.tasks[0].title).toBe("Buy milk");

    await user.keyboard("{Escape}");
    expect(screen.queryByRole("form", { name: "Edit “Buy milk”" })).not.toBeInTheDocument();
    expect(within(taskList()).getByText("Buy milk")).toBeInTheDocument();
  });

  it("deletes at once and brings the task back when the API fails", async () => {
    service.add("Buy milk");
    service.add("Walk the dog");
    const user = userEvent.setup();
    renderTasks();

    await user.click(await screen.findByRole("button", { name: "Delete “Walk the dog”" }));
    await waitFor(() => expect(screen.queryByText("Walk the dog")).not.toBeInTheDocument());
    await waitFor(() => expect(service.tasks.map((task) => task.title)).toEqual(["Buy milk"]));

    service.failNext({ status: 503 });
    await user.click(screen.getByRole("button", { name: "Delete “Buy milk”" }));
    expect(await screen.findByText(/Could not delete “Buy milk”\. The task service is unavailable/)).toBeInTheDocument();
    expect(await within(taskList()).findByText("Buy milk")).toBeInTheDocument();
  });

  it("says when a 422 names no field the form shows, with the API's words", async () => {
    const user = userEvent.setup();
    renderTasks();
    await screen.findByText(/No tasks yet/);

    service.failNext({ status: 422, body: { detail: "completed: must be a boolean", errors: [{ field: "completed", message: "must be a boolean" }] } });
    await user.type(screen.getByLabelText("Title"), "Buy milk");
    await user.click(screen.getByRole("button", { name: "Add task" }));
    expect(await screen.findByText("Could not add the task. completed: must be a boolean")).toBeInTheDocument();
  });
});

const PATCH = "PATCH";
/** The list's own requests (not `/tags`). */
const LIST = /\/tasks$/;
const taskPath = (id: number) => new RegExp(`/tasks/${id}(/complete)?$`);
const statusText = () => screen.getAllByRole("status").map((node) => node.textContent).join(" ");

describe("TasksView while changes are under way", () => {
  it("keeps what was typed meanwhile when an add succeeds, and leaves the focus where the person moved it", async () => {
    const user = userEvent.setup();
    renderTasks();
    await screen.findByText(/No tasks yet/);

    const release = service.holdNext({ method: "POST" });
    await user.type(screen.getByLabelText("Title"), "Buy milk");
    await user.type(screen.getByLabelText(/Description/), "Semi-skimmed");
    await user.click(screen.getByRole("button", { name: "Add task" }));
    await screen.findByRole("button", { name: "Adding…" });
    // The person starts on the next title while the first is being saved, then moves on to the search.
    await user.clear(screen.getByLabelText("Title"));
    await user.type(screen.getByLabelText("Title"), "Walk the dog");
    await user.click(screen.getByLabelText("Search"));
    release();

    await waitFor(() => expect(service.tasks).toHaveLength(1));
    await screen.findByRole("button", { name: "Add task" });
    expect(screen.getByLabelText("Title")).toHaveValue("Walk the dog");
    // The description still held what was sent, so it is cleared.
    expect(screen.getByLabelText(/Description/)).toHaveValue("");
    expect(screen.getByLabelText("Search")).toHaveFocus();
  });

  it("shows a new task's placeholder at the top of the list until the API answers, then the list as the API orders it", async () => {
    service.add("cherry");
    service.add("Apple");
    const user = userEvent.setup();
    renderTasks();
    await screen.findByText("cherry");
    await user.selectOptions(screen.getByLabelText("Sort by"), "title");
    await user.selectOptions(screen.getByLabelText("Order"), "asc");
    await waitFor(() => expect(titles()).toEqual(["Apple", "cherry"]));

    const release = service.holdNext({ method: "POST" });
    await user.type(screen.getByLabelText("Title"), "banana");
    await user.click(screen.getByRole("button", { name: "Add task" }));
    await waitFor(() => expect(titles()).toEqual(["banana", "Apple", "cherry"]));
    expect(within(taskList()).getAllByRole("listitem")[0]).toHaveTextContent("Saving…");
    const listsBefore = service.count("GET", LIST);
    release();
    await waitFor(() => expect(titles()).toEqual(["Apple", "banana", "cherry"]));
    expect(service.count("GET", LIST)).toBeGreaterThan(listsBefore);

    // A list of done tasks shows the person's new, open one only until the API has said what the list holds.
    await user.selectOptions(screen.getByLabelText("Show"), "completed");
    await screen.findByText("No tasks match these filters.");
    const releaseAgain = service.holdNext({ method: "POST" });
    await user.type(screen.getByLabelText("Title"), "date");
    await user.click(screen.getByRole("button", { name: "Add task" }));
    await waitFor(() => expect(titles()).toEqual(["date"]));
    releaseAgain();
    await waitFor(() => expect(service.tasks).toHaveLength(4));
    expect(await screen.findByText("No tasks match these filters.")).toBeInTheDocument();
  });

  it("moves the focus back to the title after an add when it was still in the form", async () => {
    const user = userEvent.setup();
    renderTasks();
    await screen.findByText(/No tasks yet/);

    await user.type(screen.getByLabelText("Title"), "Buy milk");
    await user.click(screen.getByRole("button", { name: "Add task" }));
    await waitFor(() => expect(screen.getByLabelText("Title")).toHaveValue(""));
    expect(screen.getByLabelText("Title")).toHaveFocus();
  });

  it("shows the saved task in place of the placeholder even when the refetch after the add fails", async () => {
    const user = userEvent.setup();
    renderTasks();
    await screen.findByText(/No tasks yet/);

    service.failNext({ status: 503 }, { method: "GET", path: LIST });
    await user.type(screen.getByLabelText("Title"), "Buy milk");
    await user.click(screen.getByRole("button", { name: "Add task" }));

    expect(await screen.findByRole("checkbox", { name: "Done: Buy milk" })).toBeEnabled();
    await waitFor(() => expect(service.count("GET", LIST)).toBe(2));
    expect(await screen.findByText(/Could not refresh your tasks/)).toBeInTheDocument();
    expect(screen.queryByText("Saving…")).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Edit “Buy milk”" })).toBeEnabled();
  });

  it("rolls back only the failed task: two failed toggles leave neither shown as done", async () => {
    const first = service.add("Buy milk");
    const second = service.add("Walk the dog");
    const user = userEvent.setup();
    renderTasks();
    // Rows move between the open list and the Completed group: found anew each time.
    const milk = () => screen.getByRole("checkbox", { name: "Done: Buy milk" });
    const dog = () => screen.getByRole("checkbox", { name: "Done: Walk the dog" });
    await screen.findByRole("checkbox", { name: "Done: Buy milk" });

    const releaseMilk = service.holdNext({ method: PATCH, path: taskPath(first.id) }, { status: 503 });
    const releaseDog = service.holdNext({ method: PATCH, path: taskPath(second.id) }, { status: 503 });
    await user.click(milk());
    await user.click(dog());
    await waitFor(() => expect(service.count(PATCH)).toBe(2));
    expect(milk()).toBeChecked();
    expect(dog()).toBeChecked();

    releaseMilk();
    await screen.findByText(/Could not update “Buy milk”/);
    await waitFor(() => expect(milk()).not.toBeChecked());
    expect(dog()).toBeChecked();

    // Hold the refetch that follows, to see what the rollback itself leaves.
    const releaseRefetch = service.holdNext({ method: "GET", path: LIST });
    releaseDog();
    await screen.findByText(/Could not update “Walk the dog”/);
    await waitFor(() => expect(dog()).not.toBeChecked());
    expect(milk()).not.toBeChecked();
    releaseRefetch();
    await waitFor(() => expect(service.count("GET", LIST)).toBe(2));
    expect(service.tasks.map((task) => task.completed)).toEqual([false, false]);
  });

  it("brings back only the deleted row when a delete fails while another change succeeds", async () => {
    const milk = service.add("Buy milk");
    service.add("Walk the dog");
    const user = userEvent.setup();
    renderTasks();
    await screen.findByText("Buy milk");

    const releaseDelete = service.holdNext({ method: "DELETE" }, { status: 503 });
    await user.click(screen.getByRole("button", { name: "Delete “Buy milk”" }));
    await user.click(screen.getByRole("checkbox", { name: "Done: Walk the dog" }));
    await waitFor(() => expect(service.tasks[1].completed).toBe(true));

    const releaseRefetch = service.holdNext({ method: "GET", path: LIST });
    releaseDelete();
    await screen.findByText(/Could not delete “Buy milk”/);
    expect(await within(taskList()).findByText("Buy milk")).toBeInTheDocument();
    expect(within(taskList()).getAllByRole("listitem").map((item) => item.querySelector("p")?.textContent)).toEqual(["Buy milk"]);
    expect(within(screen.getByRole("list", { name: "Completed tasks" })).getByRole("checkbox", { name: "Done: Walk the dog" })).toBeChecked();
    expect(service.tasks.map((task) => task.id)).toContain(milk.id);
    releaseRefetch();
  });

  it("refetches only once the last of several changes has settled, and keeps the others' optimistic state", async () => {
    const first = service.add("Buy milk");
    const second = service.add("Walk the dog");
    const user = userEvent.setup();
    renderTasks();
    await screen.findByText("Buy milk");
    expect(service.count("GET", LIST)).toBe(1);

    const releaseMilk = service.holdNext({ method: PATCH, path: taskPath(first.id) });
    const releaseDog = service.holdNext({ method: PATCH, path: taskPath(second.id) });
    await user.click(screen.getByRole("checkbox", { name: "Done: Buy milk" }));
    await user.click(screen.getByRole("checkbox", { name: "Done: Walk the dog" }));
    await waitFor(() => expect(service.count(PATCH)).toBe(2));

    releaseMilk();
    await waitFor(() => expect(service.tasks[0].completed).toBe(true));
    // Give a refetch every chance to start: none must while the other change is under way.
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(service.count("GET", LIST)).toBe(1);
    expect(screen.getByRole("checkbox", { name: "Done: Walk the dog" })).toBeChecked();

    releaseDog();
    await waitFor(() => expect(service.count("GET", LIST)).toBe(2));
    await waitFor(() => expect(screen.getByRole("checkbox", { name: "Done: Walk the dog" })).toBeChecked());
  });

  it("sends a quick double toggle in order, the second undoing the first", async () => {
    const task = service.add("Buy milk");
    renderTasks();
    const checkbox = await screen.findByRole("checkbox", { name: "Done: Buy milk" });

    const release = service.holdNext({ method: PATCH, path: taskPath(task.id) });
    // Two clicks before React has re-rendered the row with the first one.
    fireEvent.click(checkbox);
    fireEvent.click(checkbox);
    await waitFor(() => expect(service.count(PATCH)).toBe(1));
    // The second waits for the first (one scope per task).
    await act(() => new Promise((resolve) => setTimeout(resolve, 30)));
    expect(service.count(PATCH)).toBe(1);
    release();

    await waitFor(() => expect(service.count(PATCH)).toBe(2));
    await waitFor(() =>
      expect(service.requests.filter((request) => request.method === PATCH).map((request) => request.body)).toEqual([
        { completed: true },
        { completed: false },
      ]),
    );
    await waitFor(() => expect(service.tasks[0].completed).toBe(false));
    await waitFor(() => expect(screen.getByRole("checkbox", { name: "Done: Buy milk" })).not.toBeChecked());
  });

  it("reports a failed edit on the page when the row has gone meanwhile", async () => {
    service.add("Buy milk");
    const user = userEvent.setup();
    renderTasks();

    await user.click(await screen.findByRole("button", { name: "Edit “Buy milk”" }));
    const form = await screen.findByRole("form", { name: "Edit “Buy milk”" });
    await user.clear(within(form).getByLabelText("Title"));
    await user.type(within(form).getByLabelText("Title"), "Buy oat milk");
    const release = service.holdNext({ method: PATCH }, { status: 503 });
    await user.click(within(form).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(service.count(PATCH)).toBe(1));

    // The person switches to the done tasks: the row unmounts.
    await user.selectOptions(screen.getByLabelText("Show"), "completed");
    expect(await screen.findByText("No tasks match these filters.")).toBeInTheDocument();
    release();

    expect(
      await screen.findByText(/Could not save your changes to “Buy milk” \(new title: “Buy oat milk”\)\. The task service is unavailable/),
    ).toBeInTheDocument();
  });

  it("returns the focus to the row's Edit button after Save", async () => {
    service.add("Buy milk");
    const user = userEvent.setup();
    renderTasks();

    await user.click(await screen.findByRole("button", { name: "Edit “Buy milk”" }));
    const form = await screen.findByRole("form", { name: "Edit “Buy milk”" });
    await user.type(within(form).getByLabelText("Title"), " now");
    await user.keyboard("{Enter}");

    await waitFor(() => expect(screen.getByRole("button", { name: "Edit “Buy milk now”" })).toHaveFocus());
    await waitFor(() => expect(service.tasks[0].title).toBe("Buy milk now"));
  });

  it("moves the focus to the next row after a delete, and to the list heading after the last one", async () => {
    service.add("Buy milk");
    service.add("Walk the dog");
    const user = userEvent.setup();
    renderTasks();

    await user.click(await screen.findByRole("button", { name: "Delete “Walk the dog”" }));
    expect(screen.getByRole("button", { name: "Delete “Buy milk”" })).toHaveFocus();
    await waitFor(() => expect(service.tasks).toHaveLength(1));

    await user.keyboard("{Enter}");
    expect(screen.getByRole("heading", { name: "Your tasks" })).toHaveFocus();
    await waitFor(() => expect(service.tasks).toHaveLength(0));
  });

  it("stays quiet about background refetches and announces a list the person asked for", async () => {
    service.add("Buy milk");
    const user = userEvent.setup();
    const { queryClient } = renderTasks();
    await screen.findByText("Buy milk");
    expect(statusText()).toBe("1 task shown");

    const releaseBackground = service.holdNext({ method: "GET", path: LIST });
    void queryClient.invalidateQueries();
    await waitFor(() => expect(service.count("GET", LIST)).toBe(2));
    expect(statusText()).toBe("1 task shown");
    releaseBackground();

    const releaseFiltered = service.holdNext({ method: "GET", path: LIST });
    await user.selectOptions(screen.getByLabelText("Show"), "completed");
    await waitFor(() => expect(statusText()).toBe("Updating tasks…"));
    releaseFiltered();
    await waitFor(() => expect(statusText()).toBe("0 tasks shown"));
  });
});

describe("TasksView for keyboard and screen-reader users", () => {
  const spoken = () => document.querySelector("[aria-live=polite]")?.textContent;

  it("keeps the focus in the list when a ticked task leaves a filtered list", async () => {
    service.add("Buy milk");
    service.add("Walk the dog");
    const user = userEvent.setup();
    renderTasks();
    await screen.findByText("Buy milk");
    await user.selectOptions(screen.getByLabelText("Show"), "pending");
    await waitFor(() => expect(service.count("GET", LIST)).toBe(2));

    await user.click(screen.getByRole("checkbox", { name: "Done: Buy milk" }));
    await waitFor(() => expect(screen.queryByText("Buy milk")).not.toBeInTheDocument());
    expect(screen.getByRole("heading", { name: "Your tasks" })).toHaveFocus();
  });

  it("gives the list heading the focus once Try again has loaded the list, and after Dismiss", async () => {
    service.failNext({ status: 503 }, { method: "GET", path: LIST });
    service.add("Buy milk");
    const user = userEvent.setup();
    renderTasks();
    await user.click(await screen.findByRole("button", { name: "Try again" }));
    expect(await screen.findByText("Buy milk")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("heading", { name: "Your tasks" })).toHaveFocus());

    // A failure told on the page (the row has gone meanwhile), then dismissed.
    const release = service.holdNext({ method: PATCH }, { status: 503 });
    await user.click(screen.getByRole("button", { name: "Edit “Buy milk”" }));
    const form = await screen.findByRole("form", { name: "Edit “Buy milk”" });
    await user.type(within(form).getByLabelText("Title"), " now");
    await user.click(within(form).getByRole("button", { name: "Save" }));
    await user.selectOptions(screen.getByLabelText("Show"), "completed");
    await screen.findByText("No tasks match these filters.");
    release();
    const alert = await screen.findByRole("alert");
    await user.click(within(alert).getByRole("button", { name: "Dismiss" }));
    expect(screen.getByRole("heading", { name: "Your tasks" })).toHaveFocus();
  });

  it("announces a tick and a saved edit", async () => {
    service.add("Buy milk");
    const user = userEvent.setup();
    renderTasks();

    await user.click(await screen.findByRole("checkbox", { name: "Done: Buy milk" }));
    await waitFor(() => expect(spoken()).toBe("“Buy milk” done."));

    await user.click(screen.getByRole("button", { name: "Edit “Buy milk”" }));
    const form = await screen.findByRole("form", { name: "Edit “Buy milk”" });
    await user.type(within(form).getByLabelText("Title"), " now");
    await user.click(within(form).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(spoken()).toBe("Saved “Buy milk now”."));
  });

  it("tells a failed tick at the row, once, and Dismiss leaves the focus on its checkbox", async () => {
    service.add("Buy milk");
    service.add("Walk the dog");
    const user = userEvent.setup();
    renderTasks();
    await screen.findByRole("checkbox", { name: "Done: Buy milk" });

    // Held, so the row moves to the Completed group meanwhile and back on failure.
    const release = service.holdNext({ method: PATCH }, { status: 503 });
    await user.click(screen.getByRole("checkbox", { name: "Done: Buy milk" }));
    await waitFor(() => expect(screen.getByRole("list", { name: "Completed tasks" })).toHaveTextContent("Buy milk"));
    release();
    await waitFor(() => expect(screen.queryByRole("list", { name: "Completed tasks" })).not.toBeInTheDocument());
    const checkbox = screen.getByRole("checkbox", { name: "Done: Buy milk" });
    expect(checkbox).not.toBeChecked();
    const row = checkbox.closest("li")!;
    const alert = await within(row).findByRole("alert");
    expect(alert).toHaveTextContent("Could not update “Buy milk”. The task service is unavailable");
    expect(screen.getAllByRole("alert")).toHaveLength(1);
    expect(checkbox).toHaveAccessibleDescription(/Could not update/);

    await user.click(within(alert).getByRole("button", { name: "Dismiss" }));
    expect(within(row).queryByRole("alert")).not.toBeInTheDocument();
    expect(screen.getByRole("checkbox", { name: "Done: Buy milk" })).toHaveFocus();
  });
});

describe("TasksView when the API refuses the token", () => {
  it("offers to sign in again when the session has ended", async () => {
    const tokens = new TokenStore(async () => {
      throw ApiError.unauthenticated();
    });
    renderTasks(100, createAuthorizedFetch(tokens, service.fetch));

    expect(await screen.findByText(/Your session has ended/)).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Sign in again" })).toHaveAttribute("href", "/sign-in");
  });

  it("does not send the person round a sign-in loop when the API refuses a fresh token", async () => {
    const tokens = new TokenStore(async () => "a-token-the-api-does-not-accept");
    const refusing = createAuthorizedFetch(tokens, async () => new Response(null, { status: 401 }));
    renderTasks(100, refusing);

    expect(await screen.findByText(/The task service did not accept your sign-in/)).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Sign in again" })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });

  describe("completed tasks", () => {
    const completedToggle = () => screen.getByRole("button", { name: /^Completed \(\d+\)$/ });
    const completedList = () => screen.queryByRole("list", { name: "Completed tasks" });

    it("groups done tasks below the open ones; a tick moves the row there and its checkbox keeps the focus", async () => {
      service.add("Buy milk");
      service.add("Walk the dog", { completed: true });
      service.add("Call mum");
      const user = userEvent.setup();
      renderTasks();

      await screen.findByText("Buy milk");
      expect(within(taskList()).getAllByRole("listitem").map((item) => item.querySelector("p")?.textContent)).toEqual(["Call mum", "Buy milk"]);
      expect(completedToggle()).toHaveTextContent("Completed (1)");
      expect(completedToggle()).toHaveAttribute("aria-expanded", "true");

      await user.click(screen.getByRole("checkbox", { name: "Done: Call mum" }));
      await waitFor(() => expect(completedToggle()).toHaveTextContent("Completed (2)"));
      const moved = within(completedList()!).getByRole("checkbox", { name: "Done: Call mum" });
      expect(moved).toBeChecked();
      expect(moved).toHaveFocus();
      expect(within(taskList()).queryByText("Call mum")).not.toBeInTheDocument();
    });

    it("folds the group away, and the browser remembers it", async () => {
      service.add("Buy milk");
      service.add("Walk the dog", { completed: true });
      const user = userEvent.setup();
      const first = renderTasks();

      await screen.findByText("Walk the dog");
      await user.click(completedToggle());
      expect(completedToggle()).toHaveAttribute("aria-expanded", "false");
      expect(completedList()).not.toBeInTheDocument();
      expect(screen.queryByText("Walk the dog")).not.toBeInTheDocument();
      expect(screen.getByText("1 left · 1 done")).toBeInTheDocument();
      expect(localStorage.getItem(COMPLETED_SHOWN_KEY)).toBe("0");

      // The next visit starts folded.
      first.unmount();
      renderTasks();
      await screen.findByText("Buy milk");
      expect(completedToggle()).toHaveAttribute("aria-expanded", "false");
      expect(screen.queryByText("Walk the dog")).not.toBeInTheDocument();
      await user.click(completedToggle());
      expect(within(completedList()!).getByText("Walk the dog")).toBeInTheDocument();
      expect(localStorage.getItem(COMPLETED_SHOWN_KEY)).toBe("1");
    });

    it("does not group a list of one status", async () => {
      service.add("Buy milk");
      service.add("Walk the dog", { completed: true });
      service.add("Answer mail", { completed: true });
      const user = userEvent.setup();
      renderTasks();

      await screen.findByText("Walk the dog");
      await user.selectOptions(screen.getByLabelText("Show"), "completed");
      await waitFor(() => expect(screen.queryByText("Buy milk")).not.toBeInTheDocument());
      expect(within(taskList()).getAllByRole("listitem").map((item) => item.querySelector("p")?.textContent)).toEqual(["Answer mail", "Walk the dog"]);
      expect(screen.queryByRole("button", { name: /^Completed/ })).not.toBeInTheDocument();
    });
  });
});

describe("usePrefetchFirstRequests", () => {
  function PageWithPrefetch({ api }: { api: TaskApi }) {
    usePrefetchFirstRequests(api, DEFAULT_FILTERS);
    useReminderTasks(api);
    return <TasksView api={api} />;
  }

  it("asks for the list as first shown, the tags and the reminders by itself", async () => {
    function PrefetchOnly({ api }: { api: TaskApi }) {
      usePrefetchFirstRequests(api, DEFAULT_FILTERS);
      return null;
    }
    renderWithApi(service, (api) => <PrefetchOnly api={api} />);
    await waitFor(() => expect(service.requests).toHaveLength(3));
    expect(service.requests.map((request) => request.path)).toEqual(["/api/user-1/tasks", "/api/user-1/tags", "/api/user-1/tasks"]);
  });

  it("leaves nothing for the page's own queries to ask again", async () => {
    service.add("Buy milk");
    renderWithApi(service, (api) => <PageWithPrefetch api={api} />);

    expect(await within(await screen.findByRole("list", { name: "Tasks" })).findByText("Buy milk")).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByText("Loading tasks…")).not.toBeInTheDocument());
    expect(service.requests).toHaveLength(3);
  });
});
