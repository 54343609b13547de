package dev.bubblesandbox.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the host lays out the top-level library and binary directories: on a merged-usr system
 * {@code /bin}, {@code /lib}… are links into {@code /usr}, elsewhere they are directories.
 *
 * @param links top-level links and their targets, e.g. {@code /bin -> usr/bin}
 * @param directories top-level directories that hold binaries or libraries outside /usr
 */
public record HostLayout(Map<String, String> links, List<String> directories) {

  private static final List<String> TOP_LEVEL = List.of("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32");

  public HostLayout {
    links = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(links));
    directories = List.copyOf(directories);
  }

  /** Reads the layout of this host. */
  public static HostLayout detect() {
    Map<String, String> links = new LinkedHashMap<>();
    List<String> directories = new java.util.ArrayList<>();
    for (String name : TOP_LEVEL) {
      Path path = Path.of(name);
      try {
        if (Files.isSymbolicLink(path)) {
          links.put(name, Files.readSymbolicLink(path).toString());
        } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
          directories.add(name);
        }
      } catch (IOException e) {
        // unreadable: leave it out of the sandbox
      }
    }
    return new HostLayout(links, directories);
  }
}
