import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import ErrorPage from "./error";

const reloadPage = vi.hoisted(() => vi.fn());
vi.mock("@/lib/reload-page", () => ({ reloadPage }));

describe("the error page", () => {
  it("does not guess at a cause it cannot know, and tries again with a fresh load, not a re-render", async () => {
    render(<ErrorPage />);
    expect(screen.getByRole("alert")).toHaveTextContent("This page could not be shown. Try again in a moment.");
    expect(screen.getByRole("alert")).not.toHaveTextContent(/sign-in/i);
    await userEvent.setup().click(screen.getByRole("button", { name: "Try again" }));
    expect(reloadPage).toHaveBeenCalledOnce();
  });
});
