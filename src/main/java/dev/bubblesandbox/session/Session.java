package dev.bubblesandbox.session;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/** A live session: its settings, workspace, activity clock and one-execution-at-a-time flag. */
public final class Session {

  private final String id;
  private final SessionSettings settings;
  private final Path workspace;
  private final Instant createdAt;
  private volatile Instant lastActivity;
  /** An execution or a file write holds the session alone; reads may share it. */
  private boolean exclusive;
  private int readers;

  Session(String id, SessionSettings settings, Path workspace, Instant createdAt) {
    this.id = id;
    this.settings = settings;
    this.workspace = workspace;
    this.createdAt = createdAt;
    this.lastActivity = createdAt;
  }

  public String id() {
    return id;
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

  /** Whether an execution or a file write runs now. */
  public synchronized boolean busy() {
    return exclusive;
  }

  /**
   * Takes the session for an execution or a file write; false when anything else holds it. A
   * sandbox can swap files for links at any moment while it runs, so host-side file access and
   * executions never overlap.
   */
  public synchronized boolean tryBegin() {
    touch();
    if (exclusive || readers > 0) {
      return false;
    }
    exclusive = true;
    return true;
  }

  public synchronized void end() {
    touch();
    exclusive = false;
  }

  /** Takes the session for a read (listing, download); false while an execution or write runs. */
  public synchronized boolean tryBeginRead() {
    touch();
    if (exclusive) {
      return false;
    }
    readers++;
    return true;
  }

  public synchronized void endRead() {
    touch();
    readers = Math.max(0, readers - 1);
  }
}
