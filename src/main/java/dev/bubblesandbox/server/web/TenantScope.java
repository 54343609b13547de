package dev.bubblesandbox.server.web;

import dev.bubblesandbox.session.Tenant;
import io.vertx.ext.web.RoutingContext;

/**
 * The tenant a request acts for, as {@link AccessGuard} found it, and the session ids of that
 * tenant: every handler that names a session takes its id from here, so that no route can reach
 * another tenant's session.
 */
public final class TenantScope {

  private static final String KEY = "bubble-sandbox.tenant";

  private TenantScope() {}

  static void set(RoutingContext routing, Tenant tenant) {
    routing.put(KEY, tenant);
  }

  /** @throws IllegalStateException when no guard ran: a route outside {@code /v1} asked */
  public static Tenant of(RoutingContext routing) {
    Tenant tenant = routing.get(KEY);
    if (tenant == null) {
      throw new IllegalStateException("no tenant for " + routing.request().path());
    }
    return tenant;
  }

  /**
   * The server id of the session the path's {@code :id} names, for this request's tenant.
   *
   * @throws dev.bubblesandbox.RefusedException {@code session_not_found} for an id no client
   *     of this tenant could have
   */
  public static String sessionId(RoutingContext routing) {
    return of(routing).sessionId(routing.pathParam("id"));
  }
}
