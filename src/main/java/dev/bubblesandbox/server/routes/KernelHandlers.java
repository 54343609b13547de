package dev.bubblesandbox.server.routes;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import dev.bubblesandbox.server.web.ServerContext;
import dev.bubblesandbox.server.web.TenantScope;
import dev.bubblesandbox.session.SessionInfo;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Interrupting and restarting the kernel of a kernel session (SPEC §11). */
public final class KernelHandlers {

  private static final Logger logger = LoggerFactory.getLogger(KernelHandlers.class);

  private final ServerContext context;

  public KernelHandlers(ServerContext context) {
    this.context = context;
  }

  /** {@code POST /v1/sessions/{id}/interrupt}: a {@code KeyboardInterrupt} in what runs; 204 either way. */
  public void handleInterrupt(RoutingContext routing) {
    String id = kernelSession(routing).id();
    context.kernels().interrupt(id);
    logger.info("kernel interrupted", kv("session_id", id));
    routing.response().setStatusCode(204).end();
  }

  /** {@code POST /v1/sessions/{id}/restart}: 204 once the old Python is gone. */
  public void handleRestart(RoutingContext routing) {
    String id = kernelSession(routing).id();
    context.kernels().restart(id)
        .onSuccess(done -> {
          logger.info("kernel restarted", kv("session_id", id));
          routing.response().setStatusCode(204).end();
        })
        .onFailure(routing::fail);
  }

  /**
   * The caller's session, which must be a kernel session.
   *
   * @throws RefusedException {@code session_not_found} (another tenant's too), {@code not_a_kernel}
   */
  private SessionInfo kernelSession(RoutingContext routing) {
    SessionInfo session = context.sessions().get(TenantScope.sessionId(routing));
    if (!session.kernel()) {
      throw new RefusedException(ErrorCode.NOT_A_KERNEL,
          "This session has no kernel: create it with \"kernel\": true to interrupt or restart it.");
    }
    return session;
  }
}
