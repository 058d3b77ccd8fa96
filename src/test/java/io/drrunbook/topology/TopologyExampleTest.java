package io.drrunbook.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.FileSystemResource;

/**
 * The example production topology (docs/topology-example.yaml) binds as the application binds a
 * site's own topology file, resolves the names the procedures use, and holds secrets only as
 * references.
 */
class TopologyExampleTest {

  private static final Pattern SITE_NAME = Pattern.compile("\\bsite[12]\\.[a-z][a-z0-9-]*");

  @Test
  void shouldBindAndResolveLogicalNamesWhenExampleTopologyIsRead() throws Exception {
    TopologyProperties properties = bind("docs/topology-example.yaml");
    Topology topology = new Topology(properties);

    assertThat(properties.getSites().keySet()).containsExactly("site1", "site2");
    assertThat(topology.host("site2.cs-mgmt").getAddress()).isEqualTo("10.20.1.10");
    assertThat(topology.host("site2.cs-mgmt").getSsh().getUser()).isEqualTo("drrunbook");
    assertThat(topology.database("site2.config-db").getUrl()).startsWith("jdbc:oracle:thin:");
    assertThat(topology.endpoint("site1.cfg-api").getUrl()).startsWith("https://");
    assertThat(topology.dnsRecord("cs-master").getServer()).isEqualTo("corp-dns");
    assertThat(topology.group("cs-proxies")).hasSize(4).allSatisfy(host -> topology.host(host));
  }

  @Test
  void shouldNameTheOceanaHostsAndTheThreeWebVoiceAndVideoRecordsWhenC1IsConfigured() throws Exception {
    TopologyProperties properties = bind("docs/topology-example.yaml");
    Topology topology = new Topology(properties);

    // every <site>.<name> the Avaya Oceana and Data Guard models (C1 and what it calls) name is there
    Set<String> named = new TreeSet<>();
    try (Stream<Path> files = Files.list(Path.of("processes"))) {
      for (Path model : files.filter(f -> f.getFileName().toString()
          .matches("dr-oceana-.*\\.bpmn|dr-oracle-dataguard-role-transition\\.bpmn")).toList()) {
        SITE_NAME.matcher(Files.readString(model)).results().forEach(name -> named.add(name.group()));
      }
    }
    assertThat(named).contains("site1.oracle-db", "site2.oracle-db", "site2.oceana-amc", "site2.ocdb-async")
        .allSatisfy(name -> {
          TopologyProperties.Site site = properties.getSites().get(name.substring(0, name.indexOf('.')));
          String local = name.substring(name.indexOf('.') + 1);
          assertThat(site.getHosts().containsKey(local) || site.getEndpoints().containsKey(local)).as(name).isTrue();
        });

    for (String name : List.of("auth-token", "aawg", "amc")) {
      assertThat(topology.dnsRecord("oceana-" + name).getName()).isEqualTo(name + ".oceana.example.com.");
      assertThat(topology.dnsRecord("oceana-" + name).getServer()).isEqualTo("corp-dns");
      assertThat(topology.host("site1.oceana-" + name).getAddress())
          .isNotEqualTo(topology.host("site2.oceana-" + name).getAddress());
      assertThat(topology.host("site2.oceana-" + name).getSsh().getUser()).as("named only, no login").isNull();
    }
    for (String site : List.of("site1", "site2")) {
      assertThat(topology.host(site + ".oracle-db").getSsh().getUser()).isEqualTo("oracle");
    }
    assertThat(topology.endpoint("site2.ocdb-async").getAuthorization()).startsWith("file:");
    assertThat(topology.endpoint("site1.ocdb-active").getUrl()).startsWith("https://");
  }

  @Test
  void shouldHoldOnlySecretReferencesWhenExampleOrLabTopologyIsRead() throws Exception {
    for (String file : List.of("docs/topology-example.yaml", "src/main/resources/lab/topology.yaml")) {
      TopologyProperties properties = bind(file);
      List<String> secrets = new ArrayList<>();
      properties.getDnsServers().values().forEach(d -> secrets.add(d.getTsigSecret()));
      properties.getSites().values().forEach(site -> {
        // hosts managed over SSH (a host only named, e.g. for its hostname, has no SSH access)
        site.getHosts().values().stream().filter(h -> h.getSsh().getUser() != null)
            .forEach(h -> secrets.add(h.getSsh().getPrivateKey()));
        site.getDatabases().values().forEach(d -> secrets.add(d.getPassword()));
        site.getEndpoints().values().stream().map(TopologyProperties.Endpoint::getAuthorization)
            .filter(a -> a != null).forEach(secrets::add);
      });
      assertThat(secrets).as(file).isNotEmpty().allSatisfy(secret ->
          assertThat(secret).as(file).matches("(env|file):.+"));
    }
  }

  private static TopologyProperties bind(String file) throws Exception {
    StandardEnvironment environment = new StandardEnvironment();
    environment.getSystemProperties().put("dr.data-dir", "/tmp/dr-data");
    for (PropertySource<?> source : new YamlPropertySourceLoader().load(file, new FileSystemResource(Path.of(file)))) {
      environment.getPropertySources().addLast(source);
    }
    return new Binder(ConfigurationPropertySources.get(environment), new PropertySourcesPlaceholdersResolver(environment))
        .bind("dr.topology", TopologyProperties.class).get();
  }
}
