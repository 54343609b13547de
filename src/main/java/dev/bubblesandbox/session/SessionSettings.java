package dev.bubblesandbox.session;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a session is created with; two requests for one id must agree on it.
 *
 * @param volumes volume name to whether it is writable
 * @param kernel its {@code script} executions run in one Python kept alive between them (a kernel
 *     session, SPEC §11)
 */
public record SessionSettings(String environment, Map<String, Boolean> volumes, boolean kernel) {

  public SessionSettings {
    volumes = java.util.Collections.unmodifiableMap(new TreeMap<>(volumes));
  }

  /** A session without a kernel: each execution in a sandbox of its own. */
  public SessionSettings(String environment, Map<String, Boolean> volumes) {
    this(environment, volumes, false);
  }
}
