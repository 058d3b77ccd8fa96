package io.drrunbook.connectors.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drrunbook.connectors.StepBusinessException;
import org.junit.jupiter.api.Test;

/** The text edits of file-edit, without a host: only the edited characters change, refusals name the reason. */
class FileEditorsTest {

  private static final String XML = "<?xml version=\"1.0\"?>\n"
      + "<!-- head -->\n"
      + "<opmn xmlns=\"http://www.oracle.com/ias-instance\">\n"
      + "   <port local='6100'   remote=\"6200\"/>\n"
      + "   <name>old</name>\n"
      + "</opmn>\n";

  @Test
  void shouldChangeOnlyTheValueKeepingQuotesAndSpacingWhenAnAttributeIsSet() {
    assertThat(XmlEditor.apply(XML, "set", "/opmn/port/@local", "6101"))
        .isEqualTo(XML.replace("local='6100'", "local='6101'"));
    assertThat(XmlEditor.apply(XML, "set", "/opmn/port/@request", "6003"))
        .isEqualTo(XML.replace("remote=\"6200\"/>", "remote=\"6200\" request=\"6003\"/>"));
  }

  @Test
  void shouldEscapeTheValueWhenItHoldsMarkup() {
    assertThat(XmlEditor.apply(XML, "set", "/opmn/name", "a<b & \"c\""))
        .contains("<name>a&lt;b &amp; \"c\"</name>");
    assertThat(XmlEditor.apply(XML, "set", "/opmn/port/@remote", "\"/><x y=\""))
        .contains("remote=\"&quot;/&gt;&lt;x y=&quot;\"");
  }

  @Test
  void shouldRefuseADoctypeWhenTheFileDeclaresEntities() {
    String xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE opmn [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
        + "<opmn>&x;</opmn>\n";

    assertThatThrownBy(() -> XmlEditor.apply(xxe, "set", "/opmn/@a", "b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not well-formed XML")
        .hasMessageNotContaining("root:");
  }

  @Test
  void shouldRefuseAnElementWithChildrenWhenItsTextIsSet() {
    assertThatThrownBy(() -> XmlEditor.apply(XML, "set", "/opmn", "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has child elements");
    assertThatThrownBy(() -> XmlEditor.apply(XML, "set", "/opmn/port[", "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a valid XPath");
  }

  @Test
  void shouldLeaveTheTextWhenTheElementToCommentIsAbsentAndRefuseUncommentingNothing() {
    assertThat(XmlEditor.apply(XML, "comment", "/opmn/topology", null)).isEqualTo(XML);
    assertThatThrownBy(() -> XmlEditor.apply(XML, "uncomment", "/opmn/topology", null))
        .isInstanceOfSatisfying(StepBusinessException.class,
            e -> assertThat(e.errorCode()).isEqualTo("DR_EDIT_TARGET_NOT_FOUND"));
  }

  @Test
  void shouldAddTheKeyAtTheEndOfItsSectionWhenItIsMissing() {
    String ini = "[a]\nx=1\n\n[b]\ny = 2\n";

    assertThat(KeyValueEditor.apply(ini, "set", "a", "z", "3")).isEqualTo("[a]\nx=1\nz=3\n\n[b]\ny = 2\n");
    assertThat(KeyValueEditor.apply(ini, "set", "b", "y", "5")).isEqualTo("[a]\nx=1\n\n[b]\ny = 5\n");
    assertThat(KeyValueEditor.apply(ini, "comment", "b", "y", null)).isEqualTo("[a]\nx=1\n\n[b]\n#y = 2\n");
    assertThat(KeyValueEditor.apply(ini, "comment", "a", "y", null)).isEqualTo(ini);
  }

  @Test
  void shouldEditAPropertiesKeyWithoutSections() {
    assertThat(KeyValueEditor.apply("# c\nport: 80\n", "set", null, "port", "81")).isEqualTo("# c\nport: 81\n");
  }

  @Test
  void shouldShowOnlyTheChangedLinesWithTwoLinesOfContextWhenDiffed() {
    String before = "1\n2\n3\n4\n5\n6\n7\n8\n";
    String after = "1\n2\n3\n4\nfive\n6\n7\n8\n";

    assertThat(LineDiff.unified("f", before, after)).isEqualTo(
        "--- f\n+++ f (edited)\n@@ -3,5 +3,5 @@\n 3\n 4\n-5\n+five\n 6\n 7\n");
    assertThat(LineDiff.unified("f", before, before)).isEmpty();
  }
}
