package io.drrunbook.connectors.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;

/**
 * config/commands.yaml bound the way @ConfigurationProperties binds it (Spring Boot's Binder, no
 * context), checked against the output formats of the lab's scripts.
 */
class CommandCatalogTest {

  private static CommandCatalog catalog;

  @BeforeAll
  static void bindCommandsYaml() throws Exception {
    List<PropertySource<?>> sources = new YamlPropertySourceLoader()
        .load("commands.yaml", new ClassPathResource("config/commands.yaml"));
    Binder binder = new Binder(ConfigurationPropertySources.from(sources));
    catalog = binder.bind("dr.commands", Bindable.ofInstance(new CommandCatalog())).get();
  }

  @Test
  void shouldHoldTheCommandsOfA1AndA2WhenCommandsYamlIsBound() {
    assertThat(catalog).containsOnlyKeys("replication-stop", "genesys-app-start",
        "cs-proxy-switchover", "name-resolution-check", "cs-proxy-status-check",
        "replication-start", "replication-in-sync-check", "genesys-app-stop");
    assertThat(catalog.problems()).isEmpty();
  }

  @Test
  void shouldBindEveryFieldWhenAnEntryUsesThemAll() {
    CommandSpec spec = catalog.command("replication-stop");

    assertThat(spec.run()).isEqualTo("/opt/dr/bin/dr-replication stop {direction}");
    assertThat(spec.check()).isEqualTo("/opt/dr/bin/dr-replication status {direction}");
    assertThat(spec.checkDone()).isEqualTo("(?m)^{direction} STOPPED$");
    assertThat(spec.verify()).isEqualTo(spec.check());
    assertThat(spec.verifyExpect()).isEqualTo(spec.checkDone());
    assertThat(spec.timeout()).isEqualTo(Duration.ofSeconds(120));
    assertThat(spec.preconditionExitCodes()).isEmpty();
  }

