import path from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname, "src"),
      // The marker throws outside React Server Components by design; the server
      // modules are tested directly here.
      "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js"),
    },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./vitest.setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    // Closing a test's servers, pools and outbox senders can take longer than the
    // default 10 s when the machine is busy (CI with builds beside it).
    hookTimeout: 30_000,
  },
});
