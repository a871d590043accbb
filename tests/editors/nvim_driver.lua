-- Headless Neovim driver for tests/editors/test_nvim.py.
--
-- Loads editors/nvim exactly as a user would (runtimepath + require('recipe').setup),
-- opens a recipe, and records what the real client gets from `recipe serve`:
-- diagnostics (time to the first C001), hover on map-async, completion after `#:` in
-- llm-query, the :RecipeRun scratch buffer and the :RecipeCost scratch buffer.
--
-- Env: RECIPE_PLUGIN_DIR, RECIPE_SERVE_CMD (JSON argv), RECIPE_FILE, RECIPE_OUT,
--      RECIPE_TIMEOUT_MS (per phase), RECIPE_SETTINGS (JSON, optional).
-- Run: nvim --headless --clean -n -i NONE -u nvim_driver.lua
-- Exit: 0 finished (the test judges the JSON), 1 setup error, 2 watchdog.
local uv = vim.uv or vim.loop
local t0 = uv.hrtime()
local function ms(since)
  return math.floor((uv.hrtime() - (since or t0)) / 1e6)
end

local out_path = os.getenv('RECIPE_OUT') or 'recipe-nvim-result.json'
local timeout = tonumber(os.getenv('RECIPE_TIMEOUT_MS') or '') or 15000
local file = os.getenv('RECIPE_FILE')

local result = { errors = {}, timings_ms = {}, notifications = {} }
local v = vim.version()
result.nvim_version = ('%d.%d.%d'):format(v.major, v.minor, v.patch)

