package dev.bubblesandbox.sandbox.kernel;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What an execution did to its session's kernel. */
public enum KernelState {
  /** The kernel ran it and keeps its state. */
  PRESERVED,
  /** The execution ran in a fresh kernel: the first one, or after a loss or a restart. */
  RESTARTED,
  /** The execution ended the kernel (killed, died, or broke the protocol). */
  LOST;

  @JsonValue
  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }
}
