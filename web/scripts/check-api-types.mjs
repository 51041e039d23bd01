// Fails when src/lib/api/schema.d.ts no longer matches what openapi-typescript
// generates from the API's committed ../api/openapi.json.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const spec = path.resolve(webDir, "../api/openapi.json");
const committed = path.join(webDir, "src/lib/api/schema.d.ts");

if (!fs.existsSync(spec)) {
  console.error(`check:api-types: ${spec} does not exist; the API commits it.`);
  process.exit(1);
}
const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "api-types-"));
const generated = path.join(tempDir, "schema.d.ts");
try {
  const bin = path.join(webDir, "node_modules/.bin/openapi-typescript");
  execFileSync(bin, [spec, "-o", generated], { stdio: ["ignore", "ignore", "inherit"] });
  if (fs.readFileSync(generated, "utf8") !== fs.readFileSync(committed, "utf8")) {
    console.error(
      "check:api-types: src/lib/api/schema.d.ts is out of date with ../api/openapi.json.\n" +
        "Run `npm run gen:api-types` in web/ and commit the result.",
    );
    process.exit(1);
  }
  console.log("check:api-types: src/lib/api/schema.d.ts matches ../api/openapi.json");
} finally {
  fs.rmSync(tempDir, { recursive: true, force: true });
}
