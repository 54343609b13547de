package dev.bubblesandbox.cli;

/** Builds the command line, runs it and exits with its status. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.exit(RootCommand.commandLine().execute(args));
  }
}
