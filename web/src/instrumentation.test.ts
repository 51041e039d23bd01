// @vitest-environment node
import { afterEach, describe, expect, it, vi } from "vitest";

const getAuth = vi.hoisted(() => vi.fn());
vi.mock("./lib/server/auth", () => ({ getAuth }));
const installPeerAddressStamp = vi.hoisted(() => vi.fn());
vi.mock("./lib/server/peer-address", () => ({ installPeerAddressStamp }));

import { register, shouldPrepareAuth } from "./instrumentation";

afterEach(() => {
  vi.unstubAllEnvs();
  getAuth.mockReset();
  installPeerAddressStamp.mockReset();
});

describe("instrumentation", () => {
  it("prepares the account store only in the Node.js runtime and never during next build", () => {
    expect(shouldPrepareAuth({ NEXT_RUNTIME: "nodejs" })).toBe(true);
    expect(shouldPrepareAuth({ NEXT_RUNTIME: "nodejs", NEXT_PHASE: "phase-production-server" })).toBe(true);
    expect(shouldPrepareAuth({ NEXT_RUNTIME: "nodejs", NEXT_PHASE: "phase-production-build" })).toBe(false);
    expect(shouldPrepareAuth({ NEXT_RUNTIME: "edge" })).toBe(false);
    expect(shouldPrepareAuth({})).toBe(false);
  });

  it("creates (and so migrates) Better Auth when the server starts", async () => {
    vi.stubEnv("NEXT_RUNTIME", "nodejs");
    vi.stubEnv("NEXT_PHASE", "phase-production-server");
    getAuth.mockResolvedValue({});
    await register();
    expect(getAuth).toHaveBeenCalledTimes(1);
  });

  it("records socket addresses in the Node.js runtime, and only there", async () => {
    vi.stubEnv("NEXT_RUNTIME", "edge");
    await register();
    expect(installPeerAddressStamp).not.toHaveBeenCalled();
    vi.stubEnv("NEXT_RUNTIME", "nodejs");
    vi.stubEnv("NEXT_PHASE", "phase-production-build");
    await register();
    expect(installPeerAddressStamp).toHaveBeenCalledTimes(1);
  });

  it("does not open the store during next build", async () => {
    vi.stubEnv("NEXT_RUNTIME", "nodejs");
    vi.stubEnv("NEXT_PHASE", "phase-production-build");
    await register();
    expect(getAuth).not.toHaveBeenCalled();
  });

  it("lets the server start when the store is not reachable yet (first use tries again)", async () => {
    vi.stubEnv("NEXT_RUNTIME", "nodejs");
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    getAuth.mockRejectedValue(new Error("connection refused"));
    await expect(register()).resolves.toBeUndefined();
    expect(error).toHaveBeenCalledWith(expect.stringMatching(/try again on the first request/), expect.any(Error));
    error.mockRestore();
  });
});
