-- wrk script of benchmarks/bench_mms.py and bench_serving.py: POSTs one prepared body again and again.
-- Usage: wrk ... -s wrk_body.lua URL -- BODY_FILE CONTENT_TYPE [HEADER_LENGTH]
-- With HEADER_LENGTH, it is sent as Inference-Header-Content-Length (0: a raw binary KServe v2
-- request). done() prints one JSON line for the runner.

local req

function init(args)
  local f = assert(io.open(args[1], "rb"))
  local body = f:read("*all")
  f:close()
  local headers = {["Content-Type"] = args[2]}
  if args[3] then
    headers["Inference-Header-Content-Length"] = args[3]
  end
  req = wrk.format("POST", nil, headers, body)
end

function request()
  return req
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout))
end
