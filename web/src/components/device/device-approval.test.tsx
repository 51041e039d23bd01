import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { DeviceApproval } from "./device-approval";
import type { DeviceAnswer, DeviceRequests } from "./device-requests";

const ok = (body: Record<string, unknown> = { success: true }): DeviceAnswer => ({ ok: true, body });
const failed = (status: number, error?: string): DeviceAnswer => ({ ok: false, status, error });

function requestsAnswering(lookup: DeviceAnswer, decision: DeviceAnswer = ok()) {
  return {
    lookup: vi.fn<DeviceRequests["lookup"]>(async () => lookup),
    approve: vi.fn<DeviceRequests["approve"]>(async () => decision),
    deny: vi.fn<DeviceRequests["deny"]>(async () => decision),
  };
}

const pendingForCli = ok({ user_code: "ABCDEFGH", status: "pending", client_id: "todo-cli" });

describe("DeviceApproval", () => {
  it("shows the code from the link, names the program after Continue, and approves on Approve only", async () => {
    const requests = requestsAnswering(pendingForCli);
    render(<DeviceApproval initialCode="abcdefgh" accountName="Ann" requests={requests} />);
    const user = userEvent.setup();

    expect(screen.getByLabelText("Code shown in your terminal")).toHaveValue("ABCD-EFGH");
    expect(requests.lookup).not.toHaveBeenCalled();
    await user.click(screen.getByRole("button", { name: "Continue" }));

    expect(requests.lookup).toHaveBeenCalledWith("ABCDEFGH");
    expect(await screen.findByRole("heading", { name: "Approve this sign-in?" })).toBeInTheDocument();
    expect(screen.getByText("Todo command line (todo)")).toBeInTheDocument();
    expect(screen.getByText("Ann")).toBeInTheDocument();
    expect(requests.approve).not.toHaveBeenCalled();

    await user.click(screen.getByRole("button", { name: "Approve" }));
    expect(requests.approve).toHaveBeenCalledWith("ABCDEFGH");
    expect(requests.deny).not.toHaveBeenCalled();
    expect(await screen.findByRole("status")).toHaveTextContent("Todo command line (todo) is now signed in as Ann");
  });

  it("denies on Deny", async () => {
    const requests = requestsAnswering(pendingForCli);
    render(<DeviceApproval initialCode="ABCD-EFGH" accountName="Ann" requests={requests} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Continue" }));
    await user.click(await screen.findByRole("button", { name: "Deny" }));
    expect(requests.deny).toHaveBeenCalledWith("ABCDEFGH");
    expect(requests.approve).not.toHaveBeenCalled();
    expect(await screen.findByRole("heading", { name: "Request denied" })).toBeInTheDocument();
  });

  it("takes a typed code with spaces or dashes in any case", async () => {
    const requests = requestsAnswering(pendingForCli);
    render(<DeviceApproval accountName="Ann" requests={requests} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Code shown in your terminal"), " abcd efgh ");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    expect(requests.lookup).toHaveBeenCalledWith("ABCDEFGH");
  });

  it.each([
    [failed(400, "invalid_request"), "No sign-in request has that code. Check the code your terminal shows."],
    [failed(400, "expired_token"), "That code has expired. Run todo login again for a new one."],
    [ok({ user_code: "ABCDEFGH", status: "approved", client_id: "todo-cli" }), "That code was already used. Run todo login again for a new one."],
    [ok({ user_code: "ABCDEFGH", status: "pending" }), "That code belongs to a sign-in another account is approving."],
    [failed(0), "Could not reach Todo. Check your connection and try again."],
  ])("stays on the code with one sentence when the lookup gives %j", async (lookup, message) => {
    const requests = requestsAnswering(lookup);
    render(<DeviceApproval initialCode="ABCDEFGH" accountName="Ann" requests={requests} />);
    await userEvent.setup().click(screen.getByRole("button", { name: "Continue" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(message);
    expect(screen.getByLabelText("Code shown in your terminal")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("Code shown in your terminal")).toHaveFocus();
  });

  it("asks for a code before looking anything up", async () => {
    const requests = requestsAnswering(pendingForCli);
    render(<DeviceApproval accountName="Ann" requests={requests} />);
    await userEvent.setup().click(screen.getByRole("button", { name: "Continue" }));
    expect(screen.getByRole("alert")).toHaveTextContent("Enter the code your terminal shows.");
    expect(requests.lookup).not.toHaveBeenCalled();
  });

  it("says why an approval failed and keeps the choice open", async () => {
    const requests = requestsAnswering(pendingForCli, failed(400, "expired_token"));
    render(<DeviceApproval initialCode="ABCDEFGH" accountName="Ann" requests={requests} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Continue" }));
    await user.click(await screen.findByRole("button", { name: "Approve" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("That code has expired.");
    expect(screen.getByRole("button", { name: "Approve" })).toBeInTheDocument();
  });
});
