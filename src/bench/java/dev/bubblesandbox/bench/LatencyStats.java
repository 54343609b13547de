package dev.bubblesandbox.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * Latencies of one benchmark phase and its throughput.
 *
 * @param nanos the latency of each execution, sorted
 * @param wallNanos wall-clock time of the whole phase, for the throughput
 * @param clientCpuNanos CPU time of the client side: the threads that made the launches or
 *     requests, and the HTTP client's own threads
 */
public record LatencyStats(long[] nanos, long wallNanos, long clientCpuNanos) {

  public LatencyStats {
    if (nanos.length == 0 || wallNanos <= 0) {
      throw new IllegalArgumentException("no measurement");
    }
    nanos = nanos.clone();
    Arrays.sort(nanos);
  }

  /** The nearest-rank percentile {@code p} (0 to 100), in milliseconds. */
  public double percentileMillis(double p) {
    int rank = (int) Math.ceil(p / 100.0 * nanos.length);
    return nanos[Math.max(0, Math.min(nanos.length - 1, rank - 1))] / 1e6;
  }

  /** Executions per second over the whole phase. */
  public double throughput() {
    return nanos.length / (wallNanos / 1e9);
  }

  /** One line: count, p50/p95/p99/max and executions per second. */
  public String summary() {
    return String.format(Locale.ROOT,
        "n=%d  p50=%.1f ms  p95=%.1f ms  p99=%.1f ms  max=%.1f ms  %.1f exec/s",
        nanos.length, percentileMillis(50), percentileMillis(95), percentileMillis(99),
        nanos[nanos.length - 1] / 1e6, throughput());
  }
}
