package io.drrunbook.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.RETURNS_DEEP_STUBS;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drrunbook.common.FieldProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The catalog's own checks and the parameter validation, without the engine. */
class ProcedureCatalogTest {

  @Test
  void shouldRefuseToStartWhenACatalogEntryHasNoDeployedProcess() {
    ProcedureCatalog catalog = new ProcedureCatalog(properties("dr-genesys-cs-failover"),
        repository("dr-other-process"));

    assertThatThrownBy(catalog::afterSingletonsInstantiated)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("[dr-genesys-cs-failover]")
        .hasMessageContaining("no such process is deployed");
  }

  @Test
  void shouldStartWhenADeployedProcessHasNoCatalogEntry() {
    ProcedureCatalog catalog = new ProcedureCatalog(properties("dr-genesys-cs-failover"),
        repository("dr-genesys-cs-failover", "dr-not-in-catalog"));

    catalog.afterSingletonsInstantiated();

    assertThat(catalog.ids()).containsExactly("dr-genesys-cs-failover");
  }

  @Test
  void shouldRefuseAMalformedEntryWhenTheCatalogIsRead() {
    ProcedureProperties properties = properties("dr-genesys-cs-failover");
    ParameterSpec reserved = parameter("ticketId", ParameterType.STRING);
    ParameterSpec enumWithoutValues = parameter("site", ParameterType.ENUM);
    ParameterSpec badDefault = parameter("rto", ParameterType.INTEGER);
    badDefault.setMaximum(10L);
    badDefault.setDefault("60");
    properties.get("dr-genesys-cs-failover").setParameters(List.of(reserved, enumWithoutValues, badDefault));

    assertThatThrownBy(() -> new ProcedureCatalog(properties, repository()))
        .hasMessageContaining("ticketId: name is reserved")
        .hasMessageContaining("site: an enum needs allowed-values")
        .hasMessageContaining("rto: default must be between");
  }

  @Test
  void shouldConvertEachTypeAndNameTheFieldWhenAValueIsWrong() {
    ProcedureProperties properties = properties("p");
    ParameterSpec site = parameter("site", ParameterType.ENUM);
    site.setAllowedValues(List.of("site1", "site2"));
    ParameterSpec window = parameter("window", ParameterType.DATETIME);
    ParameterSpec force = parameter("force", ParameterType.BOOLEAN);
    force.setDefault("false");
    ParameterSpec note = parameter("note", ParameterType.STRING);
    note.setRequired(true);
    properties.get("p").setParameters(List.of(site, window, force, note));
    ProcedureCatalog catalog = new ProcedureCatalog(properties, repository());
    List<FieldProblem> problems = new ArrayList<>();

    Map<String, Object> ok = catalog.variables(catalog.find("p").orElseThrow(),
        Map.of("site", "site2", "window", "2025-01-31T22:00:00Z", "note", "drill"), problems);
    assertThat(problems).isEmpty();
    assertThat(ok).containsEntry("site", "site2").containsEntry("force", false).containsEntry("note", "drill");
    assertThat(ok.get("window")).isInstanceOf(java.util.Date.class);

    catalog.variables(catalog.find("p").orElseThrow(),
        Map.of("site", "site3", "window", "tomorrow", "note", "a\u202eb", "force", "yes"), problems);
    assertThat(problems).extracting(FieldProblem::field).containsExactlyInAnyOrder(
        "parameters.site", "parameters.window", "parameters.note", "parameters.force");
  }

