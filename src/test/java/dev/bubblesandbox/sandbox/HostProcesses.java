package dev.bubblesandbox.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Host processes seen through the host's /proc, to check that no sandbox outlives its execution:
 * the one scanner of the tests (sandbox and server alike). This JVM is never among them.
 */
public final class HostProcesses {

  private HostProcesses() {}

  /** Pids whose command line is exactly {@code argv}. */
  public static List<Long> withArgv(String... argv) {
    String wanted = String.join("\0", argv) + "\0";
    return matching(cmdline -> cmdline.equals(wanted));
  }

  /** Pids whose command line, its arguments joined by spaces, contains {@code text}. */
  public static List<Long> containing(String text) {
    return matching(cmdline -> cmdline.replace('\0', ' ').contains(text));
  }

  /** Pids whose raw command line (each argument followed by a NUL byte) passes {@code test}. */
  private static List<Long> matching(Predicate<String> test) {
    long self = ProcessHandle.current().pid();
    List<Long> pids = new ArrayList<>();
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        String name = entry.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String cmdline = new String(Files.readAllBytes(entry.resolve("cmdline")), StandardCharsets.UTF_8);
          long pid = Long.parseLong(name);
          if (pid != self && test.test(cmdline)) {
            pids.add(pid);
          }
        } catch (IOException e) {
          // a process that ended while we looked, or that cannot be read: not ours
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return pids;
  }
}
