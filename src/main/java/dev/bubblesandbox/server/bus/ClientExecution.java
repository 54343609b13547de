package dev.bubblesandbox.server.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * A running execution as the API holds it: its id, its end, and the commands it can send to the
 * worker that keeps it ({@link WorkerExecution}) over the event bus. Made by {@link SandboxClient}.
 */
public final class ClientExecution {

  private final Vertx vertx;
  private final String id;
  private final Future<SandboxEvents.Ended> ended;

  ClientExecution(Vertx vertx, String id, Future<SandboxEvents.Ended> ended) {
    this.vertx = vertx;
    this.id = id;
    this.ended = ended;
  }

  String id() {
    return id;
  }

  public Future<SandboxEvents.Ended> ended() {
    return ended;
  }

  /** Fails with the worker's {@code stdin_refused} when the process is not reading. */
  public Future<Void> writeStdin(String data) {
    return send(new SandboxCommands.Stdin(data));
  }

  public Future<Void> closeStdin() {
    return send(new SandboxCommands.StdinEof());
  }

  public Future<Void> kill() {
    return send(new SandboxCommands.Kill());
  }

  private Future<Void> send(Object command) {
    return vertx.eventBus().request(Addresses.control(id), command)
        .recover(failure -> Future.failedFuture(EventBusErrors.rebuild(failure))).mapEmpty();
  }
}
