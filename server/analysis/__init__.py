"""recipe-tools."""
