import { render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { RouteFocus } from "./route-focus";

let pathname = "/sign-in";
vi.mock("next/navigation", () => ({ usePathname: () => pathname }));

describe("RouteFocus", () => {
  it("leaves the first load alone and gives the new page's heading the focus after a route change", () => {
    const page = (title: string) => (
      <>
        <RouteFocus />
        <h1>{title}</h1>
        <button type="button">Elsewhere</button>
      </>
    );
    const { rerender } = render(page("Sign in"));
    expect(document.body).toHaveFocus();

    pathname = "/tasks";
    rerender(page("Tasks"));
    expect(screen.getByRole("heading", { name: "Tasks" })).toHaveFocus();
  });
});
