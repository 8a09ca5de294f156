-- wrk script: POST one AdmissionReview (file in $REVIEW) to /mutate; print one machine-readable line.
-- CLOSE=1 sends "Connection: close", so every request pays a TLS handshake.
wrk.method = "POST"
wrk.path = "/mutate"
wrk.headers["Content-Type"] = "application/json"
if os.getenv("CLOSE") == "1" then wrk.headers["Connection"] = "close" end
local f = assert(io.open(os.getenv("REVIEW"), "rb"))
wrk.body = f:read("*a")
f:close()

done = function(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d errors=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
    summary.requests, e.connect + e.read + e.write + e.status + e.timeout, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
