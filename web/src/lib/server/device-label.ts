import "server-only";
import { isIPv4, isIPv6 } from "node:net";
import Bowser from "bowser";

/** What a session's User-Agent says, in words: its browser and its system. */
export interface DeviceLabel {
  browser: string;
  system: string;
}

/** The `todo` CLI's User-Agent: `todo-cli/<version> (<Rust's std::env::consts::OS>)`. */
const COMMAND_LINE = /^todo-cli\/([0-9A-Za-z.+-]{1,32})(?: \(([a-z0-9_]{1,16})\))?$/;
const RUST_OS_NAMES: Record<string, string> = { linux: "Linux", macos: "macOS", windows: "Windows", freebsd: "FreeBSD" };

/**
 * Parsed with bowser (maintained, MIT, no network): User-Agent formats change
 * with every browser release, which a hand-written pattern would not follow.
 */
export function describeUserAgent(userAgent: string | null | undefined): DeviceLabel {
  if (!userAgent?.trim()) return { browser: "Unknown browser", system: "unknown system" };
  const commandLine = COMMAND_LINE.exec(userAgent);
  if (commandLine) {
    const [, version, os] = commandLine;
    return { browser: `todo command line ${version}`, system: (os && RUST_OS_NAMES[os]) ?? os ?? "unknown system" };
  }
  const { browser, os } = Bowser.parse(userAgent);
  const major = browser.version?.split(".")[0];
  return {
    browser: browser.name ? `${browser.name}${major ? ` ${major}` : ""}` : "Unknown browser",
    system: os.name ? `${os.name}${os.versionName ? ` ${os.versionName}` : ""}` : "unknown system",
  };
}

const THIS_COMPUTER = "this computer (localhost)";

/** IPv6 groups without leading zeros, the longest run of two or more zero groups as "::" (RFC 5952). */
function shortIPv6(groups: number[]): string {
  let best = { start: -1, length: 0 };
  for (let start = 0; start < groups.length; ) {
    let end = start;
    while (end < groups.length && groups[end] === 0) end++;
    if (end - start > best.length) best = { start, length: end - start };
    start = end === start ? start + 1 : end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (best.length < 2) return hex.join(":");
  return `${hex.slice(0, best.start).join(":")}::${hex.slice(best.start + best.length).join(":")}`;
}

/** The eight groups of an IPv6 address, whether spelled in full or with "::". */
function ipv6Groups(address: string): number[] {
  const [head, tail] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const missing = address.includes("::") ? 8 - left.length - right.length : 0;
  return [...left, ...Array<string>(missing).fill("0"), ...right].map((group) => Number.parseInt(group, 16));
}

/**
 * A session's address in words. Better Auth keeps an IPv6 address cut to its
 * /64 network and written out in full ("2001:0db8:0000:0042:0000:…"), so the
 * loopback ::1 arrives as eight groups of zeros: that, and 127.0.0.0/8, is
 * this computer; other networks are written the short way and said to be one.
 */
export function describeAddress(address: string | null | undefined): string {
  if (!address) return "unknown";
  if (isIPv4(address)) return address.startsWith("127.") ? THIS_COMPUTER : address;
  if (!isIPv6(address)) return address;
  const groups = ipv6Groups(address);
  const zeros = groups.slice(0, 7).every((group) => group === 0);
  if (zeros && groups[7] <= 1) return THIS_COMPUTER;
  const short = shortIPv6(groups);
  const network = address.split(":").length === 8 && groups.slice(4).every((group) => group === 0);
  return network ? `${short} (a /64 network)` : short;
}
