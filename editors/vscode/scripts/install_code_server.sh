#!/bin/sh
# Install code-server from the npm registry only (no GitHub downloads), cached.
#   CS_DIR=<folder> [CS_VERSION=4.99.4] sh install_code_server.sh
# Default CS_DIR: ${RECIPE_CI_CACHE:-$HOME/.cache/recipe-ci}/code-server-$CS_VERSION.
# A finished install leaves $CS_DIR/.complete; a second run with it present is a no-op.
# apt prerequisites: build-essential python3 pkg-config libkrb5-dev ripgrep
#
# Why not `npm install -g code-server`:
#  * with -g, npm exports npm_config_global=true to code-server's postinstall,
#    whose nested `npm install` in lib/vscode then re-installs lib/vscode globally
#    over the package itself (tar ENOENT errors);
#  * @vscode/ripgrep's postinstall downloads rg from GitHub (fails offline);
#  * node-pty's postinstall calls npx node-gyp (needs npm_config_yes=true);
#  * prebuilt argon2/kerberos binaries come from GitHub (node-gyp fallback works with nodedir=/usr).
# So every install runs with --ignore-scripts, the native modules are rebuilt by name,
# code-server's postinstall.sh steps are replayed by hand and Debian's rg is linked in.
set -eu
CS_VERSION=${CS_VERSION:-4.99.4}   # last line whose engines.node is 20 (VS Code 1.99.3)
CS_DIR=${CS_DIR:-${RECIPE_CI_CACHE:-$HOME/.cache/recipe-ci}/code-server-$CS_VERSION}
BIN="$CS_DIR/node_modules/.bin/code-server"
if [ -f "$CS_DIR/.complete" ] && [ -x "$BIN" ]; then
  echo "code-server $CS_VERSION: cached at $CS_DIR"
  exit 0
fi
command -v rg >/dev/null || { echo "install_code_server.sh: ripgrep (rg) is required" >&2; exit 1; }
NPM="npm --no-audit --no-fund --loglevel=error"
export npm_config_nodedir="${npm_config_nodedir:-/usr}"   # build native modules against the system node headers
rm -rf "$CS_DIR"
mkdir -p "$CS_DIR"
cd "$CS_DIR"
printf '{ "name": "cs-host", "private": true }\n' > package.json
$NPM install --ignore-scripts "code-server@$CS_VERSION"
$NPM rebuild --foreground-scripts argon2 >/dev/null

cd node_modules/code-server/lib/vscode
$NPM install --ignore-scripts --omit=dev
npm_config_yes=true $NPM rebuild --foreground-scripts @parcel/watcher @vscode/spdlog @vscode/deviceid kerberos native-watchdog node-pty >/dev/null
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sf code-linux.sh code-server)
(cd bin/helpers && ln -sf browser-linux.sh browser.sh)
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
cd extensions
$NPM install --ignore-scripts --omit=dev
"$BIN" --version >/dev/null
touch "$CS_DIR/.complete"
echo "code-server installed: $BIN"
