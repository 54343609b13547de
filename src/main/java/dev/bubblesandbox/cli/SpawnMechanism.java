package dev.bubblesandbox.cli;

/**
 * How this JVM starts processes. Java 17 on Linux starts each through posix_spawn of its
 * {@code jspawnhelper} program, which then execs the command: one exec more per sandbox, paid in
 * machine CPU on every launch, than vfork and exec. VFORK is deprecated from Java 25
 * and removed after it, so it is chosen only before 25, and never over a mechanism set with
 * {@code -Djdk.lang.Process.launchMechanism}.
 */
public final class SpawnMechanism {

  private static final String PROPERTY = "jdk.lang.Process.launchMechanism";

  private SpawnMechanism() {}

  /** Call before the first process starts: the JDK reads the setting once. */
  public static void preferVfork() {
    if (Runtime.version().feature() < 25 && System.getProperty(PROPERTY) == null
        && System.getProperty("os.name", "").startsWith("Linux")) {
      System.setProperty(PROPERTY, "VFORK");
    }
  }
}
