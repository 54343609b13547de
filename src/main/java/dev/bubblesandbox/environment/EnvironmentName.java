package dev.bubblesandbox.environment;

import java.util.regex.Pattern;

/** Validates environment names so that a name can never resolve outside its directory. */
public final class EnvironmentName {

  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private EnvironmentName() {}

  /** Returns {@code name} when it is a valid environment name, else throws. */
  public static String validate(String name) {
    if (name == null || !VALID.matcher(name).matches() || name.contains("..") || name.startsWith(".")) {
      throw new InvalidEnvironmentNameException(
          "Invalid environment name '" + name + "': use letters, digits, '.', '_' and '-' "
              + "(at most 64, not starting with '.' and without '..').");
    }
    return name;
  }
}
