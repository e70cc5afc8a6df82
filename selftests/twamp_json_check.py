#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Validate twamp-ctl -j output against docs/twamp-ctl.schema.json.

    twamp_json_check.py SCHEMA DOCUMENT FILE [--lines]

DOCUMENT names a member of the schema's "documents" (ping, reflector_show,
...). FILE holds one JSON document, or with --lines one per line (monitor).
The validator is the subset of JSON Schema (draft-07) that the schema uses:
type, enum, anyOf, $ref, required, properties, additionalProperties,
dependencies, items, minimum, pattern; written here so that the guest needs
no python3-jsonschema. Prints each violation; exits 1 if there was one.
"""

import json
import re
import sys

TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    # JSON integers; Python's bool is an int, JSON's is not
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}


class Checker:
    def __init__(self, schema):
        self.root = schema
        self.errors = []

    def resolve(self, ref):
        if not ref.startswith("#/"):
            raise ValueError("only local $ref: %s" % ref)
        node = self.root
        for part in ref[2:].split("/"):
            node = node[part]
        return node

    def check(self, s, v, path):
        """Violations of schema s by value v, appended; True if none."""
        before = len(self.errors)
        if "$ref" in s:
            self.check(self.resolve(s["$ref"]), v, path)
        if "type" in s:
            types = s["type"] if isinstance(s["type"], list) else [s["type"]]
            if not any(TYPES[t](v) for t in types):
                self.errors.append("%s: %r is not %s" % (path, v, "/".join(types)))
                return False
        if "enum" in s and v not in s["enum"]:
            self.errors.append("%s: %r not one of %r" % (path, v, s["enum"]))
        if "anyOf" in s:
            for sub in s["anyOf"]:
                c = Checker(self.root)
                if c.check(sub, v, path):
                    break
            else:
                self.errors.append("%s: %r matches none of anyOf" % (path, v))
        if "minimum" in s and TYPES["number"](v) and v < s["minimum"]:
            self.errors.append("%s: %r below %r" % (path, v, s["minimum"]))
        if "pattern" in s and isinstance(v, str) and not re.search(s["pattern"], v):
            self.errors.append("%s: %r does not match %s" % (path, v, s["pattern"]))
        if isinstance(v, dict):
            self.check_object(s, v, path)
        if isinstance(v, list) and "items" in s:
            for i, item in enumerate(v):
                self.check(s["items"], item, "%s[%d]" % (path, i))
        return len(self.errors) == before

    def check_object(self, s, v, path):
        props = s.get("properties", {})
        for k in s.get("required", []):
            if k not in v:
                self.errors.append("%s: missing %r" % (path, k))
        for k, deps in s.get("dependencies", {}).items():
            for d in deps if k in v else []:
                if d not in v:
                    self.errors.append("%s: %r without %r" % (path, k, d))
        extra = s.get("additionalProperties", True)
        for k, item in v.items():
            sub = "%s.%s" % (path, k)
            if k in props:
                self.check(props[k], item, sub)
            elif extra is False:
                self.errors.append("%s: undocumented member" % sub)
            elif isinstance(extra, dict):
                self.check(extra, item, sub)


def main():
    args = [a for a in sys.argv[1:] if a != "--lines"]
    if len(args) != 3:
        sys.exit(__doc__)
    schema_path, name, path = args
    schema = json.load(open(schema_path))
    text = open(path).read()
    if "--lines" in sys.argv:
        docs = [json.loads(line) for line in text.splitlines() if line.strip()]
    else:
        docs = [json.loads(text)]
    c = Checker(schema)
    for i, doc in enumerate(docs):
        c.check(schema["documents"][name], doc, "%s[%d]" % (name, i) if
                len(docs) > 1 else name)
    for e in c.errors:
        print("# schema: " + e)
    print("# %s: %d document(s), %d violation(s)" % (name, len(docs), len(c.errors)))
    sys.exit(1 if c.errors else 0)


if __name__ == "__main__":
    main()
