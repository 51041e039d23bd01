import "server-only";
import { BlockList, isIP } from "node:net";

/**
 * Which peers may say who the client is. Built from `TRUSTED_PROXIES`: a
 * comma-separated list of IP addresses and CIDR ranges (IPv4 and IPv6).
 */
export interface TrustedProxies {
  /** The entries as configured, for logs and tests. */
  readonly entries: readonly string[];
  /** Whether `address` (already normalised by {@link normalizeAddress}) is one of them. */
  has(address: string): boolean;
}

export class TrustedProxiesError extends Error {
  override name = "TrustedProxiesError";
}

/**
 * The address alone, in one spelling per address: an IPv4-mapped IPv6 address
 * (`::ffff:10.0.0.1`, how a dual-stack socket reports IPv4 peers) becomes its
 * IPv4 form, IPv6 is lower-cased, and a port (`10.0.0.1:5123`, `[::1]:5123`) or
 * brackets that some proxies add are dropped. Anything that is not an IP
 * address gives `undefined`.
 */
export function normalizeAddress(raw: string): string | undefined {
  let text = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) text = bracketed[1];
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
  if (v4WithPort) text = v4WithPort[1];
  const family = isIP(text);
  if (family === 4) return text;
  if (family !== 6) return undefined;
  const groups = ipv6Groups(text);
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return [groups[6] >> 8, groups[6] & 255, groups[7] >> 8, groups[7] & 255].join(".");
  }
  return text.toLowerCase();
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail converted). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = tail === undefined ? [] : tail ? tail.split(":") : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill("0"), ...right].map((group) => Number.parseInt(group, 16));
}

const ENTRY_HELP = "is not an IP address or CIDR range (such as 10.0.0.1, 10.0.0.0/8 or fd00::/8)";

/**
 * Parses `TRUSTED_PROXIES`. Entries are separated by commas (spaces around
 * them are ignored); each is a plain address or `address/prefix`. A malformed
 * entry is an error rather than ignored: a typo must not silently trust
 * nobody, or somebody else.
 */
export function parseTrustedProxies(value: string | undefined): TrustedProxies {
  const entries = (value ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const list = new BlockList();
  for (const entry of entries) {
    const [addressText, prefixText, extra] = entry.split("/");
    const writtenFamily = isIP(addressText);
    const address = normalizeAddress(addressText);
    if (writtenFamily === 0 || !address || extra !== undefined) {
      throw new TrustedProxiesError(`TRUSTED_PROXIES: "${entry}" ${ENTRY_HELP}.`);
    }
    const family = isIP(address) === 4 ? "ipv4" : "ipv6";
    if (prefixText === undefined) {
      list.addAddress(address, family);
      continue;
    }
    const prefix = Number(prefixText);
    // A range on an IPv4-mapped address (::ffff:10.0.0.0/104) is refused: write 10.0.0.0/8.
    if (!/^\d{1,3}$/.test(prefixText) || prefix > (writtenFamily === 4 ? 32 : 128) || writtenFamily !== isIP(address)) {
      throw new TrustedProxiesError(`TRUSTED_PROXIES: "${entry}" ${ENTRY_HELP}.`);
    }
    list.addSubnet(address, prefix, family);
  }
  return {
    entries,
    has(address: string): boolean {
      const family = isIP(address);
      if (family === 0 || entries.length === 0) return false;
      return list.check(address, family === 4 ? "ipv4" : "ipv6");
    },
  };
}

/** Nobody is trusted: the default. */
export const NO_TRUSTED_PROXIES: TrustedProxies = parseTrustedProxies(undefined);

interface HeaderSource {
  get(name: string): string | null;
}

/**
 * The address a request came from, for rate limits and session records.
 *
 * - `peer` is the socket's remote address: the one fact a client cannot make up.
 * - When the peer is not a trusted proxy, it is the answer, whatever
 *   `X-Forwarded-For` or `X-Real-IP` say (anyone can send those).
 * - When it is, the forwarded chain (`X-Forwarded-For`, or `X-Real-IP` when the
 *   proxy sends no `X-Forwarded-For`) is read from the right, skipping trusted
 *   proxies; the first address that is not one is the client. Entries to the
 *   left of it were written by the client and are ignored. If the walk meets
 *   something that is not an address, the last trusted hop is the answer (it
 *   is the one that handed over the garbage); if every hop is trusted, the
 *   left-most one is.
 *
 * `undefined` when the peer itself is unknown or not an address.
 */
export function resolveClientAddress(
  peer: string | undefined,
  headers: HeaderSource,
  trusted: TrustedProxies,
): string | undefined {
  const peerAddress = peer === undefined ? undefined : normalizeAddress(peer);
  if (!peerAddress) return undefined;
  if (!trusted.has(peerAddress)) return peerAddress;
  const forwarded = headers.get("x-forwarded-for") ?? headers.get("x-real-ip") ?? "";
  const chain = forwarded
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  let nearest = peerAddress;
  for (let i = chain.length - 1; i >= 0; i--) {
    const hop = normalizeAddress(chain[i]);
    if (!hop) return nearest;
    if (!trusted.has(hop)) return hop;
    nearest = hop;
  }
  return nearest;
}
