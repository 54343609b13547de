package dev.bubblesandbox.sandbox.output;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The outcome of one execution, as {@code --json} and the HTTP API report it.
 *
 * @param returnCode the exit status, or {@code -N} for a process ended by signal N ({@link ReturnCode})
 * @param limit which limit ended or cut the execution: {@code timeout}, {@code memory},
 *     {@code pids}, {@code output} or null
 * @param cpuTimeMs CPU time of all the sandbox's processes, where the host measures it
 * @param memoryPeakBytes the sandbox's peak memory, where the host measures it
 * @param start {@link #START_WARM} when a sandbox started ahead ran it, {@link #START_COLD}
 *     when one was started for it
 */
@JsonPropertyOrder({"stdout", "stderr", "return_code", "timed_out", "truncated", "duration_ms", "limit",
    "cpu_time_ms", "memory_peak_bytes", "start"})
public record ExecutionResult(
    String stdout,
    String stderr,
    @JsonProperty("return_code") int returnCode,
    @JsonProperty("timed_out") boolean timedOut,
    boolean truncated,
    @JsonProperty("duration_ms") long durationMs,
    @JsonInclude(JsonInclude.Include.ALWAYS) String limit,
    @JsonProperty("cpu_time_ms") @JsonInclude(JsonInclude.Include.NON_NULL) Long cpuTimeMs,
    @JsonProperty("memory_peak_bytes") @JsonInclude(JsonInclude.Include.NON_NULL) Long memoryPeakBytes,
    String start) {

  public static final String LIMIT_TIMEOUT = "timeout";
  public static final String LIMIT_OUTPUT = "output";
  public static final String START_WARM = "warm";
  public static final String START_COLD = "cold";

  /** The result of an execution in a sandbox started for it. */
  public ExecutionResult(String stdout, String stderr, int returnCode, boolean timedOut,
      boolean truncated, long durationMs, String limit, Long cpuTimeMs, Long memoryPeakBytes) {
    this(stdout, stderr, returnCode, timedOut, truncated, durationMs, limit, cpuTimeMs,
        memoryPeakBytes, START_COLD);
  }

  /**
   * This result as a warm sandbox's: its CPU time counted from the hand-over, where the group
   * had used {@code cpuBeforeMs} (its start and preload, no part of the execution).
   */
  public ExecutionResult asWarm(Long cpuBeforeMs) {
    Long cpu = cpuTimeMs == null || cpuBeforeMs == null ? cpuTimeMs : Long.valueOf(Math.max(0, cpuTimeMs - cpuBeforeMs));
    return new ExecutionResult(stdout, stderr, returnCode, timedOut, truncated, durationMs, limit,
        cpu, memoryPeakBytes, START_WARM);
  }
}
