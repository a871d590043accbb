// Pure helpers shared by the extension and its Node tests (no `vscode` import here).
import * as fs from "fs";
import * as path from "path";

export const LANGUAGE_ID = "recipe";
export const CONFIG_SECTION = "recipe";
export const DEFAULT_COMMAND = ["recipe", "serve"];

/** Server-side commands (workspace/executeCommand). */
export const SERVER_RUN = "recipe.run";
export const SERVER_ESTIMATE_COST = "recipe.estimateCost";
export const SERVER_CANCEL_RUN = "recipe.cancelRun";

/** Client-side commands (package.json contributes.commands). They must differ from the
 * server's, which vscode-languageclient registers itself. */
export const CMD_RUN = "recipe.editor.run";
export const CMD_ESTIMATE_COST = "recipe.editor.estimateCost";
export const CMD_RESTART = "recipe.editor.restartServer";
export const CMD_SHOW_OUTPUT = "recipe.editor.showOutput";

export const DOCUMENT_SELECTOR = [
  { scheme: "file", language: LANGUAGE_ID },
  { scheme: "untitled", language: LANGUAGE_ID },
];

export interface ServerSettings {
  command?: unknown;
  pythonPath?: unknown;
}

/** argv of the language server: pythonPath wins (`python -m recipe.server serve`). */
export function serverArgv(s: ServerSettings): string[] {
  const py = typeof s.pythonPath === "string" ? s.pythonPath.trim() : "";
  if (py) return [py, "-m", "recipe.server", "serve"];
  if (Array.isArray(s.command) && s.command.length > 0 && s.command.every((x) => typeof x === "string" && x)) {
    return s.command as string[];
  }
  return [...DEFAULT_COMMAND];
}

/** Absolute path of an executable (PATH lookup for bare names), or undefined. */
export function findExecutable(cmd: string, env: NodeJS.ProcessEnv = process.env, cwd?: string): string | undefined {
  const isFile = (p: string) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (cmd.includes("/") || cmd.includes("\\")) {
    const p = path.isAbsolute(cmd) ? cmd : path.resolve(cwd ?? process.cwd(), cmd);
    return isFile(p) ? p : undefined;
  }
  const exts = process.platform === "win32" ? (env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const p = path.join(dir, cmd + ext);
      if (isFile(p)) return p;
    }
  }
  return undefined;
}

export function missingServerMessage(argv: string[]): string {
  return (
    `Recipe: cannot start the language server: \`${argv[0]}\` was not found ` +
    `(command: ${argv.join(" ")}). Fix: run \`pip install recipe-tools\` in the Python ` +
    `environment on your PATH, or set "recipe.server.pythonPath" to an interpreter that has it ` +
    `(it is then started as \`<python> -m recipe.server serve\`).`
  );
}

export function formatUsd(usd: unknown): string {
  const n = typeof usd === "number" ? usd : Number(usd);
  if (!Number.isFinite(n)) return "?";
  if (n === 0) return "$0";
  if (n >= 0.1) return `$${n.toFixed(2)}`;
  // two significant digits below a dime, as `recipe cost` prints them ($0.015, $0.0003)
  const digits = Math.min(20, Math.max(2, 1 - Math.floor(Math.log10(n))));
  const text = n.toFixed(digits).replace(/0+$/, "");
  return Number(text) >= 0.1 ? `$${n.toFixed(2)}` : `$${text}`;
}

/** The estimate of recipe.estimateCost: `total_usd`, or a `total_usd_low`..`total_usd_high` range
 * of the priced calls, with `unpriced_sites` call sites the server could not price. */
export type CostRange = { low: number; high: number; unpriced?: number };

export function costRange(r: unknown): CostRange | undefined {
  if (!r || typeof r !== "object") return undefined;
  const o = r as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
  const unpriced = num(o.unpriced_sites);
  const extra = unpriced !== undefined && unpriced > 0 ? { unpriced } : {};
  const total = num(o.total_usd);
  if (total !== undefined) return { low: total, high: total, ...extra };
  const low = num(o.total_usd_low);
  const high = num(o.total_usd_high);
  if (low === undefined && high === undefined) return undefined;
  return { low: low ?? (high as number), high: high ?? (low as number), ...extra };
}

export function formatCost(c: CostRange | undefined): string {
  if (!c) return "?";
  const a = formatUsd(c.low);
  const b = formatUsd(c.high);
  const unpriced = c.unpriced ? ` + ${c.unpriced} unpriced` : "";
  return (a === b ? a : `${a}–${b}`) + unpriced;
}

export type ServerState = "starting" | "running" | "stopped" | "error";

export function statusText(state: ServerState, cost?: CostRange): string {
  const icon = { starting: "$(sync~spin)", running: "$(beaker)", stopped: "$(circle-slash)", error: "$(error)" }[state];
  const costText = state === "running" && cost ? ` ~${formatCost(cost)}` : "";
  return `${icon} Recipe${costText}`;
}

export interface RunResult {
  result?: unknown;
  exit_code?: unknown;
  [key: string]: unknown;
}

/** Text of the result tab for Run Recipe. */
export function formatRunResult(file: string, r: RunResult | null | undefined, seconds: number): string {
  if (!r) return `;; ${file}: the server returned no result\n`;
  const head = `;; ${file} — exit code ${String(r.exit_code ?? "?")} (${seconds.toFixed(1)} s)`;
  const extra = Object.keys(r)
    .filter((k) => k !== "result" && k !== "exit_code" && r[k] !== null && r[k] !== undefined)
    .sort()
    .map((k) => `;; ${k}: ${typeof r[k] === "object" ? JSON.stringify(r[k]) : String(r[k])}`);
  const body = typeof r.result === "string" ? r.result : JSON.stringify(r.result ?? null, null, 2);
  return [head, body, ...(extra.length ? ["", ...extra] : [])].join("\n") + "\n";
}
