-- wrk script for the task API benchmarks.
--   WRK_OUT=out.json wrk ... -s bench/load.lua http://127.0.0.1:PORT -- SCENARIO USERS_FILE [PATH]
-- SCENARIO: list | get | create | toggle | mix | path (a fixed PATH, first user's token)
-- USERS_FILE: one "user_id token first_id last_id" per line; each request picks a
--   random user, and a random one of that user's own task ids.
-- WRK_OUT (environment: done() runs in wrk's main Lua state, which gets no args): where done() writes requests, errors and latency percentiles (µs).

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("thread_no", counter)
   table.insert(threads, thread)
end

local scenario, users, fixed_path

function init(args)
   scenario, fixed_path = args[1], args[3]
   users = {}
   for line in io.lines(args[2]) do
      local u, tok, lo, hi = line:match("^(%S+) (%S+) (%d+) (%d+)$")
      if u then
         users[#users + 1] = { id = u, auth = "Bearer " .. tok, lo = tonumber(lo), hi = tonumber(hi),
                               list = "/api/" .. u .. "/tasks?limit=20", base = "/api/" .. u .. "/tasks" }
      end
   end
   math.randomseed(os.time() * 100 + (thread_no or 0))
end

local body = '{"title":"benchmark task","description":"created by wrk"}'

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

function request()
   if scenario == "path" then
      return wrk.format("GET", fixed_path, headers(users[1]))
   end
   local u = users[math.random(#users)]
   if scenario == "list" then return list(u)
   elseif scenario == "get" then return get(u)
   elseif scenario == "create" then return create(u)
   elseif scenario == "toggle" then return toggle(u)
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
