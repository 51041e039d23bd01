import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { AuthForm } from "@/components/auth-form";
import { EmailSettings } from "./email-settings";
import { ForgotPasswordForm } from "./forgot-password-form";
import { ResetPasswordForm } from "./reset-password-form";

const router = vi.hoisted(() => ({ replace: vi.fn(), refresh: vi.fn() }));
vi.mock("next/navigation", () => ({ useRouter: () => router }));

beforeEach(() => router.replace.mockReset());

const ok = async () => ({ error: null });

describe("ForgotPasswordForm", () => {
  it("answers in the same words for any address, and says so only after the request", async () => {
    const requestPasswordReset = vi.fn(ok);
    render(<ForgotPasswordForm actions={{ requestPasswordReset }} />);
    await userEvent.click(screen.getByRole("button", { name: "Send me a link" }));
    expect(screen.getByRole("alert")).toHaveTextContent("Enter your email address.");
    expect(requestPasswordReset).not.toHaveBeenCalled();

    await userEvent.type(screen.getByLabelText("Email"), "ann@example.com");
    await userEvent.click(screen.getByRole("button", { name: "Send me a link" }));
    expect(requestPasswordReset).toHaveBeenCalledWith("ann@example.com");
    expect(await screen.findByRole("status")).toHaveTextContent(
      "If an account uses ann@example.com, a link to choose a new password is on its way. It works once, within an hour.",
    );
  });
});

describe("ResetPasswordForm", () => {
  it("goes to the tasks once the password is set", async () => {
    const resetPassword = vi.fn(ok);
    render(<ResetPasswordForm token="t0k3n" actions={{ resetPassword }} />);
    await userEvent.type(screen.getByLabelText("New password"), "a brand new horse");
    await userEvent.click(screen.getByRole("button", { name: "Set the new password" }));
    expect(resetPassword).toHaveBeenCalledWith("t0k3n", "a brand new horse");
    expect(router.replace).toHaveBeenCalledWith("/tasks");
  });

  it("says when the link is used or expired, and offers a new one", async () => {
    const resetPassword = vi.fn(async () => ({ error: { code: "INVALID_TOKEN", status: 400 } }));
    render(<ResetPasswordForm token="old" actions={{ resetPassword }} />);
    await userEvent.type(screen.getByLabelText("New password"), "a brand new horse");
    await userEvent.click(screen.getByRole("button", { name: "Set the new password" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("This link has expired or was already used.");
    expect(screen.getByRole("link", { name: "Ask for a new link" })).toHaveAttribute("href", "/forgot-password");
    expect(router.replace).not.toHaveBeenCalled();
  });
});

describe("EmailSettings", () => {
  it("shows a confirmed address without a resend button", () => {
    render(<EmailSettings email="ann@example.com" verified actions={{ changeEmail: vi.fn(), sendVerificationEmail: vi.fn() }} />);
    expect(screen.getByText("· confirmed")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Send the link again" })).toBeNull();
  });

  it("sends the link again for an unconfirmed address", async () => {
    const sendVerificationEmail = vi.fn(ok);
    render(<EmailSettings email="ann@example.com" verified={false} actions={{ changeEmail: vi.fn(), sendVerificationEmail }} />);
    expect(screen.getByText("· not confirmed yet")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Send the link again" }));
    expect(sendVerificationEmail).toHaveBeenCalledWith("ann@example.com");
    expect(await screen.findByText(/a new link is on its way/)).toBeInTheDocument();
  });

  it("changes the address with the password, and words a wrong one", async () => {
    const changeEmail = vi
      .fn()
      .mockResolvedValueOnce({ error: { code: "INVALID_PASSWORD", status: 400 } })
      .mockResolvedValueOnce({ error: null });
    render(<EmailSettings email="ann@example.com" verified actions={{ changeEmail, sendVerificationEmail: vi.fn() }} />);
    await userEvent.type(screen.getByLabelText("New email address"), "ann@new.example");
    await userEvent.type(screen.getByLabelText("Your password"), "wrong");
    await userEvent.click(screen.getByRole("button", { name: "Change address" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("That is not your current password.");
    await userEvent.clear(screen.getByLabelText("Your password"));
    await userEvent.type(screen.getByLabelText("Your password"), "right");
    await userEvent.click(screen.getByRole("button", { name: "Change address" }));
    expect(changeEmail).toHaveBeenLastCalledWith("ann@new.example", "right");
    expect(await screen.findByRole("status")).toHaveTextContent("A link is on its way to ann@new.example. Your address changes once you follow it");
  });
});

describe("AuthForm and confirmation", () => {
  it("sign-in: a refusal for an unconfirmed address says so and can send the link again; the form links to Forgot password", async () => {
    const submit = vi.fn(async () => ({ error: { code: "EMAIL_NOT_VERIFIED", status: 403 } }));
    render(<AuthForm mode="sign-in" submit={submit} />);
    expect(screen.getByRole("link", { name: "Forgot password?" })).toHaveAttribute("href", "/forgot-password");
    await userEvent.type(screen.getByLabelText("Email"), "ann@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "correct-horse");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Confirm your email address first");
    expect(screen.getByRole("button", { name: "Send the link again" })).toBeInTheDocument();
    expect(router.replace).not.toHaveBeenCalled();
  });

  it("sign-up with confirmation first: no tasks page, a check-your-inbox page instead", async () => {
    render(<AuthForm mode="sign-up" confirmFirst submit={vi.fn(ok)} />);
    await userEvent.type(screen.getByLabelText("Name"), "Ann");
    await userEvent.type(screen.getByLabelText("Email"), "ann@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "correct-horse");
    await userEvent.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByRole("heading", { name: "Check your inbox" })).toBeInTheDocument();
    expect(screen.getByText(/We sent a link to ann@example.com/)).toBeInTheDocument();
    expect(router.replace).not.toHaveBeenCalled();
  });
});
