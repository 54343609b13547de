package dev.bubblesandbox.server;

import dev.bubblesandbox.environment.EnvironmentSummary;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/** {@code GET /v1/environments}: the same view as {@code list-environments --json}. */
final class ListEnvironments {

  private ListEnvironments() {}

  static void handle(RoutingContext routing, ServerContext context) {
    context.blocking()
        .executeBlocking(() -> context.environments().list().stream().map(EnvironmentSummary::of).toList())
        .onSuccess(list -> Bodies.json(routing, 200, Map.of("environments", list)))
        .onFailure(routing::fail);
  }
}
