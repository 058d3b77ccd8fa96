package io.drrunbook.common;

import io.drrunbook.runs.RunStarter;

/**
 * A class of the bottom layer that uses the REST API's run service: the violation
 * {@code ArchitectureTest} must report. Test code only; never loaded by the application.
 */
public final class UpwardImportFixture {

  private UpwardImportFixture() {
  }

  static Class<?> upward() {
    return RunStarter.class;
  }
}
