-- recipe.nvim: Neovim support for the recipe DSL.
--
--   require('recipe').setup({
--     cmd = { 'recipe', 'serve' },              -- language server command (argv)
--     settings = { provider = 'simulated', defaultModel = 'gpt-4o-mini', budgetUsd = 1.0 },
--   })
--
-- Neovim >= 0.11 uses vim.lsp.config('recipe', ...) + vim.lsp.enable('recipe');
-- 0.10 falls back to vim.lsp.start() from a FileType autocmd.
-- Commands (plugin/recipe.lua): :RecipeRun, :RecipeCost, :RecipeCancel.
local M = {}

local NAME = 'recipe'

local defaults = {
  cmd = { 'recipe', 'serve' },
  -- Answered to workspace/configuration for section "recipe":
  -- provider, defaultModel, budgetUsd, budgetTokens. `{ recipe = {...} }` is accepted too.
  settings = {},
  filetypes = { 'recipe' },
  root_markers = { 'recipe.toml', 'pyproject.toml', '.git' },
  capabilities = nil,
  on_attach = nil,
  -- how the result / cost scratch buffer is opened
  split = 'botright split',
}

M.options = vim.deepcopy(defaults)

local has_011 = vim.fn.has('nvim-0.11') == 1

local function notify(msg, level)
  vim.notify('recipe: ' .. msg, level or vim.log.levels.INFO)
end

--- Settings as the server reads them: { recipe = { provider = ..., ... } }.
local function server_settings()
  local s = M.options.settings or {}
  if s.recipe == nil then
    return { recipe = s }
  end
  return s
end

function M.missing_server_message(cmd)
  return ('cannot start the language server: %q is not executable (command: %s).\n'
    .. 'Fix: `pip install recipe-tools` so that `recipe` is on PATH, or point the plugin at '
    .. "your interpreter: require('recipe').setup({ cmd = { '/path/to/python', '-m', "
    .. "'recipe.server', 'serve' } })"):format(tostring(cmd[1]), table.concat(cmd, ' '))
end

local warned_missing = false
--- True when the server command can be started; otherwise warns once with the fix.
local function check_cmd()
  local cmd = M.options.cmd
  if type(cmd) ~= 'table' then
    return true -- a function (e.g. vim.lsp.rpc.connect for --tcp) is the user's business
  end
  if vim.fn.executable(cmd[1]) == 1 then
    return true
  end
  if not warned_missing then
    warned_missing = true
    notify(M.missing_server_message(cmd), vim.log.levels.ERROR)
  end
  return false
end

