// The TextMate grammar, tokenized by the engine VS Code uses (vscode-textmate +
// vscode-oniguruma). source.python for py-exec strings comes from tm-grammars
// (VS Code ships the same MagicPython grammar in its python extension).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { createRequire } from "node:module";
import vsctm from "vscode-textmate";
import oniguruma from "vscode-oniguruma";
import { extDir, pkg } from "./helpers.mjs";

const require = createRequire(import.meta.url);
const wasm = readFileSync(join(dirname(require.resolve("vscode-oniguruma")), "onig.wasm"));
await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
const pythonGrammar = join(extDir, "node_modules", "tm-grammars", "grammars", "python.json");

const registry = new vsctm.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: (s) => new oniguruma.OnigScanner(s),
    createOnigString: (s) => new oniguruma.OnigString(s),
  }),
  loadGrammar: async (scopeName) => {
    if (scopeName === "source.python") return vsctm.parseRawGrammar(readFileSync(pythonGrammar, "utf8"), pythonGrammar);
    const g = pkg.contributes.grammars.find((x) => x.scopeName === scopeName);
    if (!g) return null;
    const p = join(extDir, g.path);
    return vsctm.parseRawGrammar(readFileSync(p, "utf8"), p);
  },
});
const grammar = await registry.loadGrammar("source.recipe");

function tokenize(text) {
  let state = vsctm.INITIAL;
  const out = [];
  for (const line of text.split("\n")) {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) out.push({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes });
    state = r.ruleStack;
  }
  return out;
}
/** innermost scope of the first token whose text is exactly `text` */
function scopeOf(toks, text, nth = 0) {
  const hits = toks.filter((t) => t.text === text);
  assert.ok(hits[nth], `no token ${JSON.stringify(text)} in ${JSON.stringify(toks.map((t) => t.text))}`);
  return hits[nth].scopes.at(-1);
}
const scopesOf = (toks, text) => toks.find((t) => t.text === text)?.scopes ?? [];

const SAMPLE = `#lang recipe
;; line comment
#| block #| nested |# still
   comment |#
#;(ignored (form "x"))
(define docs (list "a\\n\\u03bb" 'b 42 -7 3.14 .5 1e-3 1/2 +inf.0 #t #false #\\a #\\space))
(define out
  (map-async (lambda (d) (llm-query-async #:model "gpt-4o" #:data d)) docs #:max-concurrent 5))
(define n (string->number "42"))
(define r (fan-out-aggregate f g docs))
(parameterize ([token-budget 5000]) (finish (car context)))
(py-exec "
import json
def total(xs):
    return sum(x['n'] for x in xs)  # a \\"quoted\\" word
print(json.dumps({'a': 1}))")
(py-eval "len(x) + 1")
(my-map-async x)`;
const toks = tokenize(SAMPLE);

test("every token is under source.recipe", () => {
  for (const t of toks) assert.equal(t.scopes[0], "source.recipe");
});

test("comments: line, nested block, datum", () => {
  assert.equal(scopeOf(toks, ";; line comment"), "comment.line.semicolon.recipe");
  assert.ok(scopesOf(toks, " still").includes("comment.block.recipe"), "after a nested |# the outer comment goes on");
  assert.ok(scopesOf(toks, "   comment ").includes("comment.block.recipe"), "block comment spans lines");
  assert.ok(scopesOf(toks, "ignored (form ").includes("comment.block.datum.recipe") ||
    toks.some((t) => t.text.includes("ignored") && t.scopes.includes("comment.block.datum.recipe")));
  assert.ok(toks.filter((t) => t.text.includes("form")).every((t) => t.scopes.some((s) => s.startsWith("comment."))));
});

test("strings with escapes", () => {
  assert.equal(scopeOf(toks, "a"), "string.quoted.double.recipe");
  assert.equal(scopeOf(toks, "\\n"), "constant.character.escape.recipe");
  assert.equal(scopeOf(toks, "\\u03bb"), "constant.character.escape.recipe");
  assert.equal(scopeOf(toks, "gpt-4o"), "string.quoted.double.recipe");
});

