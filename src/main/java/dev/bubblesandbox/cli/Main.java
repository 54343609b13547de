package dev.bubblesandbox.cli;


/**
 * Builds the command line, runs it and exits with its status: a plain run command line through
 * the fast path, without picocli's start-up; everything else through picocli.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    SpawnMechanism.preferVfork();
    System.exit(QuickCommandLine.parse(args).map(QuickCommandLine::run)
        .orElseGet(() -> RootCommand.commandLine().execute(args)));
  }
}
