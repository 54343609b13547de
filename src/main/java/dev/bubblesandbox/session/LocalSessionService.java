package dev.bubblesandbox.session;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.bubblesandbox.session.workspace.Workspaces;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions of this server: in memory, shared by every API verticle instance, with their
 * workspaces and their records on disk ({@link SessionRegistry}). The lease rules live in
 * {@link Session}; this class is where they are taken and where a refusal is raised.
 */
public final class LocalSessionService implements SessionService {

  private static final Logger logger = LoggerFactory.getLogger(LocalSessionService.class);

  private final SessionRegistry registry;

  /** Sessions and one-shot executions together are bounded by {@code maxSessions}. */
  public LocalSessionService(int maxSessions, Workspaces workspaces) {
    this(maxSessions, workspaces, Map.of());
  }

  /**
   * @param tenantMaxSessions the most sessions each bounded tenant may hold at once, by name;
   *     a tenant over it is refused with {@code tenant_limit_reached}
   */
  public LocalSessionService(int maxSessions, Workspaces workspaces, Map<String, Integer> tenantMaxSessions) {
    this(maxSessions, workspaces, tenantMaxSessions, id -> { });
  }

  /**
   * @param ending told the id of each session that ends (a client's end, idle, a throwaway's
   *     socket, the server stopping), before its workspace is closed or removed: what lives
   *     beside the session (its kernel) ends with it
   */
  public LocalSessionService(int maxSessions, Workspaces workspaces, Map<String, Integer> tenantMaxSessions,
      Consumer<String> ending) {
    this.registry = new SessionRegistry(new SessionSlots(maxSessions), workspaces, tenantMaxSessions, ending);
  }

  @Override
  public void rebound(int maxSessions, Map<String, Integer> tenantMaxSessions) {
    registry.slots().resize(maxSessions);
    registry.rebound(tenantMaxSessions);
  }

  @Override
  public Created create(String id, SessionSettings settings) {
    SessionRegistry.Created created = registry.create(id, settings);
    return new Created(info(created.session()), created.isNew());
  }

  @Override
  public SessionInfo createThrowaway(String id, SessionSettings settings) {
    return info(registry.createThrowaway(id, settings));
  }

  @Override
  public SessionInfo get(String id) {
    return info(registry.get(id));
  }

  @Override
  public List<SessionInfo> all() {
    return registry.all().stream().map(LocalSessionService::info).toList();
  }

  @Override
  public SessionLease leaseExecution(String id) {
    Session session = registry.get(id);
    if (!session.tryBegin()) {
      throw new SessionBusyException(id);
    }
    return new Lease(session, session::end);
  }

  @Override
  public SessionLease leaseFiles(String id) {
    Session session = registry.get(id);
    if (!session.tryBeginFileOperation()) {
      throw new SessionBusyException(id);
    }
    return new Lease(session, session::endFileOperation);
  }

  @Override
  public void checkFilesAvailable(String id) {
    if (registry.get(id).busy()) {
      throw new SessionBusyException(id);
    }
  }

  @Override
  public void end(String id, boolean keep) {
    Session session = registry.get(id);
    // Held to the end: the session is gone once ended, so nothing may take it in between.
    if (!session.tryBegin()) {
      throw new SessionBusyException(id);
    }
    registry.end(session, keep);
  }

  @Override
  public void endThrowaway(String id) {
    registry.find(id).ifPresent(session -> registry.end(session, false));
  }

  @Override
  public List<String> reapIdle(Instant now, Duration idleTimeout) {
    List<String> ended = new ArrayList<>();
    for (Session session : registry.idleSince(now, idleTimeout)) {
      // Taken as for a client's end: one that an execution or a file operation took since stays.
      if (!session.tryBegin()) {
        continue;
      }
      boolean removed = true;
      try {
        registry.end(session, false);
      } catch (RuntimeException e) {
        removed = false;
        logger.error("idle session: removing its data failed", kv("session_id", session.id()), e);
      }
      ended.add(session.id());
      logger.info("idle session ended", kv("session_id", session.id()), kv("data_removed", removed));
    }
    return ended;
  }

  @Override
  public OneShotSlot takeOneShotSlot() {
    SessionSlots slots = registry.slots();
    slots.acquire();
    AtomicBoolean held = new AtomicBoolean(true);
    return () -> {
      if (held.compareAndSet(true, false)) {
        slots.release();
      }
    };
  }

  @Override
  public int capacity() {
    return registry.slots().capacity();
  }

  @Override
  public int slotsUsed() {
    return registry.slots().used();
  }

  @Override
  public void restore() {
    registry.restore();
  }

  @Override
  public void shutdown() {
    registry.shutdown();
  }

  private static SessionInfo info(Session session) {
    return new SessionInfo(session.id(), session.settings(), session.createdAt(), session.lastActivity(),
        session.busy());
  }

  /** A lease on one live session; the release runs once, however often it is closed. */
  private static final class Lease implements SessionLease {
    private final Session session;
    private final Runnable release;
    private final AtomicBoolean open = new AtomicBoolean(true);

    Lease(Session session, Runnable release) {
      this.session = session;
      this.release = release;
    }

    @Override
    public String sessionId() {
      return session.id();
    }

    @Override
    public SessionSettings settings() {
      return session.settings();
    }

    @Override
    public Path workspace() {
      return session.workspace();
    }

    @Override
    public void close() {
      if (open.compareAndSet(true, false)) {
        release.run();
      }
    }
  }
}
