package dev.bubblesandbox.server.console;

import dev.bubblesandbox.server.bus.ClientExecution;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** One execution of a console socket, from its {@code execute} to its {@code exit} frame. */
final class ConsoleRun {
  final String id;
  /** Null while the sandbox starts, and for a run in the session's kernel. */
  ClientExecution execution;
  /** Runs in the session's kernel (SPEC §11): no sandbox to start, to write stdin to or to kill. */
  final boolean kernel;
  /** Output that arrived before the {@code started} frame went out; null after it. */
  List<JsonObject> early = new ArrayList<>();
  boolean outputDropped;
  /** A kernel run that a {@code kill} ended (its kernel restarted). */
  boolean killed;
  /** Completes once the execution has ended or could not start. */
  final Promise<Void> finished = Promise.promise();

  ConsoleRun(String id, boolean kernel) {
    this.id = id;
    this.kernel = kernel;
  }

  boolean starting() {
    return execution == null && !kernel;
  }
}
