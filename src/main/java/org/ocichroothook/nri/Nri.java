package org.ocichroothook.nri;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The few NRI messages this plugin reads and writes, with the field numbers of containerd/nri's
 * {@code pkg/api/api.proto} (package {@code nri.pkg.api.v1alpha1}). Every other field is skipped
 * when read and never written.
 */
final class Nri {
  static final String RUNTIME_SERVICE = "nri.pkg.api.v1alpha1.Runtime";
  static final String PLUGIN_SERVICE = "nri.pkg.api.v1alpha1.Plugin";

  /** {@code Event.CREATE_CONTAINER} is 4; an event mask holds event e as bit {@code e - 1}. */
  static final int CREATE_CONTAINER_MASK = 1 << (4 - 1);

  private Nri() {}

  /** {@code RegisterPluginRequest{plugin_name = 1, plugin_idx = 2}}. */
  static byte[] registerPlugin(String name, String index) {
    return new ProtoWriter().string(1, name).string(2, index).toByteArray();
  }

  /** {@code ConfigureRequest{config = 1, runtime_name = 2, runtime_version = 3, ..., 5}}. */
  record Configure(String runtimeName, String runtimeVersion, long requestTimeoutMillis) {
    static Configure decode(byte[] bytes) throws ProtocolException {
      String name = "";
      String version = "";
      long timeout = 0;
      ProtoReader r = new ProtoReader(bytes);
      while (r.next()) {
        switch (r.field()) {
          case 2 -> name = r.string();
          case 3 -> version = r.string();
          case 5 -> timeout = r.varint();
          default -> r.skip();
        }
      }
      return new Configure(name, version, timeout);
    }
  }

  /** {@code ConfigureResponse{events = 2}}. */
  static byte[] configureResponse(int events) {
    return new ProtoWriter().varint(2, events).toByteArray();
  }

  /** The {@code more} flag (3) of {@code SynchronizeRequest{pods = 1, containers = 2}}. */
  static boolean synchronizeMore(byte[] bytes) throws ProtocolException {
    boolean more = false;
    ProtoReader r = new ProtoReader(bytes);
    while (r.next()) {
      if (r.field() == 3) {
        more = r.bool();
      } else {
        r.skip();
      }
    }
    return more;
  }

  /** {@code SynchronizeResponse{update = 1, more = 2}}: no updates, {@code more} echoed. */
  static byte[] synchronizeResponse(boolean more) {
    return new ProtoWriter().bool(2, more).toByteArray();
  }

  /**
   * What this plugin reads of {@code PodSandbox{id = 1, name = 2, namespace = 4, annotations = 6}}.
   */
  record Pod(String id, String name, String namespace, Map<String, String> annotations) {}

  /**
   * What it reads of {@code Container{id = 1, pod_sandbox_id = 2, name = 3, annotations = 6, hooks
   * = 10}}, the hooks being {@code Hooks{prestart = 1, ..., poststop = 6}}.
   */
  record Container(
      String id,
      String name,
      Map<String, String> annotations,
      List<HookSpec> prestart,
      List<HookSpec> poststop) {}

  /** {@code CreateContainerRequest{pod = 1, container = 2}}. */
  record CreateContainer(Pod pod, Container container) {
    static CreateContainer decode(byte[] bytes) throws ProtocolException {
      Pod pod = new Pod("", "", "", Map.of());
      Container container = new Container("", "", Map.of(), List.of(), List.of());
      ProtoReader r = new ProtoReader(bytes);
      while (r.next()) {
        switch (r.field()) {
          case 1 -> pod = readPod(r.message());
          case 2 -> container = readContainer(r.message());
          default -> r.skip();
        }
      }
      return new CreateContainer(pod, container);
    }
  }

  /**
   * {@code CreateContainerResponse{adjust = 1}} with {@code ContainerAdjustment{annotations = 2,
   * hooks = 5}}; an empty response when there is nothing to adjust.
   */
  static byte[] createContainerResponse(
      Map<String, String> annotations, List<HookSpec> prestart, List<HookSpec> poststop) {
    if (annotations.isEmpty() && prestart.isEmpty() && poststop.isEmpty()) {
      return new byte[0];
    }
    ProtoWriter adjust = new ProtoWriter().map(2, annotations);
    if (!prestart.isEmpty() || !poststop.isEmpty()) {
      ProtoWriter hooks = new ProtoWriter();
      for (HookSpec hook : prestart) {
        hooks.message(1, hook.encode());
      }
      for (HookSpec hook : poststop) {
        hooks.message(6, hook.encode());
      }
      adjust.message(5, hooks);
    }
    return new ProtoWriter().message(1, adjust).toByteArray();
  }

  private static Pod readPod(ProtoReader r) throws ProtocolException {
    String id = "";
    String name = "";
    String namespace = "";
    Map<String, String> annotations = new LinkedHashMap<>();
    while (r.next()) {
      switch (r.field()) {
        case 1 -> id = r.string();
        case 2 -> name = r.string();
        case 4 -> namespace = r.string();
        case 6 -> entry(r.message(), annotations);
        default -> r.skip();
      }
    }
    return new Pod(id, name, namespace, annotations);
  }

  private static Container readContainer(ProtoReader r) throws ProtocolException {
    String id = "";
    String name = "";
    Map<String, String> annotations = new LinkedHashMap<>();
    List<HookSpec> prestart = new ArrayList<>();
    List<HookSpec> poststop = new ArrayList<>();
    while (r.next()) {
      switch (r.field()) {
        case 1 -> id = r.string();
        case 3 -> name = r.string();
        case 6 -> entry(r.message(), annotations);
        case 10 -> {
          ProtoReader hooks = r.message();
          while (hooks.next()) {
            switch (hooks.field()) {
              case 1 -> prestart.add(HookSpec.decode(hooks.message()));
              case 6 -> poststop.add(HookSpec.decode(hooks.message()));
              default -> hooks.skip();
            }
          }
        }
        default -> r.skip();
      }
    }
    return new Container(id, name, annotations, prestart, poststop);
  }

  /** One {@code map<string, string>} entry {@code {key = 1, value = 2}}; a later key wins. */
  private static void entry(ProtoReader r, Map<String, String> map) throws ProtocolException {
    String key = "";
    String value = "";
    while (r.next()) {
      switch (r.field()) {
        case 1 -> key = r.string();
        case 2 -> value = r.string();
        default -> r.skip();
      }
    }
    map.put(key, value);
  }
}
