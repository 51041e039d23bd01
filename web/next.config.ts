import type { NextConfig } from "next";
import { loadRootEnv } from "./src/lib/server/root-env";

// One `.env` at the repo root configures both the API and this app; this also
// makes NEXT_PUBLIC_API_URL from that file visible to the build.
loadRootEnv();

const nextConfig: NextConfig = {
  // PGlite ships WebAssembly and data files that it loads from its own
  // package folder at run time, so it must not be bundled.
  serverExternalPackages: ["@electric-sql/pglite", "kysely-pglite-dialect", "pg"],
  poweredByHeader: false,
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
