package dev.bubblesandbox.session;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import dev.bubblesandbox.session.workspace.Workspaces;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;

/**
 * The store behind {@link LocalSessionService}: the live sessions in memory, shared by every API
 * verticle instance, their workspaces, and their records on disk, which bring them back after a crash or restart.
 * Each live session holds one slot of {@link SessionSlots} for its whole life. Creating, ending,
 * restoring and shutting down block (workspace mounts, records forced to disk): call them from
 * worker threads; they run one at a time, so that a workspace is never opened and removed at once.
 *
 * <p>Data goes only when a client asks (an end without {@code clear_data=false}, a throwaway
 * console's socket closing), when a session is idle too long, and at a graceful shutdown for the
 * sessions that were never kept. A crash removes nothing: every recorded session comes back.
 */
final class SessionRegistry {

  private final ConcurrentMap<String, Session> sessions = new ConcurrentHashMap<>();
  private final SessionSlots slots;
  private final Workspaces workspaces;
  private final SessionRecords records;
  /** Told of each session ending, before its workspace goes: its kernel ends with it. */
  private final Consumer<String> ending;
  /** Replaced whole by {@link #rebound}: a reloaded {@code api_keys}. */
  private volatile Map<String, Integer> tenantMaxSessions;

  /**
   * @param tenantMaxSessions the tenants whose sessions are bounded, by name
   * @param ending told the id of each session that ends, however it ends, before its workspace
   *     is closed or removed (blocking is fine: it runs where the ending does)
   */
  SessionRegistry(SessionSlots slots, Workspaces workspaces, Map<String, Integer> tenantMaxSessions,
      Consumer<String> ending) {
    this.slots = slots;
    this.ending = ending;
    this.tenantMaxSessions = Map.copyOf(tenantMaxSessions);
    this.workspaces = workspaces;
    this.records = new SessionRecords(workspaces.recordsDir());
  }

  /** Bounds each tenant's new sessions by {@code tenantMaxSessions} from now on. */
  void rebound(Map<String, Integer> newTenantMaxSessions) {
    tenantMaxSessions = Map.copyOf(newTenantMaxSessions);
  }

  public SessionSlots slots() {
    return slots;
  }

  /** The outcome of a create request. */
  public record Created(Session session, boolean isNew) {}

  /**
   * Reserves a slot, opens the workspace (finding the files of a kept session with that id) and
   * records the session, or returns the existing one with the same id and settings.
   *
   * @throws RefusedException {@code session_conflict} for the same id with other settings,
   *     {@code capacity_exhausted} when every slot is taken
   */
  public synchronized Created create(String id, SessionSettings settings) {
    Session existing = sessions.get(id);
    if (existing != null) {
      if (!existing.settings().equals(settings)) {
        throw new RefusedException(ErrorCode.SESSION_CONFLICT,
            "Session '" + id + "' exists with other settings.");
      }
      existing.touch();
      return new Created(existing, false);
    }
    // A record of an ended session is a kept one; an unreadable record counts as kept too.
    boolean recorded = records.exists(id);
    Session.Kind kind = recorded && records.read(id).map(SessionRecord::kept).orElse(true)
        ? Session.Kind.KEPT : Session.Kind.ORDINARY;
    return new Created(open(id, kind, settings, () -> {
      if (recorded) {
        workspaces.close(id);
      } else {
        workspaces.remove(id);
      }
    }), true);
  }

  /**
   * A session that is never recorded: it ends with the console socket that asked for it, and a
   * crash, which ends the socket, ends it too (the next start-up removes its files).
   *
   * @throws RefusedException {@code capacity_exhausted} when every slot is taken
   */
  public synchronized Session createThrowaway(String id, SessionSettings settings) {
    if (sessions.containsKey(id)) {
      throw new IllegalStateException("session id taken: " + id);
    }
    return open(id, Session.Kind.THROWAWAY, settings, () -> workspaces.remove(id));
  }

