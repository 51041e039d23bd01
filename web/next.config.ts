import type { NextConfig } from "next";
import { API_CONTENT_SECURITY_POLICY, STATIC_SECURITY_HEADERS } from "./src/lib/security-headers";
import { loadRootEnv } from "./src/lib/server/root-env";

// One `.env` at the repo root configures both the API and this app; this also
// makes NEXT_PUBLIC_API_URL from that file visible to the build.
loadRootEnv();

const nextConfig: NextConfig = {
  // PGlite ships WebAssembly and data files that it loads from its own
  // package folder at run time, so it must not be bundled.
  serverExternalPackages: ["@electric-sql/pglite", "kysely-pglite-dialect", "pg"],
  poweredByHeader: false,
  // On every response. Pages get their Content-Security-Policy, with a fresh
  // nonce each, from src/proxy.ts.
  async headers() {
    return [
      { source: "/:path*", headers: [...STATIC_SECURITY_HEADERS] },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: API_CONTENT_SECURITY_POLICY }] },
    ];
  },
  turbopack: {
    rules: {
      "*.css": {
        loaders: ["@tailwindcss/turbopack"],
        as: "*.css",
      },
    },
  },
};

export default nextConfig;
