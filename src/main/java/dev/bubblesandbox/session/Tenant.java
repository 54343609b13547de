package dev.bubblesandbox.session;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;

/**
 * Who a request acts for: the tenant its API key belongs to. A tenant's sessions are kept under
 * ids of their own ({@code team-a.report} for team-a's {@code report}), so that two tenants can
 * choose the same id, and a session of another tenant is, to a client, simply not there. The
 * default tenant (a server with no key, or the single {@code api_key}) keeps the client's id as
 * it is, as servers before tenants did, so its kept sessions come back unchanged.
 *
 * @param name 1 to 32 letters, digits, '_' or '-'
 * @param maxSessions the most sessions it may hold at once; 0 for no bound of its own
 */
public record Tenant(String name, int maxSessions) {

  public static final String DEFAULT_NAME = "default";
  public static final Tenant DEFAULT = new Tenant(DEFAULT_NAME, 0);
  /** Never in a client's id: the ids of two tenants cannot meet. */
  static final char SEPARATOR = '.';

  public boolean isDefault() {
    return name.equals(DEFAULT_NAME);
  }

  /**
   * The id the server keeps for this tenant's {@code clientId}.
   *
   * @throws RefusedException {@code session_not_found} for an id no client could have chosen
   *     (one naming another tenant's session, above all): it is not there for this tenant
   */
  public String sessionId(String clientId) {
    if (!SessionIds.isValid(clientId)) {
      throw new RefusedException(ErrorCode.SESSION_NOT_FOUND, "No such session.");
    }
    return isDefault() ? clientId : name + SEPARATOR + clientId;
  }

  /** Whether the session of server id {@code sessionId} is this tenant's. */
  public boolean owns(String sessionId) {
    return nameOf(sessionId).equals(name);
  }

  /** The id this tenant's client knows the session by. */
  public String clientId(String sessionId) {
    return isDefault() ? sessionId : sessionId.substring(name.length() + 1);
  }

  /** The name of the tenant whose session has server id {@code sessionId}. */
  public static String nameOf(String sessionId) {
    int separator = sessionId.indexOf(SEPARATOR);
    return separator < 0 ? DEFAULT_NAME : sessionId.substring(0, separator);
  }
}
