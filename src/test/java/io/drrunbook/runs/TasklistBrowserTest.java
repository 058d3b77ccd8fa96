package io.drrunbook.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.drrunbook.DrillContext;
import io.drrunbook.HeadlessChromium;
import io.drrunbook.TestRuns;
import io.drrunbook.lab.Lab;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.xbill.DNS.Name;

/**
 * A person's A1 drill in the real Tasklist, in Debian's headless Chromium: an approver starts the run
 * from its start form with a ticket, cannot claim the approval of the run they started (Tasklist shows
 * the four-eyes rule and the task stays free), a second approver claims and declares the disaster, an
 * operator confirms operations restored, and the run completes with the DNS name at Site 2. Every task
 * shows the ticket in Tasklist's list and in its form's header. The picture of the last form is
 * {@code target/screenshots/tasklist-task.png}.
 */
@DrillContext
class TasklistBrowserTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String TICKET = "TL-BROWSER-1";
  private static final String GUIDED_TICKET = "TL-BROWSER-C5";
  private static final String C1_TICKET = "TL-BROWSER-C1";
  /** The README's picture of a C1 guided step (README "Rehearse the planned switchover (C1)"). */
  private static final Path C1_PICTURE = Path.of("docs/images/c1-guided-step.png");
  private static final String PROCEDURE_NAME = "Genesys Configuration Server failover to Site 2";
  private static final By START_PROCESS = By.xpath("//a[normalize-space(.)='Start process']");
  private static final Path SCREENSHOT = Path.of("target/screenshots/tasklist-task.png");

  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;
  @Autowired HistoryService history;
  @Autowired Lab lab;
  @LocalServerPort int port;

  private ChromeDriver browser;
  private WebDriverWait wait;

  @BeforeEach
  void openBrowser() {
    lab.reset();
    browser = HeadlessChromium.open("The Tasklist browser test", 1600, 1000);
    wait = new WebDriverWait(browser, WAIT);
    wait.ignoring(StaleElementReferenceException.class);
  }

  @AfterEach
  void closeBrowser() throws Exception {
    if (browser != null) {
      // what the browser showed last, for a failure's diagnosis
      Files.createDirectories(SCREENSHOT.getParent());
      Files.writeString(SCREENSHOT.resolveSibling("tasklist-last-page.html"), browser.getPageSource());
      browser.quit();
    }
    TestRuns.deleteAll(runtime, TICKET);
    TestRuns.deleteAll(runtime, GUIDED_TICKET);
    TestRuns.deleteAll(runtime, C1_TICKET);
    lab.reset();
  }

  @Test
  void shouldWorkADrillFromItsStartFormToTheEndWithTheTicketOnEveryTaskWhenPeopleUseTasklist() throws Exception {
    logIn("approver");
    click(START_PROCESS);
    chooseProcedure(PROCEDURE_NAME, By.xpath("//label[normalize-space(.)='Jira']"));
    click(By.xpath("//label[normalize-space(.)='Jira']"));
    field("Ticket number").sendKeys(TICKET);
    click(By.xpath("//label[normalize-space(.)='drill']"));
    click(By.cssSelector("button[ng-click='startProcessInstance()']"));

    ProcessInstance run = await("the run started from the form").atMost(WAIT).until(() -> runtime
        .createProcessInstanceQuery().processInstanceBusinessKey(TICKET).singleResult(), r -> r != null);
    assertThat(runtime.getVariables(run.getId())).containsEntry("ticketSystem", "jira")
        .containsEntry("ticketId", TICKET).containsEntry("runMode", "drill").containsEntry("runStartedBy", "approver");

    // the starter may not approve: the claim is refused with the rule, the task stays free
    Task declare = awaitTask(run, "UserTask_DeclareDisaster");
    openTask(declare, "Declare the disaster");
    click(By.cssSelector("button[ng-click='claim()']"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("body"),
        "Four-eyes rule: user 'approver' started this run"));
    assertThat(browser.findElement(By.cssSelector("body")).getText()).doesNotContain("ENGINE-", "TaskListener");
    assertThat(tasks.createTaskQuery().taskId(declare.getId()).singleResult().getAssignee())
        .as("the task stays claimable").isNull();

    logIn("approver2");
    openTask(declare, "Declare the disaster");
    click(By.cssSelector("button[ng-click='claim()']"));
    click(By.xpath("//label[normalize-space(.)='Yes: fail over to Site 2']"));
    field("Why (what happened at Site 1)?").sendKeys("Site 1 data center flooded (browser drill)");
    field("DR manager who decided").sendKeys("DR manager on duty");
    complete();

    Task confirm = awaitTask(run, "UserTask_ConfirmOperationsRestored");
    logIn("operator");
    openTask(confirm, "Confirm operations restored");
    click(By.cssSelector("button[ng-click='claim()']"));
    click(By.xpath("//label[contains(normalize-space(.), 'Operations are restored on Site 2')]"));
    Files.createDirectories(SCREENSHOT.getParent());
    Files.write(SCREENSHOT, browser.getScreenshotAs(OutputType.BYTES));
    complete();

    await("the run completed").atMost(WAIT).until(() -> history.createHistoricProcessInstanceQuery()
        .processInstanceId(run.getId()).singleResult().getEndTime() != null);
    assertThat(history.createHistoricProcessInstanceQuery().processInstanceId(run.getId()).singleResult().getState())
        .isEqualTo("COMPLETED");
    assertThat(lab.dns().server().addresses(Name.fromString("cs-master.genesys.lab.")))
        .extracting(InetAddress::getHostAddress).as("the name answers with Site 2").containsExactly("127.0.2.10");
  }

  /**
   * A guided manual step of C5 in the real Tasklist (issue 14): the database team member sees the
   * instructions written in the model, picks what the screen showed from the seed's values, types
   * the backup id and completes; the evidence stays with the step. The picture is
   * {@code target/screenshots/tasklist-guided-step.png}.
   */
  @Test
  void shouldShowTheInstructionsAndTakeTheEvidenceWhenAPersonWorksAGuidedStep() throws Exception {
    lab.state().set("site1.oracle-db", "database", "siteDown", true);
    ProcessInstance run = runtime.startProcessInstanceByKey("dr-oracle-dataguard-role-transition", GUIDED_TICKET,
        Map.of("mode", "failover", "primaryDb", "orcl", "standbyDb", "orcl_stby", "flashbackWindowHours", 24,
            "lagPollInterval", "PT1S", "ticketSystem", "jira", "ticketId", GUIDED_TICKET));
    Task backup = awaitTask(run, "UserTask_BackUpNewPrimary");

    claimAs("dba", backup, "Back up the new primary database", GUIDED_TICKET);
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("body"),
        "the new primary database orcl_stby at DC2"));
    String page = browser.findElement(By.cssSelector("body")).getText();
    assertThat(page).contains("Ticket jira " + GUIDED_TICKET, "seed 002 L1570-1572",
        "the backup tool reports the backup of orcl_stby COMPLETED",
        "nothing: the seed names no backup tool").doesNotContain("The runbook's check did not agree");
    click(By.cssSelector(".fjs-form-field-select .fjs-input-group"));
    List<String> options = wait.until(ExpectedConditions.visibilityOfAllElementsLocatedBy(
        By.cssSelector(".fjs-dropdownlist-item"))).stream().map(WebElement::getText).toList();
    assertThat(options).containsExactly("COMPLETED", "RUNNING", "FAILED");
    click(By.xpath("//*[contains(@class,'fjs-dropdownlist-item') and normalize-space(.)='COMPLETED']"));
    assertThat(browser.findElement(By.cssSelector("body")).getText())
        .contains("Evidence the step asks for: backup id (RMAN backup tag or the backup tool's job id)");
    wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("input[id$='Field_EvidenceValue']")))
        .sendKeys("RMAN-TAG-BROWSER-1");
    Files.createDirectories(SCREENSHOT.getParent());
    Files.write(SCREENSHOT.resolveSibling("tasklist-guided-step.png"), browser.getScreenshotAs(OutputType.BYTES));
    complete();

    Task next = awaitTask(run, "UserTask_OriginalPrimaryBack");
    assertThat(history.createHistoricVariableInstanceQuery().processInstanceId(run.getId())
        .variableName("newPrimaryBackupId").singleResult().getValue()).isEqualTo("RMAN-TAG-BROWSER-1");
    assertThat(tasks.getVariable(next.getId(), "guideFinding")).isNull();
  }

  /**
   * A guided step of C1 in the real Tasklist: the Oceana team's "Back up UCMService of DC1 Cluster 1"
   * (seed 002 chapter 6, census U1), reached by starting a C1 run at that step (the steps before it
   * are other tests' business; the task is then created in the starting transaction, as a
   * procedure's first task is, and still names its ticket and run). The page shows the ticket, the run's links, the seed's click path, the
   * screen to expect, the seed's values as options and the evidence field; the job typed as evidence
   * becomes the run's {@code ucmBackupJob}, shown in the restore step later. The picture is the README's
   * {@code docs/images/c1-guided-step.png}.
   */
  @Test
  void shouldShowTheClickPathAndTheTicketWhenTheOceanaTeamWorksAC1GuidedStep() throws Exception {
    ProcessInstance run = runtime.createProcessInstanceByKey("dr-oceana-planned-switchover")
        .businessKey(C1_TICKET).startBeforeActivity("UserTask_BackUpUcmService")
        .setVariables(Map.of("ocdbTopology", "ha", "primaryDb", "orcl", "standbyDb", "orcl_stby",
            "lagPollInterval", "PT30S", "ticketSystem", "servicenow", "ticketId", C1_TICKET, "runMode", "drill"))
        .execute();
    Task backup = awaitTask(run, "UserTask_BackUpUcmService");

    claimAs("oceana", backup, "Back up UCMService of DC1 Cluster 1", C1_TICKET);
    WebElement header = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".fjs-form-field-text")));
    wait.until(page -> header.getText().contains("Ticket servicenow " + C1_TICKET));
    assertThat(header.getText()).contains("C1 Avaya Oceana planned switchover");
    assertThat(header.findElement(By.linkText("status")).getAttribute("href")).endsWith("/api/runs/" + run.getId());
    String page = browser.findElement(By.cssSelector("body")).getText();
    assertThat(page).contains("System Manager of DC1: Elements > Avaya Breeze > Cluster Administration, Avaya Oceana Cluster 1",
        "seed 002 L1932-1959", "Backup and Restore > Backup; tick UCMService, Continue",
        "never typed into the runbook", "shows Completed for the UCMService backup",
        "nothing: the seed gives System Manager only as a web console",
        "Evidence the step asks for: the backup job (its time on the Backup and Restore Status page)")
        .doesNotContain("The runbook's check did not agree");
    click(By.cssSelector(".fjs-form-field-select .fjs-input-group"));
    List<String> options = wait.until(ExpectedConditions.visibilityOfAllElementsLocatedBy(
        By.cssSelector(".fjs-dropdownlist-item"))).stream().map(WebElement::getText).toList();
    assertThat(options).containsExactly("Completed", "Running", "Failed");
    click(By.xpath("//*[contains(@class,'fjs-dropdownlist-item') and normalize-space(.)='Completed']"));
    wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("input[id$='Field_EvidenceValue']")))
        .sendKeys("UCMService backup of 2026-12-04 06:40");
    // tall enough for the whole form: the header, the instructions, the value and the evidence
    browser.manage().window().setSize(new Dimension(1600, 1600));
    browser.executeScript("window.scrollTo(0, 0)");
    Files.createDirectories(C1_PICTURE.getParent());
    Files.write(C1_PICTURE, browser.getScreenshotAs(OutputType.BYTES));
    complete();

    await("the next steps of C1").atMost(WAIT).until(() -> tasks.createTaskQuery()
        .processInstanceBusinessKey(C1_TICKET).taskDefinitionKey("UserTask_ShutDownCommunicationManager").count() == 1);
    assertThat(runtime.getVariable(run.getId(), "ucmBackupJob")).isEqualTo("UCMService backup of 2026-12-04 06:40");
    assertThat(history.createHistoricTaskInstanceQuery().taskId(backup.getId()).singleResult().getAssignee())
        .isEqualTo("oceana");
  }

  /** Logs in as {@code user}, opens the task, which the list names with its ticket, and claims it. */
  private void claimAs(String user, Task task, String name, String ticket) {
    logIn(user);
    browser.get("http://localhost:" + port + "/camunda/app/tasklist/default/#/?task=" + task.getId());
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.xpath(
        "//li[contains(@class,'task')]//h4//a[normalize-space(.)='" + name + " · " + ticket + "']")));
    click(By.cssSelector("button[ng-click='claim()']"));
  }

  /** Logs in to Tasklist as {@code user} (password = user name), leaving any earlier session. */
  private void logIn(String user) {
    browser.manage().deleteAllCookies();
    browser.get("http://localhost:" + port + "/camunda/app/tasklist/default/");
    WebElement name = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("input[ng-model='username']")));
    name.sendKeys(user);
    browser.findElement(By.cssSelector("input[ng-model='password']")).sendKeys(user);
    browser.findElement(By.cssSelector("button[type='submit']")).click();
    wait.until(ExpectedConditions.elementToBeClickable(START_PROCESS));
  }

  /**
   * Opens the task as a person would find it: its name in the list ends with the ticket; its form's
   * header names the procedure and the ticket and links the run.
   */
  private void openTask(Task task, String name) {
    browser.get("http://localhost:" + port + "/camunda/app/tasklist/default/#/?task=" + task.getId());
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.xpath(
        "//li[contains(@class,'task')]//h4//a[normalize-space(.)='" + name + " · " + TICKET + "']")));
    WebElement header = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".fjs-form-field-text")));
    wait.until(page -> header.getText().contains("Ticket jira " + TICKET));
    assertThat(header.getText()).contains("A1 " + PROCEDURE_NAME);
    assertThat(header.findElement(By.linkText("status")).getAttribute("href")).endsWith("/api/runs/" + task.getProcessInstanceId());
  }

  private Task awaitTask(ProcessInstance run, String key) {
    return await(key).atMost(WAIT).until(() -> tasks.createTaskQuery().processInstanceId(run.getId())
        .taskDefinitionKey(key).singleResult(), t -> t != null);
  }

  /** The input of the form field labelled {@code label}. */
  private WebElement field(String label) {
    return wait.until(ExpectedConditions.elementToBeClickable(By.xpath(
        "//label[normalize-space(text()[1])='" + label + "']/following::*[self::input or self::textarea][1]")));
  }

  /**
   * Picks a procedure in Tasklist's start dialog as a person does: its name typed into the search
   * (the list has more procedures than a page shows), then its link, clicked again until its start
   * form shows {@code formReady} (the list re-renders while the search answers, and a click on the
   * element it replaced is lost).
   */
  private void chooseProcedure(String name, By formReady) {
    wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("input[placeholder='Search by process name.']")))
        .sendKeys(name);
    By link = By.xpath("//ul[contains(@class,'processes')]//a[contains(normalize-space(.),'" + name + "')]");
    wait.until(page -> {
      if (!page.findElements(formReady).isEmpty()) {
        return true;
      }
      for (WebElement candidate : page.findElements(link)) {
        try {
          if (candidate.isDisplayed()) {
            candidate.click();
          }
        } catch (WebDriverException replaced) {
          // re-rendered under the click: the next round finds the new link
        }
      }
      return false;
    });
  }

  /**
   * Clicks the element once it takes the click: Tasklist's dialogs fade in and re-render their lists
   * (the start dialog's list of procedures), so a click that lands on another element is tried again.
   */
  private void click(By element) {
    wait.ignoring(org.openqa.selenium.ElementClickInterceptedException.class)
        .ignoring(org.openqa.selenium.ElementNotInteractableException.class)
        .until(page -> {
          WebElement target = ExpectedConditions.elementToBeClickable(element).apply(page);
          if (target == null) {
            return false;
          }
          browser.executeScript("arguments[0].scrollIntoView({block: 'center'})", target);
          target.click();
          return true;
        });
  }

  private void complete() {
    // a long form (a guided step) puts the button below the fold, under Tasklist's footer
    browser.executeScript("arguments[0].scrollIntoView({block: 'center'})",
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("button[ng-click='complete()']"))));
    click(By.cssSelector("button[ng-click='complete()']"));
    wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("button[ng-click='complete()']")));
  }
}
