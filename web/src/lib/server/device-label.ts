import "server-only";
import Bowser from "bowser";

/** What a session's User-Agent says, in words: its browser and its system. */
export interface DeviceLabel {
  browser: string;
  system: string;
}

/**
 * Parsed with bowser (maintained, MIT, no network): User-Agent formats change
 * with every browser release, which a hand-written pattern would not follow.
 */
export function describeUserAgent(userAgent: string | null | undefined): DeviceLabel {
  if (!userAgent?.trim()) return { browser: "Unknown browser", system: "unknown system" };
  const { browser, os } = Bowser.parse(userAgent);
  const major = browser.version?.split(".")[0];
  return {
    browser: browser.name ? `${browser.name}${major ? ` ${major}` : ""}` : "Unknown browser",
    system: os.name ? `${os.name}${os.versionName ? ` ${os.versionName}` : ""}` : "unknown system",
  };
}
