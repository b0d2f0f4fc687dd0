-- Shared by the wrk steps of http-vs-pgbench.sh: an optional bearer key (KEY), an optional
-- JSON body to POST (BODY_FILE), and one RESULT line with throughput, latency and errors.
local key = os.getenv("KEY")
if key and key ~= "" then wrk.headers["Authorization"] = "Bearer " .. key end
local body_file = os.getenv("BODY_FILE")
if body_file and body_file ~= "" then
  local file = io.open(body_file)
  wrk.method = "POST"
  wrk.body = file:read("*a")
  file:close()
  wrk.headers["Content-Type"] = "application/json"
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT rps=%.1f p50=%.1fms p99=%.1fms errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, errors, summary.errors.status))
end