  @Test
  void shouldAcceptOnlyAnAddressInTheRangeWhenAnIpv4ParameterHasOne() {
    ProcedureProperties properties = properties("p");
    ParameterSpec multicast = parameter("multicastAddress", ParameterType.IPV4);
    multicast.setAddressRange("224.0.1.0-239.255.255.255");
    multicast.setRequired(true);
    properties.get("p").setParameters(List.of(multicast));
    ProcedureCatalog catalog = new ProcedureCatalog(properties, repository());
    ProcedureSpec procedure = catalog.find("p").orElseThrow();

    for (String inRange : List.of("224.0.1.0", "225.0.0.20", "239.255.255.255")) {
      List<FieldProblem> problems = new ArrayList<>();
      assertThat(catalog.variables(procedure, Map.of("multicastAddress", inRange), problems))
          .containsEntry("multicastAddress", inRange);
      assertThat(problems).as(inRange).isEmpty();
    }
    for (Object wrong : List.of("224.0.0.255", "240.0.0.1", "10.1.2.3", "225.0.0", "225.0.0.020",
        "225.0.0.256", "225.0.0.20:6200", " 225.0.0.20", 225)) {
      List<FieldProblem> problems = new ArrayList<>();
      assertThat(catalog.variables(procedure, Map.of("multicastAddress", wrong), problems)).isEmpty();
      assertThat(problems).as("%s", wrong).singleElement().satisfies(problem -> {
        assertThat(problem.field()).isEqualTo("parameters.multicastAddress");
        assertThat(problem.message()).isEqualTo("must be an IPv4 address (four numbers 0-255: a.b.c.d)"
            + " between 224.0.1.0 and 239.255.255.255");
      });
    }
  }

  @Test
  void shouldAcceptOnlyAPositiveIsoDurationWhenADurationParameterIsGiven() {
    ProcedureProperties properties = properties("p");
    ParameterSpec interval = parameter("lagPollInterval", ParameterType.DURATION);
    interval.setDefault("PT30S");
    properties.get("p").setParameters(List.of(interval));
    ProcedureCatalog catalog = new ProcedureCatalog(properties, repository());
    ProcedureSpec procedure = catalog.find("p").orElseThrow();

    for (String valid : List.of("PT1S", "PT30S", "PT5M", "PT1H30M", "P1DT2H", "PT0.5S")) {
      List<FieldProblem> problems = new ArrayList<>();
      assertThat(catalog.variables(procedure, Map.of("lagPollInterval", valid), problems))
          .containsEntry("lagPollInterval", valid);
      assertThat(problems).as(valid).isEmpty();
    }
    for (Object wrong : List.of("30 seconds", "30S", "PT", "PT-5S", "PT0S", "P1W", "", " PT30S", 30)) {
      List<FieldProblem> problems = new ArrayList<>();
      assertThat(catalog.variables(procedure, Map.of("lagPollInterval", wrong), problems)).isEmpty();
      assertThat(problems).as("%s", wrong).singleElement().satisfies(problem -> {
        assertThat(problem.field()).isEqualTo("parameters.lagPollInterval");
        assertThat(problem.message()).isEqualTo("must be a positive ISO-8601 duration, e.g. PT30S, PT5M or P1DT2H");
      });
    }
    assertThat(catalog.variables(procedure, Map.of(), new ArrayList<>())).containsEntry("lagPollInterval", "PT30S");
  }

  /**
   * C5's Tasklist start form checks the lag poll interval as the API does (a start form narrower than
   * the API would refuse in Tasklist what POST /api/runs accepts): every duration the API accepts
   * matches its pattern, every malformed one does not (zero is left to the API's 400).
   */
  @Test
  void shouldAcceptInTheStartFormEveryDurationTheApiAcceptsWhenC5IsStartedFromTasklist() throws Exception {
    JsonNode field = formField("forms/form-start-oracle-dataguard-role-transition.form", "lagPollInterval");
    assertFormPattern(field, List.of("PT1S", "PT30S", "PT5M", "PT1H30M", "P1DT2H", "PT0.5S", "P1D", "P2DT3H4M5S"),
        List.of("30 seconds", "30S", "PT", "P", "P1DT", "PT-5S", "P1W", "", " PT30S", "PT5M30"));
    assertThat(field.path("validate").path("maxLength").asInt()).isEqualTo(32);
  }

