package io.drrunbook.connectors.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.DrillContext;
import io.drrunbook.connectors.StepPlan;
import io.drrunbook.connectors.ssh.CommandCatalog;
import io.drrunbook.connectors.ssh.SshExecConnector;
import io.drrunbook.core.PrecheckSpec;
import io.drrunbook.core.ProcedureProperties;
import io.drrunbook.core.ProcedureSpec;
import io.drrunbook.lab.Lab;
import io.drrunbook.lab.LabFileSystems;
import io.drrunbook.prechecks.PrecheckResults;
import io.drrunbook.prechecks.ProcedureChecks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The OCMS connector capabilities as the application wires them: routes file-edit and ssh-exec
 * through Camel, the product's command catalog (config/commands-ocms.yaml) and the lab topology's
 * OCMS nodes with their generated TimesTen secret and SFTP files. Seed 003 D2 steps: second
 * instance 4 (PermSize) and 6 (duplicate, prompts answered).
 */
@DrillContext
class OcmsConnectorsDrillTest {

  private static final String ODBC = "/opt/oracle/timesten/info/sys.odbc.ini";
  private static final String EDGE_PROXY = "/opt/oracle/ocms/sdp/edgeproxy/conf/edgeproxy.xml";

  @Autowired ProducerTemplate camel;
  @Autowired Lab lab;
  @Autowired LabFileSystems files;
  @Autowired CommandCatalog catalog;
  @Autowired SshExecConnector sshExec;
  @Autowired ProcedureProperties procedures;
  @Autowired ProcedureChecks checks;
  @Autowired PrecheckResults results;

  @BeforeEach
  @AfterEach
  void resetLab() {
    lab.reset();
  }

  private static Map<String, Object> inputs(Object... keysAndValues) {
    Map<String, Object> inputs = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      inputs.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return inputs;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> call(String route, Map<String, Object> inputs) {
    return camel.requestBody("direct:" + route, inputs, Map.class);
  }

  @Test
  void shouldGiveOcms2TheFirstNodesPermSizeAndPutItBackWhenTheLabIsReset() throws Exception {
    Path onHost = files.root("site1.ocms-2").resolve(ODBC.substring(1));
    String initial = Files.readString(onHost);

    Map<String, Object> result = call("file-edit", inputs("host", "site1.ocms-2", "path", ODBC,
        "operation", "set", "section", "ocmsdb", "key", "PermSize", "value", "512"));

    assertThat(result).containsEntry("changed", true);
    assertThat(Files.readString(onHost)).contains("\nPermSize=512\n");
    assertThat(files.root("site1.ocms-2").resolve(((String) result.get("backup")).substring(1)))
        .hasContent(initial);
    lab.reset();
    assertThat(Files.readString(onHost)).isEqualTo(initial);
  }

  @Test
  void shouldShowTheDiffOfTheFileAsItIsWhenAPrecheckPreviewsTheEdit() throws Exception {
    Path onHost = files.root("site1.ocms-1").resolve(EDGE_PROXY.substring(1));
    String initial = Files.readString(onHost);
    PrecheckSpec check = new PrecheckSpec();
    check.setName("NAT traversal of site1.ocms-1 would be disabled");
    check.setRoute("file-edit");
    check.setInputs(Map.of("host", "site1.ocms-1", "path", EDGE_PROXY, "operation", "set",
        "xpath", "/edge-proxy/nat-traverse/@enabled", "value", "false", "preview", "true"));
    ProcedureSpec procedure = new ProcedureSpec();
    procedure.setPrechecks(List.of(check));
    procedures.put("dr-test-file-edit-preview", procedure);
    try {
      checks.runOnce("walk-file-edit-preview", "dr-test-file-edit-preview");
    } finally {
      procedures.remove("dr-test-file-edit-preview");
    }

    assertThat(results.forRun("walk-file-edit-preview")).singleElement().satisfies(result -> {
      assertThat(result.ok()).isTrue();
      assertThat(result.detail()).contains("the edit would change the file")
          .contains("-     <nat-traverse enabled=\"true\"/>\n+     <nat-traverse enabled=\"false\"/>");
    });
    assertThat(Files.readString(onHost)).isEqualTo(initial);
  }

  @Test
  void shouldDuplicateOcms2FromOcms1WhenTheCatalogsPromptsAreAnswered() {
    assertThat(catalog.command("timesten-duplicate-datastore").prompts()).hasSize(4);
    Map<String, Object> created = call("ssh-exec", inputs("host", "site1.ocms-1",
        "command", "timesten-create-replication", "hostFqdn", "ocms-1.site1.ocms.lab"));
    assertThat(created).containsEntry("exitCode", 0);

    Map<String, Object> duplicate = inputs("host", "site1.ocms-2",
        "command", "timesten-duplicate-datastore", "sourceFqdn", "ocms-1.site1.ocms.lab",
        "targetFqdn", "ocms-2.site1.ocms.lab", "ttUser", "ocmsuser");
    Map<String, Object> result = call("ssh-exec", duplicate);

    assertThat(result).containsEntry("exitCode", 0);
    assertThat((String) result.get("stdout")).contains("Enter the password of the TimesTen user: ****\n");
    assertThat(lab.state().attribute("site1.ocms-2", "timesten", "duplicatedFrom")).isEqualTo("site1.ocms-1");
    StepPlan plan = sshExec.plan("ssh-exec", duplicate);
    // check (repschemes), run (the prompts, the password by reference), verify (repschemes)
    assertThat(plan.actions()).hasSize(3).filteredOn(action -> action.toString().contains("] run: "))
        .singleElement().asString().contains("secret timesten-password of the host");
  }
}
