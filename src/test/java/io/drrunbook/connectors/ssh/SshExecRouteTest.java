package io.drrunbook.connectors.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drrunbook.connectors.StepBusinessException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * connectors/ssh-exec.camel.yaml as the step worker calls it (direct:ssh-exec with the inputs map),
 * in a plain Camel context (no Spring) with the bean {@code sshExec} and a real SSH server.
 */
class SshExecRouteTest {

  @TempDir
  static Path dir;
  private static SshFixture ssh;
  private static SshCommandRunner runner;
  private static CamelContext camel;
  private static ProducerTemplate producer;

  @BeforeAll
  static void start() throws Exception {
    ssh = SshFixture.start(dir);
    runner = ssh.runner();
    CommandCatalog catalog = new CommandCatalog();
    catalog.put("greet", new CommandSpec(null, null, "printf 'hello %s' {name}", "printf ok",
        "^ok$", null, null));
    catalog.put("refuse", new CommandSpec(null, null, "exit 5", null, null, null, List.of(5)));
    camel = new DefaultCamelContext();
    camel.getRegistry().bind("sshExec", new SshExecConnector(catalog, runner, ssh.masker));
    PluginHelper.getRoutesLoader(camel).loadRoutes(
        ResourceHelper.resolveMandatoryResource(camel, "classpath:connectors/ssh-exec.camel.yaml"));
    camel.start();
    producer = camel.createProducerTemplate();
  }

  @AfterAll
  static void stop() throws Exception {
    camel.stop();
    runner.close();
    ssh.close();
  }

  @Test
  void shouldReturnTheResultMapWhenTheRouteRunsACommand() {
    @SuppressWarnings("unchecked")
    Map<String, Object> result = producer.requestBody("direct:ssh-exec",
        Map.of("route", "ssh-exec", "host", SshFixture.HOST, "command", "greet", "name", "lab"),
        Map.class);

    assertThat(camel.getRoute("ssh-exec")).isNotNull();
    assertThat(result).containsEntry("stdout", "hello lab").containsEntry("changed", true)
        .containsEntry("exitCode", 0);
  }

  @Test
  void shouldPassTheBusinessExceptionThroughWhenTheRouteRaisesOne() {
    assertThatThrownBy(() -> producer.requestBody("direct:ssh-exec",
        Map.of("host", SshFixture.HOST, "command", "refuse"), Map.class))
        .isInstanceOf(CamelExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(StepBusinessException.class,
            e -> assertThat(e.errorCode()).isEqualTo("DR_PRECONDITION_FAILED"));
  }
}
