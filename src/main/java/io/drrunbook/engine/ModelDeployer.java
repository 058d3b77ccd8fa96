package io.drrunbook.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.DeploymentBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * Deploys the top-level {@code processes/*.bpmn} and {@code forms/*.form} (packed into the jar under
 * the same folder names) as one deployment with stable resource names ({@code processes/<file>},
 * {@code forms/<file>}), whether the application runs from the IDE, Maven or a jar. Unchanged
 * resources are not deployed again. Forms are referenced from the models by {@code camunda:formRef}.
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
    PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();
    DeploymentBuilder deployment = repositoryService.createDeployment()
        .name(DEPLOYMENT_NAME)
        .source("dr-runbook")
        .enableDuplicateFiltering(true);
    int count = 0;
    for (String folder : new String[] {"processes", "forms"}) {
      String pattern = folder.equals("processes") ? "*.bpmn" : "*.form";
      for (Resource resource : resolver.getResources("classpath*:" + folder + "/" + pattern)) {
        String name = folder + "/" + resource.getFilename();
        try (InputStream in = resource.getInputStream()) {
          deployment.addInputStream(name, new java.io.ByteArrayInputStream(in.readAllBytes()));
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + name, e);
        }
        count++;
      }
    }
    if (count == 0) {
      log.warn("no processes or forms found on the class path");
      return;
    }
    var deployed = deployment.deployWithResult();
    // unchanged resources are filtered out: then the engine reports no new definitions at all
    var definitions = deployed.getDeployedProcessDefinitions();
    log.info("deployment {}: {} resources, {} process definitions new",
        deployed.getId(), count, definitions == null ? 0 : definitions.size());
  }
}
