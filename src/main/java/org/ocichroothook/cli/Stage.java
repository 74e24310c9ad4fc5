package org.ocichroothook.cli;

import org.ocichroothook.text.Printable;

/** The hook stages the hook does work in, with the names runtimes use for them. */
public enum Stage {
  PRESTART("prestart", true),
  /** The runtime-spec's modern name for prestart; podman 5 writes a hooks.d prestart as this. */
  CREATE_RUNTIME("createRuntime", true),
  POSTSTOP("poststop", false);

  private final String specName;
  private final boolean setup;

  Stage(String specName, boolean setup) {
    this.specName = specName;
    this.setup = setup;
  }

  /** True for the stages that build the chroot, false for the one that removes it. */
  public boolean setup() {
    return setup;
  }

  public String specName() {
    return specName;
  }

  public static Stage parse(String name) throws UsageException {
    for (Stage stage : values()) {
      if (stage.specName.equals(name)) {
        return stage;
      }
    }
    switch (name) {
      case "createContainer", "startContainer" ->
          throw new UsageException(
              "stage "
                  + name
                  + " runs inside the container's namespaces, where a host chroot cannot be"
                  + " made; register the hook for prestart (or createRuntime) and poststop");
      case "poststart" ->
          throw new UsageException(
              "stage poststart has nothing to do; register the hook for prestart (or createRuntime) and poststop");
      default ->
          throw new UsageException(
              "unknown stage "
                  + Printable.quote(name)
                  + "; expected prestart, createRuntime or poststop");
    }
  }

  /**
   * The stage a state's status implies, when none was named: a runtime creating vs one that
   * stopped.
   */
  public static Stage fromStatus(String status) throws UsageException {
    if ("creating".equals(status) || "created".equals(status)) {
      return PRESTART;
    }
    if ("stopped".equals(status)) {
      return POSTSTOP;
    }
    throw new UsageException(
        "no STAGE given and state status "
            + (status == null ? "(none)" : Printable.quote(status))
            + " does not imply one; pass prestart, createRuntime or poststop");
  }
}
