// The extension's client options against the real `recipe serve` over stdio, with the
// protocol package vscode-languageclient 9.0.1 uses: initialize (the capabilities VS Code
// relies on), workspace/configuration for section "recipe", didOpen of a recipe with an
// expensive model in a fan-out -> a diagnostic with code C001, then shutdown/exit.
// Server: $RECIPE_SERVE_CMD (JSON argv), else serverArgv({}) resolved on PATH.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  createProtocolConnection, StreamMessageReader, StreamMessageWriter,
  InitializeRequest, InitializedNotification, DidOpenTextDocumentNotification,
  PublishDiagnosticsNotification, ConfigurationRequest, ShutdownRequest, ExitNotification,
  ExecuteCommandRequest, RegistrationRequest, WorkDoneProgressCreateRequest, ShowDocumentRequest,
} from "vscode-languageserver-protocol/node.js";
import { fixtures, loadOptions, missing } from "./helpers.mjs";

const opts = await loadOptions();
const T = Number(process.env.RECIPE_LSP_TIMEOUT_MS ?? 20000);

function serverArgv() {
  if (process.env.RECIPE_SERVE_CMD) return JSON.parse(process.env.RECIPE_SERVE_CMD);
  const argv = opts.serverArgv({});
  const exe = opts.findExecutable(argv[0]);
  return exe ? [exe, ...argv.slice(1)] : undefined;
}

const within = (p, what) => Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error(`timeout: ${what} after ${T} ms`)), T).unref())]);

test("recipe serve: initialize, configuration, didOpen -> C001, estimateCost, shutdown", async (t) => {
  const argv = serverArgv();
  if (!argv) return missing(t, "`recipe` is not on PATH and RECIPE_SERVE_CMD is not set");
  const env = { ...process.env };
  delete env.OPENAI_API_KEY;
  delete env.OPENAI_BASE_URL;
  const proc = spawn(argv[0], argv.slice(1), { env, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  proc.stderr.on("data", (d) => { stderr = (stderr + d).slice(-4000); });
  t.after(() => proc.kill("SIGKILL"));
  const exit = new Promise((res) => proc.on("exit", (code) => res(code)));
  const early = (p, what) => within(Promise.race([p, exit.then((c) => { throw new Error(`server exited early (code ${c}) during ${what}\n${stderr}`); })]), what);

  const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const configRequests = [];
  conn.onRequest(ConfigurationRequest.type, (p) => {
    configRequests.push(...p.items.map((i) => i.section));
    return p.items.map((i) => (i.section === opts.CONFIG_SECTION ? { provider: "simulated", defaultModel: "", budgetUsd: null, budgetTokens: null } : null));
  });
  conn.onRequest(RegistrationRequest.type, () => null);
  conn.onRequest(WorkDoneProgressCreateRequest.type, () => null);
  conn.onRequest(ShowDocumentRequest.type, () => ({ success: true }));
  conn.onNotification(() => {});
  conn.listen();

  const init = await early(conn.sendRequest(InitializeRequest.type, {
    processId: process.pid, rootUri: pathToFileURL(fixtures).href, workspaceFolders: [{ uri: pathToFileURL(fixtures).href, name: "fixtures" }],
    clientInfo: { name: "Visual Studio Code", version: "1.99.3" },
    capabilities: {
      workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true }, workspaceFolders: true },
      textDocument: {
        publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true },
        hover: { contentFormat: ["markdown", "plaintext"] },
        completion: { completionItem: { snippetSupport: true } },
        synchronization: { didSave: true },
      },
      window: { workDoneProgress: true, showDocument: { support: true } },
    },
  }), "initialize");
  const caps = init.capabilities;
  assert.ok(caps.textDocumentSync, "textDocumentSync");
  assert.ok(caps.hoverProvider, "hoverProvider");
  assert.ok(caps.completionProvider, "completionProvider");
  const commands = caps.executeCommandProvider?.commands ?? [];
  assert.ok(commands.includes(opts.SERVER_RUN), `commands ${commands}`);
  assert.ok(commands.includes(opts.SERVER_ESTIMATE_COST), `commands ${commands}`);
  for (const c of [opts.CMD_RUN, opts.CMD_ESTIMATE_COST, opts.CMD_RESTART, opts.CMD_SHOW_OUTPUT]) {
    assert.ok(!commands.includes(c), `server command ${c} would clash with the extension's`);
  }
  await conn.sendNotification(InitializedNotification.type, {});

  const file = join(fixtures, "fanout.recipe");
  const uri = pathToFileURL(file).href;
  const diags = new Promise((resolve) => conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
    if (p.uri === uri && p.diagnostics.some((d) => d.code === "C001")) resolve(p);
  }));
  const t0 = Date.now();
  await conn.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: opts.LANGUAGE_ID, version: 1, text: readFileSync(file, "utf8") },
  });
  const p = await early(diags, "publishDiagnostics with C001");
  t.diagnostic(`C001 ${Date.now() - t0} ms after didOpen`);
  const d = p.diagnostics.find((x) => x.code === "C001");
  assert.ok(d.range.start.line >= 4 && d.range.start.line <= 10, JSON.stringify(d.range));

  const cost = await early(conn.sendRequest(ExecuteCommandRequest.type, { command: opts.SERVER_ESTIMATE_COST, arguments: [uri] }), "estimateCost");
  assert.equal(typeof cost.table, "string");
  const range = opts.costRange(cost);
  assert.ok(range, `no total_usd / total_usd_low / total_usd_high in ${JSON.stringify(cost)}`);
  assert.ok(range.high > 0, JSON.stringify(cost));

  await early(conn.sendRequest(ShutdownRequest.type), "shutdown");
  await conn.sendNotification(ExitNotification.type);
  assert.equal(await within(exit, "exit"), 0);
  conn.dispose();
});
