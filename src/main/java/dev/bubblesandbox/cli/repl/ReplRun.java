package dev.bubblesandbox.cli.repl;

import dev.bubblesandbox.sandbox.SandboxRunner;
import dev.bubblesandbox.sandbox.kernel.SessionKernel;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jline.terminal.Terminal;

/**
 * What one repl holds, and its end: the kernel (its Python, sandbox and group), the runner's
 * groups and private files, the work directory and the terminal's settings. {@link #end} undoes
 * them in that order, once, whether the repl ends on Ctrl-D or the JVM is stopped by SIGTERM or
 * SIGHUP (a shutdown hook): the work directory is removed or given back only when no kernel
 * process is left to write in it.
 */
final class ReplRun {

  private final SandboxRunner runner;
  private final Thread hook = new Thread(this::endQuietly, "bubble-sandbox-repl-shutdown");
  /** Runs the kernel's executions, so that the repl's thread can watch the keyboard meanwhile. */
  private final ExecutorService executor = Executors.newSingleThreadExecutor(task -> {
    Thread thread = new Thread(task, "bubble-sandbox-repl-kernel");
    thread.setDaemon(true);
    return thread;
  });
  private ReplWorkDir workDir;
  private SessionKernel kernel;
  private Terminal terminal;
  private boolean ended;

  ReplRun(SandboxRunner runner) {
    this.runner = runner;
    Runtime.getRuntime().addShutdownHook(hook);
  }

  synchronized ReplWorkDir workDir(ReplWorkDir dir) {
    this.workDir = dir;
    return dir;
  }

  synchronized SessionKernel kernel(SessionKernel opened) {
    this.kernel = opened;
    return opened;
  }

  synchronized Terminal terminal(Terminal built) {
    this.terminal = built;
    return built;
  }

  ExecutorService executor() {
    return executor;
  }

  /** Closes the kernel, then the runner, then the work directory, then the terminal; once. */
  synchronized void end() throws InterruptedException, IOException {
    if (ended) {
      return;
    }
    ended = true;
    try {
      if (kernel != null) {
        kernel.close();
      }
      executor.shutdownNow();
      runner.close();
      if (workDir != null) {
        workDir.end();
      }
    } finally {
      if (terminal != null) {
        // restores the settings the terminal had before the repl (echo, line editing, ISIG)
        terminal.close();
      }
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down: this is the hook
      }
    }
  }

  private void endQuietly() {
    try {
      end();
    } catch (InterruptedException | IOException | RuntimeException e) {
      new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8)
          .println("error: cleaning up after the repl: " + e.getMessage());
    }
  }
}
