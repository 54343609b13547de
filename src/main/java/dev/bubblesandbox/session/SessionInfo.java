package dev.bubblesandbox.session;

import java.time.Instant;
import java.util.Map;

/**
 * What a client may read about a session, taken at one moment: a copy that changes nothing
 * when read, and that a cluster-wide {@link SessionService} can make for a session on another node.
 *
 * @param busy whether an execution holds the session now
 */
public record SessionInfo(String id, SessionSettings settings, Instant createdAt, Instant lastActivity,
    boolean busy) {

  public String environment() {
    return settings.environment();
  }

  public Map<String, Boolean> volumes() {
    return settings.volumes();
  }

  /** Whether its {@code script} executions run in a kernel kept alive between them. */
  public boolean kernel() {
    return settings.kernel();
  }
}
