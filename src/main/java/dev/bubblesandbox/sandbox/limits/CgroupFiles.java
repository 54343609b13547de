package dev.bubblesandbox.sandbox.limits;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/** Reading and writing the files of a cgroup directory, v1 or v2. */
final class CgroupFiles {

  private CgroupFiles() {}

  static void write(Path file, String value) throws IOException {
    Files.writeString(file, value, StandardCharsets.US_ASCII);
  }

  static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.US_ASCII);
  }

  /** A file holding one number; empty when it cannot be read (a controller not here). */
  static OptionalLong number(Path file) {
    try {
      return OptionalLong.of(Long.parseLong(read(file).trim()));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** {@code key}'s value in a flat-keyed file ({@code key value} lines); empty when absent. */
  static OptionalLong value(Path file, String key) {
    try {
      for (String line : read(file).split("\n")) {
        String[] parts = line.trim().split("\\s+");
        if (parts.length == 2 && parts[0].equals(key)) {
          return OptionalLong.of(Long.parseLong(parts[1]));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not measurable here
    }
    return OptionalLong.empty();
  }

  /** The processes in the group {@code dir}; none when it is gone. */
  static List<Long> pids(Path dir) {
    try {
      return read(dir.resolve("cgroup.procs")).lines().filter(line -> !line.isBlank())
          .map(line -> Long.parseLong(line.trim())).toList();
    } catch (IOException | NumberFormatException e) {
      return List.of();
    }
  }

  /** Removes an emptied group, retrying while its last tasks are still leaving it. */
  static void remove(Path dir) {
    for (int attempt = 0; attempt < 50 && Files.isDirectory(dir); attempt++) {
      try {
        Files.delete(dir);
      } catch (IOException e) {
        try {
          Thread.sleep(10);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
