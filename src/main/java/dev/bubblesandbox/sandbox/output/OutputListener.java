package dev.bubblesandbox.sandbox.output;

/** Receives a sandbox's output as it is produced, from the stream's own pump thread. */
@FunctionalInterface
public interface OutputListener {

  /** Which stream a chunk came from. */
  enum Stream {
    STDOUT,
    STDERR
  }

  /** A chunk of decoded text; never empty. Called from one thread per stream. */
  void onOutput(Stream stream, String text);

  OutputListener NONE = (stream, text) -> { };
}
