import * as path from "path";
import * as vscode from "vscode";
import {
  CloseAction,
  ErrorAction,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ResponseError,
  ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";
import {
  CMD_ESTIMATE_COST,
  CMD_RESTART,
  CMD_RUN,
  CMD_SHOW_OUTPUT,
  CONFIG_SECTION,
  DOCUMENT_SELECTOR,
  LANGUAGE_ID,
  SERVER_ESTIMATE_COST,
  SERVER_RUN,
  SERVER_CANCEL_RUN,
  CostRange,
  ServerState,
  findExecutable,
  formatRunResult,
  costRange,
  formatCost,
  missingServerMessage,
  serverArgv,
  statusText,
} from "./options";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let status: vscode.StatusBarItem;
let state: ServerState = "stopped";
let lastCost: { uri: string; version: number; total?: CostRange } | undefined;
let costTimer: NodeJS.Timeout | undefined;
let showDocumentSeen = 0;

/** Read-only result tabs (no "save?" prompt): recipe-result:/<name>?<n> */
const RESULT_SCHEME = "recipe-result";
const results = new Map<string, string>();
const resultChanged = new vscode.EventEmitter<vscode.Uri>();
let resultCounter = 0;

async function showResult(name: string, content: string, preview: boolean): Promise<void> {
  const uri = vscode.Uri.from({ scheme: RESULT_SCHEME, path: "/" + name, query: String(++resultCounter) });
  results.set(uri.toString(), content);
  const d = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(d, { viewColumn: vscode.ViewColumn.Beside, preview });
}

function setState(s: ServerState): void {
  state = s;
  updateStatus();
}

function updateStatus(): void {
  const editor = vscode.window.activeTextEditor;
  const showCost = vscode.workspace.getConfiguration(CONFIG_SECTION).get<boolean>("statusBar.showCost", true);
  const cost =
    showCost && editor && lastCost && lastCost.uri === editor.document.uri.toString() ? lastCost.total : undefined;
  status.text = statusText(state, cost);
  status.tooltip =
    `Recipe language server: ${state}` +
    (cost !== undefined ? `\nEstimated cost of this recipe: ${formatCost(cost)} (click for the table)` : "");
  status.command = state === "error" || state === "stopped" ? CMD_SHOW_OUTPUT : CMD_ESTIMATE_COST;
  if (editor?.document.languageId === LANGUAGE_ID || state === "error") status.show();
  else status.hide();
}

function serverOptions(): { options: ServerOptions; argv: string[] } | undefined {
  const cfg = vscode.workspace.getConfiguration("recipe.server");
  const argv = serverArgv({ command: cfg.get("command"), pythonPath: cfg.get("pythonPath") });
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const exe = findExecutable(argv[0], process.env, cwd);
  if (!exe) {
    const msg = missingServerMessage(argv);
    output.appendLine(msg);
    setState("error");
    void vscode.window.showErrorMessage(msg, "Open Settings", "Show Output").then((pick) => {
      if (pick === "Open Settings") void vscode.commands.executeCommand("workbench.action.openSettings", "recipe.server");
      if (pick === "Show Output") output.show();
    });
    return undefined;
  }
  return {
    argv,
    options: { command: exe, args: argv.slice(1), transport: TransportKind.stdio, options: { cwd, env: process.env } },
  };
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const so = serverOptions();
  if (!so) return;
  output.appendLine(`Starting: ${so.argv.join(" ")}`);
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    // workspace/configuration for section "recipe" is answered from the VS Code settings;
    // changes to them are pushed with workspace/didChangeConfiguration.
    synchronize: { configurationSection: CONFIG_SECTION },
    initializationOptions: { client: "vscode" },
    errorHandler: {
      error: () => ({ action: ErrorAction.Continue }),
      closed: () => ({ action: CloseAction.DoNotRestart, message: "Recipe language server stopped (Recipe: Restart Server)." }),
    },
    middleware: {
      window: {
        showDocument: async (params, next) => {
          showDocumentSeen++;
          const r = await next(params, new vscode.CancellationTokenSource().token);
          return r instanceof ResponseError ? { success: false } : r;
        },
      },
    },
  };
  const c = new LanguageClient("recipe", "Recipe Language Server", so.options, clientOptions);
  client = c;
  c.onDidChangeState((e) => {
    if (e.newState === State.Running) setState("running");
    else if (e.newState === State.Starting) setState("starting");
    else setState(state === "error" ? "error" : "stopped");
  });
  setState("starting");
  try {
    await c.start();
    scheduleCost(0);
  } catch (err) {
    setState("error");
    const msg = `${missingServerMessage(so.argv)}\n${String(err)}`;
    output.appendLine(msg);
    void vscode.window.showErrorMessage(`Recipe: the language server failed to start (${String(err)}). ` +
      `Fix: pip install recipe-tools, or set "recipe.server.pythonPath".`, "Show Output").then((p) => {
      if (p) output.show();
    });
  }
  void context;
}

function activeRecipe(): vscode.TextEditor | undefined {
  const e = vscode.window.activeTextEditor;
  return e && e.document.languageId === LANGUAGE_ID ? e : undefined;
}

async function executeServerCommand<T>(command: string, uri: string, token?: vscode.CancellationToken): Promise<T> {
  if (!client || !client.isRunning()) throw new Error("the Recipe language server is not running");
  return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [uri] }, token)) as T;
}