  @Test
  void shouldRefuseAnAddressRangeWhenItIsMalformedOrNotOnAnIpv4Parameter() {
    ProcedureProperties properties = properties("p");
    ParameterSpec reversed = parameter("multicastAddress", ParameterType.IPV4);
    reversed.setAddressRange("239.255.255.255-224.0.1.0");
    ParameterSpec onString = parameter("note", ParameterType.STRING);
    onString.setAddressRange("224.0.1.0-239.255.255.255");
    properties.get("p").setParameters(List.of(reversed, onString));

    assertThatThrownBy(() -> new ProcedureCatalog(properties, repository()))
        .hasMessageContaining("multicastAddress: address-range applies to ipv4 only")
        .hasMessageContaining("note: address-range applies to ipv4 only");
  }

  @Test
  void shouldAcceptOnlyAStringMatchingItsPatternWhenAStringParameterHasOne() {
    ParameterSpec application = parameter("application", ParameterType.STRING);
    application.setPattern("[A-Za-z0-9._-]{1,64}");

    assertThat(ProcedureCatalog.convert(application, "proxyregistrarssr-1.0_b", new ArrayList<>()))
        .isEqualTo("proxyregistrarssr-1.0_b");
    for (String wrong : List.of("", "../etc", "a b", "app;rm", "app/x")) {
      List<String> problems = new ArrayList<>();
      assertThat(ProcedureCatalog.convert(application, wrong, problems)).as(wrong).isNull();
      assertThat(problems).as(wrong).containsExactly("must match [A-Za-z0-9._-]{1,64}");
    }
  }

  /**
   * D7's Tasklist start form checks the names that go into file paths as the catalog does: each
   * value is accepted by the form's pattern exactly when the catalog's pattern accepts it.
   */
  @Test
  @SuppressWarnings("unchecked")
  void shouldAcceptInTheStartFormTheNamesTheApiAcceptsWhenD7IsStartedFromTasklist() throws Exception {
    Map<String, Object> yaml = new Yaml().load(Files.readString(Path.of("src/main/resources/config/procedures.yaml")));
    Map<String, Object> procedures = (Map<String, Object>) ((Map<String, Object>) yaml.get("dr")).get("procedures");
    List<Map<String, Object>> parameters = (List<Map<String, Object>>)
        ((Map<String, Object>) procedures.get("dr-ocms-sip-app-ha")).get("parameters");
    List<String> samples = List.of("proxyregistrarssr", "a", "app-1.0_b", "", "../etc", "a b", "a/b", "x".repeat(65));
    for (String key : List.of("application", "webModule", "groupName")) {
      JsonNode field = formField("forms/form-start-ocms-sip-app-ha.form", key);
      Pattern inForm = Pattern.compile(field.path("validate").path("pattern").asText());
      String inCatalog = parameters.stream().filter(p -> key.equals(p.get("name"))).findFirst().orElseThrow()
          .get("pattern").toString();
      for (String sample : samples) {
        boolean required = field.path("validate").path("required").asBoolean();
        assertThat(inForm.matcher(sample).matches() && !(required && sample.isEmpty()))
            .as("%s '%s'", key, sample).isEqualTo(sample.matches(inCatalog));
      }
    }
  }

  /** D5's Tasklist start form checks the target version as the catalog does. */
  @Test
  void shouldAcceptInTheStartFormTheVersionsTheApiAcceptsWhenD5IsStartedFromTasklist() throws Exception {
    JsonNode field = formField("forms/form-start-ocms-rolling-upgrade.form", "targetVersion");
    assertFormPattern(field, List.of("1.1", "10.1.3.4-b2", "v2_0"), List.of("", "1.1; reboot", " 1.1", ".1"));
    assertThat(field.path("validate").path("required").asBoolean()).isTrue();
  }