local function root_of(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if vim.fs.root then
    local r = vim.fs.root(bufnr, M.options.root_markers)
    if r then
      return r
    end
  end
  return vim.fs.dirname(name)
end

--- The client configuration (a vim.lsp.Config / vim.lsp.ClientConfig).
function M.lsp_config()
  local o = M.options
  return {
    name = NAME,
    cmd = o.cmd,
    filetypes = o.filetypes,
    root_markers = o.root_markers,
    root_dir = has_011 and function(bufnr, on_dir)
      if vim.bo[bufnr].buftype == '' then
        on_dir(root_of(bufnr))
      end
    end or nil,
    settings = server_settings(),
    capabilities = o.capabilities,
    on_attach = o.on_attach,
  }
end

--- Configure and enable the language server. Safe to call more than once.
function M.setup(opts)
  opts = opts or {}
  local o = vim.tbl_deep_extend('force', vim.deepcopy(defaults), opts)
  -- lists are replaced, not merged index by index
  for _, k in ipairs({ 'cmd', 'filetypes', 'root_markers' }) do
    if opts[k] ~= nil then
      o[k] = opts[k]
    end
  end
  M.options = o
  warned_missing = false

  local group = vim.api.nvim_create_augroup('recipe.lsp', { clear = true })
  local cfg = M.lsp_config()

  if has_011 and vim.lsp.config and vim.lsp.enable then
    vim.lsp.config(NAME, cfg)
    vim.lsp.enable(NAME)
    -- vim.lsp.enable only logs a missing executable; say it where the user sees it.
    vim.api.nvim_create_autocmd('FileType', {
      group = group,
      pattern = o.filetypes,
      callback = function()
        check_cmd()
      end,
    })
    M.api = 'vim.lsp.config/enable'
  else
    local function start(bufnr)
      if vim.bo[bufnr].buftype ~= '' or not check_cmd() then
        return
      end
      local c = vim.tbl_extend('force', cfg, { root_dir = root_of(bufnr) })
      c.root_markers = nil
      vim.lsp.start(c, { bufnr = bufnr })
    end
    vim.api.nvim_create_autocmd('FileType', {
      group = group,
      pattern = o.filetypes,
      callback = function(args)
        start(args.buf)
      end,
    })
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(b) and vim.tbl_contains(o.filetypes, vim.bo[b].filetype) then
        start(b)
      end
    end
    M.api = 'vim.lsp.start'
  end
end

--- Change settings at run time (sends workspace/didChangeConfiguration).
function M.set_settings(settings)
  M.options.settings = settings or {}
  local s = server_settings()
  for _, c in ipairs(M.clients()) do
    c.settings = s
    c.config.settings = s
    if has_011 then
      c:notify('workspace/didChangeConfiguration', { settings = s })
    else
      c.notify('workspace/didChangeConfiguration', { settings = s })
    end
  end
end

function M.clients(bufnr)
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  return get({ name = NAME, bufnr = bufnr })
end

local function request(client, method, params, handler, bufnr)
  if has_011 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

--- Show lines in a named scratch buffer; returns its number.
function M.scratch(name, lines, filetype)
  local buf = vim.fn.bufnr(name)
  if buf == -1 then
    buf = vim.api.nvim_create_buf(true, true)
    vim.api.nvim_buf_set_name(buf, name)
  end
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'hide'
  vim.bo[buf].swapfile = false
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].modified = false
  if filetype then
    vim.bo[buf].filetype = filetype
  end
  if vim.fn.bufwinid(buf) == -1 then
    local cur = vim.api.nvim_get_current_win()
    vim.cmd(M.options.split)
    vim.api.nvim_win_set_buf(0, buf)
    vim.api.nvim_set_current_win(cur)
  end
  return buf
end

local function split_lines(text)
  return vim.split(tostring(text or ''), '\n', { plain = true })
end

local function is_nil(v)
  return v == nil or v == vim.NIL
end

local function recipe_client(bufnr)
  local client = M.clients(bufnr)[1]
  if not client then
    notify('no recipe language server is attached to this buffer '
      .. '(is it a .recipe file? see :checkhealth vim.lsp)', vim.log.levels.WARN)
  end
  return client
end

local function execute(bufnr, command, on_result)
  local client = recipe_client(bufnr)
  if not client then
    return nil
  end
  local params = { command = command, arguments = { vim.uri_from_bufnr(bufnr) } }
  local ok, id = request(client, 'workspace/executeCommand', params, function(err, result)
    vim.schedule(function()
      on_result(err, result)
    end)
  end, bufnr)
  if not ok then
    notify(command .. ': the request could not be sent (server stopped?)', vim.log.levels.ERROR)
    return nil
  end
  return { client = client, id = id, uri = params.arguments[1] }
end