local done = false
local function finish(code)
  if done then
    return
  end
  done = true
  result.timings_ms.total = ms()
  pcall(function()
    result.messages = vim.fn.execute('messages')
  end)
  if #result.errors > 0 then
    pcall(function()
      local lines = vim.fn.readfile(vim.lsp.get_log_path())
      result.lsp_log_tail = table.concat(lines, '\n', math.max(1, #lines - 30))
    end)
  end
  local f = assert(io.open(out_path, 'w'))
  f:write(vim.json.encode(result))
  f:close()
  pcall(function()
    for _, c in ipairs(vim.lsp.get_clients()) do
      c:stop(true)
    end
  end)
  vim.cmd(code == 0 and 'qall!' or ('cquit ' .. code))
end

local watchdog = uv.new_timer()
watchdog:start(timeout * 6 + 5000, 0, vim.schedule_wrap(function()
  table.insert(result.errors, 'watchdog fired at ' .. ms() .. ' ms')
  finish(2)
end))

-- the plugin, as a user installs it
local setup_ok, setup_err = pcall(function()
  assert(file, 'RECIPE_FILE not set')
  local cmd = vim.json.decode((assert(os.getenv('RECIPE_SERVE_CMD'), 'RECIPE_SERVE_CMD not set')))
  local settings = vim.json.decode(os.getenv('RECIPE_SETTINGS') or '{"provider":"simulated"}')
  vim.opt.runtimepath:prepend((assert(os.getenv('RECIPE_PLUGIN_DIR'), 'RECIPE_PLUGIN_DIR not set')))
  local notify = vim.notify
  vim.notify = function(msg, level, opts)
    table.insert(result.notifications, { msg = tostring(msg), level = level })
    return notify(msg, level, opts)
  end
  require('recipe').setup({ cmd = cmd, settings = settings })
  result.api = require('recipe').api
  -- stop waiting as soon as the server process dies (merged into the plugin's config)
  vim.lsp.config('recipe', {
    on_exit = function(code, signal)
      result.server_exit = { code = code, signal = signal, at_ms = ms() }
    end,
  })
end)
if not setup_ok then
  table.insert(result.errors, 'setup: ' .. tostring(setup_err))
  vim.schedule(function() finish(1) end)
  return
end

local function err(msg)
  table.insert(result.errors, msg)
end

local function find(bufnr, needle)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local c = line:find(needle, 1, true)
    if c then
      return i, c -- 1-based line, 1-based column
    end
  end
end

local function sync_request(bufnr, method, params)
  local res, e = vim.lsp.buf_request_sync(bufnr, method, params, timeout)
  if not res then
    err(method .. ': ' .. tostring(e))
    return nil
  end
  for _, r in pairs(res) do
    if r.err or r.error then
      err(method .. ' error: ' .. vim.inspect(r.err or r.error))
    end
    return r.result
  end
end

local function wait_scratch(name)
  local lines
  local ok = vim.wait(timeout, function()
    local b = vim.fn.bufnr(name)
    if b == -1 then
      return false
    end
    lines = vim.api.nvim_buf_get_lines(b, 0, -1, false)
    return #lines > 0 and lines[1] ~= ''
  end, 20)
  if not ok then
    err('no scratch buffer ' .. name .. ' within ' .. timeout .. ' ms')
  end
  return lines
end

local function run()
  local t_open = uv.hrtime()
  vim.cmd.edit(vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local win = vim.api.nvim_get_current_win()
  result.filetype = vim.bo[bufnr].filetype
  result.commentstring = vim.bo[bufnr].commentstring
  result.lisp = vim.bo[bufnr].lisp
  result.syntax = vim.b[bufnr].current_syntax

  -- words: map-async and string->number are one word each
  local l, c = find(bufnr, 'map-async')
  if l then
    vim.api.nvim_win_set_cursor(win, { l, c + 2 })
    result.cword_map_async = vim.fn.expand('<cword>')
  end
  local l2, c2 = find(bufnr, 'number->string')
  if l2 then
    vim.api.nvim_win_set_cursor(win, { l2, c2 + 8 })
    result.cword_number_to_string = vim.fn.expand('<cword>')
  end

  -- 1. attach
  local client
  local attached = vim.wait(timeout, function()
    client = require('recipe').clients(bufnr)[1]
    return result.server_exit ~= nil or (client ~= nil and client.initialized ~= false)
  end, 10)
  result.timings_ms.attached = ms(t_open)
  if result.server_exit then
    err('server exited: ' .. vim.inspect(result.server_exit))
    return finish(0)
  end
  if not attached then
    err('client did not attach within ' .. timeout .. ' ms')
    return finish(0)
  end
  result.server_info = client.server_info

  -- 2. diagnostics: time from :edit to the first C001
  local got = vim.wait(timeout, function()
    if result.server_exit then
      return true
    end
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.code == 'C001' then
        return true
      end
    end
    return false
  end, 5)
  result.timings_ms.c001 = got and ms(t_open) or vim.NIL
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, {
      code = d.code, message = d.message, lnum = d.lnum, col = d.col,
      severity = d.severity, source = d.source,
    })
  end
  if not got then
    err('no C001 diagnostic within ' .. timeout .. ' ms')
  end

  -- 3. hover on map-async
  local enc = client.offset_encoding or 'utf-16'
  if l then
    vim.api.nvim_win_set_cursor(win, { l, c + 2 })
    local t = uv.hrtime()
    local h = sync_request(bufnr, 'textDocument/hover', vim.lsp.util.make_position_params(win, enc))
    result.timings_ms.hover = ms(t)
    local contents = h and h.contents
    if type(contents) == 'table' then
      result.hover = contents.value or (contents[1] and (contents[1].value or contents[1]))
    else
      result.hover = contents
    end
  else
    err('fixture has no map-async')
  end

  -- 4. completion after typing `#:` inside (llm-query ...)
  local original = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  local ql, qc = find(bufnr, '(llm-query ')
  if ql then
    local line = original[ql]
    local at = qc + #'(llm-query ' - 1 -- 0-based column just after "(llm-query "
    vim.api.nvim_buf_set_lines(bufnr, ql - 1, ql, false, { line:sub(1, at) .. '#: ' .. line:sub(at + 1) })
    vim.api.nvim_win_set_cursor(win, { ql, at + 2 })
    local p = vim.lsp.util.make_position_params(win, enc)
    p.context = { triggerKind = 2, triggerCharacter = ':' }
    local t = uv.hrtime()
    local r = sync_request(bufnr, 'textDocument/completion', p)
    result.timings_ms.completion = ms(t)
    result.completion = {}
    local items = r and (r.items or r) or {}
    for _, it in ipairs(items) do
      table.insert(result.completion, {
        label = it.label,
        insertText = it.insertText,
        filterText = it.filterText,
        newText = it.textEdit and it.textEdit.newText or nil,
      })
    end
    vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, original)
    vim.bo[bufnr].modified = false
  else
    err('fixture has no (llm-query ')
  end

  -- 5. :RecipeRun (simulated provider) -> scratch buffer
  vim.api.nvim_set_current_win(win)
  vim.api.nvim_win_set_buf(win, bufnr)
  local name = vim.fn.fnamemodify(file, ':t')
  local t = uv.hrtime()
  vim.cmd('RecipeRun')
  result.run_lines = wait_scratch('recipe://result/' .. name)
  result.timings_ms.run = ms(t)

  -- 6. :RecipeCost -> scratch buffer
  vim.api.nvim_set_current_win(win)
  vim.api.nvim_win_set_buf(win, bufnr)
  t = uv.hrtime()
  vim.cmd('RecipeCost')
  result.cost_lines = wait_scratch('recipe://cost/' .. name)
  result.timings_ms.cost = ms(t)

  finish(0)
end

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    vim.schedule(function()
      local ok, e = pcall(run)
      if not ok then
        err('lua error: ' .. tostring(e))
        finish(1)
      end
    end)
  end,
})