  @Test
  void shouldAskForAParameterOnlyWhenTheParameterItDependsOnHasOneOfItsValues() {
    ProcedureProperties properties = properties("p");
    ParameterSpec symptom = parameter("symptom", ParameterType.ENUM);
    symptom.setAllowedValues(List.of("unable-to-connect", "master-catchup-required"));
    ParameterSpec permSize = parameter("permSizeMb", ParameterType.INTEGER);
    ParameterSpec.RequiredWhen when = new ParameterSpec.RequiredWhen();
    when.setParameter("symptom");
    when.setValues(List.of("master-catchup-required"));
    permSize.setRequiredWhen(when);
    properties.get("p").setParameters(List.of(symptom, permSize));
    ProcedureCatalog catalog = new ProcedureCatalog(properties, repository());
    ProcedureSpec procedure = catalog.find("p").orElseThrow();

    List<FieldProblem> none = new ArrayList<>();
    assertThat(catalog.variables(procedure, Map.of("symptom", "unable-to-connect"), none))
        .containsOnlyKeys("symptom");
    assertThat(none).isEmpty();
    List<FieldProblem> missing = new ArrayList<>();
    catalog.variables(procedure, Map.of("symptom", "master-catchup-required"), missing);
    assertThat(missing).singleElement().satisfies(problem -> {
      assertThat(problem.field()).isEqualTo("parameters.permSizeMb");
      assertThat(problem.message()).isEqualTo("is required when symptom is master-catchup-required");
    });
    List<FieldProblem> given = new ArrayList<>();
    Map<String, Object> started = catalog.variables(procedure,
        Map.of("symptom", "master-catchup-required", "permSizeMb", 512), given);
    assertThat(((Number) started.get("permSizeMb")).longValue()).isEqualTo(512);
    assertThat(given).isEmpty();

    // a rule naming no parameter of the procedure is refused at start-up
    when.setParameter("symptoms");
    assertThatThrownBy(() -> new ProcedureCatalog(properties, repository()))
        .hasMessageContaining("permSizeMb: required-when names another parameter");
  }

  @Test
  void shouldRefuseAPatternWhenItIsNotARegularExpressionOrNotOnAString() {
    ProcedureProperties properties = properties("p");
    ParameterSpec broken = parameter("application", ParameterType.STRING);
    broken.setPattern("[A-Z");
    ParameterSpec onInteger = parameter("writeQuota", ParameterType.INTEGER);
    onInteger.setPattern("[0-9]+");
    properties.get("p").setParameters(List.of(broken, onInteger));

    assertThatThrownBy(() -> new ProcedureCatalog(properties, repository()))
        .hasMessageContaining("application: pattern applies to strings only")
        .hasMessageContaining("writeQuota: pattern applies to strings only");
  }

  /** The form field's validate pattern matches every one of {@code valid} and none of {@code wrong}. */
  private static void assertFormPattern(JsonNode field, List<String> valid, List<String> wrong) {
    Pattern pattern = Pattern.compile(field.path("validate").path("pattern").asText());
    assertThat(valid).allSatisfy(value -> assertThat(pattern.matcher(value).matches()).as(value).isTrue());
    assertThat(wrong).allSatisfy(value -> assertThat(pattern.matcher(value).matches()).as(value).isFalse());
  }

  /** The field of that key of a Camunda Form file. */
  private static JsonNode formField(String file, String key) throws IOException {
    JsonNode form = new ObjectMapper().readTree(Path.of(file).toFile());
    return StreamSupport.stream(form.path("components").spliterator(), false)
        .filter(c -> key.equals(c.path("key").asText())).findFirst().orElseThrow();
  }

  private static ProcedureProperties properties(String... ids) {
    ProcedureProperties properties = new ProcedureProperties();
    for (String id : ids) {
      ProcedureSpec spec = new ProcedureSpec();
      spec.setTitle("title of " + id);
      properties.put(id, spec);
    }
    return properties;
  }

  private static ParameterSpec parameter(String name, ParameterType type) {
    ParameterSpec parameter = new ParameterSpec();
    parameter.setName(name);
    parameter.setType(type);
    return parameter;
  }

  private static RepositoryService repository(String... deployedKeys) {
    RepositoryService repository = mock(RepositoryService.class, RETURNS_DEEP_STUBS);
    List<ProcessDefinition> definitions = new ArrayList<>();
    for (String key : deployedKeys) {
      ProcessDefinition definition = mock(ProcessDefinition.class);
      when(definition.getKey()).thenReturn(key);
      definitions.add(definition);
    }
    when(repository.createProcessDefinitionQuery().latestVersion().list()).thenReturn(definitions);
    return repository;
  }
}
