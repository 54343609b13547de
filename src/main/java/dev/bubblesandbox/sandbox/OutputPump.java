package dev.bubblesandbox.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * A thread that reads one output stream of a sandbox to its end: keeps what {@link OutputCapture}
 * keeps and hands each decoded chunk to the execution's {@link OutputListener}.
 */
final class OutputPump {

  private OutputPump() {}

  /** Starts pumping {@code in}; the returned thread ends at end-of-file or when {@code in} closes. */
  static Thread start(InputStream in, OutputCapture capture, OutputListener.Stream stream,
      OutputListener listener, String executionId) {
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try {
        int read;
        while ((read = in.read(buffer)) != -1) {
          // Past the cap the stream is still drained, so a flooding process never blocks on a
          // full pipe and ends normally.
          deliver(listener, stream, capture.accept(buffer, read));
        }
      } catch (IOException e) {
        // the stream was closed after bwrap exited: what was read is kept
      }
      deliver(listener, stream, capture.finish());
    }, "sandbox-" + executionId + "-" + stream.name().toLowerCase(Locale.ROOT));
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static void deliver(OutputListener listener, OutputListener.Stream stream, String text) {
    if (!text.isEmpty()) {
      listener.onOutput(stream, text);
    }
  }
}
