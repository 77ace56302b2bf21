-- luacheck settings for Casebook plugins (the tests run luacheck with them).
std = "lua54"
read_globals = { "casebook" }
max_line_length = false
exclude_files = { "*.d.lua" }
