// package.json, language-configuration.json and src/ agree with each other.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { extDir, pkg, loadOptions } from "./helpers.mjs";

const opts = await loadOptions();
const lock = JSON.parse(readFileSync(join(extDir, "package-lock.json"), "utf8"));

test("language, grammar and configuration", () => {
  const lang = pkg.contributes.languages.find((l) => l.id === "recipe");
  assert.ok(lang);
  assert.deepEqual(lang.extensions, [".recipe"]);
  const g = pkg.contributes.grammars.find((x) => x.language === "recipe");
  assert.equal(g.scopeName, "source.recipe");
  assert.ok(existsSync(join(extDir, g.path)));
  const conf = JSON.parse(readFileSync(join(extDir, lang.configuration), "utf8"));
  assert.equal(conf.comments.lineComment, ";");
  assert.deepEqual(conf.comments.blockComment, ["#|", "|#"]);
  assert.deepEqual(conf.brackets, [["(", ")"], ["[", "]"], ["{", "}"]]);
  for (const open of ["(", "[", "{", '"']) assert.ok(conf.autoClosingPairs.some((p) => p.open === open), open);
  assert.ok(conf.indentationRules.increaseIndentPattern && conf.indentationRules.decreaseIndentPattern);
  assert.ok(pkg.activationEvents.includes("onLanguage:recipe"));
  assert.equal(pkg.engines.vscode, "^1.90.0");
  assert.equal(pkg.dependencies["vscode-languageclient"], "9.0.1");
  assert.equal(pkg.devDependencies["@types/vscode"], "1.90.0", "@types/vscode must not be newer than engines.vscode");
});

test("wordPattern keeps map-async, string->number and #:model whole", () => {
  const lang = pkg.contributes.languages.find((l) => l.id === "recipe");
  const conf = JSON.parse(readFileSync(join(extDir, lang.configuration), "utf8"));
  const re = new RegExp(conf.wordPattern, "gu");
  const words = (s) => s.match(re);
  assert.deepEqual(words("(map-async f xs)"), ["map-async", "f", "xs"]);
  assert.deepEqual(words("(string->number \"4\")"), ["string->number", "4"]);
  assert.deepEqual(words("(llm-query #:model m)"), ["llm-query", "#:model", "m"]);
  assert.deepEqual(words("(set! null? 'x)"), ["set!", "null?", "x"]);
});

test("commands: contributed = registered in src, distinct from the server's", () => {
  const contributed = pkg.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual(contributed, [opts.CMD_ESTIMATE_COST, opts.CMD_RESTART, opts.CMD_RUN, opts.CMD_SHOW_OUTPUT].sort());
  const titles = Object.fromEntries(pkg.contributes.commands.map((c) => [c.command, `${c.category}: ${c.title}`]));
  assert.equal(titles[opts.CMD_RUN], "Recipe: Run Recipe");
  assert.equal(titles[opts.CMD_ESTIMATE_COST], "Recipe: Estimate Cost");
  assert.equal(titles[opts.CMD_RESTART], "Recipe: Restart Server");
  assert.equal(titles[opts.CMD_SHOW_OUTPUT], "Recipe: Show Output");
  const src = readFileSync(join(extDir, "src", "extension.ts"), "utf8");
  for (const c of ["CMD_RUN", "CMD_ESTIMATE_COST", "CMD_RESTART", "CMD_SHOW_OUTPUT"]) {
    assert.match(src, new RegExp(`registerCommand\\(${c}\\b`), c);
  }
  // vscode-languageclient registers the server's executeCommand ids itself: no clash allowed
  assert.ok(!contributed.includes(opts.SERVER_RUN) && !contributed.includes(opts.SERVER_ESTIMATE_COST));
});

test("settings: server command, pythonPath and the `recipe` section the server reads", () => {
  const p = pkg.contributes.configuration.properties;
  assert.deepEqual(p["recipe.server.command"].default, ["recipe", "serve"]);
  assert.equal(p["recipe.server.pythonPath"].default, "");
  for (const k of ["provider", "defaultModel", "budgetUsd", "budgetTokens"]) assert.ok(p[`recipe.${k}`], k);
  assert.ok(p["recipe.provider"].enum.includes("simulated"));
  assert.equal(opts.CONFIG_SECTION, "recipe");
});

test("server argv: default, command, pythonPath", () => {
  assert.deepEqual(opts.serverArgv({}), ["recipe", "serve"]);
  assert.deepEqual(opts.serverArgv({ command: ["/x/recipe", "serve", "--stdio"] }), ["/x/recipe", "serve", "--stdio"]);
  assert.deepEqual(opts.serverArgv({ command: [] }), ["recipe", "serve"]);
  assert.deepEqual(opts.serverArgv({ command: ["a"], pythonPath: "/v/bin/python" }), ["/v/bin/python", "-m", "recipe.server", "serve"]);
  assert.deepEqual(opts.serverArgv({ pythonPath: "  " }), ["recipe", "serve"]);
  assert.equal(opts.findExecutable("definitely-not-a-recipe-binary", { PATH: "/usr/bin:/bin" }), undefined);
  assert.equal(opts.findExecutable("sh", { PATH: "/nonexistent:/bin:/usr/bin" })?.endsWith("/sh"), true);
  const msg = opts.missingServerMessage(["recipe", "serve"]);
  assert.match(msg, /pip install recipe-tools/);
  assert.match(msg, /recipe\.server\.pythonPath/);
});

test("status text and result formatting", () => {
  assert.equal(opts.statusText("running", opts.costRange({ total_usd: 0.01234 })), "$(beaker) Recipe ~$0.012");
  assert.equal(opts.statusText("running", opts.costRange({ total_usd_low: 0.0012, total_usd_high: 0.5 })), "$(beaker) Recipe ~$0.0012–$0.50");
  assert.equal(opts.costRange({ table: "" }), undefined);
  assert.deepEqual([0.015, 0.0132, 0.06, 0.35, 0.0003, 12.5].map(opts.formatUsd),
    ["$0.015", "$0.013", "$0.06", "$0.35", "$0.0003", "$12.50"]);
  assert.equal(opts.formatCost(opts.costRange({ total_usd_low: 0.0012, total_usd_high: 0.0012, unpriced_sites: 2 })),
    "$0.0012 + 2 unpriced");
  assert.equal(opts.formatCost(opts.costRange({ total_usd_low: 0.0012, total_usd_high: 0.5, unpriced_sites: 0 })),
    "$0.0012–$0.50");
  assert.equal(opts.statusText("error"), "$(error) Recipe");
  const t = opts.formatRunResult("a.recipe", { result: "hello", exit_code: 0, cost_usd: 0.1 }, 1.23);
  assert.match(t, /exit code 0/);
  assert.match(t, /^hello$/m);
  assert.match(t, /cost_usd: 0.1/);
});

test("lock file pins what package.json asks for", () => {
  assert.equal(lock.packages["node_modules/vscode-languageclient"].version, "9.0.1");
  assert.equal(lock.packages["node_modules/vscode-textmate"].version, pkg.devDependencies["vscode-textmate"]);
});
