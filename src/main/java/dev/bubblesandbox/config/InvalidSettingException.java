package dev.bubblesandbox.config;

import dev.bubblesandbox.BubbleSandboxException;

/** A configuration value that cannot be used; the message names the setting and its variable. */
public final class InvalidSettingException extends BubbleSandboxException {

  public InvalidSettingException(String message) {
    super(message);
  }

  @Override
  public String code() {
    return "invalid_setting";
  }
}
