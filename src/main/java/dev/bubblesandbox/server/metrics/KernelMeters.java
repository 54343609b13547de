package dev.bubblesandbox.server.metrics;

import dev.bubblesandbox.sandbox.kernel.KernelObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The kernels of kernel sessions, as metrics: {@code bubble_sandbox_kernels} (those whose Python
 * runs now) and {@code bubble_sandbox_kernel_restarts_total{reason}} (each reason at zero from
 * start-up). A kernel closed with its session is no restart: it leaves the gauge only.
 */
public final class KernelMeters implements KernelObserver {

  /** The reasons a kernel ends for that its session's next execution starts a fresh one. */
  private static final List<String> RESTART_REASONS = List.of(RESTART, MEMORY, PIDS, TIMEOUT, CRASH, PROTOCOL);

  private final AtomicInteger alive = new AtomicInteger();
  private final Map<String, Counter> restarts;

  public KernelMeters(MeterRegistry registry) {
    Gauge.builder("bubble_sandbox_kernels", alive, AtomicInteger::get)
        .description("Kernels of kernel sessions whose Python runs now").register(registry);
    restarts = RESTART_REASONS.stream().collect(Collectors.toUnmodifiableMap(Function.identity(),
        reason -> Counter.builder("bubble_sandbox_kernel_restarts")
            .description("Kernels ended, by reason (restart, memory, pids, timeout, crash, protocol); "
                + "the session's next execution starts a fresh one")
            .tag("reason", reason)
            .register(registry)));
  }

  @Override
  public void started() {
    alive.incrementAndGet();
  }

  @Override
  public void ended(String reason) {
    alive.decrementAndGet();
    Counter counter = restarts.get(reason);
    if (counter != null) {
      counter.increment();
    }
  }
}
