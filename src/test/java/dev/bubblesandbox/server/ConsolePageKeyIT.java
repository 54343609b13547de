package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/** The console page against a server with an API key: it works once the key is entered, not before. */
class ConsolePageKeyIT {

  private static final String KEY = "page-key-0123456789-abcdef";

  @RegisterExtension
  static final TestServer server = TestServer.perClass(Map.of("api_key", KEY));

  @Test
  @DisplayName("Without the key the page says so and runs fail clearly; with it, runs work; the key is kept nowhere")
  void needsTheKey() throws Exception {
    try (Browser browser = new Browser()) {
      // The page itself is served without the key; the API it calls is not.
      assertThat(server.get("/").statusCode()).isEqualTo(200);
      assertThat(server.get("/v1/environments").statusCode()).isEqualTo(401);

      browser.driver.get(server.uri("/").toString());
      browser.until(d -> browser.text("message").contains("API key") ? true : null);
      WebElement keyField = browser.byTestId("api-key");
      assertThat(keyField.isDisplayed()).isTrue();
      assertThat(browser.text("status")).isEqualTo("unauthorized");

      WebElement code = browser.byTestId("code");
      code.clear();
      code.sendKeys("print(6 * 7)");
      browser.byTestId("run").click();
      assertThat(browser.untilStatusContains("failed")).contains("unauthorized");
      assertThat(browser.text("output")).isEmpty();
      browser.screenshot("10-key-missing");

      keyField.sendKeys("wrong-key-0123456789abc", Keys.TAB);
      browser.until(d -> browser.text("message").contains("refused") ? true : null);

      keyField.clear();
      keyField.sendKeys(KEY, Keys.TAB);
      browser.until(d -> new Select(browser.byTestId("environment")).getOptions().size() > 1);
      assertThat(browser.text("message")).isEmpty();
      browser.byTestId("run").click();
      browser.untilStatusContains("exit 0");
      assertThat(browser.text("output")).isEqualTo("42");

      browser.byTestId("new-session").click();
      String sessionId = browser.until(d -> browser.text("session-id").isEmpty() ? null : browser.text("session-id"));
      browser.byTestId("run").click();
      browser.untilStatusContains("exit 0");
      assertThat(browser.text("output")).isEqualTo("42");
      browser.screenshot("11-key-entered");

      assertThat(browser.driver.getCurrentUrl()).doesNotContain(KEY).endsWith("#session=" + sessionId);
      assertThat(browser.driver.executeScript("return localStorage.length + sessionStorage.length")).isEqualTo(0L);
    }
  }

  @Test
  @DisplayName("On a phone the key field and its message fit the width: shown, no sideways scroll")
  void keyFieldFitsAPhone() throws Exception {
    try (Browser browser = new Browser()) {
      browser.viewport(360, 740);
      browser.driver.get(server.uri("/").toString());
      browser.until(d -> browser.text("message").contains("API key") ? true : null);
      // The kernel's buttons show only in a kernel session.
      assertThat(browser.layoutProblems()).containsExactly("hidden: interrupt", "hidden: restart");
      assertThat(browser.byTestId("api-key").isDisplayed()).isTrue();
    }
  }
}
