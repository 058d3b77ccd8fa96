package io.drrunbook.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.drrunbook.DrillContext;
import io.drrunbook.connectors.ssh.SshExecConnector;
import io.drrunbook.topology.Topology;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The lab dashboard in a real browser (Debian's headless Chromium through its chromedriver, never
 * one downloaded by Selenium Manager): it shows both sites, follows the lab live while it stays
 * open, injects and removes faults from its panel, does a console action with its button, and says so
 * when it loses the connection. Leaves screenshots in {@code target/screenshots/lab-dashboard.png}
 * and {@code lab-consoles.png}.
 */
@DrillContext
class LabDashboardTest {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOT = Path.of("target", "screenshots", "lab-dashboard.png");
  static final Path CONSOLES_SCREENSHOT = Path.of("target", "screenshots", "lab-consoles.png");
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String SITE2_MASTER_STATE =
      "[data-host='site2.cs-mgmt'] [data-component='confserv-master-pair'] .state";

  @Autowired Lab lab;
  @Autowired SshExecConnector sshExec;
  @Autowired Topology topology;
  @LocalServerPort int port;

  private ChromeDriver browser;
  private WebDriverWait wait;

  @BeforeEach
  void openDashboard() {
    requireBrowser();
    lab.reset();
    ChromeDriverService driver = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--window-size=1600,1000");
    browser = new ChromeDriver(driver, options);
    // the page replaces its elements when the lab changes: a stale element is looked up again
    wait = new WebDriverWait(browser, WAIT);
    wait.ignoring(StaleElementReferenceException.class);
    // HTTP Basic for every request of the page, its fetch calls included
    browser.executeCdpCommand("Network.enable", Map.of());
    String credentials = Base64.getEncoder().encodeToString("operator:operator".getBytes(StandardCharsets.UTF_8));
    browser.executeCdpCommand("Network.setExtraHTTPHeaders",
        Map.of("headers", Map.of("Authorization", "Basic " + credentials)));

    browser.get("http://localhost:" + port + "/lab/");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[data-site='site1'] [data-host='site1.cs-mgmt']")));
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[data-site='site2'] [data-host='site2.cs-mgmt']")));
  }

  @AfterEach
  void closeBrowser() {
    if (browser != null) {
      browser.quit();
    }
    lab.reset(); // no fault left behind for the next test class

  }

  @Test
  void shouldShowSite2MasterCsPairRunningWithoutReloadWhenItIsStartedOverSsh() throws IOException {
    Object loadId = browser.executeScript("return window.labDashboardLoadId");
    assertThat(loadId).as("marker set at page load").isNotNull();
    assertThat(text(SITE2_MASTER_STATE)).isEqualTo("STOPPED");
    // cs-mgmt, ogg, two proxies, the Info Mart server host gim, its GoldenGate host gim-ogg and its
    // Administration Console gim-admin, the Oracle Database server oracle-db (Data Guard, C5) and the
    // two OCMS nodes ocms-1 and ocms-2 (seed 003); the Avaya Oceana consoles of DC1 (seed 002: the
    // Omnichannel Database servers ocdb-active and ocdb-standby, oceana-manager, smgr,
    // engagement-designer, experience-portal, control-manager); the five BRM hosts of seed 004
    // (brm-cm, brm-dm-1, brm-dm-2, brm-rac-1, brm-rac-2); DC1's Avaya Workspaces and Communication Manager
    assertThat(browser.findElements(By.cssSelector("[data-site='site1'] .host"))).hasSize(24);
    assertThat(text("[data-site='site1'] [data-database='site1.config-db']")).contains("PRIMARY", "OPEN");
    assertThat(text("[data-site='site2'] [data-database='site2.config-db']")).contains("STANDBY", "LOCKED");
    assertThat(text("[data-record='cs-master.genesys.lab.']")).contains("127.0.1.10", "site1.cs-mgmt");
    assertThat(text("[data-direction='site1-to-site2']")).contains("RUNNING", "lag 0 s");

    // the same SSH connector a runbook step uses, against the lab's SSH server for site2.cs-mgmt
    Map<String, Object> started = sshExec.execute(Map.of(
        "host", "site2.cs-mgmt", "command", "genesys-app-start", "app", "confserv-master-pair"));
    assertThat(started).containsEntry("exitCode", 0).containsEntry("changed", true);

    wait.until(ExpectedConditions.textToBe(By.cssSelector(SITE2_MASTER_STATE), "RUNNING"));
    // check, start, verify: newest first, once the poll after the verify has rendered
    List<String> expected = List.of(
        "/opt/dr/bin/genesys-ctl status 'confserv-master-pair'",
        "/opt/dr/bin/genesys-ctl start 'confserv-master-pair'",
        "/opt/dr/bin/genesys-ctl status 'confserv-master-pair'");
    wait.until(page -> site2MgmtCommands().equals(expected));
    assertThat(browser.executeScript("return window.labDashboardLoadId")).as("no reload").isEqualTo(loadId);
    assertThat(text("[data-host='site2.cs-mgmt'] .action-counts")).contains("genesys-ctl start confserv-master-pair");
    assertThat(text("[data-host='site1.cs-mgmt'] [data-component='confserv-master-pair'] .state")).isEqualTo("RUNNING");
    assertThat(browser.findElement(By.id("connection-lost")).isDisplayed()).isFalse();
    assertThat(text("#updated")).matches("updated \\d\\d:\\d\\d:\\d\\d");

    Files.createDirectories(SCREENSHOT.getParent());
    Files.write(SCREENSHOT, browser.getScreenshotAs(OutputType.BYTES));
    assertThat(Files.size(SCREENSHOT)).isGreaterThan(10_000);
  }