  @Test
  void shouldBindThePromptsAndTheirAnswersWhenCommandsOcmsYamlIsBound() throws Exception {
    List<PropertySource<?>> sources = new YamlPropertySourceLoader()
        .load("commands-ocms.yaml", new ClassPathResource("config/commands-ocms.yaml"));
    CommandCatalog ocms = new Binder(ConfigurationPropertySources.from(sources))
        .bind("dr.commands", Bindable.ofInstance(new CommandCatalog())).get();

    CommandSpec duplicate = ocms.command("timesten-duplicate-datastore");
    assertThat(ocms.problems()).isEmpty();
    assertThat(duplicate.interactive()).isTrue();
    assertThat(duplicate.promptTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(duplicate.prompts()).containsExactly(
        new PromptSpec("domain name of the first computer: $", "{sourceFqdn}", null),
        new PromptSpec("domain name of this computer: $", "{targetFqdn}", null),
        new PromptSpec("TimesTen user name: $", "{ttUser}", null),
        new PromptSpec("password of the TimesTen user: $", null, "timesten-password"));
    assertThat(ocms.command("timesten-create-replication").prompts()).hasSize(1);
  }

  @Test
  void shouldNameTheProblemWhenAPromptIsMalformed() {
    CommandSpec spec = new CommandSpec(null, null, null, "true", ".", null, null, List.of(
        new PromptSpec("user: $", "{user}", "user-secret"), new PromptSpec("(unclosed", "x", null),
        new PromptSpec(null, null, null)), Duration.ZERO);

    assertThat(spec.problems("dialog")).contains(
        "dr.commands.dialog has prompts but no run",
        "dr.commands.dialog.prompt-timeout must be positive, got PT0S",
        "dr.commands.dialog.prompts[0] needs exactly one of answer and secret",
        "dr.commands.dialog.prompts[2] has no expect",
        "dr.commands.dialog.prompts[2] needs exactly one of answer and secret")
        .anyMatch(problem -> problem.startsWith(
            "dr.commands.dialog.prompts[1].expect is not a valid regular expression"));
  }

  @Test
  void shouldBeVerifyOnlyWhenAnEntryHasNoRun() {
    assertThat(catalog.command("name-resolution-check").verifyOnly()).isTrue();
    assertThat(catalog.command("cs-proxy-status-check").verifyOnly()).isTrue();
    assertThat(catalog.command("cs-proxy-switchover").verifyOnly()).isFalse();
    assertThat(catalog.command("cs-proxy-switchover").timeout()).isEqualTo(CommandSpec.DEFAULT_TIMEOUT);
  }

  @Test
  void shouldRecogniseTheLabOutputWhenReplicationIsStopped() {
    String stopped = """
        site1-to-site2 STOPPED
        REPLICAT   RCFG12    Last Started 2026/11/20 10:00   Status STOPPED
        """;
    Map<String, Object> args = Map.of("direction", "site1-to-site2");

    assertThat(matches(catalog.command("replication-stop").checkDone(), args, stopped)).isTrue();
    assertThat(matches(catalog.command("replication-stop").checkDone(), args,
        stopped.replace("site1-to-site2 STOPPED", "site1-to-site2 RUNNING"))).isFalse();
  }

  @Test
  void shouldRecogniseTheLabOutputWhenAnAppRuns() {
    Map<String, Object> args = Map.of("app", "scs-master");
    String expect = catalog.command("genesys-app-start").verifyExpect();

    assertThat(matches(expect, args, "scs-master RUNNING\n")).isTrue();
    assertThat(matches(expect, args, "scs-master STOPPED\n")).isFalse();
  }

  @Test
  void shouldRecogniseTheLabOutputWhenTheProxyIsConnectedAndNormal() {
    String status = "mode normal\nmaster cs-master-site2\nconnected-to 127.0.2.10\n";

    assertThat(matches(catalog.command("cs-proxy-switchover").verifyExpect(),
        Map.of("masterAddress", "127.0.2.10", "masterName", "x"), status)).isTrue();
    assertThat(matches(catalog.command("cs-proxy-switchover").verifyExpect(),
        Map.of("masterAddress", "127.0.1.10", "masterName", "x"), status)).isFalse();
    assertThat(matches(catalog.command("cs-proxy-status-check").verifyExpect(), Map.of(), status))
        .isTrue();
    assertThat(matches(catalog.command("cs-proxy-status-check").verifyExpect(), Map.of(),
        status.replace("normal", "limited"))).isFalse();
  }

  @Test
  void shouldRecogniseTheResolvedAddressWhenGetentAnswers() {
    String expect = catalog.command("name-resolution-check").verifyExpect();
    Map<String, Object> site2 = Map.of("name", "cs-master.genesys.lab", "address", "127.0.2.10");

    assertThat(matches(expect, site2, "127.0.2.10      cs-master.genesys.lab\n")).isTrue();
    assertThat(matches(expect, site2, "127.0.1.10      cs-master.genesys.lab\n")).isFalse();
    assertThat(matches(expect, site2, "")).isFalse();
  }

  @Test
  void shouldRenderTheA1RunLinesWithQuotedArgumentsWhenGivenTheirInputs() {
    assertThat(CommandTemplate.render(catalog.command("cs-proxy-switchover").run(),
        Map.of("masterName", "cs-master.genesys.lab", "masterAddress", "127.0.2.10")))
        .isEqualTo("/opt/dr/bin/cs-switchover 'cs-master.genesys.lab'");
    assertThat(CommandTemplate.render(catalog.command("genesys-app-start").run(),
        Map.of("app", "confserv-master-pair")))
        .isEqualTo("/opt/dr/bin/genesys-ctl start 'confserv-master-pair'");
  }

  @Test
  void shouldReportEachProblemWhenAnEntryIsMalformed() {
    CommandCatalog broken = new CommandCatalog();
    broken.put("half-check", new CommandSpec("status", null, "start", null, null, null, null));
    broken.put("nothing", new CommandSpec(null, null, null, null, null, null, null));
    broken.put("bad-regex", new CommandSpec(null, null, null, "status", "([{x}", null, null));
    broken.put("zero", new CommandSpec(null, null, "start", null, null, null, List.of(0)));

    assertThat(broken.problems()).hasSize(4).anySatisfy(p -> assertThat(p).contains("half-check"))
        .anySatisfy(p -> assertThat(p).contains("nothing"))
        .anySatisfy(p -> assertThat(p).contains("bad-regex"))
        .anySatisfy(p -> assertThat(p).contains("zero"));
    assertThatThrownBy(broken::afterPropertiesSet).isInstanceOf(IllegalStateException.class);
  }

  private static boolean matches(String regexTemplate, Map<String, Object> args, String stdout) {
    return Pattern.compile(CommandTemplate.renderRegex(regexTemplate, args)).matcher(stdout).find();
  }
}
