package dev.bubblesandbox.cli;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;

/** Builds the command line, runs it and exits with its status. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    Optional<Callable<Integer>> quick = QuickCommandLine.parse(args);
    System.exit(quick.isPresent() ? run(quick.get()) : RootCommand.commandLine().execute(args));
  }

  /** Runs a command the fast path parsed, failing as picocli's handlers would have. */
  private static int run(Callable<Integer> command) {
    PrintWriter err = new PrintWriter(Console.ERR, true);
    try {
      try {
        return command.call();
      } catch (Exception e) {
        return RootCommand.failure(e, err);
      }
    } catch (Exception bug) {
      bug.printStackTrace(err);
      return 1;
    }
  }
}
