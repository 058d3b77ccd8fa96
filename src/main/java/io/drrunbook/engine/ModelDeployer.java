package io.drrunbook.engine;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.Deployment;
import org.camunda.bpm.engine.repository.DeploymentBuilder;
import org.camunda.bpm.engine.repository.DeploymentWithDefinitions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * Deploys the top-level {@code processes/*.bpmn} and {@code forms/*.form} (packed into the jar under
 * the same folder names) as one deployment with stable resource names ({@code processes/<file>},
 * {@code forms/<file>}), whether the application runs from the IDE, Maven or a jar.
 *
 * <p>The models bind their forms with {@code camunda:formRefBinding="deployment"}, so a run keeps
 * the forms of the deployment it started with, and a form must be deployed together with the
 * processes that reference it. The deployment is therefore all or nothing: when every resource is
 * byte for byte the same as in the latest deployment of {@link #DEPLOYMENT_NAME} (and no resource
 * came or went), nothing is deployed; otherwise all processes and forms are deployed again as one new
 * deployment.
 */
@Component
public class ModelDeployer implements InitializingBean {

  public static final String DEPLOYMENT_NAME = "dr-runbook";
  private static final Logger log = LoggerFactory.getLogger(ModelDeployer.class);

  private final RepositoryService repositoryService;

  public ModelDeployer(RepositoryService repositoryService) {
    this.repositoryService = repositoryService;
  }

  @Override
  public void afterPropertiesSet() throws IOException {
    Map<String, byte[]> resources = classpathModels();
    if (resources.isEmpty()) {
      log.warn("no processes or forms found on the class path");
      return;
    }
    deploy(resources);
  }

  /**
   * The processes and forms on the class path, by deployment resource name
   * ({@code processes/<file>}, {@code forms/<file>}), in a stable order.
   */
  public static Map<String, byte[]> classpathModels() throws IOException {
    PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();
    Map<String, byte[]> resources = new LinkedHashMap<>();
    for (String pattern : new String[] {"processes/*.bpmn", "forms/*.form"}) {
      String folder = pattern.substring(0, pattern.indexOf('/'));
      Resource[] found = resolver.getResources("classpath*:" + pattern);
      Arrays.sort(found, (a, b) -> String.valueOf(a.getFilename()).compareTo(String.valueOf(b.getFilename())));
      for (Resource resource : found) {
        String name = folder + "/" + resource.getFilename();
        try (InputStream in = resource.getInputStream()) {
          resources.putIfAbsent(name, in.readAllBytes());
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + name, e);
        }
      }
    }
    return resources;
  }

  /**
   * Deploys all {@code resources} as one new deployment unless they equal the latest deployment of
   * {@link #DEPLOYMENT_NAME}.
   *
   * @return the new deployment, or empty when nothing changed
   */
  public Optional<DeploymentWithDefinitions> deploy(Map<String, byte[]> resources) {
    Optional<Deployment> latest = latestDeployment();
    if (latest.isPresent() && sameResources(latest.get(), resources)) {
      log.info("deployment {}: {} resources unchanged, nothing deployed",
          latest.get().getId(), resources.size());
      return Optional.empty();
    }
    DeploymentBuilder builder = repositoryService.createDeployment()
        .name(DEPLOYMENT_NAME)
        .source(DEPLOYMENT_NAME);
    resources.forEach((name, bytes) -> builder.addInputStream(name, new ByteArrayInputStream(bytes)));
    DeploymentWithDefinitions deployed = builder.deployWithResult();
    var definitions = deployed.getDeployedProcessDefinitions();
    log.info("deployment {}: {} resources deployed together, {} process definitions",
        deployed.getId(), resources.size(), definitions == null ? 0 : definitions.size());
    return Optional.of(deployed);
  }

  private Optional<Deployment> latestDeployment() {
    return repositoryService.createDeploymentQuery()
        .deploymentName(DEPLOYMENT_NAME)
        .orderByDeploymentTime().desc()
        .orderByDeploymentId().desc()
        .listPage(0, 1)
        .stream().findFirst();
  }

  /** Same resource names and, for each, the same bytes as the deployment holds. */
  private boolean sameResources(Deployment deployment, Map<String, byte[]> resources) {
    Set<String> deployedNames = repositoryService.getDeploymentResources(deployment.getId()).stream()
        .map(resource -> resource.getName())
        .collect(Collectors.toSet());
    if (!deployedNames.equals(resources.keySet())) {
      return false;
    }
    for (Map.Entry<String, byte[]> resource : resources.entrySet()) {
      try (InputStream in = repositoryService.getResourceAsStream(deployment.getId(), resource.getKey())) {
        if (!Arrays.equals(in.readAllBytes(), resource.getValue())) {
          return false;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + resource.getKey() + " of deployment "
            + deployment.getId(), e);
      }
    }
    return true;
  }
}