  @Test
  void shouldInjectShowAndRemoveFaultWhenOperatorUsesTheFaultPanel() {
    Select type = new Select(browser.findElement(By.id("fault-type")));
    type.selectByValue("command-fails");
    browser.findElement(By.id("fault-target")).sendKeys("site2.cs-mgmt");
    browser.findElement(By.name("exitCode")).sendKeys("3");
    browser.findElement(By.name("stderr")).sendKeys("license server not reachable");
    browser.findElement(By.id("fault-add")).click();

    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[data-host='site2.cs-mgmt'].host-fault")));
    assertThat(lab.faults().list()).singleElement().satisfies(fault -> {
      assertThat(fault.target()).isEqualTo("site2.cs-mgmt");
      assertThat(fault.exitCode()).isEqualTo(3);
    });
    assertThat(text("#faults")).contains("command-fails", "site2.cs-mgmt");
    // the fault the page injected reaches the lab host: the SSH connector's start fails with it
    assertThatThrownBy(() -> sshExec.execute(Map.of(
        "host", "site2.cs-mgmt", "command", "genesys-app-start", "app", "scs-master")))
        .hasMessageContaining("license server not reachable");

    // the page redraws the list on every change: find the button again if it was replaced meanwhile
    wait.until(page -> {
      page.findElement(By.cssSelector("#faults [data-fault] button")).click();
      return true;
    });
    wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("[data-host='site2.cs-mgmt'].host-fault"), 0));
    assertThat(lab.faults().list()).isEmpty();
  }

  @Test
  void shouldTakeASiteDownAndBringItBackWhenAPersonLoggedInToCockpitUsesTheSiteButtons() {
    openDashboardLoggedInToCockpit("operator");
    browser.executeScript("window.confirm = () => true");
    wait.until(page -> {
      page.findElement(By.cssSelector("[data-site='site1'] [data-site-action='down']")).click();
      return true;
    });

    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[data-site-down='site1']")));
    assertThat(lab.sites().isDown("site1")).isTrue();
    assertThat(LabPorts.refusesConnections(topology, "site1.cs-mgmt")).isTrue();
    assertThat(text("[data-site-down='site1']")).contains("DOWN since", "operator", "databases lost");
    assertThat(text("[data-site='site1'] [data-database='site1.config-db']")).contains("LOST");
    wait.until(page -> text("[data-host='site1.cs-mgmt'] [data-component='confserv-master-pair'] .state")
        .equals("STOPPED"));
    assertThat(browser.findElements(By.cssSelector("[data-site-down='site2']"))).isEmpty();

    wait.until(page -> {
      page.findElement(By.cssSelector("[data-site='site1'] [data-site-action='up']")).click();
      return true;
    });
    wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("[data-site-down='site1']"), 0));
    assertThat(lab.sites().isDown("site1")).isFalse();
    assertThat(LabPorts.refusesConnections(topology, "site1.cs-mgmt")).isFalse();
  }

  @Test
  void shouldShowTheServersReasonWhenAFaultIsRefused() {
    new Select(browser.findElement(By.id("fault-type"))).selectByValue("command-fails");
    browser.findElement(By.id("fault-target")).sendKeys("site2.cs-mgmt");
    browser.findElement(By.id("fault-add")).click();

    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("request-problem")));
    assertThat(text("#request-problem-text")).contains("exitCode");
    assertThat(lab.faults().list()).isEmpty();
  }

  @Test
  void shouldShowConnectionLostWhenPollingFailsAndRecoverWhenItWorksAgain() {
    Object loadId = browser.executeScript("return window.labDashboardLoadId");

    network(true);
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("connection-lost")));
    assertThat(text("#connection-lost")).contains("Connection lost", "Retrying every second");
    assertThat(text("#live")).isEqualTo("connection lost");

    network(false);
    wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("connection-lost")));
    assertThat(text("#live")).isEqualTo("live");
    assertThat(browser.executeScript("return window.labDashboardLoadId")).as("no reload").isEqualTo(loadId);
  }

  @Test
  void shouldServeThePageWithScriptsOfItsOwnOriginOnlyWhenAnOperatorOpensIt() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String credentials = Base64.getEncoder().encodeToString("operator:operator".getBytes(StandardCharsets.UTF_8));

    HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/lab/"))
        .header("Authorization", "Basic " + credentials).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> withoutSlash = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/lab"))
        .header("Authorization", "Basic " + credentials).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
    assertThat(page.headers().firstValue("Content-Security-Policy"))
        .hasValue(LabDashboardController.CONTENT_SECURITY_POLICY);
    assertThat(page.body()).contains("<script src=\"dashboard.js\" defer></script>").doesNotContain("http://", "https://");
    assertThat(withoutSlash.statusCode()).isEqualTo(302);
    assertThat(withoutSlash.headers().firstValue("Location")).hasValueSatisfying(location -> assertThat(location).endsWith("/lab/"));
  }

  /** The browser goes offline (every request fails) or back online. */
  private void network(boolean offline) {
    browser.executeCdpCommand("Network.emulateNetworkConditions", Map.of(
        "offline", offline, "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1));
  }

  @Test
  void shouldSetTheDc1ClusterGroupToStandbyWhenAPersonLoggedInToCockpitClicksItsConsoleButton() throws IOException {
    openDashboardLoggedInToCockpit("oceana");
    String clusterGroup = "[data-host='site1.oceana-manager'] [data-component='cluster-group'] ";
    assertThat(browser.findElements(By.cssSelector(clusterGroup + "[data-console-action='set-active']")))
        .as("only the actions the state allows have a button").isEmpty();
    wait.until(page -> {
      page.findElement(By.cssSelector(clusterGroup + "[data-console-action='set-standby']")).click();
      return true;
    });

    wait.until(page -> text(clusterGroup + ".state").equals("STANDBY"));
    assertThat(lab.state().state("site1.oceana-manager", "cluster-group")).isEqualTo("STANDBY");
    assertThat(lab.state().actionCount("site1.oceana-manager", "console cluster-group set-standby")).isEqualTo(1);
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(clusterGroup + "[data-console-action='set-active']")));
    assertThat(text("[data-host='site1.oceana-manager'] .commands")).contains("console cluster-group set-standby by oceana");
    assertThat(browser.findElement(By.id("request-problem")).isDisplayed()).isFalse();

    // the picture of the console buttons for the README (the DC1 Oceana consoles at the top)
    browser.executeScript("arguments[0].scrollIntoView()",
        browser.findElement(By.cssSelector("[data-host='site1.ocdb-active']")));
    Files.createDirectories(CONSOLES_SCREENSHOT.getParent());
    Files.write(CONSOLES_SCREENSHOT, browser.getScreenshotAs(OutputType.BYTES));
    assertThat(Files.size(CONSOLES_SCREENSHOT)).isGreaterThan(10_000);
  }

  /**
   * No HTTP Basic: the person logs in to Cockpit, and the dashboard takes that login (its session
   * and the web apps' CSRF token for the lab writes).
   */
  private void openDashboardLoggedInToCockpit(String user) {
    browser.executeCdpCommand("Network.setExtraHTTPHeaders", Map.of("headers", Map.of()));
    browser.manage().deleteAllCookies();
    browser.get("http://localhost:" + port + "/camunda/app/cockpit/default/");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("input[ng-model='username']")))
        .sendKeys(user);
    browser.findElement(By.cssSelector("input[ng-model='password']")).sendKeys(user);
    browser.findElement(By.cssSelector("button[type='submit']")).click();
    wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("input[ng-model='username']")));
    browser.get("http://localhost:" + port + "/lab/");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[data-site='site1'] [data-host='site1.cs-mgmt']")));
  }

  /** The commands shown for site2.cs-mgmt, read in one go (the page may re-render in between). */
  @SuppressWarnings("unchecked")
  private List<String> site2MgmtCommands() {
    return (List<String>) browser.executeScript("return Array.from(document.querySelectorAll("
        + "\"[data-host='site2.cs-mgmt'] .commands .command\")).map(e => e.textContent)");
  }

  private String text(String cssSelector) {
    return browser.findElement(By.cssSelector(cssSelector)).getText();
  }

  private static void requireBrowser() {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      fail("The lab dashboard test drives " + CHROMIUM + " through " + CHROMEDRIVER
          + ", and at least one of them is missing: install the Debian packages chromium and"
          + " chromium-driver (apt-get install chromium chromium-driver); .ci/run does so.");
    }
  }
}
