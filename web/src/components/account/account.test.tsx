import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactNode } from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { ChangePasswordForm, DeleteAccountForm, type AccountActions } from "./account-forms";
import { SessionList, type SessionView } from "./session-list";

const router = vi.hoisted(() => ({ replace: vi.fn(), refresh: vi.fn() }));
vi.mock("next/navigation", () => ({ useRouter: () => router }));
// The real server actions need a request; these tests inject their own.
vi.mock("@/app/sessions/actions", () => ({ signOutDevice: vi.fn(), signOutOtherDevices: vi.fn() }));

beforeEach(() => {
  router.replace.mockReset();
  router.refresh.mockReset();
});

function withQueryClient(children: ReactNode) {
  return render(<QueryClientProvider client={new QueryClient()}>{children}</QueryClientProvider>);
}

const sessions: SessionView[] = [
  { id: "s1", browser: "Chrome 140", system: "Linux", ipAddress: "192.0.2.1", createdAt: "2026-12-01T10:00:00Z", lastUsedAt: "2026-12-05T10:00:00Z", current: true },
  { id: "s2", browser: "Safari 17", system: "iOS", ipAddress: null, createdAt: "2026-11-01T10:00:00Z", lastUsedAt: "2026-12-04T10:00:00Z", current: false },
];

describe("SessionList", () => {
  it("shows each session with its device, address and times, marks this device, and signs one other out", async () => {
    const signOutDevice = vi.fn(async () => ({ ok: true as const }));
    render(<SessionList sessions={sessions} actions={{ signOutDevice, signOutOtherDevices: vi.fn() }} />);
    const list = screen.getByRole("list", { name: "Sessions" });
    const mine = within(list).getByRole("listitem", { name: /^Chrome 140 on Linux \(this device\)/ });
    expect(within(mine).getByText("192.0.2.1")).toBeInTheDocument();
    expect(within(mine).queryByRole("button")).toBeNull();
    const phone = within(list).getByRole("listitem", { name: /^Safari 17 on iOS, signed in/ });
    expect(within(phone).getByText("unknown")).toBeInTheDocument();
    expect(phone.querySelector('time[datetime="2026-11-01T10:00:00Z"]')).not.toBeNull();

    await userEvent.click(within(phone).getByRole("button", { name: /^Sign out Safari 17 on iOS, signed in/ }));
    expect(signOutDevice).toHaveBeenCalledWith("s2");
    expect(await screen.findByRole("status")).toHaveTextContent("Safari 17 on iOS is signed out.");
    expect(router.refresh).toHaveBeenCalled();
  });

  it("tells sessions of one browser apart: each row and its button say when it signed in, and when it was last active", () => {
    const chrome = { browser: "Chrome 156", system: "Linux", ipAddress: "this computer (localhost)" };
    const twins: SessionView[] = [
      { id: "a", ...chrome, createdAt: "2026-12-07T22:40:05Z", lastUsedAt: "2026-12-07T22:40:05Z", current: true },
      { id: "b", ...chrome, createdAt: "2026-12-07T22:40:41Z", lastUsedAt: "2026-12-07T22:41:00Z", current: false },
      // Signed in the same second from the same browser: numbered.
      { id: "c", ...chrome, createdAt: "2026-12-07T22:40:41Z", lastUsedAt: "2026-12-07T22:40:41Z", current: false },
    ];
    render(<SessionList sessions={twins} actions={{ signOutDevice: vi.fn(), signOutOtherDevices: vi.fn() }} />);
    // Each element's accessible name, as Testing Library computes it.
    const namesOf = (role: string, pattern: RegExp) => {
      const names: string[] = [];
      screen.getAllByRole(role, { name: (name) => pattern.test(name) && names.push(name) > 0 });
      return names;
    };
    const rows = within(screen.getByRole("list", { name: "Sessions" })).getAllByRole("listitem");
    const distinct = (texts: (string | null)[]) => new Set(texts).size;
    expect(distinct(rows.map((row) => row.textContent))).toBe(3);
    const names = namesOf("listitem", /^Chrome 156/);
    expect(names).toHaveLength(3);
    expect(distinct(names)).toBe(3);
    for (const name of names) expect(name).toMatch(/^Chrome 156 on Linux.*signed in .*:\d\d:\d\d/);
    expect(names[0]).toMatch(/this device/);
    for (const row of rows) {
      expect(row).toHaveTextContent(/Signed in.*:\d\d:\d\d/);
      expect(row).toHaveTextContent(/Last active.*:\d\d:\d\d/);
    }
    const buttons = namesOf("button", /^Sign out Chrome 156 on Linux/);
    expect(buttons).toHaveLength(2);
    expect(distinct(buttons)).toBe(2);
  });

  it("signs out all other devices from the keyboard, and says why when it cannot", async () => {
    const signOutOtherDevices = vi.fn(async () => ({ ok: false as const, message: "Could not sign out the other devices. Try again." }));
    render(<SessionList sessions={sessions} actions={{ signOutDevice: vi.fn(), signOutOtherDevices }} />);
    screen.getByRole("button", { name: "Sign out all other devices" }).focus();
    await userEvent.keyboard("{Enter}");
    expect(signOutOtherDevices).toHaveBeenCalledOnce();
    expect(await screen.findByRole("status")).toHaveTextContent("Could not sign out the other devices. Try again.");
  });

  it("goes to sign-in when the session has already ended", async () => {
    const signOutOtherDevices = vi.fn(async () => ({ ok: false as const, message: "You are signed out.", signedOut: true }));
    render(<SessionList sessions={sessions} actions={{ signOutDevice: vi.fn(), signOutOtherDevices }} />);
    await userEvent.click(screen.getByRole("button", { name: "Sign out all other devices" }));
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith("/sign-in"));
  });
});

