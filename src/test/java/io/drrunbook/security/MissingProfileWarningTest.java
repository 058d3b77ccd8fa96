package io.drrunbook.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.env.MockEnvironment;

@ExtendWith(OutputCaptureExtension.class)
class MissingProfileWarningTest {

  @Configuration
  static class Empty {
  }

  @Test
  void shouldSayWhatIsMissingAndHowToStartTheLabWhenAStartHasNoProfile(CapturedOutput output) {
    SpringApplication application = new SpringApplication(Empty.class);
    application.setWebApplicationType(WebApplicationType.NONE);

    try (ConfigurableApplicationContext context = application.run()) {
      assertThat(context.getEnvironment().getActiveProfiles()).isEmpty();
    }

    assertThat(output.getOut()).contains("WARN").contains(MissingProfileWarning.MESSAGE);
    assertThat(output.getOut().indexOf(MissingProfileWarning.MESSAGE))
        .as("the warning comes before the start-up lines")
        .isLessThan(output.getOut().indexOf("Started"));
  }

  @Test
  void shouldStaySilentWhenAProfileIsActive() {
    MockEnvironment lab = new MockEnvironment();
    lab.setActiveProfiles("lab");

    assertThat(MissingProfileWarning.warnIfNoProfile(lab)).isFalse();
    assertThat(MissingProfileWarning.warnIfNoProfile(new MockEnvironment())).isTrue();
  }
}
