package dev.bubblesandbox.server;

import dev.bubblesandbox.MountTable;
import dev.bubblesandbox.sandbox.warm.WarmPool;
import dev.bubblesandbox.server.metrics.SandboxMetrics;
import dev.bubblesandbox.server.web.ServerContext;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads, off the event loop, what the gauges of {@link SandboxMetrics#refresh} show: whether each
 * environment can run, the bytes in session workspaces and the room left on their disk, the
 * size-limited workspaces mounted (a loop device each), and the memory warm sandboxes hold. Each
 * takes files to read or a tree to walk, too slow for a scrape; every {@link #PERIOD_MILLIS} is
 * fresh enough for a dashboard.
 */
final class MetricsSnapshot {

  private static final Logger logger = LoggerFactory.getLogger(MetricsSnapshot.class);

  static final long PERIOD_MILLIS = 15_000;

  private MetricsSnapshot() {}

  /** Blocks: call it on a worker. */
  static SandboxMetrics.Snapshot take(ServerContext context, WarmPool warm) {
    Map<String, Boolean> ready = new LinkedHashMap<>();
    for (String name : context.environments().names()) {
      try {
        ready.put(name, context.environments().describe(name).ready());
      } catch (RuntimeException e) {
        ready.put(name, false);
      }
    }
    Path sessions = context.workspaces().sessionDir("-").getParent();
    long free = -1;
    try {
      free = Files.getFileStore(sessions).getUsableSpace();
    } catch (IOException e) {
      logger.debug("metrics: no free space for {}", sessions, e);
    }
    return new SandboxMetrics.Snapshot(ready, bytesUnder(sessions), free, mountsUnder(sessions),
        warm.memoryHeldBytes());
  }

  /** The sizes of the regular files under {@code dir}; links are not followed, unreadable files skipped. */
  static long bytesUnder(Path dir) {
    long[] total = {0};
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
          if (attributes.isRegularFile()) {
            total[0] += attributes.size();
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      logger.debug("metrics: cannot walk {}", dir, e);
    }
    return total[0];
  }

  private static long mountsUnder(Path dir) {
    try {
      return MountTable.read().stream()
          .filter(mount -> mount.mountPoint().startsWith(dir) && !mount.mountPoint().equals(dir))
          .count();
    } catch (IOException e) {
      return 0;
    }
  }
}
