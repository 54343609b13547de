package dev.bubblesandbox.sandbox;

import java.nio.file.Path;
import java.util.regex.Pattern;

/** A host directory mounted at {@code /sandbox/volumes/<name>}, read-only unless writable. */
public record Volume(String name, Path hostPath, boolean writable) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  public Volume {
    validateName(name);
    hostPath = hostPath.toAbsolutePath().normalize();
  }

  /** Returns {@code name} when it can name a volume (and its directory), else throws. */
  public static String validateName(String name) {
    if (name == null || !NAME.matcher(name).matches() || name.contains("..") || name.startsWith(".")) {
      throw InvalidLaunchException.namingNoHostPath("Invalid volume name '" + name
          + "': use 1 to 64 letters, digits, '.', '_' and '-', not starting with '.' and without '..'.");
    }
    return name;
  }

  /** Where the volume appears inside the sandbox. */
  public String sandboxPath() {
    return "/sandbox/volumes/" + name;
  }

  /** Parses the CLI form {@code NAME,HOST_PATH[,rw]} (also {@code ,ro}). */
  public static Volume parse(String text) {
    String[] parts = text.split(",", -1);
    if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new InvalidLaunchException(
          "Invalid volume '" + text + "': expected NAME,HOST_PATH or NAME,HOST_PATH,rw.");
    }
    boolean writable = false;
    if (parts.length == 3) {
      writable = switch (parts[2]) {
        case "rw" -> true;
        case "ro" -> false;
        default -> throw new InvalidLaunchException(
            "Invalid volume '" + text + "': the mode must be 'rw' or 'ro', not '" + parts[2] + "'.");
      };
    }
    return new Volume(parts[0], Path.of(parts[1]), writable);
  }
}
