package dev.bubblesandbox.server.bus;

import dev.bubblesandbox.sandbox.LaunchSpec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

/** Event-bus codecs for the messages between the API and the sandbox workers. */
public final class LocalCodecs {

  private LocalCodecs() {}

  /** Registers a pass-by-reference codec for each message type and the launch spec. */
  public static void register(EventBus eventBus) {
    for (Class<?> type : new Class<?>[] {SandboxEvents.Output.class, SandboxEvents.Ended.class,
        SandboxEvents.Failed.class, SandboxCommands.Stdin.class, SandboxCommands.StdinEof.class,
        SandboxCommands.Kill.class, SandboxCommands.Launch.class, LaunchSpec.class}) {
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
