-- *.recipe files are the recipe DSL (LSP language id "recipe").
vim.filetype.add({ extension = { recipe = 'recipe' } })
