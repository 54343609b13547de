package dev.bubblesandbox.session;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * A live session: its settings, workspace, activity clock and the lease rules (one execution at
 * a time, file operations side by side, never both). Only {@link LocalSessionService} takes and
 * releases it; everyone else sees a {@link SessionInfo} or holds a {@link SessionLease}.
 */
final class Session {

  /** What becomes of the session's data when it does not end through a client. */
  public enum Kind {
    /** Recorded on disk: it survives a crash; a graceful shutdown removes it. */
    ORDINARY,
    /** Recorded, and the client asked once to keep its data: it survives crashes and shutdowns. */
    KEPT,
    /** Not recorded: it ends with the console socket that made it, and a crash ends that too. */
    THROWAWAY
  }

  private final String id;
  private final Kind kind;
  private final SessionSettings settings;
  private final Path workspace;
  private final Instant createdAt;
  private volatile Instant lastActivity;
  /** An execution holds the session alone; host-side file operations may share it. */
  private boolean executing;
  private int fileOperations;

  Session(String id, Kind kind, SessionSettings settings, Path workspace, Instant createdAt) {
    this.id = id;
    this.kind = kind;
    this.settings = settings;
    this.workspace = workspace;
    this.createdAt = createdAt;
    this.lastActivity = createdAt;
  }

  public String id() {
    return id;
  }

  public Kind kind() {
    return kind;
  }

  public SessionSettings settings() {
    return settings;
  }

  public String environment() {
    return settings.environment();
  }

  public Map<String, Boolean> volumes() {
    return settings.volumes();
  }

  public Path workspace() {
    return workspace;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Instant lastActivity() {
    return lastActivity;
  }

  public void touch() {
    lastActivity = Instant.now();
  }

  /** Whether an execution runs now. */
  public synchronized boolean busy() {
    return executing;
  }

  /**
   * Takes the session for an execution; false when an execution or a file operation holds it.
   * A sandbox can swap files for links at any moment while it runs, so host-side file access and
   * executions never overlap.
   */
  public synchronized boolean tryBegin() {
    touch();
    if (executing || fileOperations > 0) {
      return false;
    }
    executing = true;
    return true;
  }

  public synchronized void end() {
    touch();
    executing = false;
  }

  /**
   * Takes the session for a host-side file operation (they may run side by side: each places
   * files atomically); false while an execution runs.
   */
  public synchronized boolean tryBeginFileOperation() {
    touch();
    if (executing) {
      return false;
    }
    fileOperations++;
    return true;
  }

  public synchronized void endFileOperation() {
    touch();
    fileOperations = Math.max(0, fileOperations - 1);
  }
}
