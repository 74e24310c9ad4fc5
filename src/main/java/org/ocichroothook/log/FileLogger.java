package org.ocichroothook.log;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** An slf4j logger writing to the {@link LogFile}, named by its class's simple name. */
final class FileLogger extends LegacyAbstractLogger {
  private static final long serialVersionUID = 1L;

  private final String shortName;

  FileLogger(String name) {
    this.name = name;
    this.shortName = name.substring(name.lastIndexOf('.') + 1);
  }

  @Override
  public boolean isTraceEnabled() {
    return LogFile.enabled(Level.TRACE);
  }

  @Override
  public boolean isDebugEnabled() {
    return LogFile.enabled(Level.DEBUG);
  }

  @Override
  public boolean isInfoEnabled() {
    return LogFile.enabled(Level.INFO);
  }

  @Override
  public boolean isWarnEnabled() {
    return LogFile.enabled(Level.WARN);
  }

  @Override
  public boolean isErrorEnabled() {
    return LogFile.enabled(Level.ERROR);
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(
      Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
    String message = MessageFormatter.basicArrayFormat(pattern, arguments);
    if (throwable != null) {
      message = message + " (" + throwable + ")";
    }
    LogFile.write(level, shortName, message);
  }
}
