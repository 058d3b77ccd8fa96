package io.drrunbook.prechecks;

import static org.assertj.core.api.Assertions.assertThat;

import io.drrunbook.connectors.ConnectorContracts;
import io.drrunbook.connectors.sql.StatementCatalog;
import io.drrunbook.connectors.ssh.CommandCatalog;
import io.drrunbook.connectors.ssh.CommandSpec;
import io.drrunbook.core.PrecheckSpec;
import io.drrunbook.core.ProcedureProperties;
import io.drrunbook.core.ProcedureSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A procedure's prechecks must change nothing: only calls the shipped connector contracts declare
 * read-only (connectors/*.contract.yaml) and catalog entries without a run part pass.
 */
class ProcedureChecksTest {

  static final ConnectorContracts CONTRACTS = ConnectorContracts.load("file:connectors/*.contract.yaml");

  @Test
  void shouldRefuseChecksThatWouldChangeASystemAndAcceptReadOnlyOnes() {
    CommandCatalog commands = new CommandCatalog();
    commands.put("status", new CommandSpec(null, null, null, "ctl status", "RUNNING", null, null));
    commands.put("start", new CommandSpec("ctl status", "RUNNING", "ctl start", "ctl status", "RUNNING", null, null));
    StatementCatalog statements = new StatementCatalog();
    StatementCatalog.StatementSpec read = new StatementCatalog.StatementSpec();
    read.setVerify("SELECT 1");
    StatementCatalog.StatementSpec write = new StatementCatalog.StatementSpec();
    write.setRun("CALL X()");
    statements.setStatements(Map.of("read", read, "write", write));
    ProcedureProperties procedures = new ProcedureProperties();
    ProcedureSpec procedure = new ProcedureSpec();
    procedure.setPrechecks(List.of(
        check("ok ssh", "ssh-exec", Map.of("host", "h", "command", "status")),
        check("ok sql", "sql-exec", Map.of("database", "d", "statement", "read")),
        check("ok dns", "dns-resolve", Map.of("record", "r")),
        check("ok http", "http-request", Map.of("endpoint", "e")),
        check("acting ssh", "ssh-exec", Map.of("host", "h", "command", "start")),
        check("acting sql", "sql-exec", Map.of("database", "d", "statement", "write")),
        check("dns switch", "dns-switch-a-record", Map.of("record", "r")),
        check("http post", "http-request", Map.of("endpoint", "e", "method", "POST")),
        check(" ", "ssh-exec", Map.of("host", "h", "command", "nope")),
        check("ok goldengate", "goldengate", Map.of("host", "h", "operation", "status", "process", "R")),
        check("goldengate stop", "goldengate", Map.of("host", "h", "operation", "stop", "process", "R")),
        check("ok goldengate lag", "goldengate", Map.of("host", "h", "operation", "lag", "process", "R")),
        check("ok http get", "http-request", Map.of("endpoint", "e", "method", "get")),
        check("ok topology", "topology-lookup", Map.of("host", "h")),
        check("ok genesys read", "genesys-config", Map.of("endpoint", "e", "application", "A", "operation", "read")),
        check("genesys set-host", "genesys-config", Map.of("endpoint", "e", "application", "A",
            "operation", "set-host", "host", "h")),
        check("ok gim status", "gim-job", Map.of("endpoint", "e", "operation", "status", "job", "J")),
        check("gim start", "gim-job", Map.of("endpoint", "e", "operation", "start", "job", "J")),
        check("unknown route", "ssh-exek", Map.of("host", "h", "command", "status")),
        check("goldengate without operation", "goldengate", Map.of("host", "h", "process", "R")),
        check("ok file-edit preview", "file-edit", Map.of("host", "h", "path", "/f.ini", "operation", "set",
            "key", "k", "value", "v", "preview", "true")),
        check("file-edit", "file-edit", Map.of("host", "h", "path", "/f.ini", "operation", "set",
            "key", "k", "value", "v"))));
    procedures.put("p", procedure);

    List<String> problems = ProcedureChecks.problems(procedures, CONTRACTS, commands, statements);

    assertThat(problems).hasSize(12);
    assertThat(problems.get(0)).isEqualTo("p.prechecks[4]: command start changes the system (it has a run line)");
    assertThat(problems.get(1)).isEqualTo("p.prechecks[5]: statement write changes the database (it has a run statement)");
    assertThat(problems.get(2)).isEqualTo("p.prechecks[6]: route must be one of [dns-resolve, file-edit,"
        + " genesys-config, gim-job, goldengate, http-request, sql-exec, ssh-exec, topology-lookup] (a route"
        + " whose contract reads only)");
    assertThat(problems.get(3)).isEqualTo("p.prechecks[7]: a http-request precheck may only read (method GET or none)");
    assertThat(problems.get(4)).isEqualTo("p.prechecks[8]: name is missing");
    assertThat(problems.get(5)).startsWith("p.prechecks[8]: ").contains("nope");
    assertThat(problems.get(6)).isEqualTo("p.prechecks[10]: a goldengate precheck may only read (operation status or lag)");
    assertThat(problems.get(7)).isEqualTo("p.prechecks[15]: a genesys-config precheck may only read (operation read)");
    assertThat(problems.get(8)).isEqualTo("p.prechecks[17]: a gim-job precheck may only read (operation status)");
    assertThat(problems.get(9)).startsWith("p.prechecks[18]: route must be one of [");
    assertThat(problems.get(10)).isEqualTo("p.prechecks[19]: a goldengate precheck may only read (operation status or lag)");
    assertThat(problems.get(11)).isEqualTo("p.prechecks[21]: a file-edit precheck may only read (preview true)");
  }

  private static PrecheckSpec check(String name, String route, Map<String, String> inputs) {
    PrecheckSpec check = new PrecheckSpec();
    check.setName(name);
    check.setRoute(route);
    check.setInputs(inputs);
    return check;
  }
}
