package dev.bubblesandbox.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.security.SecureRandom;

/**
 * The name a node goes by in the cluster (the {@code node} of each listed session): kept in the
 * workspace directory, so that a node restarted on the same directory (a pod with its volume) is
 * the same node, and the sessions it brings back are recognised as its own. Made once from the
 * host name (a StatefulSet pod's stable name) and a random suffix (nodes sharing one host).
 */
final class NodeName {

  static final String FILE = "cluster-node-name";

  private NodeName() {}

  /** The name kept in {@code workspaceDir}, made and written there on first use. Blocks. */
  static String of(Path workspaceDir) {
    Path file = workspaceDir.resolve(FILE);
    try {
      if (Files.exists(file)) {
        String name = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (name.matches("[A-Za-z0-9._-]{1,80}")) {
          return name;
        }
      }
      byte[] suffix = new byte[3];
      new SecureRandom().nextBytes(suffix);
      String host = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9.-]", "-");
      String name = (host.length() > 60 ? host.substring(0, 60) : host) + "-" + HexFormat.of().formatHex(suffix);
      if (!Files.isDirectory(workspaceDir)) {
        // As the server's own start would make it (Workspaces.prepare).
        Files.createDirectories(workspaceDir);
        Files.setPosixFilePermissions(workspaceDir, PosixFilePermissions.fromString("rwx--x--x"));
      }
      Path written = Files.writeString(file.resolveSibling(FILE + ".tmp"), name + "\n", StandardCharsets.UTF_8);
      Files.move(written, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return name;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the cluster node name in " + file, e);
    }
  }
}