test("numbers, booleans, characters, keywords", () => {
  for (const n of ["42", "-7", "3.14", ".5", "1e-3", "1/2", "+inf.0", "5000"]) assert.equal(scopeOf(toks, n), "constant.numeric.recipe", n);
  assert.equal(scopeOf(toks, "#t"), "constant.language.boolean.recipe");
  assert.equal(scopeOf(toks, "#false"), "constant.language.boolean.recipe");
  assert.equal(scopeOf(toks, "#\\a"), "constant.character.recipe");
  assert.equal(scopeOf(toks, "#\\space"), "constant.character.recipe");
  assert.equal(scopeOf(toks, "#:model"), "constant.other.keyword.recipe");
  assert.equal(scopeOf(toks, "#:max-concurrent"), "constant.other.keyword.recipe");
  assert.equal(scopeOf(toks, "#lang"), "keyword.other.lang.recipe");
});

test("special forms vs primitives vs combinators vs builtins vs symbols", () => {
  assert.equal(scopeOf(toks, "define"), "keyword.control.recipe");
  assert.equal(scopeOf(toks, "lambda"), "keyword.control.recipe");
  assert.equal(scopeOf(toks, "parameterize"), "keyword.control.recipe");
  assert.equal(scopeOf(toks, "map-async"), "support.function.primitive.recipe");
  assert.equal(scopeOf(toks, "llm-query-async"), "support.function.primitive.recipe");
  assert.equal(scopeOf(toks, "finish"), "support.function.primitive.recipe");
  assert.equal(scopeOf(toks, "fan-out-aggregate"), "support.function.combinator.recipe");
  assert.equal(scopeOf(toks, "list"), "support.function.builtin.recipe");
  assert.equal(scopeOf(toks, "string->number"), "support.function.builtin.recipe");
  assert.equal(scopeOf(toks, "car"), "support.function.builtin.recipe");
  assert.equal(scopeOf(toks, "token-budget"), "variable.language.recipe");
  assert.equal(scopeOf(toks, "context"), "variable.language.recipe");
  assert.equal(scopeOf(toks, "docs"), "variable.other.recipe");
  assert.equal(scopeOf(toks, "my-map-async"), "variable.other.recipe", "a primitive's name inside a longer symbol is not a primitive");
  const code = toks.filter((t) => !t.scopes.some((s) => s.startsWith("comment.")));
  assert.equal(scopeOf(code, "("), "punctuation.section.parens.begin.recipe");
  assert.equal(scopeOf(toks, "["), "punctuation.section.brackets.begin.recipe");
});

test("Python inside py-exec / py-eval strings is source.python", () => {
  const imp = toks.find((t) => t.text === "import");
  assert.ok(imp, "import token");
  assert.ok(imp.scopes.includes("meta.embedded.block.python"), imp.scopes.join(" "));
  assert.equal(imp.scopes.at(-1), "keyword.control.import.python");
  assert.equal(scopeOf(toks, "py-exec"), "support.function.primitive.recipe");
  const len = toks.find((t) => t.text === "len");
  assert.ok(len.scopes.includes("meta.embedded.block.python") && len.scopes.at(-1).endsWith(".python"), len.scopes.join(" "));
  const def = toks.find((t) => t.text === "def");
  assert.equal(def?.scopes.at(-1), "storage.type.function.python");
  // the string ends where the recipe string ends, even after Python code on the same line
  assert.equal(scopeOf(toks, "my-map-async"), "variable.other.recipe");
});

test("embeddedLanguages maps the Python scope to the python language", () => {
  const g = pkg.contributes.grammars.find((x) => x.language === "recipe");
  assert.equal(g.embeddedLanguages["meta.embedded.block.python"], "python");
});
