#!/usr/bin/python3
# Writes the golden byte files of this directory with Debian's python3-protobuf (the reference
# protobuf implementation, not this project's codec). The messages are declared here by hand, with
# only the fields the plugin reads or writes plus a few it must skip, numbered as in containerd/nri's
# pkg/api/api.proto and containerd/ttrpc's request.proto (read there, not copied). Run it from any
# directory: /usr/bin/python3 spec-fixtures/nri/make-golden.py
import os
import struct

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

F = descriptor_pb2.FieldDescriptorProto
fdp = descriptor_pb2.FileDescriptorProto(name="golden.proto", package="golden", syntax="proto3")


def message(name, *fields):
    m = fdp.message_type.add(name=name)
    for number, fname, ftype, label, type_name in fields:
        f = m.field.add(name=fname, number=number, type=ftype, label=label)
        if type_name:
            f.type_name = ".golden." + type_name
    return m


OPT, REP = F.LABEL_OPTIONAL, F.LABEL_REPEATED
STR, BYTES, MSG, BOOL, I32, I64, U32 = (F.TYPE_STRING, F.TYPE_BYTES, F.TYPE_MESSAGE, F.TYPE_BOOL,
                                       F.TYPE_INT32, F.TYPE_INT64, F.TYPE_UINT32)
# A map<string, string> is on the wire a repeated entry message {key = 1, value = 2}; declared as
# such (the reference implementation keeps its entries in the order added).
message("StringEntry", (1, "key", STR, OPT, None), (2, "value", STR, OPT, None))
# ttrpc
message("Status", (1, "code", I32, OPT, None), (2, "message", STR, OPT, None))
message("Request", (1, "service", STR, OPT, None), (2, "method", STR, OPT, None),
        (3, "payload", BYTES, OPT, None), (4, "timeout_nano", I64, OPT, None))
message("Response", (1, "status", MSG, OPT, "Status"), (2, "payload", BYTES, OPT, None))
# nri.pkg.api.v1alpha1
message("RegisterPluginRequest", (1, "plugin_name", STR, OPT, None), (2, "plugin_idx", STR, OPT, None))
message("ConfigureRequest", (1, "config", STR, OPT, None), (2, "runtime_name", STR, OPT, None),
        (3, "runtime_version", STR, OPT, None), (4, "registration_timeout", I64, OPT, None),
        (5, "request_timeout", I64, OPT, None))
message("ConfigureResponse", (2, "events", I32, OPT, None))
message("PodSandbox", (1, "id", STR, OPT, None), (2, "name", STR, OPT, None), (3, "uid", STR, OPT, None),
        (4, "namespace", STR, OPT, None), (5, "labels", MSG, REP, "StringEntry"),
        (6, "annotations", MSG, REP, "StringEntry"), (7, "runtime_handler", STR, OPT, None),
        (9, "pid", U32, OPT, None))
message("OptionalInt", (1, "value", I64, OPT, None))
message("Hook", (1, "path", STR, OPT, None), (2, "args", STR, REP, None), (3, "env", STR, REP, None),
        (4, "timeout", MSG, OPT, "OptionalInt"))
message("Hooks", (1, "prestart", MSG, REP, "Hook"), (2, "create_runtime", MSG, REP, "Hook"),
        (6, "poststop", MSG, REP, "Hook"))
message("Mount", (1, "destination", STR, OPT, None), (2, "type", STR, OPT, None),
        (3, "source", STR, OPT, None), (4, "options", STR, REP, None))
message("Container", (1, "id", STR, OPT, None), (2, "pod_sandbox_id", STR, OPT, None),
        (3, "name", STR, OPT, None), (4, "state", I32, OPT, None),
        (5, "labels", MSG, REP, "StringEntry"), (6, "annotations", MSG, REP, "StringEntry"),
        (7, "args", STR, REP, None), (8, "env", STR, REP, None), (9, "mounts", MSG, REP, "Mount"),
        (10, "hooks", MSG, OPT, "Hooks"), (12, "pid", U32, OPT, None), (14, "created_at", I64, OPT, None))
message("SynchronizeRequest", (1, "pods", MSG, REP, "PodSandbox"),
        (2, "containers", MSG, REP, "Container"), (3, "more", BOOL, OPT, None))
message("SynchronizeResponse", (2, "more", BOOL, OPT, None))
message("CreateContainerRequest", (1, "pod", MSG, OPT, "PodSandbox"), (2, "container", MSG, OPT, "Container"))
message("ContainerAdjustment", (2, "annotations", MSG, REP, "StringEntry"), (5, "hooks", MSG, OPT, "Hooks"))
message("CreateContainerResponse", (1, "adjust", MSG, OPT, "ContainerAdjustment"))

