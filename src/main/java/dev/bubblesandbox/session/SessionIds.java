package dev.bubblesandbox.session;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/** Session ids: the ones the server makes, and the rule for the ones a client chooses. */
public final class SessionIds {

  private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern SERVER_ID = Pattern.compile("([A-Za-z0-9_-]{1,32}\\.)?[A-Za-z0-9_-]{1,64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private SessionIds() {}

  /** An unguessable id: 128 random bits. */
  public static String newId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * Checks a client-chosen id.
   *
   * @throws RefusedException {@code invalid_request} when it is not 1 to 64 letters, digits,
   *     '_' or '-'
   */
  public static String validate(String id) {
    if (!isValid(id)) {
      throw new RefusedException(ErrorCode.INVALID_REQUEST,
          "A session_id must be 1 to 64 letters, digits, '_' or '-'.");
    }
    return id;
  }

  static boolean isValid(String id) {
    return id != null && CLIENT_ID.matcher(id).matches();
  }

  /** Whether {@code id} is a server id: a client's id, under its tenant's name unless the default. */
  static boolean isValidServerId(String id) {
    return id != null && SERVER_ID.matcher(id).matches();
  }
}
