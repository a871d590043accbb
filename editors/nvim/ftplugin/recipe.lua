-- Buffer settings for the recipe DSL (a small Racket-flavoured Scheme).
if vim.b.did_ftplugin then
  return
end
vim.b.did_ftplugin = true

local o = vim.opt_local
o.commentstring = '; %s'
o.comments = ':;;;;,:;;;,:;;,:;'
-- Symbols such as map-async, string->number, null?, set!, exn:fail? are one word:
-- letters, digits, _, Latin-1, and ! $ % & * + - . / : < = > ? ^ ~
o.iskeyword = '@,48-57,_,192-255,33,36-38,42,43,45-47,58,60-63,94,126'
-- Lisp indentation: body forms indent by 2, other calls align with the first argument.
o.lisp = true
o.autoindent = true
o.expandtab = true
o.shiftwidth = 2
o.softtabstop = 2
o.lispwords = table.concat({
  'define', 'define-values', 'lambda', 'λ', 'let', 'let*', 'letrec', 'let-values',
  'let*-values', 'when', 'unless', 'cond', 'case', 'begin', 'parameterize',
  'with-handlers', 'try', 'for', 'for/list', 'for/fold', 'for/sum', 'for/first',
  'for/and', 'for/or', 'for*/list', 'if',
}, ',')
-- matchpairs for () [] {}
o.matchpairs = '(:),[:],{:}'

vim.b.undo_ftplugin = 'setl commentstring< comments< iskeyword< lisp< autoindent< expandtab<'
  .. ' shiftwidth< softtabstop< lispwords< matchpairs<'
