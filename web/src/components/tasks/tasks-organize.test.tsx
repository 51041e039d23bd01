import { renderWithApi } from "@/test/render-with-api";
import { render, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { browserTimeZone } from "@/lib/dates/zoned";
import { NO_REPEAT, type RepeatRule } from "@/lib/tasks/recurrence";
import { FakeTaskService } from "@/test/fake-task-service";
import { RepeatPicker } from "./repeat-picker";
import { TasksView } from "./tasks-view";

// Wednesday 2 December 2026, 10:00 in the test's zone (the clock alone is fixed; timers run).
const NOW = new Date("2026-12-02T10:00:00Z");

let service: FakeTaskService;

function renderTasks() {
  return renderWithApi(service, (api) => <TasksView api={api} />);
}

const taskList = () => screen.getByRole("list", { name: "Tasks" });
const titles = () => within(taskList()).getAllByRole("listitem", { name: undefined }).filter((item) => item.parentElement === taskList())
  .map((item) => item.querySelector("p")?.textContent);
const lastList = () => service.requests.filter((request) => request.method === "GET" && request.path.endsWith("/tasks")).at(-1)!;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
  service = new FakeTaskService("user-1");
});

afterEach(() => {
  vi.useRealTimers();
});

describe("organizing tasks", () => {
  it("adds a task with priority, tags, a timed due date, a weekly repeat and a reminder, in the browser's zone", async () => {
    service.add("Old", { tags: ["home"] });
    const user = userEvent.setup();
    renderTasks();
    await screen.findByText("Old");

    await user.type(screen.getByLabelText("Title"), "Team standup");
    await user.click(screen.getByRole("button", { name: "Add details" }));
    await user.selectOptions(await screen.findByLabelText("Priority", { selector: "#new-task-priority" }), "high");
    const tags = screen.getByRole("combobox", { name: "Tags" });
    await user.type(tags, "work,");
    await user.type(tags, "ho");
    await user.click(await within(await screen.findByRole("listbox")).findByRole("option", { name: /home/ }));
    expect(within(screen.getByRole("list", { name: "Chosen tags" })).getAllByRole("listitem").map((chip) => chip.firstChild?.textContent)).toEqual([
      "work",
      "home",
    ]);
    await user.type(screen.getByLabelText("Due date"), "2026-12-07");
    await user.type(screen.getByLabelText(/^Time/), "09:00");
    await user.selectOptions(screen.getByLabelText("Repeat"), "weekly");
    // A weekly rule starts on the due date's weekday (a Monday); Thursday is added.
    expect(screen.getByRole("checkbox", { name: "Monday" })).toBeChecked();
    await user.click(screen.getByRole("checkbox", { name: "Thursday" }));
    await user.selectOptions(screen.getByLabelText("Reminder"), "10m");
    await user.click(screen.getByRole("button", { name: "Add task" }));

    await waitFor(() => expect(service.tasks).toHaveLength(2));
    const post = service.requests.find((request) => request.method === "POST")!;
    expect(post.body).toMatchObject({
      title: "Team standup",
      priority: "high",
      tags: ["work", "home"],
      all_day: false,
      time_zone: browserTimeZone(),
      recurrence: "FREQ=WEEKLY;BYDAY=MO,TH",
    });
    const body = post.body as { due_at: string; remind_at: string };
    expect(Date.parse(body.due_at) - Date.parse(body.remind_at)).toBe(10 * 60_000);
    expect(new Date(body.due_at).getHours()).toBe(9);

    const row = (await within(taskList()).findByText("Team standup")).closest("li")!;
    const details = within(within(row).getByRole("list", { name: "Details" }));
    expect(details.getByText("High")).toBeInTheDocument();
    expect(details.getByText(/Every week on Mon, Thu/)).toBeInTheDocument();
    expect(details.getByText("work")).toBeInTheDocument();
    expect(row.querySelector("time")).toHaveTextContent(/^Mon 9:00/);
    // The form is empty again, details included.
    await waitFor(() => expect(screen.getByLabelText("Title")).toHaveValue(""));
    expect(screen.getByLabelText("Repeat")).toHaveValue("none");
  });

  it("keeps a tag typed but not confirmed, when the person presses Add task or tabs away", async () => {
    const user = userEvent.setup();
    renderTasks();
    await screen.findByText(/No tasks yet/);
    const chips = () =>
      within(screen.getByRole("list", { name: "Chosen tags" })).getAllByRole("listitem").map((chip) => chip.firstChild?.textContent);

    await user.type(screen.getByLabelText("Title"), "Buy stamps");
    await user.click(screen.getByRole("button", { name: "Add details" }));
    const tags = await screen.findByRole("combobox", { name: "Tags" });
    await user.type(tags, "errands");
    await user.click(screen.getByRole("button", { name: "Add task" }));
    await waitFor(() => expect(service.tasks).toHaveLength(1));
    expect(service.tasks[0].tags).toEqual(["errands"]);

    await user.type(screen.getByLabelText("Title"), "Post the parcel");
    await user.type(tags, "errands,");
    await user.type(tags, " post ");
    await user.tab();
    expect(chips()).toEqual(["errands", "post"]);
    expect(tags).toHaveValue("");
  });

  it("makes a date without a time all-day, and refuses a repeat without a due date before sending", async () => {
    const user = userEvent.setup();
    renderTasks();
    await screen.findByText(/No tasks yet/);

    await user.type(screen.getByLabelText("Title"), "Pay rent");
    await user.click(screen.getByRole("button", { name: "Add details" }));
    await user.selectOptions(await screen.findByLabelText("Repeat"), "monthly");
    await user.click(screen.getByRole("button", { name: "Add task" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("A repeating task needs a due date.");
    expect(screen.getByLabelText("Repeat")).toHaveAttribute("aria-invalid", "true");
    expect(service.count("POST")).toBe(0);

    await user.type(screen.getByLabelText("Due date"), "2026-12-02");
    await user.click(screen.getByRole("button", { name: "Add task" }));
    await waitFor(() => expect(service.tasks).toHaveLength(1));
    expect(service.tasks[0]).toMatchObject({ all_day: true, recurrence: "FREQ=MONTHLY" });
    const row = (await within(taskList()).findByText("Pay rent")).closest("li")!;
    expect(row.querySelector("time")).toHaveTextContent(/^today$/);
  });

  it("marks overdue tasks and shows each view's tasks, asking the API for its window", async () => {
    const at = (hours: number) => new Date(NOW.getTime() + hours * 3_600_000).toISOString();
    service.add("Late report", { due_at: at(-26) });
    service.add("Lunch", { due_at: at(3) });
    service.add("Trip", { due_at: at(24 * 5) });
    service.add("Someday");
    const user = userEvent.setup();
    renderTasks();
    const late = (await screen.findByText("Late report")).closest("li")!;
    expect(within(late).getByText(/^Overdue:/)).toBeInTheDocument();
    expect(within(screen.getByText("Lunch").closest("li")!).getByText(/^Due/)).toBeInTheDocument();
    expect(screen.getByText("4 left · 0 done")).toBeInTheDocument();

    // The API works out each view's window in the browser's zone; the app asks for the view.
    const asked = () => Object.fromEntries(lastList().query);
    await user.click(screen.getByRole("radio", { name: "Today" }));
    await waitFor(() => expect(titles()).toEqual(["Lunch"]));
    expect(asked()).toMatchObject({ view: "today", tz: browserTimeZone(), status: "all" });
    expect(asked()).not.toHaveProperty("due_after");

    await user.click(screen.getByRole("radio", { name: "Overdue" }));
    await waitFor(() => expect(titles()).toEqual(["Late report"]));
    expect(asked()).toMatchObject({ view: "overdue", tz: browserTimeZone() });

    await user.click(screen.getByRole("radio", { name: "Upcoming" }));
    await waitFor(() => expect(titles()).toEqual(["Trip"]));
    expect(asked()).toMatchObject({ view: "upcoming", tz: browserTimeZone() });

    await user.click(screen.getByRole("radio", { name: "No date" }));
    await waitFor(() => expect(titles()).toEqual(["Someday"]));
    expect(asked()).toMatchObject({ view: "no_date" });
    expect(asked()).not.toHaveProperty("has_due");
  });

  it("filters by tag and priority, and sorts by due date soonest first", async () => {
    const at = (hours: number) => new Date(NOW.getTime() + hours * 3_600_000).toISOString();
    service.add("Groceries", { tags: ["errands", "home"], priority: "low", due_at: at(30) });
    service.add("Vacuum", { tags: ["Home"], priority: "high", due_at: at(5) });
    service.add("Report", { tags: ["work"], priority: "high" });
    const user = userEvent.setup();
    renderTasks();
    await screen.findByText("Groceries");

    await user.selectOptions(screen.getByLabelText("Tag"), "home");
    await waitFor(() => expect(titles()).toEqual(["Vacuum", "Groceries"]));
    expect(lastList().query.getAll("tag")).toEqual(["home"]);

    await user.selectOptions(screen.getByLabelText("Sort by"), "due_at");
    await waitFor(() => expect(lastList().query.get("order")).toBe("asc"));
    await waitFor(() => expect(titles()).toEqual(["Vacuum", "Groceries"]));

    await user.selectOptions(screen.getByLabelText("Tag"), "");
    await user.selectOptions(screen.getByLabelText("Priority"), "high");
    await waitFor(() => expect(titles()).toEqual(["Vacuum", "Report"]));
    expect(lastList().query.getAll("priority")).toEqual(["high"]);
  });

  it("sends only the changed field when an edit changes the priority", async () => {
    service.add("Standup", { due_at: "2026-12-07T09:00:00Z", time_zone: "Asia/Tokyo", recurrence: "FREQ=WEEKLY;BYDAY=MO" });
    const user = userEvent.setup();
    renderTasks();

    await user.click(await screen.findByRole("button", { name: "Edit “Standup”" }));
    const form = await screen.findByRole("form", { name: "Edit “Standup”" });
    await user.selectOptions(await within(form).findByLabelText("Priority"), "medium");
    await user.click(within(form).getByRole("button", { name: "Save" }));

    await waitFor(() => expect(service.count("PATCH")).toBe(1));
    expect(service.requests.find((request) => request.method === "PATCH")!.body).toEqual({ priority: "medium" });
    const row = (await within(taskList()).findByText("Standup")).closest("li")!;
    await waitFor(() => expect(within(row).getByText("Medium")).toBeInTheDocument());
  });
});

function PickerHarness({ dueDate }: { dueDate: string }) {
  const [rule, setRule] = useState<RepeatRule>(NO_REPEAT);
  return <RepeatPicker idPrefix="t" rule={rule} onChange={setRule} dueDate={dueDate} />;
}

describe("RepeatPicker", () => {
  it("offers every N of each kind, weekly on chosen days, and says the rule in words", async () => {
    const user = userEvent.setup();
    render(<PickerHarness dueDate="2026-12-04" />);

    expect(screen.queryByLabelText("Every")).not.toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText("Repeat"), "weekly");
    // 4 December 2026 is a Friday.
    expect(screen.getByRole("checkbox", { name: "Friday" })).toBeChecked();
    await user.click(screen.getByRole("checkbox", { name: "Tuesday" }));
    fireEvent.change(screen.getByLabelText("Every"), { target: { value: "2" } });
    expect(screen.getByText("Every 2 weeks on Tue, Fri")).toBeInTheDocument();

    await user.selectOptions(screen.getByLabelText("Repeat"), "weekdays");
    expect(screen.queryByLabelText("Every")).not.toBeInTheDocument();
    expect(screen.getByText("Every weekday")).toBeInTheDocument();

    await user.selectOptions(screen.getByLabelText("Repeat"), "monthly");
    expect(screen.getByText("Every month")).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText("Repeat"), "none");
    expect(screen.queryByText("Every month")).not.toBeInTheDocument();
    expect(screen.queryByLabelText("Every")).not.toBeInTheDocument();
  });
});
