import { describe, expect, it } from "vitest";
import { describeAddress, describeUserAgent } from "./device-label";

describe("describeUserAgent", () => {
  it("names the browser (major version) and the system", () => {
    expect(
      describeUserAgent("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.7339.80 Safari/537.36"),
    ).toEqual({ browser: "Chrome 140", system: "Linux" });
    expect(
      describeUserAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"),
    ).toEqual({ browser: "Safari 17", system: "iOS" });
    expect(describeUserAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0")).toEqual({
      browser: "Firefox 132",
      system: "Windows 10",
    });
  });

  it("names the todo command line and the system it runs on", () => {
    expect(describeUserAgent("todo-cli/0.1.0 (linux)")).toEqual({ browser: "todo command line 0.1.0", system: "Linux" });
    expect(describeUserAgent("todo-cli/0.2.0 (macos)")).toEqual({ browser: "todo command line 0.2.0", system: "macOS" });
    expect(describeUserAgent("todo-cli/0.1.0 (haiku)").system).toBe("haiku");
    expect(describeUserAgent("todo-cli/0.1.0")).toEqual({ browser: "todo command line 0.1.0", system: "unknown system" });
  });

  it("says so when there is nothing to go by", () => {
    expect(describeUserAgent(null)).toEqual({ browser: "Unknown browser", system: "unknown system" });
    expect(describeUserAgent("")).toEqual({ browser: "Unknown browser", system: "unknown system" });
    expect(describeUserAgent("curl/8.5.0").system).toBe("unknown system");
  });
});

describe("describeAddress", () => {
  it("says this computer for a loopback address, also the all-zero one Better Auth keeps of ::1", () => {
    // Better Auth stores IPv6 addresses cut to their /64 network, fully spelled out.
    expect(describeAddress("0000:0000:0000:0000:0000:0000:0000:0000")).toBe("this computer (localhost)");
    expect(describeAddress("::1")).toBe("this computer (localhost)");
    expect(describeAddress("127.0.0.1")).toBe("this computer (localhost)");
    expect(describeAddress("127.8.9.10")).toBe("this computer (localhost)");
  });

  it("writes IPv6 networks the short way, and leaves IPv4 as it is", () => {
    expect(describeAddress("2001:0db8:0000:0042:0000:0000:0000:0000")).toBe("2001:db8:0:42:: (a /64 network)");
    expect(describeAddress("2a02:8070:a180:0000:0000:0000:0000:0000")).toBe("2a02:8070:a180:: (a /64 network)");
    expect(describeAddress("2001:db8::7")).toBe("2001:db8::7");
    expect(describeAddress("fe80:0000:0000:0000:0001:0000:0000:0001")).toBe("fe80::1:0:0:1");
    expect(describeAddress("192.0.2.1")).toBe("192.0.2.1");
  });

  it("says unknown when there is none", () => {
    expect(describeAddress(null)).toBe("unknown");
    expect(describeAddress("")).toBe("unknown");
  });
});
