-- wrk's figures as one JSON line at the end, for benchmarks/load.py to read: requests,
-- duration, errors of each kind and latency percentiles, in microseconds.
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, '
      .. '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, '
      .. '"p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, errors.connect, errors.read,
    errors.write, errors.status, errors.timeout, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.max))
end
