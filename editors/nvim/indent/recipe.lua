-- Use Vim's built-in Lisp indenting ('lisp' + 'lispwords' from ftplugin/recipe.lua).
if vim.b.did_indent then
  return
end
vim.b.did_indent = true
vim.opt_local.indentexpr = ''
vim.opt_local.lisp = true
vim.b.undo_indent = 'setl indentexpr< lisp<'
