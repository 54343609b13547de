package dev.bubblesandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The mounts of this process, from {@code /proc/self/mounts}. */
public final class MountTable {

  /** One line: the source, where it is mounted, the file-system type and the mount options. */
  public record Mount(String source, Path mountPoint, String type, List<String> options) {}

  private MountTable() {}

  /** Reads and parses {@code /proc/self/mounts}. */
  public static List<Mount> read() throws IOException {
    return parse(Files.readAllLines(Path.of("/proc/self/mounts")));
  }

  /** Parses lines in the format of {@code /proc/self/mounts}; lines too short are skipped. */
  public static List<Mount> parse(List<String> lines) {
    List<Mount> mounts = new ArrayList<>();
    for (String line : lines) {
      String[] fields = line.split(" ");
      if (fields.length >= 4) {
        mounts.add(new Mount(unescape(fields[0]), Path.of(unescape(fields[1])), unescape(fields[2]),
            List.of(unescape(fields[3]).split(","))));
      }
    }
    return mounts;
  }

  /** The kernel writes space, tab, newline and backslash in a field as octal ({@code \040}). */
  public static String unescape(String field) {
    if (field.indexOf('\\') < 0) {
      return field;
    }
    StringBuilder out = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length() && isOctal(field, i + 1)) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isOctal(String field, int from) {
    for (int i = from; i < from + 3; i++) {
      char c = field.charAt(i);
      if (c < '0' || c > '7') {
        return false;
      }
    }
    return true;
  }
}
