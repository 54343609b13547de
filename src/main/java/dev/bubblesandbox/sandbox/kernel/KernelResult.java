package dev.bubblesandbox.sandbox.kernel;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.bubblesandbox.sandbox.output.ExecutionResult;
import java.util.List;
import java.util.Map;

/**
 * The answer to one kernel execution. As JSON: the {@link ExecutionResult} fields (unwrapped)
 * plus {@code results}, {@code error}, {@code execution_count} and {@code kernel}. Each entry of
 * {@code results} is its MIME bundle plus {@code "is_main_result": true|false}.
 *
 * @param execution output, limits and timing, as any execution's
 * @param results the displays and the main result, in order
 * @param error the exception it ended with, or null
 * @param executionCount the kernel's count of executions, 0 when the kernel never answered
 * @param kernel what this execution did to the kernel
 */
public record KernelResult(
    @JsonUnwrapped ExecutionResult execution,
    List<Map<String, Object>> results,
    @JsonInclude(JsonInclude.Include.ALWAYS) KernelError error,
    @JsonProperty("execution_count") int executionCount,
    KernelState kernel) {

  public KernelResult {
    results = List.copyOf(results);
  }
}
