package dev.bubblesandbox.session;

import dev.bubblesandbox.session.workspace.Workspaces;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * How earlier versions marked kept sessions: an empty {@code persistent/<id>} file each. Read
 * once at start-up, each turned into a record and then forgotten. Blocks: worker threads only.
 */
final class LegacyKeptMarkers {

  private final Path dir;

  LegacyKeptMarkers(Path dir) {
    this.dir = dir;
  }

  /** The ids marked as kept, and when each was kept. */
  Map<String, Instant> all() {
    Map<String, Instant> kept = new TreeMap<>();
    try {
      for (Path marker : Workspaces.children(dir)) {
        kept.put(marker.getFileName().toString(), Files.getLastModifiedTime(marker).toInstant());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return kept;
  }

  /** Deletes one marker once its record is written, and the directory with the last one. */
  void forget(String sessionId) {
    try {
      Files.deleteIfExists(dir.resolve(sessionId));
      if (Workspaces.children(dir).isEmpty()) {
        Files.deleteIfExists(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
