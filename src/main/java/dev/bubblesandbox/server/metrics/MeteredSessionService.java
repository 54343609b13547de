package dev.bubblesandbox.server.metrics;

import dev.bubblesandbox.session.OneShotSlot;
import dev.bubblesandbox.session.SessionInfo;
import dev.bubblesandbox.session.SessionLease;
import dev.bubblesandbox.session.SessionService;
import dev.bubblesandbox.session.SessionSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The session service, counting the sessions it creates and ends: {@code
 * bubble_sandbox_sessions_started_total} and {@code bubble_sandbox_sessions_ended_total{reason}},
 * every reason at zero from start-up. (Not {@code _created_total}: Prometheus reserves the
 * {@code _created} suffix, and its client strips it.) Wrapping the service (local or clustered) counts every way
 * a session comes and goes, whichever route or timer asked.
 */
public final class MeteredSessionService implements SessionService {

  /** Why a session ended, as the {@code reason} label says it. */
  enum EndReason {
    /** {@code DELETE /v1/sessions/{id}}. */
    CLIENT,
    /** Idle past {@code session_idle_timeout_seconds}. */
    IDLE,
    /** A console's own session, ended with its socket. */
    THROWAWAY,
    /** Still open when the server stopped (kept ones come back at the next start). */
    SHUTDOWN
  }

  private final SessionService sessions;
  private final Counter created;
  private final Map<EndReason, Counter> ended = new EnumMap<>(EndReason.class);

  public MeteredSessionService(SessionService sessions, MeterRegistry registry) {
    this.sessions = sessions;
    this.created = Counter.builder("bubble_sandbox_sessions_started")
        .description("Sessions created (console sessions included), kept ones coming back not counted")
        .register(registry);
    for (EndReason reason : EndReason.values()) {
      ended.put(reason, Counter.builder("bubble_sandbox_sessions_ended")
          .description("Sessions ended, by reason (client, idle, throwaway, shutdown)")
          .tag("reason", reason.name().toLowerCase(Locale.ROOT))
          .register(registry));
    }
  }

  @Override
  public void rebound(int maxSessions, Map<String, Integer> tenantMaxSessions) {
    sessions.rebound(maxSessions, tenantMaxSessions);
  }

  @Override
  public Created create(String id, SessionSettings settings) {
    Created session = sessions.create(id, settings);
    if (session.isNew()) {
      created.increment();
    }
    return session;
  }

  @Override
  public SessionInfo createThrowaway(String id, SessionSettings settings) {
    SessionInfo session = sessions.createThrowaway(id, settings);
    created.increment();
    return session;
  }

  @Override
  public SessionInfo get(String id) {
    return sessions.get(id);
  }

  @Override
  public List<SessionInfo> all() {
    return sessions.all();
  }

  @Override
  public SessionLease leaseExecution(String id) {
    return sessions.leaseExecution(id);
  }

  @Override
  public SessionLease leaseFiles(String id) {
    return sessions.leaseFiles(id);
  }

  @Override
  public void checkFilesAvailable(String id) {
    sessions.checkFilesAvailable(id);
  }

  @Override
  public void end(String id, boolean keep) {
    sessions.end(id, keep);
    ended.get(EndReason.CLIENT).increment();
  }

  @Override
  public void endThrowaway(String id) {
    sessions.endThrowaway(id);
    ended.get(EndReason.THROWAWAY).increment();
  }

  @Override
  public List<String> reapIdle(Instant now, Duration idleTimeout) {
    List<String> reaped = sessions.reapIdle(now, idleTimeout);
    ended.get(EndReason.IDLE).increment(reaped.size());
    return reaped;
  }

  @Override
  public OneShotSlot takeOneShotSlot() {
    return sessions.takeOneShotSlot();
  }

  @Override
  public int capacity() {
    return sessions.capacity();
  }

  @Override
  public int slotsUsed() {
    return sessions.slotsUsed();
  }

  @Override
  public void restore() {
    sessions.restore();
  }

  @Override
  public void shutdown() {
    int open = sessions.all().size();
    sessions.shutdown();
    ended.get(EndReason.SHUTDOWN).increment(open);
  }
}
