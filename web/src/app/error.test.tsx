import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import ErrorPage from "./error";

describe("the error page", () => {
  it("does not guess at a cause it cannot know, and tries again with a fresh load, not a re-render", async () => {
    const reset = vi.fn();
    const reload = vi.fn();
    render(<ErrorPage error={new Error("anything")} reset={reset} reload={reload} />);
    expect(screen.getByRole("alert")).toHaveTextContent("This page could not be shown. Try again in a moment.");
    expect(screen.getByRole("alert")).not.toHaveTextContent(/sign-in/i);
    await userEvent.setup().click(screen.getByRole("button", { name: "Try again" }));
    expect(reload).toHaveBeenCalledOnce();
    expect(reset).not.toHaveBeenCalled();
  });
});
