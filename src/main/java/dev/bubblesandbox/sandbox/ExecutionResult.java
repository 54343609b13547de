package dev.bubblesandbox.sandbox;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The outcome of one execution, as {@code --json} and the HTTP API report it.
 *
 * @param returnCode the exit status, or {@code -N} for a process ended by signal N
 * @param limit which limit ended or cut the execution: {@code timeout}, {@code output} or null
 */
@JsonPropertyOrder({"stdout", "stderr", "return_code", "timed_out", "truncated", "duration_ms", "limit"})
public record ExecutionResult(
    String stdout,
    String stderr,
    @JsonProperty("return_code") int returnCode,
    @JsonProperty("timed_out") boolean timedOut,
    boolean truncated,
    @JsonProperty("duration_ms") long durationMs,
    @JsonInclude(JsonInclude.Include.ALWAYS) String limit) {

  public static final String LIMIT_TIMEOUT = "timeout";
  public static final String LIMIT_OUTPUT = "output";
}