  private Session open(String id, Session.Kind kind, SessionSettings settings, Runnable undoOpen) {
    checkTenantBound(id);
    slots.acquire();
    try {
      Session session = new Session(id, kind, settings, workspaces.open(id), Instant.now());
      if (kind != Session.Kind.THROWAWAY) {
        try {
          records.write(record(session, kind == Session.Kind.KEPT, true));
        } catch (RuntimeException e) {
          undoOpen.run();
          throw e;
        }
      }
      sessions.put(id, session);
      return session;
    } catch (RuntimeException e) {
      slots.release();
      throw e;
    }
  }

  /** One tenant may not take every slot: its own bound, counted here under the registry's lock. */
  private void checkTenantBound(String id) {
    String tenant = Tenant.nameOf(id);
    Integer max = tenantMaxSessions.get(tenant);
    if (max != null && sessions.keySet().stream().filter(other -> Tenant.nameOf(other).equals(tenant)).count() >= max) {
      throw new RefusedException(ErrorCode.TENANT_LIMIT_REACHED,
          "This tenant holds " + max + " sessions, as many as it may; end one first.");
    }
  }

  /**
   * Ends a session and frees its slot: with {@code keep}, its record says so and its files stay
   * for a later session with the same id, across restarts too; otherwise its record and files are
   * deleted, the record first (a crash in between leaves unrecorded files, which the next
   * start-up removes, never a record without files). Nothing when it has ended already.
   */
  public synchronized void end(Session session, boolean keep) {
    if (!sessions.remove(session.id(), session)) {
      return;
    }
    slots.release();
    ending.accept(session.id());
    if (keep && session.kind() != Session.Kind.THROWAWAY) {
      records.write(record(session, true, false));
      workspaces.close(session.id());
    } else {
      records.delete(session.id());
      workspaces.remove(session.id());
    }
  }

  /**
   * The session with that id.
   *
   * @throws RefusedException {@code session_not_found}
   */
  public Session get(String id) {
    return find(id).orElseThrow(() ->
        new RefusedException(ErrorCode.SESSION_NOT_FOUND, "No session '" + id + "'."));
  }

  public Optional<Session> find(String id) {
    return Optional.ofNullable(id == null ? null : sessions.get(id));
  }

  public Collection<Session> all() {
    return List.copyOf(sessions.values());
  }

  /** Sessions idle for longer than {@code idleTimeout} and not running anything. */
  public List<Session> idleSince(Instant now, Duration idleTimeout) {
    return sessions.values().stream()
        .filter(session -> !session.busy())
        .filter(session -> session.lastActivity().plus(idleTimeout).isBefore(now))
        .toList();
  }

  /**
   * At start-up, before any request: brings back every recorded session as it was and removes
   * what has no record; see {@link SessionRestore}. Restored sessions take their slots even past
   * {@code max_sessions}.
   */
  public synchronized void restore() {
    new SessionRestore(sessions, slots, workspaces, records).run();
  }

  /**
   * At a graceful shutdown, once nothing runs: removes the sessions nobody asked to keep (records
   * and files, as a client's plain delete would), puts the workspaces of kept ones away with their
   * records (they open again at the next start), removes what has no record, and lets another
   * server have the directory.
   */
  public synchronized void shutdown() {
    try {
      for (Session session : all()) {
        if (session.kind() == Session.Kind.KEPT) {
          sessions.remove(session.id());
          slots.release();
          ending.accept(session.id());
          workspaces.close(session.id());
        } else {
          end(session, false);
        }
      }
      SessionRecords.Contents contents = records.readAll();
      Set<String> recorded = new HashSet<>();
      contents.records().forEach(record -> recorded.add(record.id()));
      contents.unreadable().forEach(unreadable -> recorded.add(unreadable.id()));
      workspaces.removeStale(recorded, Set.of());
    } finally {
      workspaces.release();
    }
  }

  private static SessionRecord record(Session session, boolean kept, boolean active) {
    return new SessionRecord(session.id(), session.settings(), session.createdAt(), kept, active);
  }
}
