-- One wrk script for every scenario, set by the environment:
--   BENCH_METHOD  GET or POST
--   BENCH_PATH    the path; "{id}" becomes a random integer in 1..BENCH_IDS
--   BENCH_BODY    a JSON body, "{id}" replaced the same way (optional)
--   BENCH_TOKEN   a bearer token (optional)
-- At the end it prints one line: BENCH {json} with requests, latency
-- percentiles (microseconds), socket errors and the count of each status.

local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/"
local body = os.getenv("BENCH_BODY")
local ids = tonumber(os.getenv("BENCH_IDS") or "1")
local token = os.getenv("BENCH_TOKEN")

local headers = {}
if token then headers["Authorization"] = "Bearer " .. token end
if body then headers["Content-Type"] = "application/json" end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + seed)
  statuses = {}
end

function request()
  local id = tostring(math.random(1, ids))
  local filled_path = path:gsub("{id}", id)
  local filled_body = nil
  if body then filled_body = body:gsub("{id}", id) end
  return wrk.format(method, filled_path, headers, filled_body)
end

function response(status, response_headers, response_body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(counts) do
    table.insert(parts, string.format('"%d": %d', status, count))
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"socket_errors": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, errors.connect + errors.read + errors.write + errors.timeout, table.concat(parts, ", ")))
end