describe("Account forms", () => {
  const actions = (overrides: Partial<AccountActions>): AccountActions => ({
    changePassword: vi.fn(async () => ({ error: null })),
    deleteAccount: vi.fn(async () => ({ error: null })),
    ...overrides,
  });

  it("changes the password, saying that the other devices are signed out", async () => {
    const given = actions({});
    render(<ChangePasswordForm actions={given} />);
    await userEvent.type(screen.getByLabelText("Current password"), "correct-horse");
    await userEvent.type(screen.getByLabelText("New password"), "another-horse");
    await userEvent.click(screen.getByRole("button", { name: "Change password" }));
    expect(given.changePassword).toHaveBeenCalledWith({ currentPassword: "correct-horse", newPassword: "another-horse" });
    expect(await screen.findByRole("status")).toHaveTextContent("Every other device has been signed out.");
    expect(screen.getByLabelText("Current password")).toHaveValue("");
  });

  it("says when the current password is wrong", async () => {
    render(<ChangePasswordForm actions={actions({ changePassword: async () => ({ error: { code: "INVALID_PASSWORD", status: 400 } }) })} />);
    await userEvent.type(screen.getByLabelText("Current password"), "wrong-horse");
    await userEvent.type(screen.getByLabelText("New password"), "another-horse");
    await userEvent.click(screen.getByRole("button", { name: "Change password" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("That is not your current password.");
  });

  it("warns that every task goes too, asks for the password, then deletes and leaves for sign-up", async () => {
    const given = actions({});
    withQueryClient(<DeleteAccountForm actions={given} />);
    const form = screen.getByRole("button", { name: "Delete my account and all my tasks" }).closest("form")!;
    expect(form).toHaveAccessibleDescription(/and every one of your tasks.*cannot be undone/);
    await userEvent.click(screen.getByRole("button", { name: "Delete my account and all my tasks" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Type your password to confirm.");
    expect(given.deleteAccount).not.toHaveBeenCalled();

    await userEvent.type(screen.getByLabelText("Type your password to confirm"), "correct-horse");
    await userEvent.click(screen.getByRole("button", { name: "Delete my account and all my tasks" }));
    expect(given.deleteAccount).toHaveBeenCalledWith("correct-horse");
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith("/sign-up"));
  });

  it("keeps the account when the password is wrong", async () => {
    withQueryClient(<DeleteAccountForm actions={actions({ deleteAccount: async () => ({ error: { code: "INVALID_PASSWORD", status: 400 } }) })} />);
    await userEvent.type(screen.getByLabelText("Type your password to confirm"), "wrong-horse");
    await userEvent.click(screen.getByRole("button", { name: "Delete my account and all my tasks" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("That is not your current password.");
    expect(router.replace).not.toHaveBeenCalled();
  });
});
