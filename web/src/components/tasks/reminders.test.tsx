import { renderWithApi } from "@/test/render-with-api";
import { act, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeTaskService } from "@/test/fake-task-service";
import { Reminders } from "./reminders";

let service: FakeTaskService;
const NOW = Date.parse("2026-12-02T10:00:00Z");
const inSeconds = (seconds: number) => new Date(NOW + seconds * 1000).toISOString();
const advance = (ms: number) => act(async () => void (await vi.advanceTimersByTimeAsync(ms)));

function renderReminders() {
  return renderWithApi(service, (api) => <Reminders api={api} />);
}

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true, now: NOW });
  localStorage.clear();
  service = new FakeTaskService("user-1");
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("Reminders", () => {
  it("shows a banner at remind_at, once, and not for a done task", async () => {
    service.add("Call the plumber", { remind_at: inSeconds(30), due_at: inSeconds(600) });
    service.add("Already done", { remind_at: inSeconds(10), completed: true });
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    renderReminders();
    await advance(100);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();

    await advance(29_000);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    await advance(1_000);
    const banner = await screen.findByRole("alert", { name: "Reminders" });
    expect(within(banner).getByText("Reminder: Call the plumber")).toBeInTheDocument();
    expect(banner).toHaveTextContent(/Due today/);
    expect(within(banner).queryByText(/Already done/)).not.toBeInTheDocument();

    await user.click(within(banner).getByRole("button", { name: "Dismiss the reminder for “Call the plumber”" }));
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    await advance(120_000);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("does not show again after a reload what was shown before", async () => {
    service.add("Water the plants", { remind_at: inSeconds(-60) });
    const first = renderReminders();
    expect(await screen.findByText("Reminder: Water the plants")).toBeInTheDocument();
    first.unmount();

    renderReminders();
    await advance(1_000);
    expect(screen.queryByText("Reminder: Water the plants")).not.toBeInTheDocument();
  });

  it("uses a notification when the person allowed them, and offers to allow them otherwise", async () => {
    const shown: { title: string; options?: NotificationOptions }[] = [];
    let permission: NotificationPermission = "default";
    vi.stubGlobal(
      "Notification",
      class {
        static get permission() {
          return permission;
        }
        static requestPermission = vi.fn(async () => (permission = "granted"));
        constructor(title: string, options?: NotificationOptions) {
          shown.push({ title, options });
        }
      },
    );
    service.add("Stretch", { remind_at: inSeconds(5) });
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    renderReminders();

    await user.click(await screen.findByRole("button", { name: "Show them as notifications" }));
    expect(screen.queryByRole("button", { name: "Show them as notifications" })).not.toBeInTheDocument();
    await advance(5_000);
    expect(shown).toEqual([{ title: "Reminder: Stretch", options: expect.objectContaining({ tag: expect.stringMatching(/@/) }) }]);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });
});
