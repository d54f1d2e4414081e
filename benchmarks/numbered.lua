-- wrk script: POST the body given after `--` on every request, each "{n}" in it replaced by a number no other
-- request of the run uses (a ten-digit Indian mobile: a new contact, a new customer, a new reference_id).
-- Each wrk thread runs its own copy of this script: a per-thread leading digit keeps their numbers apart.
local counter = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_index", threads)
end

function init(args)
  template = args[1] or ""
  prefix = 5 + (thread_index or 1)  -- 6, 7, 8, 9
  if template ~= "" then
    wrk.headers["Content-Type"] = "application/json"  -- keeps the -H headers (auth) given on the command line
  end
end

request = function()
  counter = counter + 1
  local number = string.format("%d%09d", prefix, counter)
  local body = string.gsub(template, "{n}", number)
  return wrk.format("POST", nil, nil, body)
end