function scheduleCost(delayMs = 800): void {
  if (costTimer) clearTimeout(costTimer);
  costTimer = setTimeout(() => void refreshCost(), delayMs);
}

async function refreshCost(): Promise<void> {
  const editor = activeRecipe();
  updateStatus();
  if (!editor || !client?.isRunning()) return;
  const doc = editor.document;
  const uri = doc.uri.toString();
  if (lastCost && lastCost.uri === uri && lastCost.version === doc.version) return;
  try {
    const r = await executeServerCommand<unknown>(SERVER_ESTIMATE_COST, uri);
    lastCost = { uri, version: doc.version, total: costRange(r) };
  } catch (err) {
    output.appendLine(`estimateCost failed: ${String(err)}`);
    lastCost = { uri, version: doc.version, total: undefined };
  }
  updateStatus();
}

async function runRecipe(): Promise<void> {
  const editor = activeRecipe();
  if (!editor) {
    void vscode.window.showWarningMessage("Recipe: open a .recipe file to run it.");
    return;
  }
  const doc = editor.document;
  const file = path.basename(doc.uri.fsPath || doc.uri.path);
  const seenBefore = showDocumentSeen;
  const t0 = Date.now();
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Running ${file}…`, cancellable: true },
    async (_progress, token) => {
      try {
        const r = await executeServerCommand<Record<string, unknown> | null>(SERVER_RUN, doc.uri.toString(), token);
        if (token.isCancellationRequested) return;
        const secs = (Date.now() - t0) / 1000;
        if (showDocumentSeen === seenBefore) {
          // The server did not open a result file itself: show the result in a new tab.
          await showResult(`${file}.result.txt`, formatRunResult(file, r, secs), false);
        }
        const code = r?.exit_code;
        const msg = `Recipe: ${file} finished with exit code ${String(code ?? "?")} in ${secs.toFixed(1)} s.`;
        if (code === 0) void vscode.window.showInformationMessage(msg);
        else void vscode.window.showWarningMessage(msg);
      } catch (err) {
        if (token.isCancellationRequested) {
          void executeServerCommand(SERVER_CANCEL_RUN, doc.uri.toString()).catch(() => undefined);
          void vscode.window.showInformationMessage(`Recipe: run of ${file} cancelled.`);
          return;
        }
        output.appendLine(`recipe.run failed: ${String(err)}`);
        void vscode.window.showErrorMessage(`Recipe: run failed: ${String(err)}`, "Show Output").then((p) => {
          if (p) output.show();
        });
      }
    },
  );
}

async function estimateCost(): Promise<void> {
  const editor = activeRecipe();
  if (!editor) {
    void vscode.window.showWarningMessage("Recipe: open a .recipe file to estimate its cost.");
    return;
  }
  const doc = editor.document;
  try {
    const r = await executeServerCommand<{ table?: string } | null>(SERVER_ESTIMATE_COST, doc.uri.toString());
    const total = costRange(r);
    lastCost = { uri: doc.uri.toString(), version: doc.version, total };
    updateStatus();
    const file = path.basename(doc.uri.fsPath || doc.uri.path);
    const content = `;; Estimated cost of ${file}: ${formatCost(total)}\n\n${r?.table ?? ""}\n`;
    await showResult(`${file}.cost.txt`, content, true);
  } catch (err) {
    void vscode.window.showErrorMessage(`Recipe: cost estimate failed: ${String(err)}`);
  }
}

async function restartServer(context: vscode.ExtensionContext): Promise<void> {
  lastCost = undefined;
  if (client) {
    const c = client;
    client = undefined;
    try {
      await c.stop(5000);
    } catch (err) {
      output.appendLine(`stop failed: ${String(err)}`);
    }
  }
  await startClient(context);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("Recipe");
  status = vscode.window.createStatusBarItem("recipe.status", vscode.StatusBarAlignment.Right, 100);
  status.name = "Recipe";
  context.subscriptions.push(output, status, resultChanged);
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(RESULT_SCHEME, {
      onDidChange: resultChanged.event,
      provideTextDocumentContent: (uri) => results.get(uri.toString()) ?? "",
    }),
    vscode.workspace.onDidCloseTextDocument((d) => {
      if (d.uri.scheme === RESULT_SCHEME) results.delete(d.uri.toString());
    }),
  );

  context.subscriptions.push(
    vscode.commands.registerCommand(CMD_RUN, runRecipe),
    vscode.commands.registerCommand(CMD_ESTIMATE_COST, estimateCost),
    vscode.commands.registerCommand(CMD_RESTART, () => restartServer(context)),
    vscode.commands.registerCommand(CMD_SHOW_OUTPUT, () => output.show(true)),
    vscode.window.onDidChangeActiveTextEditor(() => scheduleCost(100)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.languageId === LANGUAGE_ID && e.document === vscode.window.activeTextEditor?.document) scheduleCost();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("recipe.server")) {
        void vscode.window
          .showInformationMessage("Recipe: the server settings changed.", "Restart Server")
          .then((p) => p && restartServer(context));
      } else if (e.affectsConfiguration(CONFIG_SECTION)) {
        lastCost = undefined;
        scheduleCost(300);
      }
    }),
    { dispose: () => costTimer && clearTimeout(costTimer) },
  );
  updateStatus();
  await startClient(context);
}

export async function deactivate(): Promise<void> {
  if (client) {
    const c = client;
    client = undefined;
    await c.stop();
  }
}
