package dev.bubblesandbox.sandbox.limits;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Names what a run leaves on the host (cgroups, its private directory) after the process that
 * made it: pid and start time, so that a later run can tell a crashed run's leftovers from those
 * of a live one, even when the pid comes back (a container's server is pid 1 on every start).
 */
public final class RunOwner {

  /** This process's token: {@code <pid>.<start time in clock ticks after boot>}. */
  public static final String TOKEN = ProcessHandle.current().pid() + "." + startTime(ProcessHandle.current().pid()).orElse("0");

  /** Launch groups are named {@code l<run owner>-<n>}. */
  public static final String GROUP_PREFIX = "l";

  private RunOwner() {}

  /**
   * Fields of /proc/PID/stat after the command name (which may hold spaces and parentheses):
   * the state (field 3) first. Read from /proc, not through ProcessHandle.Info, whose first use
   * loads enough to slow the CLI's start-up.
   *
   * @throws NoSuchFileException when there is no such process
   */
  private static String[] stat(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
    return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
  }

  private static Optional<String> startTime(long pid) {
    try {
      return Optional.of(stat(pid)[22 - 3]);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The token in {@code name} ({@code <prefix><token>-<rest>}), if it carries one. */
  public static Optional<String> tokenOf(String name, String prefix) {
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

  /**
   * Whether the run of {@code token} may still be running: false only when its process is
   * certainly gone (no such pid, a zombie, or another process under its pid). When /proc cannot
   * be read it counts as running: what it left is kept rather than pulled from under it.
   */
  public static boolean alive(String token) {
    int dot = token.indexOf('.');
    try {
      String[] fields = stat(Long.parseLong(token.substring(0, dot)));
      boolean exited = fields[0].equals("Z") || fields[0].equals("X");
      return !exited && fields[22 - 3].equals(token.substring(dot + 1));
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException | RuntimeException e) {
      return true;
    }
  }
}
