package dev.bubblesandbox.server;

import dev.bubblesandbox.sandbox.OutputListener;
import dev.bubblesandbox.session.SessionRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;

/** The bubble_sandbox_* metrics of SPEC §7. */
final class SandboxMetrics {

  /** How an execution ended, as the {@code outcome} label says it. */
  enum Outcome {
    OK,
    ERROR,
    TIMEOUT,
    KILLED
  }

  private final MeterRegistry registry;
  private final Timer.Builder startTime;

  SandboxMetrics(MeterRegistry registry, SessionRegistry sessions) {
    this.registry = registry;
    Gauge.builder("bubble_sandbox_sessions_active", sessions, s -> s.all().size())
        .description("Sessions that exist now").register(registry);
    Gauge.builder("bubble_sandbox_sessions_max", sessions, s -> s.slots().capacity())
        .description("The bound on sessions and one-shot executions").register(registry);
    Gauge.builder("bubble_sandbox_slots_used", sessions, s -> s.slots().used())
        .description("Slots taken by sessions and running one-shot executions").register(registry);
    startTime = Timer.builder("bubble_sandbox_sandbox_start")
        .description("From launch request to first output byte or exit")
        .serviceLevelObjectives(buckets(0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10));
    // Register the families with no samples yet, so that scrapers see them from the start.
    for (OutputListener.Stream stream : OutputListener.Stream.values()) {
      outputBytes(stream);
    }
  }

  void executionEnded(String environment, Outcome outcome, Duration duration) {
    Counter.builder("bubble_sandbox_executions")
        .description("Executions by environment and outcome")
        .tag("environment", environment)
        .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
        .register(registry)
        .increment();
    Timer.builder("bubble_sandbox_execution_duration")
        .description("Wall-clock time of executions")
        .serviceLevelObjectives(buckets(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300))
        .register(registry)
        .record(duration);
  }

  /** Histogram buckets, in seconds. */
  private static Duration[] buckets(double... seconds) {
    Duration[] durations = new Duration[seconds.length];
    for (int i = 0; i < seconds.length; i++) {
      durations[i] = Duration.ofNanos((long) (seconds[i] * 1e9));
    }
    return durations;
  }

  void sandboxStarted(Duration sinceLaunch) {
    startTime.register(registry).record(sinceLaunch);
  }

  void rejected(String reason) {
    Counter.builder("bubble_sandbox_rejections")
        .description("Refused requests by reason")
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  void output(OutputListener.Stream stream, long bytes) {
    outputBytes(stream).increment(bytes);
  }

  private Counter outputBytes(OutputListener.Stream stream) {
    return Counter.builder("bubble_sandbox_output_bytes")
        .description("Output bytes streamed from sandboxes, by stream")
        .tag("stream", stream.name().toLowerCase(Locale.ROOT))
        .register(registry);
  }
}
