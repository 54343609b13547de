package dev.bubblesandbox.server;

import dev.bubblesandbox.ErrorCode;

import dev.bubblesandbox.sandbox.ExecutionResult;
import dev.bubblesandbox.sandbox.OutputListener;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

/** The messages between the API and the sandbox workers; they never leave this JVM. */
final class SandboxEvents {

  private SandboxEvents() {}

  /** A chunk of output, as produced. */
  record Output(OutputListener.Stream stream, String text) {}

  /** The end of an execution; {@code killed} when a kill request ended it. */
  record Ended(ExecutionResult result, boolean killed) {}

  /**
   * The execution failed; the sandbox is gone. {@code code} names a known failure (the sandbox
   * could not be started), null an unexpected one of the watcher.
   */
  record Failed(ErrorCode code, String message) {}

  /** Text for the process's stdin. */
  record Stdin(String data) {}

  /** Close the process's stdin. */
  record StdinEof() {}

  /** Kill the execution. */
  record Kill() {}

  /** Registers a pass-by-reference codec for each message type and the launch spec. */
  static void registerCodecs(EventBus eventBus) {
    for (Class<?> type : new Class<?>[] {Output.class, Ended.class, Failed.class, Stdin.class, StdinEof.class,
        Kill.class, dev.bubblesandbox.sandbox.LaunchSpec.class}) {
      register(eventBus, type);
    }
  }

  private static <T> void register(EventBus eventBus, Class<T> type) {
    eventBus.registerDefaultCodec(type, new LocalCodec<>(type));
  }

  /** Immutable records travel by reference; they cannot be sent to another node. */
  private record LocalCodec<T>(Class<T> type) implements MessageCodec<T, T> {
    @Override
    public void encodeToWire(Buffer buffer, T message) {
      throw new UnsupportedOperationException("local only: " + type.getName());
    }

    @Override
    public T decodeFromWire(int position, Buffer buffer) {
      throw new UnsupportedOperationException("local only: " + type.getName());
    }

    @Override
    public T transform(T message) {
      return message;
    }

    @Override
    public String name() {
      return "local-" + type.getName();
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
