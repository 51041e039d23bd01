import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { createTaskApi } from "@/lib/api/task-api";
import { FakeTaskService } from "@/test/fake-task-service";
import { TasksView } from "./tasks-view";

let service: FakeTaskService;

function renderTasks(pageSize = 100) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const api = createTaskApi({ baseUrl: "http://api.test", userId: service.userId, fetch: service.fetch, pageSize });
  return render(
    <QueryClientProvider client={queryClient}>
      <TasksView api={api} />
    </QueryClientProvider>,
  );
}

const taskList = () => screen.getByRole("list", { name: "Tasks" });

beforeEach(() => {
  service = new FakeTaskService("user-1");
});

describe("TasksView", () => {
  it("shows a loading state, then the person's tasks", async () => {
    service.add("Buy milk", { description: "Two litres" });
    service.add("Walk the dog", { completed: true });
    renderTasks();

    expect(screen.getByText("Loading tasks…")).toBeInTheDocument();
    const items = await within(await screen.findByRole("list", { name: "Tasks" })).findAllByRole("listitem");
    expect(items.map((item) => item.textContent)).toEqual([
      expect.stringContaining("Walk the dog"),
      expect.stringContaining("Buy milk"),
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

  it("filters by status, searches and sorts through the API's query", async () => {
    service.add("Buy milk");
    service.add("Answer mail", { completed: true });
    service.add("Buy bread");
    const user = userEvent.setup();
    renderTasks();
    await screen.findByText("Answer mail");

    await user.selectOptions(screen.getByLabelText("Show"), "pending");
    await waitFor(() => expect(screen.queryByText("Answer mail")).not.toBeInTheDocument());

    await user.selectOptions(screen.getByLabelText("Sort by"), "title");
    await user.selectOptions(screen.getByLabelText("Order"), "asc");
    await waitFor(() =>
      expect(within(taskList()).getAllByRole("listitem").map((item) => item.querySelector("p")?.textContent)).toEqual([
        "Buy bread",
        "Buy milk",
      ]),
    );

    await user.type(screen.getByLabelText("Search"), "bread{Enter}");
    await waitFor(() => expect(screen.queryByText("Buy milk")).not.toBeInTheDocument());
    expect(screen.getByText("Buy bread")).toBeInTheDocument();

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

    expect(await screen.findByText(/Could not add the task\. title: is too long/)).toBeInTheDocument();
    expect(screen.getByText("is too long")).toBeInTheDocument();
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
    service.failNext({ status: 503 });
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
    const checkbox = await screen.findByRole("checkbox", { name: "Done: Buy milk" });

    await user.click(checkbox);
    expect(checkbox).toBeChecked();
    await waitFor(() => expect(service.tasks[0].completed).toBe(true));

    service.failNext({ status: 404, body: { detail: "no such task" } });
    await user.click(checkbox);
    expect(await screen.findByText(/Could not update “Buy milk”\. no such task/)).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("checkbox", { name: "Done: Buy milk" })).toBeChecked());
  });

  it("edits title and description in place", async () => {
    service.add("Buy milk");
    const user = userEvent.setup();
    renderTasks();

    await user.click(await screen.findByRole("button", { name: "Edit “Buy milk”" }));
    const form = screen.getByRole("form", { name: "Edit “Buy milk”" });
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
    const form = screen.getByRole("form", { name: "Edit “Buy milk”" });
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
});
