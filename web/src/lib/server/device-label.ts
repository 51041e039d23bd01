import "server-only";
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
