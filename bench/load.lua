-- wrk script for the task API benchmarks.
--   WRK_OUT=out.json WRK_THREADS=N wrk -tN ... -s bench/load.lua http://127.0.0.1:PORT -- SCENARIO USERS_FILE [PATH]
-- SCENARIO: list | get | create | toggle | mix | path (a fixed PATH, first user's token)
--   | list-tag (the list filtered by one of the user's tags) | list-due (sorted by due date)
--   | complete-recurring (completes one of the user's recurring tasks, then un-completes it)
-- USERS_FILE: one "user_id token first_id last_id [tag recurring_ids]" per line; each request
--   picks a random user, and a random one of that user's own task ids. tag: one the user has
--   (list-tag); recurring_ids: comma-separated pending recurring tasks of theirs
--   (complete-recurring); "-" for none.
-- WRK_OUT (environment: done() runs in wrk's main Lua state, which gets no args): where done() writes requests, errors and latency percentiles (µs).
-- WRK_THREADS: wrk's -t, so that each thread takes its own share of the recurring tasks.
-- Errors: wrk counts every answer with a status ≥ 400 in errors.status (and in requests).

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("thread_no", counter)
   table.insert(threads, thread)
end

local scenario, users, fixed_path
local tagged = {}     -- users with a tag, for list-tag
local recurring = {}  -- this thread's { path, headers, done } for complete-recurring
local next_recurring = 0

function init(args)
   scenario, fixed_path = args[1], args[3]
   local me, nthreads = thread_no or 1, tonumber(os.getenv("WRK_THREADS") or "") or 1
   math.randomseed(os.time() * 100 + me)
   users = {}
   local pairs_seen = 0
   for line in io.lines(args[2]) do
      local u, tok, lo, hi, rest = line:match("^(%S+) (%S+) (%d+) (%d+)(.*)$")
      if u then
         local base = "/api/" .. u .. "/tasks"
         local user = { id = u, auth = "Bearer " .. tok, lo = tonumber(lo), hi = tonumber(hi),
                        list = base .. "?limit=20", base = base,
                        by_due = base .. "?sort=due_at&order=asc&limit=20" }
         users[#users + 1] = user
         local tag, ids = rest:match("^ (%S+) (%S+)$")
         if tag and tag ~= "-" then
            user.by_tag = base .. "?tag=" .. tag .. "&limit=20"
            tagged[#tagged + 1] = user
         end
         for id in (ids or ""):gmatch("%d+") do
            -- Each task belongs to one thread: requests on one task never overlap across
            -- threads, and within a thread a task comes round again only after all the others.
            if pairs_seen % nthreads == me - 1 then
               recurring[#recurring + 1] = { path = base .. "/" .. id .. "/complete",
                                             headers = { Authorization = user.auth,
                                                         ["Content-Type"] = "application/json" },
                                             done = false }
            end
            pairs_seen = pairs_seen + 1
         end
      end
   end
   if scenario == "list-tag" and #tagged == 0 then error("list-tag: no user in " .. args[2] .. " has a tag") end
   if scenario == "complete-recurring" and #recurring == 0 then
      error("complete-recurring: no recurring task in " .. args[2] .. " for thread " .. me)
   end
   -- A random order, the same task each time round.
   for k = #recurring, 2, -1 do
      local j = math.random(k)
      recurring[k], recurring[j] = recurring[j], recurring[k]
   end
end

-- What a person fills in (issue 24), the same as bench/instructions.py's create.
local body = '{"title":"Buy milk and bread for the weekend","description":"Oat milk, the dark rye from the market",'
   .. '"priority":"high","tags":["home","errands"],"due_at":"2026-12-24T16:00:00Z"}'
local complete_body, uncomplete_body = '{"completed":true}', '{"completed":false}'

local function headers(u, with_body)
   local h = { Authorization = u.auth }
   if with_body then h["Content-Type"] = "application/json" end
   return h
end

local function list(u) return wrk.format("GET", u.list, headers(u)) end
local function get(u) return wrk.format("GET", u.base .. "/" .. math.random(u.lo, u.hi), headers(u)) end
local function create(u) return wrk.format("POST", u.base, headers(u, true), body) end
local function toggle(u)
   return wrk.format("PATCH", u.base .. "/" .. math.random(u.lo, u.hi) .. "/complete", headers(u))
end
-- Completing creates the next occurrence (in the same transaction); un-completing deletes it
-- again: each task alternates, so the data set stays the same size (bench.py un-completes
-- every one of them after the run, for the last `true`).
local function complete_recurring()
   next_recurring = next_recurring % #recurring + 1
   local r = recurring[next_recurring]
   r.done = not r.done
   return wrk.format("PATCH", r.path, r.headers, r.done and complete_body or uncomplete_body)
end

function request()
   if scenario == "path" then
      return wrk.format("GET", fixed_path, headers(users[1]))
   elseif scenario == "complete-recurring" then
      return complete_recurring()
   elseif scenario == "list-tag" then
      local u = tagged[math.random(#tagged)]
      return wrk.format("GET", u.by_tag, headers(u))
   end
   local u = users[math.random(#users)]
   if scenario == "list" then return list(u)
   elseif scenario == "get" then return get(u)
   elseif scenario == "create" then return create(u)
   elseif scenario == "toggle" then return toggle(u)
   elseif scenario == "list-due" then return wrk.format("GET", u.by_due, headers(u))
   elseif scenario == "mix" then
      -- 80% reads (40 list, 40 get), 20% writes (10 create, 10 toggle).
      local r = math.random(100)
      if r <= 40 then return list(u)
      elseif r <= 80 then return get(u)
      elseif r <= 90 then return create(u)
      else return toggle(u) end
   end
   error("unknown scenario " .. tostring(scenario))
end

function done(summary, latency, requests)
   local e = summary.errors
   local f = assert(io.open(os.getenv("WRK_OUT"), "w"))
   f:write(string.format(
      '{"requests":%d,"duration_us":%d,"bytes":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
      '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
   f:close()
end
