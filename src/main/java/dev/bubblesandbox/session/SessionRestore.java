package dev.bubblesandbox.session;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.bubblesandbox.session.workspace.Workspaces;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up half of {@link SessionRegistry}: the recorded sessions brought back into its live
 * map, and what has no record removed. Blocks (workspace mounts): a worker thread, under the
 * registry's lock.
 */
final class SessionRestore {

  private static final Logger logger = LoggerFactory.getLogger(SessionRestore.class);

  private final ConcurrentMap<String, Session> sessions;
  private final SessionSlots slots;
  private final Workspaces workspaces;
  private final SessionRecords records;

  SessionRestore(ConcurrentMap<String, Session> sessions, SessionSlots slots, Workspaces workspaces,
      SessionRecords records) {
    this.sessions = sessions;
    this.slots = slots;
    this.workspaces = workspaces;
    this.records = records;
  }

  /**
   * At start-up, before any request: brings back every recorded session as it was (an open one
   * open again, with its workspace mounted and its idle clock restarted; a kept one ended, with
   * its files waiting), and removes what has no record (leftovers of throwaway sessions and of
   * creations cut short). A record whose files are gone is reported in one log line and dropped;
   * one that cannot be read, or whose workspace cannot be opened, is reported and left as it is,
   * with its files. Restored sessions take their slots even past {@code max_sessions}: their data
   * counts more than the bound, and new sessions wait until enough of them end.
   */
  void run() {
    adoptLegacyMarkers();
    SessionRecords.Contents contents = records.readAll();
    Set<String> recorded = new HashSet<>();
    Set<String> open = new HashSet<>();
    List<SessionRecord> toOpen = new ArrayList<>();
    int kept = 0;
    for (SessionRecords.Unreadable unreadable : contents.unreadable()) {
      logger.error("session not restored: its record cannot be read; its files are left as they are",
          kv("session_id", unreadable.id()), kv("reason", unreadable.reason()));
      recorded.add(unreadable.id());
    }
    for (SessionRecord record : contents.records()) {
      if (!workspaces.hasData(record.id())) {
        records.delete(record.id());
        // Its empty mount point (and a mount of the deleted image) go too, under the same line.
        String remains = "removed";
        try {
          workspaces.remove(record.id());
        } catch (RuntimeException e) {
          remains = "left: " + e.getMessage();
        }
        logger.error("session lost: its workspace is gone, so its record is dropped",
            kv("session_id", record.id()), kv("environment", record.settings().environment()),
            kv("kept", record.kept()), kv("active", record.active()), kv("remains", remains));
        continue;
      }
      recorded.add(record.id());
      if (record.active()) {
        open.add(record.id());
        toOpen.add(record);
      } else {
        kept++;
      }
    }
    List<String> removed = workspaces.removeStale(recorded, open);
    if (!removed.isEmpty()) {
      logger.info("unrecorded workspaces removed (throwaway console sessions, creations cut short)",
          kv("session_ids", removed));
    }
    for (SessionRecord record : toOpen) {
      try {
        Session session = new Session(record.id(), record.kept() ? Session.Kind.KEPT : Session.Kind.ORDINARY,
            record.settings(), workspaces.open(record.id()), record.createdAt());
        session.touch();
        slots.takeRestored();
        sessions.put(record.id(), session);
        logger.info("session restored", kv("session_id", record.id()),
            kv("environment", record.settings().environment()), kv("kept", record.kept()));
      } catch (RuntimeException e) {
        logger.error("session not restored: its workspace cannot be opened; its files and record are "
            + "left as they are", kv("session_id", record.id()), kv("reason", String.valueOf(e.getMessage())));
      }
    }
    logger.info("sessions restored", kv("open", sessions.size()), kv("kept_ended", kept),
        kv("max_sessions", slots.capacity()));
    if (slots.used() > slots.capacity()) {
      logger.warn("more sessions restored than max_sessions allows: all of them are open, and new "
          + "sessions are refused until enough of them end", kv("open", sessions.size()),
          kv("max_sessions", slots.capacity()));
    }
  }

  /** Earlier versions marked kept sessions with empty files: give each a record of its own. */
  private void adoptLegacyMarkers() {
    LegacyKeptMarkers markers = new LegacyKeptMarkers(workspaces.legacyMarkersDir());
    for (Map.Entry<String, Instant> marker : markers.all().entrySet()) {
      String id = marker.getKey();
      if (SessionIds.isValid(id) && !records.exists(id)) {
        records.write(new SessionRecord(id, new SessionSettings("bare", Map.of()), marker.getValue(), true, false));
      }
      markers.forget(id);
    }
  }
}
