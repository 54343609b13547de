package dev.bubblesandbox.bench;

import dev.bubblesandbox.sandbox.limits.ResourceControl;
import dev.bubblesandbox.sandbox.limits.ResourceLimits;
import dev.bubblesandbox.sandbox.limits.SeccompFilter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The raw bwrap command with the sandbox's limits and nothing else of the product: a fresh group
 * of the host's {@link ResourceControl} per launch, limited with the default limits, joined by a
 * shell that then opens the product's seccomp filter for bwrap and execs the command; the group
 * is removed (its tasks killed, as the product's close does) once it has run. No server, warm
 * pool, launch pool, output pumps or files. What it costs over a raw launch is what enforcing
 * the limits costs on this host, which no server can avoid: the ceiling of a server's
 * throughput against raw bwrap.
 */
final class LimitedRawLaunch {

  /** Joins the groups given before "--", opens the filter on descriptor 3, execs the rest. */
  private static final String SHELL = "while [ \"$1\" != -- ]; do echo $$ > \"$1\" || exit 125; shift; done\n"
      + "shift; filter=$1; shift\n"
      + "exec 3< \"$filter\" || exit 125\n"
      + "exec \"$@\"\n";

  private final ResourceControl resources;
  private final ResourceLimits limits;
  private final List<String> command;
  private final Path filter;
  private final AtomicLong launches = new AtomicLong();

  /**
   * For {@code rawCommand} (setpriv prefix, bwrap, its arguments) under {@code limits}; the
   * filter is written to {@code filter}.
   */
  LimitedRawLaunch(ResourceControl resources, ResourceLimits limits, List<String> rawCommand, Path filter)
      throws IOException {
    this.resources = resources;
    this.limits = limits;
    this.filter = Files.write(filter, SeccompFilter.program());
    List<String> withFilter = new ArrayList<>(rawCommand);
    int bwrap = indexOfBwrap(rawCommand);
    withFilter.addAll(bwrap + 1, List.of("--seccomp", "3"));
    this.command = List.copyOf(withFilter);
  }

  void launch(String expected) throws IOException, InterruptedException {
    ResourceControl.Group group = resources.create("bench-limited-" + ProcessHandle.current().pid()
        + "-" + launches.incrementAndGet());
    try {
      group.limit(limits);
      List<String> shell = new ArrayList<>(List.of("/bin/sh", "-c", SHELL, "bench-limited"));
      shell.addAll(group.procsFiles());
      shell.add("--");
      shell.add(filter.toString());
      shell.addAll(command);
      StartLatency.launchRaw(shell, expected);
    } finally {
      group.close();
    }
  }

  private static int indexOfBwrap(List<String> rawCommand) {
    for (int i = 0; i < rawCommand.size(); i++) {
      if (Path.of(rawCommand.get(i)).getFileName().toString().equals("bwrap")) {
        return i;
      }
    }
    throw new IllegalArgumentException("no bwrap in " + rawCommand);
  }
}
