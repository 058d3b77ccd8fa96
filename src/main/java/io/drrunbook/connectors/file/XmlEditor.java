package io.drrunbook.connectors.file;

import io.drrunbook.connectors.StepBusinessException;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * Edits an XML file where an XPath points, changing only the characters of the edit: the XPath is
 * evaluated on a DOM of the file (names without namespaces, so {@code /opmn/notification-server}
 * matches the seed's {@code <opmn xmlns="...">}), and the edit is made in the text at the element's
 * exact place (found by a scan of the tags in the same document order), so formatting, attribute
 * order and comments elsewhere stay as they are. DOCTYPEs are refused (no entities).
 *
 * <ul>
 *   <li>{@code set} on {@code .../@name}: the attribute of every matched element gets the value
 *       (added when missing).
 *   <li>{@code set} on an element with a value that starts with {@code <}: every matched element
 *       becomes that element (one equal in name, attributes and text is left); none matched: it is
 *       added as the last child of the parent (the XPath without its last step), on its own line.
 *   <li>{@code set} on an element with another value: its text (an element without children).
 *   <li>{@code comment}: every matched element becomes {@code <!-- element -->} (none: nothing to do).
 *   <li>{@code uncomment}: with no element matched, the parent's comment holding such an element
 *       becomes the element again.
 * </ul>
 * Nothing to edit where the edit needs something is DR_EDIT_TARGET_NOT_FOUND.
 */
final class XmlEditor {

  private static final Pattern ATTRIBUTE_PATH = Pattern.compile("^(.+)/@([A-Za-z_:][\\w:.-]*)$");

  /** An element's place in the text. */
  private static final class Span {
    final String name;
    final int start;
    final int startTagEnd;
    int endTagStart = -1;
    int end;
    final int parent;

    Span(String name, int start, int startTagEnd, int parent) {
      this.name = name;
      this.start = start;
      this.startTagEnd = startTagEnd;
      this.end = startTagEnd;
      this.parent = parent;
    }

    boolean selfClosing() {
      return endTagStart < 0;
    }
  }

  private record CommentSpan(int start, int end, int parent) {}

  private record Replacement(int start, int end, String text) {}

  private final String text;
  private final Document document;
  private final List<Span> elements = new ArrayList<>();
  private final List<CommentSpan> comments = new ArrayList<>();
  private final List<Element> domElements = new ArrayList<>();

  private XmlEditor(String text) {
    this.text = text;
    this.document = parse(text, "the file");
    scan();
    NodeList all = document.getElementsByTagName("*");
    for (int i = 0; i < all.getLength(); i++) {
      domElements.add((Element) all.item(i));
    }
    if (domElements.size() != elements.size()) {
      throw new IllegalArgumentException("the file's markup could not be located element by element");
    }
  }

  static String apply(String text, String operation, String xpath, String value) {
    return new XmlEditor(text).edit(operation, xpath, value);
  }

  private String edit(String operation, String xpath, String value) {
    List<Replacement> edits = new ArrayList<>();
    switch (operation) {
      case "set" -> set(xpath, value, edits);
      case "comment" -> {
        for (Span span : spans(xpath)) {
          String element = text.substring(span.start, span.end);
          if (element.contains("--")) {
            throw new IllegalArgumentException(xpath + " holds \"--\": it cannot be put in a comment");
          }
          edits.add(new Replacement(span.start, span.end, "<!-- " + element + " -->"));
        }
      }
      case "uncomment" -> {
        if (spans(xpath).isEmpty()) {
          uncomment(xpath, edits);
        }
      }
      default -> throw new IllegalArgumentException("operation '" + operation
          + "' is not one of set, comment, uncomment");
    }
    StringBuilder out = new StringBuilder(text);
    edits.stream().sorted(Comparator.comparingInt(Replacement::start).reversed())
        .forEach(r -> out.replace(r.start(), r.end(), r.text()));
    return out.toString();
  }

  private void set(String xpath, String value, List<Replacement> edits) {
    Matcher attribute = ATTRIBUTE_PATH.matcher(xpath);
    if (attribute.matches()) {
      List<Span> owners = spans(attribute.group(1));
      if (owners.isEmpty()) {
        throw notFound(attribute.group(1));
      }
      owners.forEach(span -> edits.add(setAttribute(span, attribute.group(2), value)));
      return;
    }
    List<Span> matched = spans(xpath);
    if (value.strip().startsWith("<")) {
      Element wanted = parse(value, "the value").getDocumentElement();
      for (Span span : matched) {
        if (!equivalent(domElements.get(elements.indexOf(span)), wanted)) {
          edits.add(new Replacement(span.start, span.end, value.strip()));
        }
      }
      if (matched.isEmpty()) {
        edits.add(appendChild(parentOf(xpath), value.strip()));
      }
      return;
    }
    if (matched.isEmpty()) {
      throw notFound(xpath);
    }
    for (Span span : matched) {
      Element element = domElements.get(elements.indexOf(span));
      if (hasChildElements(element)) {
        throw new IllegalArgumentException(xpath + " has child elements: set its attributes or"
            + " give the whole element as the value");
      }
      edits.add(span.selfClosing()
          ? new Replacement(span.startTagEnd - 2, span.startTagEnd, ">" + escape(value) + "</" + span.name + ">")
          : new Replacement(span.startTagEnd, span.endTagStart, escape(value)));
    }
  }

  private Replacement setAttribute(Span span, String name, String value) {
    String tag = text.substring(span.start, span.startTagEnd);
    Matcher existing = Pattern.compile("(\\s" + Pattern.quote(name) + "\\s*=\\s*)(\"[^\"]*\"|'[^']*')").matcher(tag);
    if (existing.find()) {
      char quote = existing.group(2).charAt(0);
      String quoted = quote + escape(value).replace(String.valueOf(quote), quote == '"' ? "&quot;" : "&apos;") + quote;
      return new Replacement(span.start + existing.start(2), span.start + existing.end(2), quoted);
    }
    int close = tag.endsWith("/>") ? tag.length() - 2 : tag.length() - 1;
    while (close > 0 && Character.isWhitespace(tag.charAt(close - 1))) {
      close--;
    }
    return new Replacement(span.start + close, span.start + close,
        " " + name + "=\"" + escape(value).replace("\"", "&quot;") + "\"");
  }

  private Replacement appendChild(Span parent, String element) {
    if (parent.selfClosing()) {
      throw notFound("a place for the element inside <" + parent.name + "/>");
    }
    Span lastChild = null;
    for (Span span : elements) {
      if (span.parent == elements.indexOf(parent)) {
        lastChild = span;
      }
    }
    if (lastChild != null) {
      return new Replacement(lastChild.end, lastChild.end, "\n" + indentOf(lastChild.start) + element);
    }
    String indent = indentOf(parent.start);
    return new Replacement(parent.startTagEnd, parent.startTagEnd, "\n" + indent + "   " + element + "\n" + indent);
  }

  private void uncomment(String xpath, List<Replacement> edits) {
    Span parent = parentOf(xpath);
    String name = xpath.substring(xpath.lastIndexOf('/') + 1).replaceAll("\\[.*$", "");
    int parentIndex = elements.indexOf(parent);
    for (CommentSpan comment : comments) {
      if (comment.parent() != parentIndex) {
        continue;
      }
      String inner = text.substring(comment.start() + 4, comment.end() - 3);
      String element = inner.startsWith(" ") && inner.endsWith(" ") && inner.length() > 1
          ? inner.substring(1, inner.length() - 1) : inner.strip();
      try {
        if (parse(element, "the comment").getDocumentElement().getTagName().equals(name)) {
          edits.add(new Replacement(comment.start(), comment.end(), element));
          return;
        }
      } catch (IllegalArgumentException notAnElement) {
        // a comment of words, not a commented-out element
      }
    }
    throw notFound(xpath + " (neither the element nor a comment holding it)");
  }

  // ---------------------------------------------------------------- locating

  private List<Span> spans(String xpath) {
    NodeList nodes;
    try {
      XPathFactory factory = XPathFactory.newInstance();
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      nodes = (NodeList) factory.newXPath().evaluate(xpath, document, XPathConstants.NODESET);
    } catch (XPathExpressionException | javax.xml.xpath.XPathFactoryConfigurationException e) {
      throw new IllegalArgumentException("xpath '" + xpath + "' is not a valid XPath: "
          + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
    }
    List<Span> spans = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node node = nodes.item(i);
      if (!(node instanceof Element)) {
        throw new IllegalArgumentException("xpath '" + xpath + "' selects a "
            + node.getClass().getSimpleName() + ", not elements (an attribute is .../@name)");
      }
      spans.add(elements.get(domElements.indexOf(node)));
    }
    return spans;
  }

  private Span parentOf(String xpath) {
    int slash = xpath.lastIndexOf('/');
    String parentPath = slash <= 0 ? null : xpath.substring(0, slash);
    List<Span> parents = parentPath == null ? List.of() : spans(parentPath);
    if (parents.size() != 1) {
      throw notFound(parentPath == null ? xpath : parentPath + " (one parent element, found "
          + parents.size() + ")");
    }
    return parents.get(0);
  }

  private String indentOf(int offset) {
    int lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    String before = text.substring(lineStart, offset);
    return before.isBlank() ? before : "";
  }

  /** Finds every element and comment in the text, in document order. */
  private void scan() {
    Deque<Integer> open = new ArrayDeque<>();
    int pos = 0;
    while (true) {
      int lt = text.indexOf('<', pos);
      if (lt < 0) {
        return;
      }
      if (text.startsWith("<!--", lt)) {
        int end = text.indexOf("-->", lt + 4) + 3;
        comments.add(new CommentSpan(lt, end, open.isEmpty() ? -1 : open.peek()));
        pos = end;
      } else if (text.startsWith("<![CDATA[", lt)) {
        pos = text.indexOf("]]>", lt) + 3;
      } else if (text.startsWith("<?", lt)) {
        pos = text.indexOf("?>", lt) + 2;
      } else if (text.startsWith("</", lt)) {
        int gt = text.indexOf('>', lt);
        Span element = elements.get(open.pop());
        element.endTagStart = lt;
        element.end = gt + 1;
        pos = gt + 1;
      } else {
        int gt = tagEnd(lt);
        int nameEnd = lt + 1;
        while (nameEnd < gt && !Character.isWhitespace(text.charAt(nameEnd))
            && text.charAt(nameEnd) != '/' && text.charAt(nameEnd) != '>') {
          nameEnd++;
        }
        Span element = new Span(text.substring(lt + 1, nameEnd), lt, gt + 1,
            open.isEmpty() ? -1 : open.peek());
        elements.add(element);
        if (text.charAt(gt - 1) != '/') {
          open.push(elements.size() - 1);
        }
        pos = gt + 1;
      }
    }
  }

  private int tagEnd(int lt) {
    char quote = 0;
    for (int i = lt + 1; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        quote = c == quote ? 0 : quote;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '>') {
        return i;
      }
    }
    throw new IllegalArgumentException("unterminated tag at character " + lt);
  }

  // ---------------------------------------------------------------- DOM

  private static Document parse(String xml, String what) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setXIncludeAware(false);
      factory.setExpandEntityReferences(false);
      factory.setNamespaceAware(false);
      DocumentBuilder builder = factory.newDocumentBuilder();
      builder.setErrorHandler(null);
      return builder.parse(new InputSource(new StringReader(xml)));
    } catch (SAXException | IOException e) {
      throw new IllegalArgumentException(what + " is not well-formed XML: " + e.getMessage(), e);
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("no secure XML parser: " + e.getMessage(), e);
    }
  }

  private static boolean equivalent(Element a, Element b) {
    if (!a.getTagName().equals(b.getTagName()) || hasChildElements(a) || hasChildElements(b)
        || !a.getTextContent().strip().equals(b.getTextContent().strip())) {
      return false;
    }
    NamedNodeMap attributes = a.getAttributes();
    if (attributes.getLength() != b.getAttributes().getLength()) {
      return false;
    }
    for (int i = 0; i < attributes.getLength(); i++) {
      Node attribute = attributes.item(i);
      if (!Objects.equals(attribute.getNodeValue(), b.getAttribute(attribute.getNodeName()))
          || !b.hasAttribute(attribute.getNodeName())) {
        return false;
      }
    }
    return true;
  }

  private static boolean hasChildElements(Element element) {
    for (Node child = element.getFirstChild(); child != null; child = child.getNextSibling()) {
      if (child instanceof Element) {
        return true;
      }
    }
    return false;
  }

  private static String escape(String value) {
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static StepBusinessException notFound(String what) {
    return new StepBusinessException("DR_EDIT_TARGET_NOT_FOUND", "the file has no " + what);
  }
}
