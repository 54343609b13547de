package dev.bubblesandbox;

import dev.bubblesandbox.cli.RootCommand;

/** Builds the command line, runs it and exits with its status. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.exit(RootCommand.commandLine().execute(args));
  }
}
