import { decodeJwt } from "jose";

export type TokenSource = () => Promise<string>;

interface CachedToken {
  token: string;
  /** When to fetch a new one, in ms since the epoch: a margin before `exp`. */
  renewAt: number;
}

/**
 * Keeps the API token in memory only (never in storage). A token is renewed
 * when it is within 20% of its lifetime (at most 60 s) of `exp`, so a request
 * never leaves with a token about to expire; concurrent callers share one fetch.
 */
export class TokenStore {
  private cached: CachedToken | undefined;
  private inFlight: Promise<string> | undefined;
  private generation = 0;

  constructor(
    private readonly source: TokenSource,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<string> {
    if (this.cached && this.now() < this.cached.renewAt) return this.cached.token;
    return this.refresh();
  }

  /** Fetches a new token even if the cached one looks valid (after a 401). */
  refresh(): Promise<string> {
    if (this.inFlight) return this.inFlight;
    const generation = this.generation;
    const request = this.source()
      .then((token) => {
        if (generation === this.generation) this.cached = { token, renewAt: this.renewAtFor(token) };
        return token;
      })
      .finally(() => {
        if (this.inFlight === request) this.inFlight = undefined;
      });
    this.inFlight = request;
    return request;
  }

  /** Forgets the token (sign-out). */
  clear(): void {
    this.generation += 1;
    this.cached = undefined;
    this.inFlight = undefined;
  }

  private renewAtFor(token: string): number {
    const now = this.now();
    let claims: { exp?: number; iat?: number };
    try {
      claims = decodeJwt(token);
    } catch {
      return now; // unreadable: use it once, fetch again next time
    }
    if (typeof claims.exp !== "number") return now;
    const expMs = claims.exp * 1000;
    const issuedMs = typeof claims.iat === "number" ? claims.iat * 1000 : now;
    const margin = Math.min(60_000, Math.max(0, (expMs - issuedMs) * 0.2));
    return expMs - margin;
  }
}

/** The stores of the pages now showing tasks; sign-out empties them. */
const liveStores = new Set<TokenStore>();

/** Registers a store as in use; returns the function that unregisters it. */
export function trackTokenStore(store: TokenStore): () => void {
  liveStores.add(store);
  return () => {
    liveStores.delete(store);
  };
}

/** Forgets every token held in memory (sign-out), including any fetch still on its way. */
export function clearAllTokens(): void {
  for (const store of liveStores) store.clear();
}
