package dev.bubblesandbox.session;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a session is created with; two requests for one id must agree on it.
 *
 * @param volumes volume name to whether it is writable
 */
public record SessionSettings(String environment, Map<String, Boolean> volumes) {

  public SessionSettings {
    volumes = java.util.Collections.unmodifiableMap(new TreeMap<>(volumes));
  }
}
