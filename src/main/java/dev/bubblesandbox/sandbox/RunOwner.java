package dev.bubblesandbox.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Names what a run leaves on the host (cgroups, its private directory) after the process that
 * made it: pid and start time, so that a later run can tell a crashed run's leftovers from those
 * of a live one, even when the pid comes back (a container's server is pid 1 on every start).
 */
final class RunOwner {

  /** This process's token: {@code <pid>.<start time in clock ticks after boot>}. */
  static final String TOKEN = token(ProcessHandle.current().pid()).orElse(ProcessHandle.current().pid() + ".0");

  private RunOwner() {}

  /**
   * The token of process {@code pid}, from /proc: not ProcessHandle.Info, whose first use costs
   * the CLI's start-up some 8 ms.
   */
  private static Optional<String> token(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
      // Fields after the command name, which may hold spaces and parentheses: state is field 3,
      // starttime field 22.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Optional.of(pid + "." + fields[22 - 3]);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The token in {@code name} ({@code <prefix><token>-<rest>}), if it carries one. */
  static Optional<String> tokenOf(String name, String prefix) {
    if (!name.startsWith(prefix)) {
      return Optional.empty();
    }
    String token = name.substring(prefix.length()).split("-", 2)[0];
    String[] parts = token.split("\\.");
    boolean wellFormed = parts.length == 2
        && parts[0].length() > 0 && parts[0].length() <= 18 && parts[0].chars().allMatch(Character::isDigit)
        && parts[1].length() > 0 && parts[1].length() <= 18 && parts[1].chars().allMatch(Character::isDigit);
    return wellFormed ? Optional.of(token) : Optional.empty();
  }

  /** Whether the run of {@code token} is still running. */
  static boolean alive(String token) {
    return token(Long.parseLong(token.substring(0, token.indexOf('.')))).map(token::equals).orElse(false);
  }
}
