// Validates Kubernetes manifests offline against the Kubernetes API schema, with two packages from the
// npm registry: kubernetes-models (each kind's JSON schema, from the API's OpenAPI document: types,
// required fields, formats, enums) and @kubernetes/client-node (each kind's fields, from the same
// document: a field the API does not know is an error, as `kubectl apply --validate=strict` says).
//   node validate-manifests.mjs FILE.yaml...   prints one line per object; exits 1 on any error
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import * as models from 'kubernetes-models';
import * as client from '@kubernetes/client-node';

// kubernetes-models exports each group as a namespace (apps.v1, node.k8s.io as nodeK8sIo.v1, core as v1).
function modelClass(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const key = group === '' ? null : group.replace(/\.(\w)/g, (_, c) => c.toUpperCase()).replace(/\./g, '');
  const ns = key === null ? models : models[key];
  return ns && ns[version] ? ns[version][kind] : undefined;
}

// The client's class for a kind: V1DaemonSet, V1RuntimeClass, V1Pod...
function clientType(apiVersion, kind) {
  const version = apiVersion.split('/').pop();
  return version.charAt(0).toUpperCase() + version.slice(1) + kind;
}

function unknownFields(value, type, path, errors) {
  if (value === null || value === undefined) return;
  let m;
  if ((m = /^Array<(.+)>$/.exec(type))) {
    if (!Array.isArray(value)) return; // the schema check reports the type
    value.forEach((v, i) => unknownFields(v, m[1], `${path}[${i}]`, errors));
    return;
  }
  if ((m = /^\{ \[key: string\]: (.+); \}$/.exec(type))) {
    for (const [k, v] of Object.entries(value)) unknownFields(v, m[1], `${path}.${k}`, errors);
    return;
  }
  const cls = client[type];
  if (!cls || typeof cls.getAttributeTypeMap !== 'function' || typeof value !== 'object') return;
  const attributes = cls.getAttributeTypeMap();
  for (const [k, v] of Object.entries(value)) {
    const attribute = attributes.find((a) => a.baseName === k);
    if (!attribute) {
      errors.push(`${path}.${k}: unknown field (${type} has ${attributes.map((a) => a.baseName).join(', ')})`);
    } else {
      unknownFields(v, attribute.type, `${path}.${k}`, errors);
    }
  }
}

let failed = false;
for (const file of process.argv.slice(2)) {
  const docs = yaml.loadAll(readFileSync(file, 'utf8')).filter((d) => d !== null);
  if (docs.length === 0) {
    console.log(`${file}: no object`);
    failed = true;
  }
  for (const doc of docs) {
    const name = `${file}: ${doc.kind} ${doc.metadata && doc.metadata.name}`;
    const errors = [];
    const Model = modelClass(String(doc.apiVersion), String(doc.kind));
    if (!Model) {
      errors.push(`unknown apiVersion/kind ${doc.apiVersion}/${doc.kind}`);
    } else {
      try {
        new Model(doc).validate();
      } catch (e) {
        errors.push(`schema: ${e.message}`);
      }
      const type = clientType(String(doc.apiVersion), String(doc.kind));
      if (!client[type]) errors.push(`no field list for ${type}`);
      unknownFields(doc, type, doc.kind, errors);
    }
    if (errors.length > 0) {
      failed = true;
      for (const e of errors) console.log(`${name}: ${e}`);
    } else {
      console.log(`${name}: valid`);
    }
  }
}
process.exit(failed ? 1 : 0);
