package io.drrunbook.common;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * A request whose (bounded) body a filter has already read into memory, handed on so that the
 * next reader gets the same bytes: as a stream or, in the request's character encoding (UTF-8
 * when unknown or absent), as a reader.
 */
public final class BufferedRequest extends HttpServletRequestWrapper {
  private final byte[] body;

  public BufferedRequest(HttpServletRequest request, byte[] body) {
    super(request);
    this.body = body;
  }

  @Override
  public ServletInputStream getInputStream() {
    ByteArrayInputStream in = new ByteArrayInputStream(body);
    return new ServletInputStream() {
      @Override
      public int read() {
        return in.read();
      }

      @Override
      public int read(byte[] b, int off, int len) {
        return in.read(b, off, len);
      }

      @Override
      public boolean isFinished() {
        return in.available() == 0;
      }

      @Override
      public boolean isReady() {
        return true;
      }

      @Override
      public void setReadListener(ReadListener listener) {
        throw new UnsupportedOperationException("the body is already in memory");
      }
    };
  }

  @Override
  public BufferedReader getReader() {
    Charset charset = StandardCharsets.UTF_8;
    try {
      if (getCharacterEncoding() != null) {
        charset = Charset.forName(getCharacterEncoding());
      }
    } catch (IllegalArgumentException unknownCharset) {
      // read as UTF-8: the JSON parser then refuses what is not valid
    }
    return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), charset));
  }

  @Override
  public int getContentLength() {
    return body.length;
  }

  @Override
  public long getContentLengthLong() {
    return body.length;
  }
}
