package dev.bubblesandbox;

/** The version of this build, as the jar's manifest names it. */
public final class BuildVersion {

  private BuildVersion() {}

  /** The jar's Implementation-Version; {@code development} when run from classes. */
  public static String current() {
    String version = BuildVersion.class.getPackage().getImplementationVersion();
    return version == null ? "development" : version;
  }
}
