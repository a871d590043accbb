// Shared helpers for the Node tests (node --test test/).
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";

export const here = dirname(fileURLToPath(import.meta.url));
export const extDir = join(here, "..");
export const repo = join(extDir, "..", "..");
export const fixtures = join(repo, "tests", "editors", "fixtures");
export const pkg = JSON.parse(readFileSync(join(extDir, "package.json"), "utf8"));

/** src/options.ts, compiled on the fly (it has no `vscode` import). */
export async function loadOptions() {
  const out = buildSync({
    entryPoints: [join(extDir, "src", "options.ts")], bundle: true, write: false,
    format: "esm", platform: "node", target: "node20", logLevel: "silent",
  });
  const code = out.outputFiles[0].text;
  return import("data:text/javascript;base64," + Buffer.from(code).toString("base64"));
}

/** Skip locally, fail when RECIPE_REQUIRE_EDITORS=1 (CI). */
export function missing(t, reason) {
  if (process.env.RECIPE_REQUIRE_EDITORS === "1") throw new Error(`RECIPE_REQUIRE_EDITORS=1 but ${reason}`);
  t.skip(reason);
}
