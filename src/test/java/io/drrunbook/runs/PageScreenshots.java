package io.drrunbook.runs;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.HeadlessChromium;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.function.Consumer;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Opens one page of the application in Debian's headless Chromium as a given user (HTTP Basic sent
 * with every request), lets the test check it, and saves a picture of its top for the README.
 */
final class PageScreenshots {

  private PageScreenshots() {}

  static void capture(String url, String user, Path picture, int maxHeight, Consumer<ChromeDriver> checks)
      throws Exception {
    ChromeDriver browser = HeadlessChromium.open("The screenshot", 1200, 900, "--hide-scrollbars");
    try {
      browser.executeCdpCommand("Network.enable", Map.of());
      String credentials = Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8));
      browser.executeCdpCommand("Network.setExtraHTTPHeaders",
          Map.of("headers", Map.of("Authorization", "Basic " + credentials)));
      browser.get(url);
      checks.accept(browser);
      long height = (Long) browser.executeScript("return document.documentElement.scrollHeight");
      browser.manage().window().setSize(new Dimension(1200, (int) Math.min(height + 40, maxHeight)));
      Files.createDirectories(picture.getParent());
      Files.write(picture, browser.getScreenshotAs(OutputType.BYTES));
    } finally {
      browser.quit();
    }
    assertThat(Files.size(picture)).isGreaterThan(10_000);
  }
}
