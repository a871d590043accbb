-- User commands for the recipe DSL. The language server is configured by
-- require('recipe').setup{...} (see docs/editors.md).
if vim.g.loaded_recipe then
  return
end
vim.g.loaded_recipe = true

vim.api.nvim_create_user_command('RecipeRun', function()
  require('recipe').run()
end, { desc = 'Run the current recipe (workspace/executeCommand recipe.run)' })

vim.api.nvim_create_user_command('RecipeCost', function()
  require('recipe').estimate_cost()
end, { desc = 'Estimate the cost of the current recipe (recipe.estimateCost)' })

vim.api.nvim_create_user_command('RecipeCancel', function()
  require('recipe').cancel()
end, { desc = 'Cancel a running :RecipeRun' })
