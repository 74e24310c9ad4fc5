package org.ocichroothook.log;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The hook's slf4j binding: every logger appends to the {@link LogFile}. Registered in {@code
 * META-INF/services}; the launcher names it with {@code -Dslf4j.provider} so that slf4j skips the
 * service-loader scan at start-up. It replaces slf4j-simple, which costs a hook process its
 * configuration lookups and date formatting at start-up, and truncates a log file it opens itself.
 */
public final class LogProvider implements SLF4JServiceProvider, ILoggerFactory {
  private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new NOPMDCAdapter();

  @Override
  public Logger getLogger(String name) {
    // No method reference (FileLogger::new): the hot path uses no lambda (see Hook's NATIVE).
    Logger logger = loggers.get(name);
    if (logger == null) {
      Logger made = new FileLogger(name);
      logger = loggers.putIfAbsent(name, made);
      if (logger == null) {
        logger = made;
      }
    }
    return logger;
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return this;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {
    // Nothing to set up: the file is opened by LogFile.open once the configuration is read.
  }
}
