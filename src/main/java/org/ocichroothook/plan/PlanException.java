package org.ocichroothook.plan;

/**
 * The container asks for something the configuration does not offer (an unknown platform): exit 1.
 */
public final class PlanException extends Exception {
  private static final long serialVersionUID = 1L;

  public PlanException(String message) {
    super(message);
  }
}
