package io.drrunbook.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.function.Consumer;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Opens one page of the application in Debian's headless Chromium as a given user (HTTP Basic sent
 * with every request), lets the test check it, and saves a picture of its top for the README.
 */
final class PageScreenshots {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private PageScreenshots() {}

  static void capture(String url, String user, Path picture, int maxHeight, Consumer<ChromeDriver> checks)
      throws Exception {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      fail("The screenshot drives " + CHROMIUM + " through " + CHROMEDRIVER + ", and at least"
          + " one of them is missing: install the Debian packages chromium and chromium-driver.");
    }
    ChromeDriverService driver = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--window-size=1200,900", "--hide-scrollbars");
    ChromeDriver browser = new ChromeDriver(driver, options);
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