pool = descriptor_pool.DescriptorPool()
pool.Add(fdp)
M = {d.name: message_factory.GetMessageClass(d) if hasattr(message_factory, "GetMessageClass")
     else message_factory.MessageFactory(pool).GetPrototype(d)
     for d in (pool.FindMessageTypeByName("golden." + m.name) for m in fdp.message_type)}
here = os.path.dirname(os.path.abspath(__file__))


def write(name, msg):
    data = msg if isinstance(msg, bytes) else msg.SerializeToString(deterministic=True)
    with open(os.path.join(here, name), "wb") as f:
        f.write(data)


def hook(path, *args, timeout=None):
    h = M["Hook"](path=path, args=list(args), env=["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"])
    if timeout is not None:
        h.timeout.value = timeout
    return h


# What the plugin writes.
register = M["RegisterPluginRequest"](plugin_name="oci-chroot-hook", plugin_idx="50")
write("register-plugin-request.bin", register)
request = M["Request"](service="nri.pkg.api.v1alpha1.Runtime", method="RegisterPlugin",
                       payload=register.SerializeToString())
write("ttrpc-register-request.bin", request)
frame = request.SerializeToString()
# The whole trunk chunk: mux header [conn 2, length], ttrpc header [length, stream 1, request, 0].
write("trunk-register-chunk.bin", struct.pack(">II", 2, 10 + len(frame)) + struct.pack(">IIBB", len(frame), 1, 1, 0) + frame)
write("configure-response.bin", M["ConfigureResponse"](events=1 << (4 - 1)))
write("synchronize-response-more.bin", M["SynchronizeResponse"](more=True))
write("synchronize-response-last.bin", M["SynchronizeResponse"](more=False))
ours = hook("/usr/local/bin/oci-chroot-hook", "oci-chroot-hook", timeout=30)
adjust = M["CreateContainerResponse"]()
adjust.adjust.annotations.add(key="org.ocichroothook.platform", value="kvm")
adjust.adjust.hooks.prestart.append(ours)
adjust.adjust.hooks.poststop.append(ours)
write("create-container-response-adjust.bin", adjust)
write("ttrpc-response-refused.bin", M["Response"](status=M["Status"](code=3, message="oci-chroot-hook: refused")))
write("ttrpc-response-ok.bin", M["Response"](payload=M["ConfigureResponse"](events=8).SerializeToString()))

# What the plugin reads: containerd's requests, with fields it must skip.
write("configure-request.bin", M["ConfigureRequest"](config="", runtime_name="containerd",
      runtime_version="v1.7.24", registration_timeout=5000, request_timeout=2000))
sync = M["SynchronizeRequest"](more=True)
sync.pods.add(id="p1", name="pod", namespace="default")
sync.containers.add(id="c1", pod_sandbox_id="p1", name="app", state=3)
write("synchronize-request-more.bin", sync)
create = M["CreateContainerRequest"]()
pod = create.pod
pod.id, pod.name, pod.uid, pod.namespace, pod.runtime_handler, pod.pid = (
    "0123abcd", "sandboxed", "uid-1", "team-a", "runc", 4242)
pod.labels.add(key="app", value="demo")
pod.annotations.add(key="dev.gvisor.flag.platform", value="kvm")
pod.annotations.add(key="io.kubernetes.cri.sandbox-id", value="0123abcd")
c = create.container
c.id, c.pod_sandbox_id, c.name, c.state, c.pid, c.created_at = (
    "4567ef01", "0123abcd", "app", 1, 0, 1764547200000000000)
c.labels.add(key="io.kubernetes.container.name", value="app")
c.annotations.add(key="io.kubernetes.cri.container-type", value="container")
c.annotations.add(key="org.ocichroothook.platform", value="ptrace")
c.args.extend(["/bin/sh", "-c", "sleep 1d"])
c.env.append("HOME=/root")
c.mounts.add(destination="/proc", type="proc", source="proc", options=["nosuid"])
c.hooks.create_runtime.append(hook("/usr/bin/other-hook", "other"))
c.hooks.prestart.append(hook("/opt/other/prestart", "prestart-tool", timeout=5))
c.hooks.poststop.append(hook("/usr/local/bin/oci-chroot-hook", "oci-chroot-hook", timeout=30))
write("create-container-request.bin", create)
print("wrote", len([n for n in os.listdir(here) if n.endswith(".bin")]), "files to", here)
