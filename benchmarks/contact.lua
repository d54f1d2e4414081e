-- wrk script: POST /contacts with a new phone number on every request (a duplicate would be a 400).
-- Each wrk thread runs its own copy of this script: a per-thread leading digit keeps their numbers apart.
local counter = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_index", threads)
end

function init(args)
  prefix = 5 + (thread_index or 1)  -- 6, 7, 8, 9: Indian mobile numbers
  wrk.headers["Content-Type"] = "application/json"  -- keeps the -H headers (auth) given on the command line
end

request = function()
  counter = counter + 1
  local phone = string.format("%d%09d", prefix, counter)
  local body = string.format('{"name":"Bench %d","country_code":"91","phone_number":"%s"}', counter, phone)
  return wrk.format("POST", nil, nil, body)
end
