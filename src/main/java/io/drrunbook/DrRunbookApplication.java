package io.drrunbook;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class DrRunbookApplication {
  public static void main(String[] args) {
    SpringApplication.run(DrRunbookApplication.class, args);
  }
}
