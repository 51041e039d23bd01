import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const eslintConfig = defineConfig([
  ...nextVitals,
  ...nextTs,
  // The tasks page's first load leaves Better Auth's browser client out (~12 kB;
  // bench/results/BROWSER.md): the modules of that page and of the root layout
  // may load it on demand only.
  {
    files: [
      "src/app/layout.tsx", "src/app/error.tsx", "src/app/tasks/**", "src/components/providers.tsx", "src/components/route-focus.tsx",
      "src/components/tasks/**", "src/components/sign-out-button.tsx", "src/lib/api/**", "src/lib/tasks/**", "src/lib/dates/**",
      "src/lib/on-demand.ts", "src/lib/lazy-part.tsx", "src/lib/reload-page.ts",
    ],
    ignores: ["**/*.test.ts", "**/*.test.tsx"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: [{ name: "@/lib/auth-client", message: "Load it on demand (onDemand(() => import(...))): the tasks page's first load leaves it out." }],
        patterns: [
          { group: ["better-auth", "better-auth/*"], message: "The tasks page's first load leaves Better Auth's client out; load it on demand." },
          { group: ["**/auth-client"], message: "Load it on demand (onDemand(() => import(...))): the tasks page's first load leaves it out." },
        ],
      }],
    },
  },
  // Override default ignores of eslint-config-next.
  globalIgnores([
    // Default ignores of eslint-config-next:
    ".next/**",
    "out/**",
    "build/**",
    "next-env.d.ts",
  ]),
]);

export default eslintConfig;