--- :RecipeRun — run the recipe on the configured provider; the result goes to a
--- scratch buffer named recipe://result/<file>. opts.on_done(err, result, bufnr) is optional.
function M.run(opts)
  opts = opts or {}
  local bufnr = opts.bufnr or vim.api.nvim_get_current_buf()
  local file = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':t')
  local t0 = vim.uv.hrtime()
  if M._running then
    notify('a run is already in progress (:RecipeCancel stops it)', vim.log.levels.WARN)
    return
  end
  local handle = execute(bufnr, 'recipe.run', function(err, result)
    M._running = nil
    local secs = (vim.uv.hrtime() - t0) / 1e9
    local lines
    if err then
      lines = { ';; recipe run failed: ' .. file }
      vim.list_extend(lines, split_lines(err.message or vim.inspect(err)))
      notify('run failed: ' .. tostring(err.message or err), vim.log.levels.ERROR)
    elseif is_nil(result) then
      lines = { ';; recipe run: ' .. file .. ' returned nothing' }
    else
      local code = is_nil(result.exit_code) and '?' or tostring(result.exit_code)
      lines = { (';; recipe run: %s — exit code %s (%.1f s)'):format(file, code, secs) }
      vim.list_extend(lines, split_lines(is_nil(result.result) and '' or result.result))
      local extra = {}
      for k, v in pairs(result) do
        if k ~= 'result' and k ~= 'exit_code' and not is_nil(v) then
          table.insert(extra, (';; %s: %s'):format(k, type(v) == 'table' and vim.json.encode(v) or tostring(v)))
        end
      end
      table.sort(extra)
      if #extra > 0 then
        table.insert(lines, '')
        vim.list_extend(lines, extra)
      end
      notify(('run finished: exit code %s (%.1f s)'):format(code, secs))
    end
    local sb = M.scratch('recipe://result/' .. file, lines, 'recipe-result')
    if opts.on_done then
      opts.on_done(err, result, sb)
    end
  end)
  if handle then
    M._running = handle
    notify('running ' .. file .. ' … (:RecipeCancel to stop)')
  end
end

--- :RecipeCancel — cancel a running :RecipeRun ($/cancelRequest).
function M.cancel()
  local r = M._running
  if not r then
    notify('nothing is running')
    return
  end
  M._running = nil
  local params = { command = 'recipe.cancelRun', arguments = { r.uri } }
  if has_011 then
    r.client:cancel_request(r.id)
    r.client:request('workspace/executeCommand', params, function() end)
  else
    r.client.cancel_request(r.id)
    r.client.request('workspace/executeCommand', params, function() end)
  end
  notify('run cancelled')
end

--- "$0.0123" or "$0.0012–$0.50" (+ "N unpriced" call sites) from a recipe.estimateCost
--- result (total_usd, or total_usd_low / total_usd_high), nil when it has none.
function M.cost_text(result)
  local function num(v)
    return type(v) == 'number' and v or nil
  end
  local low = num(result.total_usd) or num(result.total_usd_low)
  local high = num(result.total_usd) or num(result.total_usd_high)
  low, high = low or high, high or low
  if not low then
    return nil
  end
  local function usd(x)
    -- as `recipe cost` prints: cents from a dime up, two significant digits below
    if x <= 0 or x >= 0.1 then
      return ('$%.2f'):format(x)
    end
    local digits = math.max(2, 1 - math.floor(math.log(x, 10)))
    local text = (('%.' .. digits .. 'f'):format(x)):gsub('0+$', '')
    return tonumber(text) >= 0.1 and ('$%.2f'):format(x) or ('$' .. text)
  end
  local text = usd(low) == usd(high) and usd(low) or (usd(low) .. '–' .. usd(high))
  local unpriced = num(result.unpriced_sites)
  if unpriced and unpriced > 0 then
    text = text .. (' + %d unpriced'):format(unpriced)
  end
  return text
end

--- :RecipeCost — estimated cost table in a scratch buffer recipe://cost/<file>.
function M.estimate_cost(opts)
  opts = opts or {}
  local bufnr = opts.bufnr or vim.api.nvim_get_current_buf()
  local file = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':t')
  execute(bufnr, 'recipe.estimateCost', function(err, result)
    local lines
    if err then
      lines = { ';; cost estimate failed: ' .. tostring(err.message or vim.inspect(err)) }
      notify(lines[1], vim.log.levels.ERROR)
    elseif is_nil(result) then
      lines = { ';; no cost estimate for ' .. file }
    else
      lines = { ';; estimated cost: ' .. file }
      vim.list_extend(lines, split_lines(is_nil(result.table) and '' or result.table))
      local total = M.cost_text(result)
      if total then
        table.insert(lines, ';; total: ' .. total)
        notify(('estimated cost of %s: %s'):format(file, total))
      end
    end
    local sb = M.scratch('recipe://cost/' .. file, lines, 'recipe-result')
    if opts.on_done then
      opts.on_done(err, result, sb)
    end
  end)
end

return M
