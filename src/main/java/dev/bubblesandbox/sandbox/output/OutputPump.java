package dev.bubblesandbox.sandbox.output;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Reads one output stream of a sandbox to its end: keeps what {@link OutputCapture} keeps and
 * hands each decoded chunk to the execution's {@link OutputListener}. Pumps run on a pool shared
 * by all executions (the {@code sandbox-output} threads of {@code SandboxThreads}): its threads
 * are reused, none is made per execution.
 */
public final class OutputPump {

  private OutputPump() {}

  /** Starts pumping {@code in} on one of {@code pumps}; done at end-of-file or when {@code in} closes. */
  public static Future<?> start(ExecutorService pumps, InputStream in, OutputCapture capture,
      OutputListener.Stream stream, OutputListener listener) {
    return pumps.submit(() -> run(in, capture, stream, listener));
  }

  /** Pumps {@code in} on this thread until end-of-file or until {@code in} closes. */
  static void run(InputStream in, OutputCapture capture, OutputListener.Stream stream,
      OutputListener listener) {
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
  }

  private static void deliver(OutputListener listener, OutputListener.Stream stream, String text) {
    if (!text.isEmpty()) {
      listener.onOutput(stream, text);
    }
  }
}
