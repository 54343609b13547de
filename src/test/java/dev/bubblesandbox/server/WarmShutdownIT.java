package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Stopping a server ends its warm sandboxes: no process, no cgroup, no pipe left behind. */
class WarmShutdownIT {

  /** Text of the warm sandboxes' bootstrap, in the command line of their Python (and bwrap). */
  private static final String BOOTSTRAP_TEXT = "os.read(6,65536)";

  @Test
  @DisplayName("stopping the server leaves no warm sandbox, process or cgroup behind")
  void stopLeavesNothing() throws Exception {
    TestServer server = TestServer.start(Map.of("warm_sandboxes", 3));
    List<ProcessHandle> sandboxes;
    try {
      await("three warm sandboxes started").atMost(Duration.ofSeconds(60)).until(() -> warmGroups().size() >= 3);
      sandboxes = warmProcesses();
      assertThat(sandboxes).isNotEmpty();
    } finally {
      server.close();
    }
    // Killed processes may take a moment to be reaped by their (killed) parents.
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
        .untilAsserted(() -> assertThat(sandboxes).noneMatch(ProcessHandle::isAlive));
    assertThat(warmProcesses()).isEmpty();
    assertThat(warmGroups()).isEmpty();
  }

  /** This JVM's processes that run a warm sandbox's bootstrap. */
  private static List<ProcessHandle> warmProcesses() {
    return ProcessHandle.current().descendants()
        .filter(process -> process.info().commandLine().orElse("").contains(BOOTSTRAP_TEXT))
        .toList();
  }

  /** cgroups of this JVM's warm sandboxes: {@code l<pid>.<start>-w<n>}, in any hierarchy. */
  private static List<Path> warmGroups() {
    List<Path> found = new ArrayList<>();
    collect(Path.of("/sys/fs/cgroup"), "l" + ProcessHandle.current().pid() + ".", 6, found);
    return found;
  }

  /** Walks directories only; other runs' groups come and go meanwhile, and are skipped. */
  private static void collect(Path directory, String prefix, int depth, List<Path> found) {
    if (depth == 0) {
      return;
    }
    try (DirectoryStream<Path> children = Files.newDirectoryStream(directory, Files::isDirectory)) {
      for (Path child : children) {
        String name = child.getFileName().toString();
        if (name.startsWith(prefix) && name.contains("-w")) {
          found.add(child);
        } else {
          collect(child, prefix, depth - 1, found);
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone meanwhile, or not readable: not ours
    }
  }
}
