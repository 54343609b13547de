package dev.bubblesandbox.sandbox.kernel;

import dev.bubblesandbox.config.Settings;
import java.time.Duration;

/**
 * How kernels run.
 *
 * @param maxInlineResultBytes a MIME value larger than this goes to a file of {@code .results/}
 * @param interruptGrace how long a timed-out execution has to yield to its interrupt before the
 *     kernel is killed
 */
public record KernelSettings(long maxInlineResultBytes, Duration interruptGrace) {

  public static final long DEFAULT_MAX_INLINE_RESULT_BYTES = 1L << 20;
  public static final Duration DEFAULT_INTERRUPT_GRACE = Duration.ofMillis(2000);
  public static final KernelSettings DEFAULT =
      new KernelSettings(DEFAULT_MAX_INLINE_RESULT_BYTES, DEFAULT_INTERRUPT_GRACE);

  /** As {@code settings} say: {@code max_inline_result_bytes}, {@code kernel_interrupt_grace_ms}. */
  public static KernelSettings from(Settings settings) {
    return new KernelSettings(settings.maxInlineResultBytes(), Duration.ofMillis(settings.kernelInterruptGraceMs()));
  }

  public KernelSettings {
    if (maxInlineResultBytes <= 0 || interruptGrace.isNegative()) {
      throw new IllegalArgumentException("kernel settings must be positive: "
          + maxInlineResultBytes + ", " + interruptGrace);
    }
  }
}
