package dev.bubblesandbox.sandbox;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs the readiness check of {@code doctor} and the server: can this host start a sandbox? */
final class BwrapProbe {

  private BwrapProbe() {}

  /** Runs {@code command} ({@link LaunchCommand#probe}); why it failed, or empty when it works. */
  static Optional<String> run(List<String> command) {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().clear();
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return Optional.of("bwrap did not finish within 10 s");
      }
      String output = new String(process.getInputStream().readAllBytes()).strip();
      return process.exitValue() == 0 ? Optional.empty()
          : Optional.of("bwrap failed (exit " + process.exitValue() + "): " + output);
    } catch (IOException e) {
      return Optional.of("cannot start bwrap: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    }
  }
}
