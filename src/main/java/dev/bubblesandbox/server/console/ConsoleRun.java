package dev.bubblesandbox.server.console;

import dev.bubblesandbox.server.bus.ClientExecution;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** One execution of a console socket, from its {@code execute} to its {@code exit} frame. */
final class ConsoleRun {
  final String id;
  /** Null while the sandbox starts. */
  ClientExecution execution;
  /** Output that arrived before the {@code started} frame went out; null after it. */
  List<JsonObject> early = new ArrayList<>();
  boolean outputDropped;
  /** Completes once the execution has ended or could not start. */
  final Promise<Void> finished = Promise.promise();

  ConsoleRun(String id) {
    this.id = id;
  }

  boolean starting() {
    return execution == null;
  }
}
