package io.drrunbook.lab;

import io.drrunbook.lab.model.LabModels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

/** Loads the lab's model files ({@code dr.lab.models}) once, checked, at start-up. */
@Configuration(proxyBeanMethods = false)
@Profile("lab")
public class LabModelConfiguration {

  private static final Logger log = LoggerFactory.getLogger(LabModelConfiguration.class);

  @Bean
  public LabModels labModels(LabProperties properties) {
    LabModels models = LabModels.load(properties.getModels()).checkReferences();
    models.models().forEach(m -> log.info("Lab model {} ({}) from {}", m.model().system(), m.model().title(), m.location()));
    return models;
  }
}
