package dev.bubblesandbox.sandbox;

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
 */
@JsonPropertyOrder({"stdout", "stderr", "return_code", "timed_out", "truncated", "duration_ms", "limit",
    "cpu_time_ms", "memory_peak_bytes"})
public record ExecutionResult(
    String stdout,
    String stderr,
    @JsonProperty("return_code") int returnCode,
    @JsonProperty("timed_out") boolean timedOut,
    boolean truncated,
    @JsonProperty("duration_ms") long durationMs,
    @JsonInclude(JsonInclude.Include.ALWAYS) String limit,
    @JsonProperty("cpu_time_ms") @JsonInclude(JsonInclude.Include.NON_NULL) Long cpuTimeMs,
    @JsonProperty("memory_peak_bytes") @JsonInclude(JsonInclude.Include.NON_NULL) Long memoryPeakBytes) {

  public static final String LIMIT_TIMEOUT = "timeout";
  public static final String LIMIT_OUTPUT = "output";
}
