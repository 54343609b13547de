package dev.bubblesandbox.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The one owner of the sandbox threads: each pool named by what it runs, all closed once. */
class SandboxThreadsTest {

  @Test
  @DisplayName("lives, output pumps, stdin writers and warm refillers run on threads named for them")
  void namesSayWhatRuns() throws Exception {
    try (SandboxThreads threads = new SandboxThreads()) {
      CompletableFuture<String> life = new CompletableFuture<>();
      threads.run(() -> life.complete(Thread.currentThread().getName())).get();
      assertThat(life.get()).matches("sandbox-\\d+");
      assertThat(threads.outputPumps().submit(() -> Thread.currentThread().getName()).get())
          .isEqualTo("sandbox-output");
      CompletableFuture<String> stdin = CompletableFuture.supplyAsync(
          () -> Thread.currentThread().getName(), threads.stdinWriters());
      assertThat(stdin.get()).isEqualTo("sandbox-stdin");
      Thread refiller = threads.warmRefiller(() -> { });
      assertThat(refiller.getName()).isEqualTo("sandbox-warm-pool");
      assertThat(refiller.isDaemon()).isTrue();
    }
  }

  @Test
  @DisplayName("the server's I/O pool is named and sized here, and closed once with the rest")
  void ioPoolClosedOnce() {
    List<String> made = new ArrayList<>();
    List<String> closedPools = new ArrayList<>();
    SandboxThreads threads = new SandboxThreads();
    String pool = threads.ioPool((name, size) -> {
      made.add(name + "/" + size);
      return name;
    }, closedPools::add);
    assertThat(made).containsExactly("bubble-sandbox-io/16");
    threads.close();
    threads.close();
    assertThat(closedPools).containsExactly(pool);
    assertThatThrownBy(() -> threads.run(() -> { })).isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> threads.outputPumps().submit(() -> { }))
        .isInstanceOf(RejectedExecutionException.class);
  }
}
