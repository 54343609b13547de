package dev.bubblesandbox.sandbox;

import java.util.Optional;

/**
 * Names what a run leaves on the host (cgroups, its private directory) after the process that
 * made it: pid and start time, so that a later run can tell a crashed run's leftovers from those
 * of a live one, even when the pid comes back (a container's server is pid 1 on every start).
 */
final class RunOwner {

  /** This process's token: {@code <pid>.<start time in ms>}. */
  static final String TOKEN = token(ProcessHandle.current());

  private RunOwner() {}

  private static String token(ProcessHandle process) {
    return process.pid() + "." + process.info().startInstant().map(start -> start.toEpochMilli()).orElse(0L);
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
    return ProcessHandle.of(Long.parseLong(token.substring(0, token.indexOf('.'))))
        .map(process -> token(process).equals(token)).orElse(false);
  }
}
