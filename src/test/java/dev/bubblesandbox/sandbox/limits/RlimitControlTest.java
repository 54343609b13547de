package dev.bubblesandbox.sandbox.limits;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What the rlimit control claims by kernel version (sandboxes under it: RlimitControlIT). */
class RlimitControlTest {

  @Test
  @DisplayName("Before Linux 5.14 RLIMIT_NPROC counts every sandbox of the uid at once: tasks are not claimed")
  void oldKernels() {
    assertThat(new RlimitControl("5.10.0-28-amd64").enforced()).containsExactly("memory");
    assertThat(new RlimitControl("5.10.0-28-amd64").sandboxedPrefix(ResourceLimits.DEFAULT).get(2))
        .doesNotContain("ulimit -p").doesNotContain("ulimit -u");
    assertThat(new RlimitControl("5.14.0").enforced()).containsExactlyInAnyOrder("memory", "pids");
    assertThat(new RlimitControl("6.18.0-gc").enforced()).containsExactlyInAnyOrder("memory", "pids");
  }

  @Test
  @DisplayName("The limits not enforced are the rest of ALL, in name order")
  void unenforced() {
    assertThat(new RlimitControl("5.10.0-28-amd64").unenforced()).containsExactly("cpu", "pids");
    assertThat(new RlimitControl("6.18.0-gc").unenforced()).containsExactly("cpu");
    assertThat(ResourceControl.NONE.unenforced()).containsExactly("cpu", "memory", "pids");
  }
}
