package dev.bubblesandbox.config;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ErrorCode;

/** A configuration value that cannot be used; the message names the setting and its variable. */
public final class InvalidSettingException extends BubbleSandboxException {

  public InvalidSettingException(String message) {
    super(ErrorCode.INVALID_SETTING, message);
  }
}
