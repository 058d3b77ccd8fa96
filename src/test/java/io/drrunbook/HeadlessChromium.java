package io.drrunbook;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/** Debian's headless Chromium, driven through Debian's chromedriver (never a downloaded browser). */
public final class HeadlessChromium {

  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private HeadlessChromium() {}

  /** A new browser window of {@code width} x {@code height}; fails, saying why, without the packages. */
  public static ChromeDriver open(String who, int width, int height, String... arguments) {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      fail(who + " drives " + CHROMIUM + " through " + CHROMEDRIVER + ", and at least one of them is"
          + " missing: install the Debian packages chromium and chromium-driver (apt-get install"
          + " chromium chromium-driver); .ci/run does so.");
    }
    ChromeDriverService driver = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--window-size=" + width + "," + height);
    options.addArguments(arguments);
    return new ChromeDriver(driver, options);
  }
}
