-- One wrk script for every scenario, set by the environment:
--   BENCH_METHOD  GET or POST
--   BENCH_PATH    the path; "{id}" becomes n * BENCH_ID_STEP + BENCH_ID_OFFSET for a
--                 random n in 1..BENCH_IDS (step 1, offset 0 unless set), and
--                 "{id+2}", "{id-1}"... that id plus or minus a number
--   BENCH_BODY    a JSON body, "{id}" replaced the same way (optional)
--   BENCH_TOKEN   a bearer token (optional)
--   BENCH_SIGNED  a file of signed deliveries, one "<Stripe-Signature>\t<body>"
--                 per line (optional): each thread sends its share of them in
--                 turn, as POST BENCH_PATH, instead of BENCH_BODY
--   BENCH_THREADS how many threads wrk runs (to share out BENCH_SIGNED)
-- At the end it prints one line: BENCH {json} with requests, latency
-- percentiles (microseconds), socket errors and the count of each status.

local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/"
local body = os.getenv("BENCH_BODY")
local ids = tonumber(os.getenv("BENCH_IDS") or "1")
local id_step = tonumber(os.getenv("BENCH_ID_STEP") or "1")
local id_offset = tonumber(os.getenv("BENCH_ID_OFFSET") or "0")

-- "{id}", "{id+1}", "{id-2}" in text, for the drawn id.
local function fill(text, id)
  return (text:gsub("{id([%+%-]?)(%d*)}", function(sign, number)
    local delta = tonumber(number) or 0
    if sign == "-" then delta = -delta end
    return tostring(id + delta)
  end))
end
local token = os.getenv("BENCH_TOKEN")
local signed_file = os.getenv("BENCH_SIGNED")
local thread_count = tonumber(os.getenv("BENCH_THREADS") or "1")

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
  deliveries = {}
  if signed_file then
    local line_number = 0
    for line in io.lines(signed_file) do
      if line_number % thread_count == seed - 1 then
        local signature, signed_body = line:match("^([^\t]*)\t(.*)$")
        table.insert(deliveries, {signature, signed_body})
      end
      line_number = line_number + 1
    end
    next_delivery = 0
  end
end

function request()
  if signed_file then
    next_delivery = next_delivery % #deliveries + 1
    local delivery = deliveries[next_delivery]
    local delivery_headers = {["Content-Type"] = "application/json", ["Stripe-Signature"] = delivery[1]}
    return wrk.format("POST", path, delivery_headers, delivery[2])
  end
  local id = math.random(1, ids) * id_step + id_offset
  local filled_path = fill(path, id)
  local filled_body = nil
  if body then filled_body = fill(body, id) end
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
