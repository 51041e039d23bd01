import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { AuthForm, type AuthFormProps } from "./auth-form";

const router = { replace: vi.fn(), refresh: vi.fn() };
vi.mock("next/navigation", () => ({ useRouter: () => router }));

beforeEach(() => {
  router.replace.mockReset();
  router.refresh.mockReset();
});

function renderForm(mode: AuthFormProps["mode"], submit: NonNullable<AuthFormProps["submit"]>) {
  render(<AuthForm mode={mode} submit={submit} />);
  return userEvent.setup();
}

describe("AuthForm", () => {
  it("signs up and goes to the tasks page", async () => {
    const submit = vi.fn(async () => ({ error: null }));
    const user = renderForm("sign-up", submit);

    await user.type(screen.getByLabelText("Name"), "Ann");
    await user.type(screen.getByLabelText("Email"), "ann@example.com");
    await user.type(screen.getByLabelText("Password"), "correct-horse");
    await user.click(screen.getByRole("button", { name: "Create account" }));

    expect(submit).toHaveBeenCalledWith("sign-up", { name: "Ann", email: "ann@example.com", password: "correct-horse" });
    expect(router.replace).toHaveBeenCalledWith("/tasks");
  });

  it("signs in and goes back to the page that sent the person here, keeping it on the sign-up link", async () => {
    const submit = vi.fn(async () => ({ error: null }));
    render(<AuthForm mode="sign-in" next="/device?user_code=ABCD" submit={submit} />);
    const user = userEvent.setup();
    expect(screen.getByRole("link", { name: "Create an account" })).toHaveAttribute(
      "href",
      "/sign-up?next=%2Fdevice%3Fuser_code%3DABCD",
    );
    await user.type(screen.getByLabelText("Email"), "ann@example.com");
    await user.type(screen.getByLabelText("Password"), "correct-horse");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(router.replace).toHaveBeenCalledWith("/device?user_code=ABCD");
  });

  it("says a password is too short before sending it", async () => {
    const submit = vi.fn(async () => ({ error: null }));
    const user = renderForm("sign-up", submit);

    await user.type(screen.getByLabelText("Name"), "Ann");
    await user.type(screen.getByLabelText("Email"), "ann@example.com");
    await user.type(screen.getByLabelText("Password"), "short");
    await user.click(screen.getByRole("button", { name: "Create account" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("The password is too short: use at least 8 characters.");
    expect(submit).not.toHaveBeenCalled();
  });

  it("says the email is taken, keeping what was typed", async () => {
    const user = renderForm("sign-up", async () => ({
      error: { status: 422, code: "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", message: "User already exists." },
    }));

    await user.type(screen.getByLabelText("Name"), "Ann");
    await user.type(screen.getByLabelText("Email"), "ann@example.com");
    await user.type(screen.getByLabelText("Password"), "correct-horse");
    await user.click(screen.getByRole("button", { name: "Create account" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("An account with this email already exists.");
    expect(screen.getByLabelText("Email")).toHaveValue("ann@example.com");
    expect(router.replace).not.toHaveBeenCalled();
  });

  it("says the password is wrong on sign-in", async () => {
    const user = renderForm("sign-in", async () => ({
      error: { status: 401, code: "INVALID_EMAIL_OR_PASSWORD", message: "Invalid email or password" },
    }));

    await user.type(screen.getByLabelText("Email"), "ann@example.com");
    await user.type(screen.getByLabelText("Password"), "wrong-horse");
    await user.keyboard("{Enter}");

    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong email or password.");
  });

  it("says the sign-in service cannot be reached", async () => {
    const user = renderForm("sign-in", async () => ({ error: { status: 0 } }));

    await user.type(screen.getByLabelText("Email"), "ann@example.com");
    await user.type(screen.getByLabelText("Password"), "correct-horse");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("Cannot reach the sign-in service");
  });

  it("says an account is paused after too many wrong passwords, and for how long", async () => {
    const user = renderForm("sign-in", async () => ({
      error: { status: 429, code: "TOO_MANY_FAILED_SIGN_INS", message: "Too many failed sign-ins", retryAfter: 840 },
    }));

    await user.type(screen.getByLabelText("Email"), "ann@example.com");
    await user.type(screen.getByLabelText("Password"), "correct-horse");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Too many wrong passwords for this account, so signing in to it is paused for its safety. Try again in 14 minutes.",
    );
  });

  it("says too many attempts from here when the per-address limit answers", async () => {
    const user = renderForm("sign-in", async () => ({ error: { status: 429, message: "Too many requests." } }));

    await user.type(screen.getByLabelText("Email"), "ann@example.com");
    await user.type(screen.getByLabelText("Password"), "correct-horse");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("Too many attempts. Please wait a minute and try again.");
  });

  it("caps the name at 100 characters in the field, and says so if a longer one gets through", async () => {
    const submit = vi.fn(async () => ({ error: null }));
    const user = renderForm("sign-up", submit);

    expect(screen.getByLabelText("Name")).toHaveAttribute("maxLength", "100");
    // A value set without typing (autofill, a script) is not cut by maxLength.
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "a".repeat(101) } });
    await user.type(screen.getByLabelText("Email"), "ann@example.com");
    await user.type(screen.getByLabelText("Password"), "correct-horse");
    await user.click(screen.getByRole("button", { name: "Create account" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("The name is too long: use at most 100 characters.");
    expect(submit).not.toHaveBeenCalled();
  });

  it("words the server's refusal of a long name the same way", async () => {
    const user = renderForm("sign-up", async () => ({
      error: { status: 400, code: "NAME_TOO_LONG", message: "The name is too long: use at most 100 characters." },
    }));

    await user.type(screen.getByLabelText("Name"), "Ann");
    await user.type(screen.getByLabelText("Email"), "ann@example.com");
    await user.type(screen.getByLabelText("Password"), "correct-horse");
    await user.click(screen.getByRole("button", { name: "Create account" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("The name is too long: use at most 100 characters.");
  });

  it("shows the product's name and lets the person see the password they typed", async () => {
    const user = renderForm("sign-in", async () => ({ error: null }));
    expect(screen.getByText("Todo")).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Sign in to Todo");

    await user.type(screen.getByLabelText("Password"), "secret-words");
    expect(screen.getByLabelText("Password")).toHaveAttribute("type", "password");
    await user.click(screen.getByRole("button", { name: "Show password" }));
    expect(screen.getByLabelText("Password")).toHaveAttribute("type", "text");
    expect(screen.getByLabelText("Password")).toHaveValue("secret-words");
    await user.click(screen.getByRole("button", { name: "Hide password" }));
    expect(screen.getByLabelText("Password")).toHaveAttribute("type", "password");
  });

  it("marks the field a problem is about, one message at a time", async () => {
    const submit = vi.fn(async () => ({ error: { status: 422, code: "USER_ALREADY_EXISTS" } }));
    const user = renderForm("sign-up", submit);

    await user.click(screen.getByRole("button", { name: "Create account" }));
    expect(screen.getByRole("alert")).toHaveTextContent("Enter your name.");
    expect(screen.getByLabelText("Name")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("Name")).toHaveFocus();
    expect(screen.getByLabelText("Email")).not.toHaveAttribute("aria-invalid");

    await user.type(screen.getByLabelText("Name"), "Ann");
    await user.type(screen.getByLabelText("Email"), "ann@example.com");
    await user.type(screen.getByLabelText("Password"), "correct-horse");
    await user.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("An account with this email already exists");
    expect(screen.getAllByRole("alert")).toHaveLength(1);
    expect(screen.getByLabelText("Email")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("Name")).not.toHaveAttribute("aria-invalid");
  });

  it("keeps the focus on the button through a failed sign-in", async () => {
    const user = renderForm("sign-in", async () => ({ error: { status: 401, code: "INVALID_EMAIL_OR_PASSWORD" } }));
    await user.type(screen.getByLabelText("Email"), "ann@example.com");
    await user.type(screen.getByLabelText("Password"), "wrong-horse");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong email or password.");
    expect(screen.getByRole("button", { name: "Sign in" })).toHaveFocus();
  });
});
